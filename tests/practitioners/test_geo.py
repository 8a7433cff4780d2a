"""Offline geocoding from ZIP centroids and the great-circle distance."""

import pytest

from practitioners import geo


def test_zip_centroid_is_found_offline():
    place = geo.zip_place("94110")
    assert place is not None
    assert place.state == "CA"
    assert 37.7 < place.latitude < 37.8
    assert -122.5 < place.longitude < -122.4


@pytest.mark.parametrize("bad", ["00000", "ABCDE", "1234", "123456", "", " 94110x"])
def test_unknown_or_malformed_zip_gives_none(bad):
    assert geo.zip_place(bad) is None


@pytest.mark.parametrize(
    ("zip_a", "zip_b", "miles"),
    [
        # Reference great-circle distances between the same ZIP centroids.
        ("10001", "94110", 2571.0),  # Manhattan to San Francisco
        ("60601", "02139", 850.0),  # Chicago Loop to Cambridge, MA
        ("78701", "77002", 146.0),  # Austin to Houston
    ],
)
def test_known_distances_within_one_percent(zip_a, zip_b, miles):
    a, b = geo.zip_place(zip_a), geo.zip_place(zip_b)
    assert a and b
    assert geo.haversine_miles(a.latitude, a.longitude, b.latitude, b.longitude) == pytest.approx(miles, rel=0.01)


def test_bounding_box_contains_the_circle():
    lat, lng = 40.0, -100.0
    min_lat, max_lat, min_lng, max_lng = geo.bounding_box(lat, lng, 25)
    assert geo.haversine_miles(lat, lng, max_lat, lng) == pytest.approx(25, rel=1e-3)
    assert geo.haversine_miles(lat, lng, lat, max_lng) >= 25 * 0.999
    assert min_lat < lat < max_lat and min_lng < lng < max_lng
