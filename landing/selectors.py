"""The queries behind the landing pages (home, /conditions/<slug>/, /acupuncturists/<state>/<city>/).

Each page costs a fixed number of queries whatever the number of listings (asserted in
tests/landing/test_pages.py). What they compute from the listings (the index of cities, a city's
page of ids, count and conditions, a condition's directory-wide outcome) is kept with
`search.cache.cached_search_value`, so it lives under the same generation as the search cache:
every write that renews the search cache (reviews, credentials, publication, listing edits)
renews these too, and anything else shows within SEARCH_CACHE_SECONDS.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef
from django.http import QueryDict
from django.utils import timezone

from practitioners.models import PracticeLocation, Practitioner
from reviews.models import Review
from reviews.outcomes import ConditionOutcome
from search.cache import cached_search_value
from search.filters import PractitionerFilterSet
from search.selectors import (
    SearchResults,
    carrier_ids_subquery,
    describe_for_card,
    search_base_qs,
    search_practitioners,
)
from search.vocabulary import VocabularyItem, load_vocabulary

from .cities import City, build_city_index, largest_cities
from .content import CONDITION_ALIASES, HOME_CONDITIONS
from .outcomes import grouped_outcome

CITY_PAGE_SIZE = 24
CONDITION_PAGE_SIZE = 12
HOME_CITY_COUNT = 12


# ---------------------------------------------------------------- cities


def city_index() -> dict[tuple[str, str], City]:
    """Every city with a published listing: one GROUP BY query, cached under the search generation."""
    return cached_search_value("landing:cities", _load_city_index)


def _load_city_index() -> dict[tuple[str, str], City]:
    rows = (
        PracticeLocation.objects.filter(practitioner__in=Practitioner.objects.published().values("pk"))
        .order_by()
        .values("state_id", "state__state_name", "city")
        .annotate(listings=Count("practitioner_id", distinct=True))
        .values_list("state_id", "state__state_name", "city", "listings")
    )
    return build_city_index(rows)


@dataclass
class CityPage:
    city: City
    practitioners: list[Practitioner]
    total: int
    # The conditions listings here treat, with how many listings here treat each, in vocabulary order.
    conditions: list[tuple[VocabularyItem, int]] = field(default_factory=list)


def city_page(*, city: City, today: datetime.date | None = None, limit: int = CITY_PAGE_SIZE) -> CityPage:
    """The city's published listings in best-match order (the first `limit`), their count and conditions."""
    here = PracticeLocation.objects.filter(practitioner_id=OuterRef("pk"), state_id=city.state, city__in=city.spellings)
    filterset = PractitionerFilterSet(QueryDict(), queryset=search_base_qs().filter(Exists(here)), today=today)
    queryset = filterset.qs

    def compute() -> tuple[list[int], int, dict[int, int]]:
        through = Practitioner.conditions.through.objects
        treated = (
            through.filter(practitioner__in=queryset.order_by().values("pk"))
            .order_by()
            .values("condition_id")
            .annotate(n=Count("practitioner_id"))
            .values_list("condition_id", "n")
        )
        return list(queryset.values_list("pk", flat=True)[:limit]), queryset.count(), dict(treated)

    identity = {"state": city.state, "city": city.slug, "limit": limit, "today": filterset.today}
    ids, total, treated = cached_search_value("landing:city", compute, identity=identity)
    rows = (
        list(queryset.filter(pk__in=ids).prefetch_related("conditions").annotate(carrier_ids=carrier_ids_subquery()))
        if ids
        else []
    )
    now = timezone.now()
    for practitioner in rows:
        practitioner.card_conditions = list(practitioner.conditions.all())
        practitioner.card_carrier_ids = [int(value) for value in (practitioner.carrier_ids or "").split(",") if value]
        locations = list(practitioner.locations.all())
        practitioner.nearest_location = next(
            (loc for loc in locations if loc.state_id == city.state and loc.city in city.spellings), None
        )
        practitioner.distance = None
        describe_for_card(practitioner, vocabulary=filterset.vocabulary, insurance=None, now=now)
    conditions = [(item, treated[item.id]) for item in filterset.vocabulary.items["condition"] if item.id in treated]
    return CityPage(city=city, practitioners=rows, total=total, conditions=conditions)


# ---------------------------------------------------------------- conditions


def condition_slug_for(segment: str) -> str:
    """The condition slug a path segment means: lowercase, hyphens, aliases resolved (it may name no condition)."""
    slug = segment.strip().lower().replace("_", "-")
    return CONDITION_ALIASES.get(slug, slug)


def condition_exists(slug: str) -> bool:
    return any(item.slug == slug for item in load_vocabulary().items["condition"])


def condition_listings(*, slug: str, today: datetime.date | None = None) -> SearchResults:
    """The first listings of the search `?condition=<slug>` (the same search, filters and cache)."""
    return search_practitioners(
        params=QueryDict(urlencode({"condition": slug})),
        page_values=[],
        today=today,
        per_page=CONDITION_PAGE_SIZE,
    )


def directory_outcome(*, slug: str, name: str) -> ConditionOutcome | None:
    """What published reviews across the directory report for one condition (one grouped query, cached)."""

    def compute() -> ConditionOutcome | None:
        groups = (
            Review.objects.published()
            .with_outcome()
            .filter(condition__slug=slug, practitioner__in=Practitioner.objects.published().values("pk"))
            .order_by()
            .values("pain_before", "pain_after", "sessions")
            .annotate(n=Count("pk"))
            .values_list("pain_before", "pain_after", "sessions", "n")
        )
        return grouped_outcome(list(groups), slug=slug, name=name)

    return cached_search_value("landing:outcome", compute, identity={"condition": slug})


# ---------------------------------------------------------------- home


@dataclass(frozen=True)
class HomeEntryPoints:
    conditions: list[tuple[str, str]]  # (slug, label) of the HOME_CONDITIONS the vocabulary has
    all_conditions: tuple[VocabularyItem, ...]
    cities: list[City]


def home_entry_points(*, city_count: int = HOME_CITY_COUNT) -> HomeEntryPoints:
    vocabulary = load_vocabulary()
    known = {item.slug for item in vocabulary.items["condition"]}
    return HomeEntryPoints(
        conditions=[(slug, label) for slug, label in HOME_CONDITIONS if slug in known],
        all_conditions=vocabulary.items["condition"],
        cities=largest_cities(city_index(), city_count),
    )
