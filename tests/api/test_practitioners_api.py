"""The JSON API: the same search as the page, 400s with field errors, profiles, constant query counts."""

import pytest
from django.urls import reverse

from practitioners.models import Practitioner
from tests.factories import searchable_practitioner
from tests.search.test_search_filters import BAD_INPUT, rate
from tests.search_queries import index_queries, prepares

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api:practitioner-list")


def make_listings(n: int, **fields) -> None:
    for i in range(n):
        searchable_practitioner(slug=f"p-{i:03d}", name=f"Practitioner {i:03d}", **fields)


def test_list_is_paginated_with_count_next_and_previous(client):
    make_listings(45)
    first = client.get(LIST_URL).json()
    assert first["count"] == 45
    assert len(first["results"]) == 20
    assert first["previous"] is None
    assert "page=2" in first["next"]
    last = client.get(LIST_URL, {"page": 3}).json()
    assert len(last["results"]) == 5
    assert last["next"] is None and "page=2" in last["previous"]


def test_next_link_keeps_the_search_parameters(client):
    make_listings(25, conditions=("neck-pain",))
    data = client.get(LIST_URL, {"location": "94110", "condition": "neck-pain"}).json()
    assert "location=94110" in data["next"] and "condition=neck-pain" in data["next"]


def test_result_has_distance_conditions_badges_and_rating(client):
    practitioner = searchable_practitioner(
        slug="mei", zip_code="94607", conditions=("neck-pain",), verified=True, nccaom=True, medicare=True
    )
    rate(practitioner, 5, 4)
    (result,) = client.get(LIST_URL, {"location": "94110"}).json()["results"]
    assert result["slug"] == "mei"
    assert 7 < result["distance_miles"] < 9  # Oakland 94607 is about 8 miles from 94110
    assert result["nearest_location"]["city"] == "Oakland"
    assert result["conditions"] == [{"slug": "neck-pain", "name": "Neck pain"}]
    assert result["badges"] == {"verified": True, "nccaom_certified": True, "meets_medicare_criteria": True}
    assert result["rating"] == {"average": 4.5, "count": 2}
    assert result["profile_url"].endswith("/practitioners/mei/")
    assert result["api_url"].endswith("/api/v1/practitioners/mei/")


def test_distance_is_null_without_a_location(client):
    searchable_practitioner(slug="mei")
    (result,) = client.get(LIST_URL).json()["results"]
    assert result["distance_miles"] is None
    assert result["badges"]["verified"] is False
    assert result["rating"] == {"average": None, "count": 0}


def test_same_filters_and_order_as_the_page(client):
    rate(searchable_practitioner(slug="low", conditions=("neck-pain",)), 2)
    rate(searchable_practitioner(slug="high", conditions=("neck-pain",)), 5)
    searchable_practitioner(slug="other", conditions=("sciatica",))
    data = client.get(LIST_URL, {"condition": "neck-pain", "sort": "rating"}).json()
    assert [r["slug"] for r in data["results"]] == ["high", "low"]


@pytest.mark.parametrize(("params", "field", "message"), BAD_INPUT)
def test_bad_input_is_a_400_with_field_errors(client, params, field, message):
    response = client.get(LIST_URL, params)
    assert response.status_code == 400
    errors = response.json()
    assert field in errors
    assert any(message in error for error in errors[field]), errors


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("0", "Page numbers start at 1."),
        ("-1", "Page numbers start at 1."),
        ("abc", "“abc” is not a page number"),
        ("99999", "Page 99999 does not exist; there are 2 pages of results."),
        (["1", "2"], "Give one page number only."),
    ],
)
def test_bad_pages_are_400s(client, page, message):
    make_listings(25)
    response = client.get(LIST_URL, {"page": page})
    assert response.status_code == 400
    assert any(message in error for error in response.json()["page"])


def test_an_empty_result_has_an_empty_first_page(client):
    response = client.get(LIST_URL, {"location": "99950"})
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert client.get(LIST_URL, {"location": "99950", "page": 2}).status_code == 400


def test_detail_has_the_whole_profile(client):
    practitioner = searchable_practitioner(
        slug="mei", conditions=("neck-pain",), techniques=("cupping",), languages=("es",), verified=True, medicare=True
    )
    data = client.get(reverse("api:practitioner-detail", kwargs={"slug": practitioner.slug})).json()
    assert data["slug"] == "mei"
    assert data["badges"]["meets_medicare_criteria"] is True
    assert data["techniques"] == [{"slug": "cupping", "name": "Cupping"}]
    assert data["languages"] == [{"code": "es", "name": "Spanish"}]
    (license_,) = data["licenses"]
    assert license_["verification"]["state"] == "verified" and license_["verification"]["current"] is True
    assert license_["board_lookup_url"].startswith("http")
    assert data["locations"][0]["city"] == "San Francisco"
    assert data["rating"]["histogram"] == {"5": 0, "4": 0, "3": 0, "2": 0, "1": 0}
    assert "contact_email" not in data


def test_detail_is_404_for_unknown_and_unpublished(client):
    draft = searchable_practitioner(slug="draft", status=Practitioner.Status.DRAFT)
    for slug in (draft.slug, "nobody"):
        assert client.get(reverse("api:practitioner-detail", kwargs={"slug": slug})).status_code == 404


def test_the_api_is_read_only(client):
    searchable_practitioner(slug="mei")
    assert client.post(LIST_URL, {}).status_code == 405
    assert client.delete(reverse("api:practitioner-detail", kwargs={"slug": "mei"})).status_code == 405


def test_anonymous_requests_are_throttled(client, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    # DRF copies the rates onto the class at import; patch the class so the override ends with the test.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    codes = [client.get(LIST_URL).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.parametrize("n_results", [5, 50])
@pytest.mark.parametrize("params", [{}, {"location": "94110", "condition": "neck-pain", "q": "practitioner"}])
def test_list_query_count_is_constant(client, django_assert_num_queries, n_results, params):
    make_listings(n_results, conditions=("neck-pain",))
    # vocabulary 1 + the index (count, the page's entries with the cards' condition ids) + rows 1 + locations 1
    with django_assert_num_queries(3 + index_queries(params)):
        response = client.get(LIST_URL, params)
    assert len(response.json()["results"]) == min(n_results, 20)


@pytest.mark.parametrize("n_related", [1, 5])
def test_detail_query_count_does_not_grow(client, django_assert_num_queries, n_related):
    from tests.factories import CertificationFactory, LicenseFactory, location_at_zip

    practitioner = searchable_practitioner(slug="mei", conditions=("neck-pain", "sciatica"), verified=True)
    for _ in range(n_related - 1):
        location_at_zip(practitioner, "94103")
        LicenseFactory(practitioner=practitioner)
        CertificationFactory(practitioner=practitioner)
    # the listing with its short lists (conditions … trainings), locations with their hours, licenses,
    # certifications, degrees (practitioners.selectors.practitioner_profile)
    # (and, on PostgreSQL, the connection's first PREPARE of the listing's statement: practitioners.prepared)
    with django_assert_num_queries(5 + prepares()):
        client.get(reverse("api:practitioner-detail", kwargs={"slug": "mei"}))
