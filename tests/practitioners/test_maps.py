"""The app's own location maps (practitioners/maps.py): a ZIP's point lands inside its state's
drawing and inside the state's outline, for states of every shape, Alaska across the 180th meridian
included; every state with a board row has an outline."""

import json
import re
from pathlib import Path

import pytest

from practitioners import geo, maps

BOARDS = Path(__file__).resolve().parents[2] / "fixtures" / "reference" / "state_boards.json"
# ZIP -> state: coasts, islands, panhandles, a peninsula state and a tiny one.
SAMPLE_ZIPS = {
    "08540": "NJ",  # Princeton
    "10001": "NY",  # Manhattan
    "94110": "CA",  # San Francisco
    "78701": "TX",  # Austin
    "33139": "FL",  # Miami Beach
    "96813": "HI",  # Honolulu
    "99501": "AK",  # Anchorage
    "04101": "ME",  # Portland
    "02903": "RI",  # Providence
    "20001": "DC",
    "49855": "MI",  # Marquette, Upper Peninsula
    "73301": "TX",
}


def rings(path: str) -> list[list[tuple[float, float]]]:
    """The outline's rings from its SVG path data (M x y L x y … Z, as the build script writes)."""
    result = []
    for ring in re.findall(r"M([^Z]*)Z", path):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", ring)]
        result.append(list(zip(numbers[::2], numbers[1::2], strict=True)))
    return result


def inside(x: float, y: float, ring: list[tuple[float, float]]) -> bool:
    """Ray casting: does the point fall inside the ring?"""
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


@pytest.mark.parametrize(("zip_code", "state"), SAMPLE_ZIPS.items())
def test_a_zips_point_lies_inside_its_states_bounding_box_and_outline(zip_code, state):
    place = geo.zip_place(zip_code)
    assert place is not None and place.state == state
    outline = maps.outlines()[state]
    assert outline["south"] <= place.latitude <= outline["north"]
    assert outline["west"] <= place.longitude <= outline["east"]
    x, y = maps.project(state, place.latitude, place.longitude)
    assert 0 <= x <= outline["width"] and 0 <= y <= outline["height"]
    assert any(inside(x, y, ring) for ring in rings(outline["d"])), f"{zip_code} falls outside {state}'s outline"


def test_the_point_moves_the_right_way():
    """North is up and east is right in every drawing."""
    west_x, north_y = maps.project("TX", 33.0, -101.0)
    east_x, south_y = maps.project("TX", 29.0, -95.0)
    assert west_x < east_x and north_y < south_y


def test_alaska_west_of_the_180th_meridian_is_drawn_at_its_west_end():
    outline = maps.outlines()["AK"]
    x, y = maps.project("AK", 52.93, 173.2)  # Attu Island, longitude east
    assert 0 <= x < outline["width"] * 0.05
    assert 0 <= y <= outline["height"]


def test_every_state_board_has_an_outline_of_a_small_size():
    states = {board["state"] for board in json.loads(BOARDS.read_text())}
    assert states <= set(maps.outlines())
    for state in states:
        outline = maps.outlines()[state]
        assert max(outline["width"], outline["height"]) == pytest.approx(200, abs=0.2)
        assert len(outline["d"]) < 8000, state  # simplified: the page carries it inline


def test_the_map_names_the_state_and_the_city():
    location_map = maps.location_map(state="NJ", city="Princeton", latitude=40.35, longitude=-74.66)
    assert location_map.label == "Map of New Jersey showing the practice in Princeton"
    assert location_map.view_box.startswith("-6 -6 ")
    assert maps.location_map(state="PR", city="San Juan", latitude=18.4, longitude=-66.1) is None
