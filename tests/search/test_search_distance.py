"""Distance search: the SQL great-circle distance, the radius, the nearest location, known ZIP pairs."""

import pytest
from django.http import QueryDict

from practitioners import geo
from practitioners.models import Practitioner
from search.filters import PractitionerFilterSet
from search.selectors import search_base_qs, search_practitioners
from tests.factories import location_at_zip, searchable_practitioner

pytestmark = pytest.mark.django_db

# Great-circle distances between city centres, as published (e.g. in atlases), in miles;
# ZIP centroids sit close enough to the centres for 1%.
KNOWN_PAIRS = [
    ("10001", "90012", 2445),  # New York – Los Angeles
    ("60601", "10001", 711),  # Chicago – New York
    ("94102", "90012", 347),  # San Francisco – Los Angeles
    ("98101", "97204", 145),  # Seattle – Portland
]


def sql_distance(from_zip: str, to_zip: str) -> float:
    """Distance computed by the database for a listing at `to_zip`, searched from `from_zip`."""
    origin = geo.zip_place(from_zip)
    practitioner = searchable_practitioner(zip_code=to_zip)
    row = (
        Practitioner.objects.filter(pk=practitioner.pk)
        .with_distance(origin.latitude, origin.longitude, 5000)
        .values_list("distance", flat=True)
        .get()
    )
    return row


@pytest.mark.parametrize(("from_zip", "to_zip", "published"), KNOWN_PAIRS)
def test_sql_distance_between_well_known_zips_is_within_one_percent(from_zip, to_zip, published):
    distance = sql_distance(from_zip, to_zip)
    assert abs(distance - published) / published < 0.01


@pytest.mark.parametrize(("from_zip", "to_zip"), [("94110", "94607"), ("10001", "19103"), ("33101", "96813")])
def test_sql_distance_matches_the_python_haversine(from_zip, to_zip):
    a, b = geo.zip_place(from_zip), geo.zip_place(to_zip)
    expected = geo.haversine_miles(a.latitude, a.longitude, b.latitude, b.longitude)
    assert sql_distance(from_zip, to_zip) == pytest.approx(expected, rel=1e-6)


def test_distance_to_the_same_point_is_zero():
    assert sql_distance("94110", "94110") == pytest.approx(0, abs=1e-6)


def test_radius_limits_results_and_each_shows_its_distance():
    searchable_practitioner(slug="mission", zip_code="94110")
    searchable_practitioner(slug="sacramento", zip_code="95814")  # about 76 miles away
    searchable_practitioner(slug="new-york", zip_code="10001")

    near = PractitionerFilterSet(QueryDict("location=94110&radius=50"), queryset=search_base_qs())
    assert [p.slug for p in near.qs] == ["mission"]

    wide = list(PractitionerFilterSet(QueryDict("location=94110&radius=100"), queryset=search_base_qs()).qs)
    assert [p.slug for p in wide] == ["mission", "sacramento"]
    assert wide[0].distance == pytest.approx(0, abs=0.01)
    sac = geo.zip_place("95814")
    origin = geo.zip_place("94110")
    assert wide[1].distance == pytest.approx(
        geo.haversine_miles(origin.latitude, origin.longitude, sac.latitude, sac.longitude), rel=1e-6
    )


def test_default_radius_is_25_miles():
    searchable_practitioner(slug="oakland", zip_code="94607")  # ~5 miles from the Mission
    searchable_practitioner(slug="san-jose", zip_code="95113")  # ~42 miles
    assert [p.slug for p in PractitionerFilterSet(QueryDict("location=94110"), queryset=search_base_qs()).qs] == [
        "oakland"
    ]


def test_distance_is_to_the_nearest_location_inside_the_radius_and_shown_on_the_card():
    practitioner = searchable_practitioner(slug="two-offices", zip_code="10001")
    location_at_zip(practitioner, "94607", name="Oakland office")
    search = search_practitioners(params=QueryDict("location=94110&radius=30"), page_values=[])
    (result,) = search.results
    oakland = geo.zip_place("94607")
    origin = geo.zip_place("94110")
    assert result.distance == pytest.approx(
        geo.haversine_miles(origin.latitude, origin.longitude, oakland.latitude, oakland.longitude), rel=1e-6
    )
    assert result.nearest_location.name == "Oakland office"


def test_a_listing_appears_once_however_many_locations_match():
    practitioner = searchable_practitioner(slug="many", zip_code="94110")
    for zip_code in ("94103", "94107", "94114"):
        location_at_zip(practitioner, zip_code)
    search = search_practitioners(params=QueryDict("location=94110"), page_values=[])
    assert [p.slug for p in search.results] == ["many"]
    assert search.facets.total == 1


def test_city_state_resolves_to_the_centroid_of_its_zips():
    searchable_practitioner(slug="austin", zip_code="78701")
    search = PractitionerFilterSet(QueryDict("location=austin,%20tx"), queryset=search_base_qs())
    assert search.is_valid()
    assert search.place.label == "Austin, TX"
    assert [p.slug for p in search.qs] == ["austin"]


def test_locations_without_coordinates_are_never_near():
    practitioner = searchable_practitioner(slug="no-coordinates", zip_code=None)
    location_at_zip(practitioner, "94110", latitude=None, longitude=None)
    assert list(PractitionerFilterSet(QueryDict("location=94110"), queryset=search_base_qs()).qs) == []
