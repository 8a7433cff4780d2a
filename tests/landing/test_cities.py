"""City slugs, other spellings, and the index of cities (pure functions)."""

import pytest

from landing.cities import build_city_index, city_slug, find_city, largest_cities, state_code_for


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Austin", "austin"),
        ("San Francisco", "san-francisco"),
        ("St. Louis", "saint-louis"),
        ("Saint Louis", "saint-louis"),
        ("Winston-Salem", "winston-salem"),
        ("Cañon City", "canon-city"),
        ("Coeur d'Alene", "coeur-d-alene"),
        ("new_york", "new-york"),
    ],
)
def test_city_slug(name, slug):
    assert city_slug(name) == slug


@pytest.mark.parametrize(
    ("segment", "code"),
    [
        ("tx", "TX"),
        ("TX", "TX"),
        ("texas", "TX"),
        ("new-york", "NY"),
        ("new_york", "NY"),
        ("dc", "DC"),
        ("zz", None),
        ("", None),
        ("x" * 101, None),
    ],
)
def test_state_code_for(segment, code):
    assert state_code_for(segment) == code


ROWS = [
    ("TX", "Texas", "Austin", 5),
    ("TX", "Texas", "austin", 1),
    ("TX", "Texas", "Round Rock", 2),
    ("MO", "Missouri", "St. Louis", 3),
    ("MO", "Missouri", "Saint Louis", 1),
    ("CA", "California", "Austin", 1),  # another state's Austin is another city
    ("TX", "Texas", "...", 4),  # no slug: no page
]


def test_the_index_merges_spellings_and_names_a_city_by_its_commonest_spelling():
    index = build_city_index(ROWS)
    assert set(index) == {("TX", "austin"), ("TX", "round-rock"), ("MO", "saint-louis"), ("CA", "austin")}
    austin = index[("TX", "austin")]
    assert (austin.name, austin.spellings, austin.listings, austin.label) == (
        "Austin",
        ("Austin", "austin"),
        6,
        "Austin, TX",
    )
    assert index[("MO", "saint-louis")].spellings == ("St. Louis", "Saint Louis")
    assert austin.state_slug == "tx" and austin.state_name == "Texas"


@pytest.mark.parametrize(
    ("state", "city", "found"),
    [
        ("tx", "austin", ("TX", "austin")),
        ("Texas", "AUSTIN", ("TX", "austin")),
        ("mo", "st-louis", ("MO", "saint-louis")),
        ("mo", "St. Louis", ("MO", "saint-louis")),
        ("ca", "round-rock", None),
        ("tx", "dallas", None),
        ("tx", "", None),
        ("tx", "a" * 101, None),
        ("", "austin", None),
    ],
)
def test_find_city(state, city, found):
    result = find_city(build_city_index(ROWS), state, city)
    assert (None if result is None else (result.state, result.slug)) == found


def test_largest_cities_come_first_then_by_name():
    cities = largest_cities(build_city_index(ROWS), 4)
    assert [(city.label, city.listings) for city in cities] == [
        ("Austin, TX", 6),
        ("St. Louis, MO", 4),
        ("Round Rock, TX", 2),
        ("Austin, CA", 1),
    ]
