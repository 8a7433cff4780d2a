"""The landing pages: content, who they list, canonical addresses (301s, 404s), structured data, queries, cache."""

import json
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.db import transaction

from landing.content import CONDITION_CONTENT, SOURCES
from practitioners.models import Practitioner, StateBoard
from reviews.models import Review
from search.cache import invalidate_search_cache
from tests.factories import (
    LocationFactory,
    ReviewFactory,
    condition,
    location_at_zip,
    refresh_search_row,
    searchable_practitioner,
)
from tests.search_queries import prepares

pytestmark = pytest.mark.django_db

AUSTIN = "78701"
ROUND_ROCK = "78664"
ST_LOUIS = "63101"


def json_ld(html: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    return json.loads(block)


def canonical(html: str) -> str:
    (href,) = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
    return href


def listed_names(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def austin():
    """Two published listings in Austin (one spelt "austin"), one in Round Rock, one draft in Austin."""
    first = searchable_practitioner(name="Ana Austin", zip_code=AUSTIN, conditions=("sciatica", "neck-pain"))
    second = searchable_practitioner(name="Ben Austin", zip_code=AUSTIN, conditions=("sciatica",))
    second.locations.update(city="austin")
    round_rock = searchable_practitioner(name="Cara Round Rock", zip_code=ROUND_ROCK, conditions=("sciatica",))
    searchable_practitioner(name="Dan Draft", zip_code=AUSTIN, status=Practitioner.Status.DRAFT)
    return first, second, round_rock


# ---------------------------------------------------------------- city pages


def test_city_page_lists_the_published_listings_with_a_location_in_the_city(client, austin):
    response = client.get("/acupuncturists/tx/austin/")
    assert response.status_code == 200
    html = response.text
    assert sorted(listed_names(html)) == ["Ana Austin", "Ben Austin"]
    assert "<h1>Acupuncturists in Austin, Texas</h1>" in html
    assert "2 acupuncturists with a practice in Austin are listed" in html


def test_a_second_location_in_the_city_puts_a_listing_on_its_page(client, austin):
    *_, round_rock = austin
    location_at_zip(round_rock, AUSTIN, name="Downtown Clinic")
    html = client.get("/acupuncturists/tx/austin/").text
    assert "Cara Round Rock" in listed_names(html)
    # The card and the structured data name the practice in this city, not the main one in Round Rock.
    (item,) = [i["item"] for i in json_ld(html)["itemListElement"] if i["item"]["name"] == "Cara Round Rock"]
    assert item["worksFor"]["name"] == "Downtown Clinic"
    assert item["worksFor"]["address"]["addressLocality"] == "Austin"
    assert "Round Rock, TX" not in html


def test_city_page_links_into_the_matching_filtered_searches(client, austin):
    html = unescape(client.get("/acupuncturists/tx/austin/").text)
    assert 'href="/practitioners/?location=Austin%2C+TX"' in html
    # Conditions treated here, with how many listings here treat each, each linking to that search.
    assert re.search(
        r'href="/practitioners/\?location=Austin%2C\+TX&condition=sciatica">Sciatica</a> <span[^>]*>2 here', html
    )
    assert re.search(r'condition=neck-pain">Neck pain</a> <span[^>]*>1 here', html)
    assert "condition=whiplash" not in html


def test_city_page_is_canonical_and_indexable_with_an_item_list(client, austin):
    html = client.get("/acupuncturists/tx/austin/").text
    assert canonical(html) == "http://testserver/acupuncturists/tx/austin/"
    assert 'name="robots"' not in html
    data = json_ld(html)
    assert data["@context"] == "https://schema.org" and data["@type"] == "ItemList"
    assert data["url"] == "http://testserver/acupuncturists/tx/austin/"
    assert data["numberOfItems"] == 2 == len(data["itemListElement"])
    assert [item["position"] for item in data["itemListElement"]] == [1, 2]
    people = {item["item"]["name"]: item["item"] for item in data["itemListElement"]}
    ana = people["Ana Austin"]
    assert ana["@type"] == "Person" and ana["url"].startswith("http://testserver/practitioners/")
    assert ana["worksFor"]["@type"] == "MedicalBusiness"
    assert ana["worksFor"]["address"]["addressLocality"] == "Austin"
    assert ana["worksFor"]["address"]["addressRegion"] == "TX"


@pytest.mark.parametrize(
    "path",
    [
        "/acupuncturists/TX/Austin/",
        "/acupuncturists/texas/austin/",
        "/acupuncturists/Texas/AUSTIN/",
        "/acupuncturists/tx/Austin/",
    ],
)
def test_other_spellings_of_a_city_address_redirect_permanently(client, austin, path):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == "/acupuncturists/tx/austin/"


def test_saint_and_st_are_one_city(client):
    searchable_practitioner(name="Eve Louis", zip_code=ST_LOUIS)
    Practitioner.objects.get(name="Eve Louis").locations.update(city="St. Louis")
    for path in (
        "/acupuncturists/mo/st-louis/",
        "/acupuncturists/missouri/St.%20Louis/",
        "/acupuncturists/mo/saint_louis/",
    ):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (301, "/acupuncturists/mo/saint-louis/")
    assert listed_names(client.get("/acupuncturists/mo/saint-louis/").text) == ["Eve Louis"]


@pytest.mark.parametrize(
    "path",
    [
        "/acupuncturists/tx/dallas/",  # a real city without listings
        "/acupuncturists/ca/austin/",  # the wrong state
        "/acupuncturists/zz/austin/",  # no such state
        "/acupuncturists/tx/" + "a" * 300 + "/",
        "/acupuncturists/" + "t" * 300 + "/austin/",
        "/acupuncturists/tx/%C3%A9%F0%9F%92%A5/",
        "/acupuncturists/tx/%00/",
        "/acupuncturists/tx/---/",
        "/acupuncturists/tx/'%20OR%201=1/",
    ],
)
def test_a_city_without_published_listings_or_a_bad_address_is_a_404(client, austin, path):
    assert client.get(path).status_code == 404


def test_a_city_with_only_a_draft_listing_is_a_404(client):
    searchable_practitioner(name="Dan Draft", zip_code=AUSTIN, status=Practitioner.Status.DRAFT)
    assert client.get("/acupuncturists/tx/austin/").status_code == 404


def test_city_page_queries_do_not_grow_with_the_listings(client, django_assert_num_queries):
    searchable_practitioner(zip_code=AUSTIN, conditions=("sciatica",))
    # city index, vocabulary, ids + count + conditions here, rows, their conditions and locations
    with django_assert_num_queries(8):
        assert client.get("/acupuncturists/tx/austin/").status_code == 200
    for _ in range(5):
        searchable_practitioner(zip_code=AUSTIN, conditions=("sciatica", "neck-pain"), insurance=("aetna",))
    with django_assert_num_queries(8):
        assert len(listed_names(client.get("/acupuncturists/tx/austin/").text)) == 6


# ---------------------------------------------------------------- condition pages


def test_condition_page_explains_the_condition_with_sources(client):
    html = unescape(client.get("/conditions/chronic-low-back-pain/").text)
    content = CONDITION_CONTENT["chronic-low-back-pain"]
    assert content.what_it_is in html
    assert content.how_acupuncture_is_used in html
    for paragraph in content.evidence:
        assert paragraph in html
    for key in content.sources:
        assert f'href="{SOURCES[key].url}"' in html
    assert "American College of Physicians" in html


def test_condition_page_lists_published_listings_that_treat_it(client, austin):
    searchable_practitioner(name="Neck Only", conditions=("neck-pain",))
    html = client.get("/conditions/sciatica/").text
    assert sorted(listed_names(html)) == ["Ana Austin", "Ben Austin", "Cara Round Rock"]
    assert "3 listed acupuncturists treat sciatica" in html
    assert 'href="/practitioners/?condition=sciatica"' in html
    data = json_ld(html)
    assert data["@type"] == "ItemList" and data["numberOfItems"] == 3
    assert {item["item"]["name"] for item in data["itemListElement"]} == {"Ana Austin", "Ben Austin", "Cara Round Rock"}


def test_condition_page_is_canonical_and_indexable(client):
    html = client.get("/conditions/neck-pain/").text
    assert canonical(html) == "http://testserver/conditions/neck-pain/"
    assert 'name="robots"' not in html
    assert json_ld(html)["itemListElement"] == []


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/conditions/Sciatica/", "/conditions/sciatica/"),
        ("/conditions/NECK-PAIN/", "/conditions/neck-pain/"),
        ("/conditions/low-back-pain/", "/conditions/chronic-low-back-pain/"),
        ("/conditions/herniated_disc/", "/conditions/herniated-or-bulging-disc/"),
    ],
)
def test_other_spellings_of_a_condition_redirect_permanently(client, path, target):
    response = client.get(path)
    assert (response.status_code, response["Location"]) == (301, target)


