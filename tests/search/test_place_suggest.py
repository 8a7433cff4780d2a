"""The location box on the search page and in the API: every way of typing a place finds the same
listings; a failure is a message (page) or a 400 (API), with places to choose from; and the
city-suggestion endpoint (/places/suggest/) answers from memory, with no SQL."""

import html
import json

import pytest
from django.urls import reverse

from tests.factories import location_at_zip, searchable_practitioner

pytestmark = pytest.mark.django_db

SEARCH = reverse("practitioners:list")
API = reverse("api:practitioner-list")
SUGGEST = reverse("places-suggest")


@pytest.fixture
def austin_and_springfield():
    searchable_practitioner(slug="austin-one", name="Austin One", zip_code="78701")
    searchable_practitioner(slug="springfield-il", name="Springfield Il", zip_code="62701")
    searchable_practitioner(slug="far-away", name="Far Away", zip_code="10001")


def page_text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.usefixtures("austin_and_springfield")
@pytest.mark.parametrize("typed", ["Austin", "austin tx", "Austin, Texas", "austin,tx", "AUSTIN , TX", "78701-1234"])
def test_every_way_of_typing_austin_finds_the_austin_listing(client, typed):
    slugs = [row["slug"] for row in client.get(API, {"location": typed}).json()["results"]]
    assert slugs == ["austin-one"]
    text = page_text(client.get(SEARCH, {"location": typed}))
    assert "Austin One" in text and "Far Away" not in text


def test_api_cards_use_the_place_typed_for_distance_and_nearest_location(client):
    """The cards' nearest location comes from the same parser as the filter ("austin" alone)."""
    listing = searchable_practitioner(slug="two-offices", zip_code="10001")
    location_at_zip(listing, "78701", name="Austin office", is_primary=False)
    row = client.get(API, {"location": "austin"}).json()["results"][0]
    assert row["nearest_location"]["zip_code"] == "78701"
    assert row["distance_miles"] < 25


@pytest.mark.usefixtures("austin_and_springfield")
def test_ambiguous_city_shows_no_results_and_links_to_each_choice(client):
    response = client.get(SEARCH, {"location": "Springfield", "radius": "50", "page": "2"})
    text = page_text(response)
    assert "Springfield Il" not in text
    assert "There are places called Springfield in" in text
    # Each choice keeps the other parameters and starts again at page 1.
    assert f'href="{SEARCH}?location=Springfield%2C+IL&amp;radius=50"' in response.content.decode()
    assert "Springfield Il" in page_text(client.get(SEARCH, {"location": "Springfield, IL", "radius": "50"}))


@pytest.mark.usefixtures("austin_and_springfield")
def test_misspelling_offers_the_closest_city_as_a_link(client):
    body = client.get(SEARCH, {"location": "Austn, TX"}).content.decode()
    assert "Did you mean Austin, TX?" in html.unescape(body)
    assert f'href="{SEARCH}?location=Austin%2C+TX"' in body
    assert "Austin One" not in html.unescape(body)


@pytest.mark.usefixtures("austin_and_springfield")
def test_city_alone_names_the_other_places_of_that_name(client):
    body = client.get(SEARCH, {"location": "Austin"}).content.decode()
    assert f'href="{SEARCH}?location=Austin%2C+MN"' in body


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("Springfield", "Springfield, IL"),
        ("Austn, TX", "Did you mean Austin, TX?"),
        ("Atlantis, ZZ", "We don't know the state “ZZ”"),
        ("00000", "We don't know the ZIP code 00000"),
        ("!!!", "Enter a ZIP code or a city and state"),
    ],
)
def test_api_answers_a_bad_location_with_400_and_the_message(client, typed, words):
    response = client.get(API, {"location": typed})
    assert response.status_code == 400
    assert words in response.json()["location"][0]


# -- /places/suggest/ ---------------------------------------------------------------------------


def test_suggest_returns_labels_ranked_by_size_without_sql(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(SUGGEST, {"q": "aus"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    labels = json.loads(response.content)
    assert labels[0] == "Austin, TX" and len(labels) <= 8
    assert "max-age" in response["Cache-Control"]


@pytest.mark.parametrize("q", ["st. l", "saint l", "st l"])
def test_suggest_saint_forms(client, q, django_assert_num_queries):
    with django_assert_num_queries(0):
        labels = client.get(SUGGEST, {"q": q}).json()
    assert labels[0] == "Saint Louis, MO"


@pytest.mark.parametrize("q", ["", "a", "!!!", "\u202e", "x" * 500, "10001", "%00"])
def test_suggest_odd_input_is_an_empty_list_or_400_never_500(client, q):
    response = client.get(SUGGEST, {"q": q})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json() == []
    else:
        assert "q" in response.json()


def test_suggest_too_long_is_400_with_a_message(client):
    response = client.get(SUGGEST, {"q": "x" * 101})
    assert response.status_code == 400
    assert response.json() == {"q": ["At most 100 characters."]}


def test_suggest_is_get_only(client):
    assert client.post(SUGGEST, {"q": "aus"}).status_code == 405
