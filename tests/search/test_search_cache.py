"""The search cache (SEARCH_CACHE_SECONDS): a repeated search is served from its HTML after one
query that re-checks its listings (rows whose order was cached are re-filtered too), and writes
through the services make cached searches stale."""

import datetime
import re

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from dashboard.images import process_photo
from dashboard.services import photo_remove, photo_set
from practitioners import services as listing_services
from practitioners.models import Practitioner
from search.cache import invalidate_search_cache
from search.selectors import SearchResultList, search_base_qs, search_practitioners
from tests.dashboard.test_images import photo_with_exif
from tests.factories import LicenseFactory, ReviewFactory, UserFactory, refresh_search_row, searchable_practitioner
from tests.search_queries import index_queries, prepares

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
def test_a_repeated_search_page_is_served_from_its_html(client, django_assert_num_queries, params):
    make_listings(25)
    outcomes = 1 if "condition" in params else 0  # a condition search's cards show its outcome figures
    # vocabulary, the index (facets, page entries), rows, locations
    with django_assert_num_queries(3 + index_queries(params) + outcomes + prepares()):
        first = client.get(URL, params)
    with django_assert_num_queries(1):  # are the page's listings still published and matching?
        again = client.get(URL, params)
    assert again.content == first.content and len(cards(first)) == 20
    with django_assert_num_queries(2 + index_queries(params, parts=1) + outcomes):  # page 2's entries: not cached
        second_page = client.get(URL, {**params, "page": "2"})
    assert len(cards(second_page)) == 5 and not set(cards(second_page)) & set(cards(first))


def test_the_cached_html_is_the_search_own_part_only(client):
    """Who is signed in is rendered for each request; the htmx fragment is kept apart from the page."""
    make_listings(2)
    anonymous = client.get(URL, {"condition": "neck-pain"})
    assert "Sign out" not in anonymous.content.decode()
    user = UserFactory()
    client.force_login(user)
    signed_in = client.get(URL, {"condition": "neck-pain"})
    assert "Sign out" in signed_in.content.decode() and cards(signed_in) == cards(anonymous)
    fragment = client.get(URL, {"condition": "neck-pain"}, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<html" not in html and 'hx-swap-oob="true"' in html and cards(fragment) == cards(anonymous)
    again = client.get(URL, {"condition": "neck-pain"}).content.decode()
    assert "<html" in again and 'hx-swap-oob="true"' not in again


def test_a_repeated_api_search_is_served_from_its_page(client, django_assert_num_queries):
    listings = make_listings(3)
    # vocabulary, the index (count, page entries), rows, locations
    with django_assert_num_queries(3 + index_queries({"condition": "neck-pain"})):
        first = client.get(API_URL, {"condition": "neck-pain"}).json()
    with django_assert_num_queries(1):  # are the page's listings still published and matching?
        again = client.get(API_URL, {"condition": "neck-pain"}).json()
    assert again == first and first["count"] == 3
    Practitioner.objects.filter(pk=listings[0].pk).update(status=Practitioner.Status.SUSPENDED)
    shown = {row["slug"] for row in client.get(API_URL, {"condition": "neck-pain"}).json()["results"]}
    assert shown == {listing.slug for listing in listings[1:]}


def test_a_cached_api_page_links_to_the_host_asked(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    make_listings(25)
    assert client.get(API_URL).json()["next"].startswith("http://testserver/")
    assert client.get(API_URL, headers={"host": "other.example"}).json()["next"].startswith("http://other.example/")


def test_cached_pages_never_show_a_listing_that_stopped_matching(client):
    listings = make_listings(3)
    assert len(cards(client.get(URL, {"condition": "neck-pain"}))) == 3
    Practitioner.objects.filter(pk=listings[0].pk).update(status=Practitioner.Status.SUSPENDED)
    listings[1].conditions.clear()  # no longer treats neck pain: the cached page re-applies the filter
    shown = cards(client.get(URL, {"condition": "neck-pain"}))
    assert shown == [listings[2].slug]


def test_a_write_through_a_service_reaches_the_cached_html_at_once(client, django_capture_on_commit_callbacks):
    listing = make_listings(1)[0]
    client.get(URL)
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_staff_update(
            practitioner=listing,
            actor=UserFactory(is_staff=True, is_superuser=True),
            changes={"name": "Renamed Listing"},
        )
    assert "Renamed Listing" in client.get(URL).content.decode()
    # A write outside the services (raw SQL, a shell) starts no new generation: the cached HTML
    # shows it when its SEARCH_CACHE_SECONDS end (docs/performance.md, what can lag).
    Practitioner.objects.filter(pk=listing.pk).update(name="Raw Rename")
    assert "Raw Rename" not in client.get(URL).content.decode()
    invalidate_search_cache()
    assert "Raw Rename" in client.get(URL).content.decode()


def test_a_new_photo_reaches_the_cards_of_cached_searches(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    listing = make_listings(1, owner=owner)[0]
    assert "placeholder.svg" in client.get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        stored = photo_set(practitioner=listing, actor=owner, renditions=process_photo(photo_with_exif()))
    page = client.get(URL).content.decode()
    assert stored.removesuffix(".jpg") in page and "placeholder.svg" not in page
    with django_capture_on_commit_callbacks(execute=True):
        photo_remove(practitioner=listing, actor=owner)
    assert "placeholder.svg" in client.get(URL).content.decode()  # the removed file is linked nowhere


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


def test_a_cached_page_does_not_carry_a_badge_past_midnight(client, monkeypatch):
    """A license that expires today is verified until midnight; the next day's search renders anew."""
    today = timezone.localdate()
    listing = searchable_practitioner(slug="expires-today", verified=True)
    listing.licenses.update(expiry_date=today)
    refresh_search_row(listing.pk)
    badge = '<li class="badge badge-verified">'
    assert badge in client.get(URL).content.decode()
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + datetime.timedelta(days=1))
    assert badge not in client.get(URL).content.decode()
