"""The location box: every way of typing a place (practitioners.places), and city suggestions."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from practitioners import geo, places

AUSTIN = places.resolve("Austin, TX").place
SAINT_LOUIS = places.resolve("Saint Louis, MO").place

# (typed, the place's label when found, else the error code, and choices that must be offered)
CASES = [
    # Austin, every way of typing it: one place
    ("Austin, TX", "Austin, TX", ()),
    ("Austin", "Austin, TX", ()),
    ("austin tx", "Austin, TX", ()),
    ("Austin, Texas", "Austin, TX", ()),
    ("austin texas", "Austin, TX", ()),
    ("austin,tx", "Austin, TX", ()),
    ("AUSTIN , TX", "Austin, TX", ()),
    ("   austin     ,   tx   ", "Austin, TX", ()),
    ("Austin,", "Austin, TX", ()),
    ("Austin, TX, USA", "Austin, TX", ()),
    ("Austin, TX 78701", "78701 (Austin, TX)", ()),
    # ZIP codes
    ("10001", "10001 (New York, NY)", ()),
    ("10001-2345", "10001 (New York, NY)", ()),
    (" 10001 2345 ", "10001 (New York, NY)", ()),
    ("00000", "unknown_zip", ()),
    ("1234", "invalid_zip", ()),
    ("123456", "invalid_zip", ()),
    # coordinates ("Use my location")
    ("30.27, -97.74", "your location", ()),
    ("-33.9,151.2", "your location", ()),
    ("91, 0", "invalid_coordinates", ()),
    ("45.5, -181", "invalid_coordinates", ()),
    # Saint / Fort / Mount, Sainte
    ("St. Louis, MO", "Saint Louis, MO", ()),
    ("st louis mo", "Saint Louis, MO", ()),
    ("Saint Louis, Missouri", "Saint Louis, MO", ()),
    ("St Louis", "Saint Louis, MO", ()),
    ("Ft. Worth, TX", "Fort Worth, TX", ()),
    ("fort worth", "Fort Worth, TX", ()),
    ("Mt. Vernon, NY", "Mount Vernon, NY", ()),
    ("Ste. Genevieve, MO", "Sainte Genevieve, MO", ()),
    ("Fort Mitchell, KY", "Ft Mitchell, KY", ()),  # the data spells this one short
    # state names and abbreviations, several words each
    ("Charleston West Virginia", "Charleston, WV", ()),
    ("new york new york", "New York, NY", ()),
    ("Helena MT", "Helena, MT", ()),  # "MT" is Montana after a city, "Mount" inside one
    ("Salt Lake City, ut", "Salt Lake City, UT", ()),
    ("Cañon City, CO", "Canon City, CO", ()),
    ("Winston-Salem, NC", "Winston Salem, NC", ()),
    ("Coeur d'Alene, Idaho", "Coeur D Alene, ID", ()),
    # a city alone: unique, clearly the largest of its name, or ambiguous
    ("Seattle", "Seattle, WA", ()),
    ("Portland", "Portland, OR", ()),
    ("Kansas City", "Kansas City, MO", ()),
    ("New York", "New York, NY", ()),
    ("Washington", "Washington, DC", ()),
    ("Springfield", "ambiguous_city", ("Springfield, IL", "Springfield, MA", "Springfield, MO")),
    ("springfield ", "ambiguous_city", ("Springfield, IL",)),
    ("Columbus", "ambiguous_city", ("Columbus, OH", "Columbus, GA")),
    ("Springfield, IL", "Springfield, IL", ()),
    # a state alone
    ("Texas", "state_only", ("Houston, TX",)),
    ("Florida", "state_only", ("Miami, FL",)),
    (", TX", "state_only", ("Houston, TX",)),
    # misspellings
    ("Austn, TX", "misspelled_city", ("Austin, TX",)),
    ("Austn", "misspelled_city", ("Austin, TX",)),
    ("Sprngfield, Illinois", "misspelled_city", ("Springfield, IL",)),
    ("Pittsburg, PA", "misspelled_city", ("Pittsburgh, PA",)),
    ("Portland, FL", "city_not_in_state", ("Portland, OR", "Portland, ME")),
    # unknown places and garbage
    ("Atlantis, ZZ", "unknown_state", ()),
    ("Qwxyz, TX", "unknown_city", ()),
    ("Qwxyzzy", "unknown_city", ()),
    ("aus", "incomplete_city", ("Austin, TX",)),  # Enter pressed before a suggestion was chosen
    ("san fran, ca", "incomplete_city", ("San Francisco, CA",)),
    ("!!!", "invalid", ()),
    (",", "invalid", ()),
    ("<script>alert(1)</script>", "unknown_city", ()),
    ("x" * 101, "too_long", ()),
    ("", "empty", ()),
]


@pytest.mark.parametrize(("typed", "expected", "offered"), CASES, ids=[case[0][:30] or "blank" for case in CASES])
def test_location_inputs(typed, expected, offered):
    result = places.resolve(typed)
    if result.found:
        assert result.place.label == expected
        assert result.code == "" and result.message == ""
    else:
        assert result.code == expected, result.message
        assert result.message
        assert result.place is None
    for i, label in enumerate(offered):
        assert result.choices[i] == label, result.choices


def test_at_least_thirty_inputs_are_covered():
    assert len(CASES) >= 30


@pytest.mark.parametrize("typed", ["Austin", "austin tx", "Austin, Texas", "austin,tx", "AUSTIN , TX", "AuStIn,   tX"])
def test_every_way_of_typing_austin_is_the_same_place(typed):
    assert places.resolve(typed).place == AUSTIN


def test_saint_and_st_are_the_same_place():
    assert places.resolve("St. Louis, MO").place == SAINT_LOUIS == places.resolve("st louis").place


def test_city_is_the_centroid_of_its_zips():
    zips = [row for row in geo.zip_rows() if row["city"] == "Austin" and row["state"] == "TX"]
    assert AUSTIN.latitude == pytest.approx(sum(float(r["lat"]) for r in zips) / len(zips))
    assert AUSTIN.longitude == pytest.approx(sum(float(r["long"]) for r in zips) / len(zips))


def test_coordinates_are_the_point_itself():
    place = places.resolve(" 30.27 ,-97.74 ").place
    assert (place.latitude, place.longitude) == (30.27, -97.74)


def test_zip_plus_four_is_the_zip():
    assert places.resolve("10001-2345").place == geo.zip_place("10001")


def test_a_dominant_city_alone_names_the_others():
    result = places.resolve("Austin")
    assert result.place == AUSTIN
    assert "Austin, MN" in result.also and "Austin, TX" not in result.also


def test_ambiguous_choices_are_ordered_by_number_of_zips():
    index = places.city_index()
    choices = places.resolve("Springfield").choices
    sizes = [index.by_state[("SPRINGFIELD", label[-2:])].zip_count for label in choices]
    assert sizes == sorted(sizes, reverse=True)
    assert len(choices) == places.MAX_CHOICES
    assert "Springfield, IL" in places.resolve("Springfield").message


def test_misspelling_message_asks_did_you_mean():
    assert places.resolve("Austn, TX").message == "We couldn't find “Austn” in Texas. Did you mean Austin, TX?"
    assert places.resolve("Pittsburg, PA").choices[:2] == ("Pittsburgh, PA", "Pittsburg, CA")


def test_military_zips_are_not_cities():
    assert all(city.state in places.STATE_NAMES for city in places.city_index().by_state.values())
    assert places.resolve("APO, AE").code == "unknown_state"


@given(st.text(max_size=120))
@settings(max_examples=300, deadline=None)
def test_any_text_gives_a_place_or_a_message(text):
    result = places.resolve(text)
    assert result.found != bool(result.message)
    assert len(places.suggest(text)) <= places.MAX_SUGGESTIONS


@given(st.from_regex(r"[A-Za-z .,'-]{0,40}(, ?[A-Za-z]{2})?", fullmatch=True))
@settings(max_examples=300, deadline=None)
def test_city_like_text_gives_a_place_or_a_message(text):
    result = places.resolve(text)
    assert result.found != bool(result.message)
    for label in result.choices:
        assert places.resolve(label).found, label  # every offered choice works when chosen


# -- suggestions ---------------------------------------------------------------------------------


def test_suggest_prefix_ranked_by_size():
    labels = places.suggest("aus")
    assert labels[0] == "Austin, TX"
    assert 1 <= len(labels) <= places.MAX_SUGGESTIONS
    index = places.city_index()
    assert all(places.normalize_city(label.rsplit(",", 1)[0]).startswith("AUS") for label in labels)
    sizes = [index.by_state[(places.normalize_city(label[:-4]), label[-2:])].zip_count for label in labels]
    assert sizes == sorted(sizes, reverse=True)


@pytest.mark.parametrize("typed", ["st l", "St. L", "saint l", "SAINT LOU"])
def test_suggest_st_and_saint_alike(typed):
    assert places.suggest(typed)[0] == "Saint Louis, MO"


@pytest.mark.parametrize(("typed", "first"), [("ft wo", "Fort Worth, TX"), ("mt ver", "Mount Vernon, NY")])
def test_suggest_fort_and_mount(typed, first):
    assert places.suggest(typed)[0] == first


def test_suggest_st_also_matches_as_typed():
    assert "Stamford, CT" in places.suggest("stam")
    labels = places.suggest("st")
    assert any(label.startswith("Saint ") for label in labels)


def test_suggest_with_a_state():
    assert places.suggest("austin, t") == ["Austin, TX"]
    assert places.suggest("portland, ma") == ["Portland, ME"]  # "Maine" starts with "MA" too, Massachusetts has none


def test_suggest_needs_two_letters_and_every_label_resolves():
    assert places.suggest("a") == [] and places.suggest("") == [] and places.suggest("!!") == []
    for label in places.suggest("spr"):
        assert places.resolve(label).place.label == label
