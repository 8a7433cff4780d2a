"""The search FilterSet: every filter, every sort, facet counts, and every bad input named in issue 3."""

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from practitioners.models import Practitioner
from search.filters import PractitionerFilterSet, Sort, search_order_by
from search.selectors import search_base_qs, search_facets
from tests.factories import PractitionerFactory, refresh_search_row, searchable_practitioner
from tests.search_queries import index_queries

pytestmark = pytest.mark.django_db


def filterset(**params) -> PractitionerFilterSet:
    return PractitionerFilterSet(QueryDict(urlencode(params, doseq=True)), queryset=search_base_qs())


def found(**params) -> list[str]:
    """Slugs of the results, in order; the parameters must be valid."""
    search = filterset(**params)
    assert search.is_valid(), search.errors
    return [p.slug for p in search.qs]


def rate(practitioner: Practitioner, *stars: int) -> Practitioner:
    """Give a listing a review summary (what reviews.services maintains) without writing reviews."""
    counts = {f"rating_{n}": stars.count(n) for n in range(1, 6)}
    Practitioner.objects.filter(pk=practitioner.pk).update(
        review_count=len(stars),
        rating_sum=sum(stars),
        rating_avg=Decimal(sum(stars)) / len(stars) if stars else None,
        **counts,
    )
    refresh_search_row(practitioner.pk)
    practitioner.refresh_from_db()
    return practitioner


# ---------------------------------------------------------------- filters


def test_only_published_listings_are_found():
    shown = searchable_practitioner(slug="shown")
    searchable_practitioner(slug="draft", status=Practitioner.Status.DRAFT)
    searchable_practitioner(slug="suspended", status=Practitioner.Status.SUSPENDED)
    assert found() == [shown.slug]


def test_condition_filter_requires_every_condition_given():
    searchable_practitioner(slug="neck", conditions=("neck-pain",))
    searchable_practitioner(slug="both", conditions=("neck-pain", "sciatica"))
    searchable_practitioner(slug="sciatica", conditions=("sciatica",))
    assert sorted(found(condition="neck-pain")) == ["both", "neck"]
    assert found(condition=["neck-pain", "sciatica"]) == ["both"]


def test_technique_filter_requires_every_technique_given():
    searchable_practitioner(slug="cupping", techniques=("cupping",))
    searchable_practitioner(slug="both", techniques=("cupping", "electroacupuncture"))
    assert sorted(found(technique="cupping")) == ["both", "cupping"]
    assert found(technique=["cupping", "electroacupuncture"]) == ["both"]


def test_insurance_language_and_gender_filters():
    searchable_practitioner(slug="aetna-es-f", insurance=("aetna",), languages=("es",), gender="female")
    searchable_practitioner(slug="cigna-en-m", insurance=("cigna",), languages=("en",), gender="male")
    assert found(insurance="aetna") == ["aetna-es-f"]
    assert found(language="en") == ["cigna-en-m"]
    assert found(gender="male") == ["cigna-en-m"]
    assert found(gender="female", language="es", insurance="aetna") == ["aetna-es-f"]


@pytest.mark.parametrize(
    ("param", "make_match"),
    [
        ("verified", {"verified": True}),
        ("nccaom", {"nccaom": True}),
        ("medicare", {"medicare": True}),
        ("sliding_scale", {"sliding_scale": True}),
        ("new_patients", {"accepting_new_patients": True}),
    ],
)
def test_yes_no_filters(param, make_match):
    searchable_practitioner(slug="match", **make_match)
    searchable_practitioner(slug="other", accepting_new_patients=False)
    assert found(**{param: "true"}) == ["match"]
    for also_true in ("1", "yes", "on", "TRUE"):
        assert found(**{param: also_true}) == ["match"]
    # "false" (or absent) means no filter, not "only listings without it".
    assert sorted(found(**{param: "false"})) == ["match", "other"]


def test_medicare_filter_uses_the_trust_rule_not_the_enrolment_flag():
    searchable_practitioner(slug="enrolled-only", medicare_enrolled=True)
    searchable_practitioner(slug="qualified", medicare=True)
    assert found(medicare="true") == ["qualified"]


def test_verified_filter_needs_a_license_in_a_location_state():
    other_state = searchable_practitioner(slug="ny-location", zip_code="10001")
    from tests.factories import LicenseFactory

    LicenseFactory(practitioner=other_state)  # a California license, practising in New York
    searchable_practitioner(slug="ca", verified=True)
    assert found(verified="true") == ["ca"]


def test_min_rating_filter():
    rate(searchable_practitioner(slug="five"), 5, 5)
    rate(searchable_practitioner(slug="three"), 3)
    searchable_practitioner(slug="unrated")
    assert found(min_rating="4") == ["five"]
    assert found(min_rating="3") == ["five", "three"]
    assert found(min_rating="4.5") == ["five"]


def test_blank_parameters_count_as_absent():
    searchable_practitioner(slug="a", conditions=("neck-pain",))
    searchable_practitioner(slug="b")
    search = filterset(
        q="", location="", radius="", condition=["", "neck-pain", "neck-pain"], insurance="", min_rating="", sort=""
    )
    assert search.is_valid(), search.errors
    assert [p.slug for p in search.qs] == ["a"]


