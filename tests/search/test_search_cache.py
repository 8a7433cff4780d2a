"""The search cache (SEARCH_CACHE_SECONDS): a repeated search costs its page's rows only, rows are
always live and re-filtered, and writes through the services make cached searches stale."""

import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from practitioners.models import Practitioner
from search.cache import invalidate_search_cache
from search.selectors import SearchResultList, search_base_qs, search_practitioners
from tests.factories import LicenseFactory, ReviewFactory, searchable_practitioner
from tests.search_queries import index_queries

pytestmark = pytest.mark.django_db

URL = reverse("practitioners:list")
API_URL = reverse("api:practitioner-list")


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.SEARCH_CACHE_SECONDS = 60


def make_listings(n: int, **fields) -> list[Practitioner]:
    return [
        searchable_practitioner(slug=f"c-{i:03d}", name=f"Cached {i:03d}", conditions=("neck-pain",), **fields)
        for i in range(n)
    ]


def cards(response) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="/practitioners/([^/]+)/', response.content.decode())


@pytest.mark.parametrize("params", [{}, {"location": "94110", "condition": "neck-pain", "sort": "rating"}])
def test_a_repeated_search_page_reads_only_its_rows(client, django_assert_num_queries, params):
    make_listings(25)
    outcomes = 1 if "condition" in params else 0  # a condition search's cards show its outcome figures
    # vocabulary, the index (facets, page entries), rows, locations
    with django_assert_num_queries(3 + index_queries(params) + outcomes):
        first = client.get(URL, params)
    with django_assert_num_queries(2 + outcomes):  # rows, locations
        again = client.get(URL, params)
    assert cards(again) == cards(first) and len(cards(first)) == 20
    with django_assert_num_queries(2 + index_queries(params, parts=1) + outcomes):  # page 2's entries: not cached
        second_page = client.get(URL, {**params, "page": "2"})
    assert len(cards(second_page)) == 5 and not set(cards(second_page)) & set(cards(first))


def test_a_repeated_api_search_reads_only_its_rows(client, django_assert_num_queries):
    make_listings(3)
    # vocabulary, the index (count, page entries), rows, locations
    with django_assert_num_queries(3 + index_queries({"condition": "neck-pain"})):
        first = client.get(API_URL, {"condition": "neck-pain"}).json()
    with django_assert_num_queries(2):
        again = client.get(API_URL, {"condition": "neck-pain"}).json()
    assert again == first and first["count"] == 3


def test_cached_pages_never_show_a_listing_that_stopped_matching(client):
    listings = make_listings(3)
    assert len(cards(client.get(URL, {"condition": "neck-pain"}))) == 3
    Practitioner.objects.filter(pk=listings[0].pk).update(status=Practitioner.Status.SUSPENDED)
    listings[1].conditions.clear()  # no longer treats neck pain: the cached page re-applies the filter
    shown = cards(client.get(URL, {"condition": "neck-pain"}))
    assert shown == [listings[2].slug]


def test_rows_are_live_even_when_the_order_is_cached(client):
    listing = make_listings(1)[0]
    client.get(URL)
    Practitioner.objects.filter(pk=listing.pk).update(name="Renamed Listing")
    assert "Renamed Listing" in client.get(URL).content.decode()


def test_invalidation_shows_new_listings_at_once(client):
    make_listings(2)
    assert client.get(API_URL).json()["count"] == 2
    make_listings_extra = searchable_practitioner(slug="newcomer", name="Newcomer")
    assert client.get(API_URL).json()["count"] == 2  # cached (a factory is not a service)
    invalidate_search_cache()
    data = client.get(API_URL).json()
    assert data["count"] == 3 and make_listings_extra.slug in {r["slug"] for r in data["results"]}


def test_services_invalidate_on_commit(client, django_capture_on_commit_callbacks):
    from reviews.services import review_publish
    from tests.factories import ReviewerFactory

    listing = make_listings(1)[0]
    LicenseFactory(practitioner=listing)
    review = ReviewFactory(practitioner=listing, state="pending", rating=5)
    assert client.get(API_URL, {"min_rating": "4"}).json()["count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        review_publish(review=review, moderator=ReviewerFactory())
    assert client.get(API_URL, {"min_rating": "4"}).json()["count"] == 1


def test_different_searches_do_not_share_entries(client):
    make_listings(2)
    searchable_practitioner(slug="back", name="Back Only", conditions=("sciatica",))
    assert client.get(API_URL, {"condition": "neck-pain"}).json()["count"] == 2
    assert client.get(API_URL, {"condition": "sciatica"}).json()["count"] == 1
    assert client.get(API_URL).json()["count"] == 3
    by_name = [r["slug"] for r in client.get(API_URL, {"sort": "reviews"}).json()["results"]]
    assert sorted(by_name) == ["back", "c-000", "c-001"]


def test_off_when_seconds_is_zero(client, settings, django_assert_num_queries):
    settings.SEARCH_CACHE_SECONDS = 0
    make_listings(2)
    client.get(URL)
    with django_assert_num_queries(5):
        client.get(URL)


def test_result_list_slices_in_search_order():
    make_listings(4)
    search = search_practitioners(params=QueryDict("sort=reviews"), page_values=[])
    results = SearchResultList(search.filterset)
    assert results.count() == len(results) == 4
    assert [p.slug for p in results[1:3]] == [p.slug for p in search.results[1:3]]
    assert results[3:3] == [] and results[10:20] == []
    with pytest.raises(TypeError):
        results[::2]
    assert search_base_qs().count() == 4


def test_another_sort_reuses_the_facet_counts(client, django_assert_num_queries):
    make_listings(3)
    client.get(URL, {"condition": "neck-pain", "sort": "rating"})
    # the new order's entries (the index), rows, locations, outcomes
    with django_assert_num_queries(3 + index_queries({"condition": "neck-pain"}, parts=1)):
        response = client.get(URL, {"condition": "neck-pain", "sort": "reviews"})
    assert len(cards(response)) == 3
