"""scripts/build_state_outlines.py on a tiny TopoJSON: arcs decoded (delta + quantization), rings
joined from shared arcs (reversed ones too), collinear points simplified away, the projection the
same one `practitioners.maps.project` uses."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_state_outlines.py"


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build_state_outlines", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# A 2°×2° square with a midpoint on its south edge, as two arcs; the second is stored reversed.
TOPOLOGY = {
    "transform": {"scale": [0.5, 0.5], "translate": [-76.0, 39.0]},
    "arcs": [
        [[0, 0], [2, 0], [2, 0], [0, 4]],  # (-76,39) → (-75,39) → (-74,39) → (-74,41)
        [[0, 0], [4, 4]],  # (-76,39) → (-74,41), used reversed (~1)
    ],
}


def test_arcs_are_decoded_and_joined_into_a_ring(build):
    arcs = build.decode_arcs(TOPOLOGY)
    assert arcs[0] == [(-76.0, 39.0), (-75.0, 39.0), (-74.0, 39.0), (-74.0, 41.0)]
    ring = build.ring_points([0, ~1], arcs)
    assert ring == [(-76.0, 39.0), (-75.0, 39.0), (-74.0, 39.0), (-74.0, 41.0), (-76.0, 39.0)]


def test_simplify_drops_points_within_the_tolerance_only(build):
    points = [(0.0, 0.0), (5.0, 0.1), (10.0, 0.0), (10.0, 10.0)]
    assert build.simplify(points, 0.5) == [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]
    assert build.simplify(points, 0.05) == points


def test_an_outline_is_projected_as_maps_project_reads_it(build, monkeypatch):
    square = [(-76.0, 39.0), (-74.0, 39.0), (-74.0, 41.0), (-76.0, 41.0), (-76.0, 39.0)]
    outline = build.outline("Testland", [square])
    assert outline["height"] == pytest.approx(200)  # taller than wide once longitude is shrunk
    assert outline["width"] == pytest.approx(200 * outline["k"], abs=0.1)
    assert outline["d"].startswith("M0 200L") and outline["d"].endswith("Z")

    from practitioners import maps

    monkeypatch.setattr(maps, "outlines", lambda: {"TL": outline})
    assert maps.project("TL", 41.0, -76.0) == (0, 0)  # north-west corner
    assert maps.project("TL", 39.0, -74.0) == pytest.approx((outline["width"], 200), abs=0.1)