# ---------------------------------------------------------------- sorts


def test_sort_by_rating_reviews_and_experience():
    rate(searchable_practitioner(slug="r5-x1", practice_started_year=2020), 5)
    rate(searchable_practitioner(slug="r4-x3", practice_started_year=1995), 4, 4, 4)
    rate(searchable_practitioner(slug="r3-x2", practice_started_year=2005), 3, 3)
    searchable_practitioner(slug="unrated", practice_started_year=None)
    # Shrunken toward the site mean 23/6 ≈ 3.83 with C = 5: 4.03, 3.90, 3.83 (no reviews: the mean), 3.60.
    assert found(sort="rating") == ["r5-x1", "r4-x3", "unrated", "r3-x2"]
    assert found(sort="reviews") == ["r4-x3", "r3-x2", "r5-x1", "unrated"]
    assert found(sort="experience") == ["r4-x3", "r3-x2", "r5-x1", "unrated"]


def test_sort_by_distance_and_the_location_default():
    searchable_practitioner(slug="oakland", zip_code="94607")
    searchable_practitioner(slug="mission", zip_code="94110")
    searchable_practitioner(slug="san-jose", zip_code="95113")
    assert found(location="94110", radius="100", sort="distance") == ["mission", "oakland", "san-jose"]
    # The default, best match, weighs proximity: otherwise-equal listings come nearest first.
    assert found(location="94110", radius="100") == ["mission", "oakland", "san-jose"]


def test_best_match_is_the_default_with_or_without_words_or_a_place():
    assert filterset().effective_sort == Sort.RELEVANCE
    assert filterset(location="94110").effective_sort == Sort.RELEVANCE
    assert filterset(q="neck", location="94110").effective_sort == Sort.RELEVANCE
    assert filterset(sort="relevance").effective_sort == Sort.RELEVANCE
    assert filterset(q="neck", sort="rating").effective_sort == Sort.RATING


def test_every_order_ends_with_a_unique_tie_breaker():
    for sort in [value for value, _ in Sort.choices]:
        assert search_order_by(sort)[-2:] == ["name", "pk"]


def test_pages_are_stable_when_every_sort_key_ties():
    for n in range(25):
        searchable_practitioner(slug=f"same-{n:02d}", name="Same Name")
    assert found(sort="rating") == [f"same-{n:02d}" for n in range(25)]


# ---------------------------------------------------------------- facet counts


@pytest.fixture
def varied_listings():
    """Listings spread over every facet family, two regions and several ratings."""
    rows = [
        ("94110", ("neck-pain", "sciatica"), ("cupping",), ("aetna",), ("en", "es"), "female", True, True, 5),
        ("94110", ("neck-pain",), ("cupping", "gua-sha"), ("cigna",), ("en",), "male", True, False, 4),
        (
            "94607",
            ("sciatica", "whiplash"),
            ("electroacupuncture",),
            ("aetna", "cigna"),
            ("zh",),
            "female",
            False,
            True,
            3,
        ),
        ("94607", ("neck-pain", "whiplash"), (), (), ("en",), "nonbinary", False, False, None),
        ("10001", ("neck-pain",), ("cupping",), ("aetna",), ("es",), "male", True, True, 2),
        ("95113", ("chronic-low-back-pain",), ("moxibustion",), ("kaiser-permanente",), ("vi",), "", False, False, 5),
    ]
    for i, (zip_code, conditions, techniques, insurance, languages, gender, verified, sliding, stars) in enumerate(
        rows
    ):
        practitioner = searchable_practitioner(
            slug=f"listing-{i}",
            zip_code=zip_code,
            conditions=conditions,
            techniques=techniques,
            insurance=insurance,
            languages=languages,
            gender=gender,
            verified=verified,
            nccaom=i % 2 == 0,
            medicare=i in (0, 4),
            sliding_scale=sliding,
            accepting_new_patients=i != 3,
        )
        if stars:
            rate(practitioner, stars)


BASE_SEARCHES = [
    {},
    {"location": "94110", "radius": "25"},
    {"condition": "neck-pain"},
    {"insurance": "aetna"},
    {"gender": "female", "verified": "true"},
    {"min_rating": "4", "language": "en"},
    {"technique": "cupping", "sliding_scale": "true"},
]


@pytest.mark.parametrize("base", BASE_SEARCHES)
@pytest.mark.usefixtures("varied_listings")
def test_each_facet_count_equals_the_results_of_applying_that_option(base):
    facets = search_facets(filterset(**base))
    assert facets.total == len(found(**base))
    for kind in ("condition", "technique"):
        for option in getattr(facets, kind):
            values = [base[kind], option.value] if kind in base else [option.value]
            assert option.count == len(set(found(**{**base, kind: values}))), (kind, option.value)
    for kind in ("insurance", "language", "gender", "min_rating"):
        for option in getattr(facets, kind):
            assert option.count == len(found(**{**base, kind: option.value})), (kind, option.value)
    for name, count in facets.flags.items():
        assert count == len(found(**{**base, name: "true"})), name


