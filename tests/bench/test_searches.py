"""The benchmark's search generator: deterministic, distinct, valid for the search form, and varied."""

from collections import Counter

import pytest
from django.http import QueryDict

from bench.searches import (
    CITY_POOL,
    ZIP_POOL,
    benchmark_urls,
    generate_searches,
    place_pools,
    search_kind,
)
from search.filters import FLAG_LABELS, PractitionerFilterSet, Sort
from search.vocabulary import load_vocabulary

COUNT = 2400


@pytest.fixture(scope="module")
def searches():
    return generate_searches(COUNT)


def test_the_same_seed_gives_the_same_searches_and_another_seed_others(searches):
    assert generate_searches(COUNT) == searches
    other = generate_searches(200, seed=99)
    assert other != searches[:200]


def test_searches_are_distinct_also_as_parameter_sets(searches):
    assert len(searches) == COUNT
    assert len({frozenset(search.params) for search in searches}) == COUNT
    assert len(set(benchmark_urls(searches))) == COUNT


@pytest.mark.django_db
def test_every_search_is_accepted_by_the_search_form(searches):
    vocabulary = load_vocabulary()
    rejected = []
    for search in searches:
        data = QueryDict(search.query)
        filterset = PractitionerFilterSet(data, vocabulary=vocabulary)
        if not filterset.form.is_valid():
            rejected.append((search.query, filterset.form.errors))
    assert rejected == []


def test_searches_cover_every_sort_parameter_and_place_kind(searches):
    sorts = Counter(search.sort for search in searches)
    assert set(sorts) == {value for value, _ in Sort.choices}
    names = Counter(name for search in searches for name, _ in search.params)
    for name in ("q", "location", "radius", "condition", "technique", "insurance", "language", "gender"):
        assert names[name] > 0, name
    for name in (*FLAG_LABELS, "min_rating", "page"):
        assert names[name] > 0, name
    pages = {value for search in searches for name, value in search.params if name == "page"}
    assert pages == {"2", "3"}
    two_conditions = [s for s in searches if sum(name == "condition" for name, _ in s.params) == 2]
    assert two_conditions
    located = sum(search.located for search in searches)
    assert 0.5 * COUNT < located < 0.9 * COUNT  # broad searches too


def test_places_span_hundreds_of_zips_and_cities(searches):
    zips, cities = place_pools()
    assert len(set(zips)) == ZIP_POOL >= 200 and len(set(cities)) == CITY_POOL >= 200
    used = {value for search in searches for name, value in search.params if name == "location"}
    assert len(used & set(zips)) >= 200
    assert len(used & set(cities)) >= 200
    assert all(", " in city and len(city.rsplit(", ", 1)[1]) == 2 for city in cities)


def test_distance_sort_only_with_a_location(searches):
    assert all(search.located for search in searches if search.sort == Sort.DISTANCE)


def test_page_and_api_alternate(searches):
    urls = benchmark_urls(searches[:4])
    assert [search_kind(i) for i in range(4)] == ["page", "api", "page", "api"]
    assert urls[0].startswith("/practitioners/?") and urls[1].startswith("/api/v1/practitioners/?")


@pytest.mark.django_db
def test_projection_compare_times_both_ways_and_finds_the_same_answers(settings):
    from bench.projection_compare import compare
    from tests.factories import searchable_practitioner

    settings.SEARCH_CACHE_SECONDS = 0
    for number in range(4):
        searchable_practitioner(zip_code="10001", verified=number % 2 == 0, conditions=("neck-pain",))
    result = compare(12)
    assert result["mismatches"] == []
    assert result["all"]["plain"]["n"] == result["all"]["projection"]["n"] == 12
    assert result["broad"]["plain"]["n"] + result["located"]["plain"]["n"] == 12
    assert result["all"]["projection"]["p95_ms"] > 0