@pytest.mark.parametrize(
    "path", ["/conditions/migraine/", "/conditions/" + "x" * 500 + "/", "/conditions/%F0%9F%92%A5/", "/conditions/%00/"]
)
def test_an_unknown_condition_is_a_404(client, path):
    assert client.get(path).status_code == 404


def outcome_review(practitioner, slug, before, after, sessions, **fields):
    return ReviewFactory(
        practitioner=practitioner,
        condition=condition(slug),
        pain_before=before,
        pain_after=after,
        sessions=sessions,
        state=fields.pop("state", Review.State.PUBLISHED),
        **fields,
    )


def test_condition_page_shows_directory_wide_outcomes_from_published_reviews(client):
    one = searchable_practitioner(name="One", conditions=("sciatica",))
    two = searchable_practitioner(name="Two", conditions=("sciatica",))
    draft = searchable_practitioner(name="Draft", conditions=("sciatica",), status=Practitioner.Status.DRAFT)
    outcome_review(one, "sciatica", 8, 3, 6)
    outcome_review(one, "sciatica", 6, 4, 8)
    outcome_review(two, "sciatica", 7, 2, 10)
    outcome_review(two, "sciatica", 9, 5, 12)
    outcome_review(two, "sciatica", 10, 0, 1, state=Review.State.PENDING)  # not published: not counted
    outcome_review(draft, "sciatica", 10, 0, 1)  # a listing not published: not counted
    outcome_review(one, "neck-pain", 10, 0, 1)  # another condition
    html = client.get("/conditions/sciatica/").text
    # before 6,7,8,9 -> 7.5; after 2,3,4,5 -> 3.5; drops 5,2,5,4 -> 4.5; sessions 6,8,10,12 -> 9
    assert (
        "Across the directory, 4 published reviews for sciatica report pain before and after treatment: "
        "median pain 7.5 → 3.5 on the 0–10 scale (a median drop of 4.5), after a median of 9 sessions." in html
    )