@pytest.mark.usefixtures("varied_listings")
def test_facets_mark_selected_options():
    facets = search_facets(filterset(condition=["neck-pain"], insurance="aetna", gender="male"))
    assert [o.value for o in facets.condition if o.selected] == ["neck-pain"]
    assert [o.value for o in facets.insurance if o.selected] == ["aetna"]
    assert [o.value for o in facets.gender if o.selected] == ["male"]


def test_facets_count_in_a_fixed_number_of_queries(django_assert_num_queries):
    for n in range(12):
        searchable_practitioner(slug=f"p{n}", conditions=("neck-pain",), techniques=("cupping",), insurance=("aetna",))
    search = filterset(condition="neck-pain", location="94110")
    search.form.is_valid()  # the vocabulary was loaded when the FilterSet was made
    # SQLite: one statement over the search's rows (search.projection); PostgreSQL: the memory index
    with django_assert_num_queries(index_queries({"location": "94110"}, parts=1)):
        search_facets(search)


# ---------------------------------------------------------------- bad input


BAD_INPUT = [
    ({"location": "ABCDE"}, "location", "We couldn't find a place called “ABCDE”"),
    ({"location": "!!!"}, "location", "Enter a ZIP code or a city and state"),
    # A message quoting a "%" the visitor typed (the API's 400 once raised formatting it).
    ({"location": "%"}, "location", "(you entered “%”)"),
    ({"location": "50%s off"}, "location", "We couldn't find a place called “50%s off”"),
    ({"location": "00000"}, "location", "We don't know the ZIP code 00000"),
    ({"location": "Nowhereville, ZZ"}, "location", "We don't know the state “ZZ”"),
    ({"location": "Qwxyz, TX"}, "location", "We couldn't find a place called “Qwxyz” in Texas"),
    ({"location": "Springfield"}, "location", "There are places called Springfield in"),
    ({"location": "x" * 101}, "location", "That is too long for a place"),
    ({"location": "94110", "radius": "-5"}, "radius", "between 1 and 200 miles"),
    ({"location": "94110", "radius": "10000"}, "radius", "between 1 and 200 miles"),
    ({"radius": "far"}, "radius", "must be a number of miles"),
    ({"radius": "NaN"}, "radius", "must be a number of miles"),
    ({"condition": "not-a-condition"}, "condition", "Unknown condition “not-a-condition”"),
    ({"condition": ["neck-pain", "bogus"]}, "condition", "Unknown condition “bogus”"),
    ({"technique": "bogus"}, "technique", "Unknown technique “bogus”"),
    ({"insurance": "bogus"}, "insurance", "Unknown insurance carrier “bogus”"),
    ({"language": "xx"}, "language", "Unknown language code “xx”"),
    ({"gender": "robot"}, "gender", "Unknown gender “robot”"),
    ({"verified": "maybe"}, "verified", "is not a yes/no value"),
    ({"min_rating": "9"}, "min_rating", "between 1 and 5 stars"),
    ({"min_rating": "0"}, "min_rating", "between 1 and 5 stars"),
    ({"min_rating": "lots"}, "min_rating", "must be a number from 1 to 5"),
    ({"sort": "drop table"}, "sort", "Unknown sort “drop table”"),
    ({"sort": "distance"}, "sort", "Sorting by distance needs a location"),
    ({"q": "x" * 201}, "q", "at most 200 characters"),
    ({"q": "neck\x00pain"}, "q", "Null characters are not allowed"),
    ({"location": ["94110", "10001"]}, "location", "Give one location only"),
    ({"insurance": ["aetna", "cigna"]}, "insurance", "Give one insurance only"),
    ({"sort": ["rating", "reviews"]}, "sort", "Give one sort only"),
    ({"verified": ["true", "false"]}, "verified", "Give one verified only"),
]


@pytest.mark.parametrize(("params", "field", "message"), BAD_INPUT)
def test_bad_input_gives_a_specific_error_on_its_field(params, field, message):
    searchable_practitioner(slug="someone", conditions=("neck-pain",))
    search = filterset(**params)
    assert not search.is_valid()
    assert field in search.errors
    assert any(message in error for error in search.errors[field]), search.errors[field]
    list(search.qs)  # the results still evaluate without an error


def test_repeated_identical_values_are_fine():
    searchable_practitioner(slug="a")
    assert found(location=["94110", "94110"], verified=["false", "false"]) == ["a"]


def test_an_unusable_location_gives_no_results_but_other_errors_drop_only_their_filter():
    searchable_practitioner(slug="neck", conditions=("neck-pain",))
    searchable_practitioner(slug="other")
    assert list(filterset(location="ABCDE").qs) == []
    assert [p.slug for p in filterset(condition="neck-pain", min_rating="9").qs] == ["neck"]


def test_practitioners_without_locations_are_found_without_location_only():
    PractitionerFactory(slug="nowhere")
    assert found() == ["nowhere"]
    assert found(location="94110") == []
