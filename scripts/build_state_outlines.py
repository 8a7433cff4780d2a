"""Convert the Census state boundaries in the npm package `us-atlas` into the small per-state
outlines the profile's location maps draw (practitioners/data/state_outlines.json). Run once; the
output is committed, the package is not:

    cd /tmp && npm pack us-atlas@3.0.1 && tar xzf us-atlas-3.0.1.tgz
    python3 scripts/build_state_outlines.py /tmp/package/states-10m.json

`states-10m.json` is TopoJSON in plain longitude/latitude (Census cartographic boundaries, 1:10m,
public domain; us-atlas is ISC-licensed). Each state gets its own simple projection, which
`practitioners.maps.project` repeats for a location's point:

    x = (longitude - west) * cos(middle latitude) * scale
    y = (north - latitude) * scale

an equirectangular projection with the longitude shrunk at the state's middle latitude, so shapes
look right at state size; `scale` fits the longer side to SIZE units. Alaska's Aleutians cross the
180th meridian: east longitudes there are moved by -360° first. Rings are simplified with
Douglas-Peucker at TOLERANCE units and rounded to 0.1 unit; rings that shrink below MIN_AREA square
units (small islands) are dropped. Only the states (and DC) in fixtures/reference/state_boards.json
are kept.
"""

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "practitioners" / "data" / "state_outlines.json"
BOARDS = ROOT / "fixtures" / "reference" / "state_boards.json"
SIZE = 200.0  # the longer side of every state's drawing, in SVG units
TOLERANCE = 0.6
MIN_AREA = 1.5


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs are delta-encoded, quantized integers: undo both."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """A ring is a list of arc indexes; ~i means arc i reversed. Consecutive arcs share an end point."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    raise ValueError(f"unexpected geometry type {geometry['type']!r} for {geometry['properties']['name']}")


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker (iterative, so Alaska's long coast cannot overflow the stack)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        worst, worst_index = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            distance = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / length if length else math.hypot(px - x1, py - y1)
            if distance > worst:
                worst, worst_index = distance, i
        if worst_index is not None and worst > tolerance:
            keep[worst_index] = True
            stack.extend([(first, worst_index), (worst_index, last)])
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def area(points: list[tuple[float, float]]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))) / 2


def outline(name: str, rings: list[list[tuple[float, float]]]) -> dict:
    if name == "Alaska":
        rings = [[(lon - 360 if lon > 0 else lon, lat) for lon, lat in ring] for ring in rings]
    lons = [lon for ring in rings for lon, _ in ring]
    lats = [lat for ring in rings for _, lat in ring]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    k = math.cos(math.radians((north + south) / 2))
    scale = SIZE / max((east - west) * k, north - south)
    paths = []
    for ring in rings:
        projected = [((lon - west) * k * scale, (north - lat) * scale) for lon, lat in ring]
        simplified = []
        for x, y in simplify(projected, TOLERANCE):
            point = (round(x, 1), round(y, 1))
            if not simplified or simplified[-1] != point:
                simplified.append(point)
        if len(simplified) < 4 or area(simplified) < MIN_AREA:
            continue
        head, *tail = simplified
        paths.append(f"M{head[0]:g} {head[1]:g}" + "".join(f"L{x:g} {y:g}" for x, y in tail) + "Z")
    return {
        "name": name,
        "west": round(west, 5),
        "east": round(east, 5),
        "south": round(south, 5),
        "north": round(north, 5),
        "k": round(k, 6),
        "scale": round(scale, 5),
        "width": round((east - west) * k * scale, 1),
        "height": round((north - south) * scale, 1),
        "d": "".join(paths),
    }


def main(source: Path) -> None:
    topology = json.loads(source.read_text())
    arcs = decode_arcs(topology)
    codes = {board["state_name"]: board["state"] for board in json.loads(BOARDS.read_text())}
    outlines = {}
    for geometry in topology["objects"]["states"]["geometries"]:
        name = geometry["properties"]["name"]
        if name not in codes:
            continue  # territories: no state board row, no listings
        # Outer rings only: holes (lakes inside a state) are not worth their bytes at this size.
        rings = [ring_points(polygon[0], arcs) for polygon in polygons(geometry)]
        outlines[codes[name]] = outline(name, rings)
    missing = sorted(set(codes.values()) - set(outlines))
    if missing:
        raise SystemExit(f"no outline in {source} for {', '.join(missing)}")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(dict(sorted(outlines.items())), separators=(",", ":")) + "\n")
    print(f"wrote {len(outlines)} outlines, {OUTPUT.stat().st_size:,} bytes, to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