def test_condition_page_with_too_few_reports_shows_only_the_count(client):
    one = searchable_practitioner(name="One", conditions=("sciatica",))
    outcome_review(one, "sciatica", 8, 3, 6)
    html = client.get("/conditions/sciatica/").text
    assert "1 published review for sciatica report pain before and after so far; figures are shown from 3." in html
    assert "Across the directory" not in html


def test_condition_page_queries_do_not_grow_with_the_listings(client, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            p = searchable_practitioner(conditions=("sciatica",), insurance=("aetna",))
            outcome_review(p, "sciatica", 8, 3, 6)

    make(1)
    # vocabulary, facets, ordered entries, rows, their locations, card outcomes, directory outcome (and,
    # on PostgreSQL, the connection's first PREPARE of the cards' rows: practitioners.prepared)
    with django_assert_num_queries(7 + prepares()):
        assert client.get("/conditions/sciatica/").status_code == 200
    make(6)
    with django_assert_num_queries(7):
        assert len(listed_names(client.get("/conditions/sciatica/").text)) == 7


# ---------------------------------------------------------------- home


def test_home_offers_entry_points_by_condition_and_by_the_largest_cities(client, austin):
    html = client.get("/").text
    for slug, label in (
        ("chronic-low-back-pain", "Low back pain"),
        ("sciatica", "Sciatica"),
        ("neck-pain", "Neck pain"),
    ):
        assert f'<a href="/conditions/{slug}/">{label}</a>' in html
    cities = re.findall(r'<a href="(/acupuncturists/[^"]+)">([^<]+)</a> <span class="entry-count">([^<]+)</span>', html)
    assert cities == [
        ("/acupuncturists/tx/austin/", "Austin, TX", "2 listings"),
        ("/acupuncturists/tx/round-rock/", "Round Rock, TX", "1 listing"),
    ]
    assert 'href="/guide/#license"' in html and "How to choose an acupuncturist" in html
    assert "What our badges mean" in html


def test_home_queries_do_not_grow_with_the_listings(client, django_assert_num_queries):
    searchable_practitioner(zip_code=AUSTIN)
    with django_assert_num_queries(2):  # vocabulary, city index
        client.get("/")
    for zip_code in (ROUND_ROCK, ST_LOUIS, "94110", "10001"):
        searchable_practitioner(zip_code=zip_code)
    with django_assert_num_queries(2):
        assert len(re.findall(r'href="/acupuncturists/', client.get("/").text)) == 5


# ---------------------------------------------------------------- sitemap and noindex


def locations(xml: str) -> list[str]:
    return re.findall(r"<loc>([^<]+)</loc>", xml)


def test_sitemap_lists_every_condition_page_and_every_city_with_published_listings(client, austin):
    index = locations(client.get("/sitemap.xml").text)
    assert "http://testserver/sitemap-conditions.xml" in index and "http://testserver/sitemap-cities.xml" in index
    assert locations(client.get("/sitemap-cities.xml").text) == [
        "http://testserver/acupuncturists/tx/austin/",
        "http://testserver/acupuncturists/tx/round-rock/",
    ]
    conditions = locations(client.get("/sitemap-conditions.xml").text)
    assert len(conditions) == len(CONDITION_CONTENT)
    assert "http://testserver/conditions/chronic-low-back-pain/" in conditions
    for url in conditions + locations(client.get("/sitemap-cities.xml").text):
        assert client.get(url.removeprefix("http://testserver")).status_code == 200


def test_filtered_search_stays_noindex_while_landing_pages_are_indexable(client, austin):
    noindex = '<meta name="robots" content="noindex, follow">'
    assert noindex in client.get("/practitioners/", {"condition": "sciatica"}).text
    assert noindex in client.get("/practitioners/", {"location": "Austin, TX"}).text
    for path in ("/", "/conditions/sciatica/", "/acupuncturists/tx/austin/"):
        assert "noindex" not in client.get(path).text


# ---------------------------------------------------------------- cache


@pytest.fixture
def search_cache(settings):
    settings.SEARCH_CACHE_SECONDS = 60
    cache.clear()


def test_city_pages_are_cached_under_the_search_generation(client, search_cache, django_assert_num_queries, austin):
    client.get("/acupuncturists/tx/austin/")
    with django_assert_num_queries(3):  # only the page's rows and their prefetches
        client.get("/acupuncturists/tx/austin/")
    newcomer = searchable_practitioner(name="Fay New", zip_code=AUSTIN)
    assert "Fay New" not in client.get("/acupuncturists/tx/austin/").text  # within the TTL
    invalidate_search_cache()
    assert "Fay New" in client.get("/acupuncturists/tx/austin/").text
    # A listing that stops being published leaves the page at once (rows are read live).
    Practitioner.objects.filter(pk=newcomer.pk).update(status=Practitioner.Status.SUSPENDED)
    refresh_search_row(newcomer.pk)  # what the status service does in the same transaction
    assert "Fay New" not in client.get("/acupuncturists/tx/austin/").text


def test_a_new_city_appears_when_the_search_cache_is_renewed(client, search_cache, django_capture_on_commit_callbacks):
    searchable_practitioner(zip_code=AUSTIN)
    assert client.get("/acupuncturists/tx/round-rock/").status_code == 404
    searchable_practitioner(zip_code=ROUND_ROCK)
    assert client.get("/acupuncturists/tx/round-rock/").status_code == 404  # within the TTL
    with django_capture_on_commit_callbacks(execute=True):
        transaction.on_commit(invalidate_search_cache)
    assert client.get("/acupuncturists/tx/round-rock/").status_code == 200


def test_directory_outcome_is_cached_until_a_review_renews_the_generation(client, search_cache):
    p = searchable_practitioner(conditions=("sciatica",))
    for before in (8, 7, 6):
        outcome_review(p, "sciatica", before, 2, 6)
    assert "median pain 7 → 2" in client.get("/conditions/sciatica/").text
    outcome_review(p, "sciatica", 10, 0, 6)
    assert "median pain 7 → 2" in client.get("/conditions/sciatica/").text
    invalidate_search_cache()
    assert "median pain 7.5 → 2" in client.get("/conditions/sciatica/").text


def test_location_factory_city_spelling_is_grouped(client):
    """Two spellings of one city in one state are one page, named by the commoner spelling."""
    for _ in range(2):
        LocationFactory(practitioner=searchable_practitioner(zip_code=None), city="SAN FRANCISCO")
    LocationFactory(practitioner=searchable_practitioner(zip_code=None), city="San Francisco")
    LocationFactory(
        practitioner=searchable_practitioner(zip_code=None),
        city="San Francisco",
        state=StateBoard.objects.get(state="NY"),
    )
    assert len(listed_names(client.get("/acupuncturists/ca/san-francisco/").text)) == 3
    assert "Acupuncturists in SAN FRANCISCO, California" in client.get("/acupuncturists/ca/san-francisco/").text
