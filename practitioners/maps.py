"""A practice location's small map: its state's outline with the point, drawn by the app itself.

The outlines are Census boundaries (via the npm package `us-atlas`) converted once by
`scripts/build_state_outlines.py` into `data/state_outlines.json`; read that script's docstring for
the projection, which `project` repeats here. Pure functions, no ORM.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

OUTLINES = Path(__file__).with_name("data") / "state_outlines.json"
MARGIN = 6.0  # SVG units around the drawing, so a point on the border is not cut off


@cache
def outlines() -> dict[str, dict]:
    return json.loads(OUTLINES.read_text())


@dataclass(frozen=True)
class LocationMap:
    state_name: str
    label: str  # the SVG's accessible name
    view_box: str
    path: str
    x: float | None  # the point, or None when the location has no coordinates
    y: float | None


def project(state: str, latitude: float, longitude: float) -> tuple[float, float]:
    """The point's (x, y) in the state's drawing (see scripts/build_state_outlines.py)."""
    outline = outlines()[state]
    if state == "AK" and longitude > 0:
        longitude -= 360  # the Aleutians west of the 180th meridian
    x = (longitude - outline["west"]) * outline["k"] * outline["scale"]
    y = (outline["north"] - latitude) * outline["scale"]
    return round(x, 1), round(y, 1)


def location_map(*, state: str, city: str, latitude: float | None, longitude: float | None) -> LocationMap | None:
    """What the template needs to draw one location's map; None for a state without an outline."""
    outline = outlines().get(state)
    if outline is None:
        return None
    x = y = None
    if latitude is not None and longitude is not None:
        x, y = project(state, latitude, longitude)
        label = f"Map of {outline['name']} showing the practice in {city}"
    else:
        label = f"Map of {outline['name']} (the practice in {city} has no map position yet)"
    width, height = outline["width"] + 2 * MARGIN, outline["height"] + 2 * MARGIN
    return LocationMap(
        state_name=outline["name"],
        label=label,
        view_box=f"{-MARGIN:g} {-MARGIN:g} {width:g} {height:g}",
        path=outline["d"],
        x=x,
        y=y,
    )


def directions_url(*, street: str, city: str, state: str, zip_code: str) -> str:
    """A maps search for the address: a link the patient follows, not an asset the page loads.
    Google's documented cross-platform Maps URL, which opens the maps app on a phone."""
    address = ", ".join(part for part in (street, city, f"{state} {zip_code}".strip()) if part)
    return "https://www.google.com/maps/search/?" + urlencode({"api": "1", "query": address})
