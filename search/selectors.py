"""Read-side queries for the search. Views and the API call these; they never build querysets themselves.

Search in a fixed number of queries, whatever the page size or the data size, each
counting, faceting and ordering on the search projection (`search.projection`): the
vocabulary (1), facet counts (1: the total, yes/no filters, gender, rating and the four
vocabularies over the search's rows read once), the page's entries in the search's
order (1: ids, distance, trust facts, condition and insurer ids), the page's rows (1)
and their locations (1). The API counts (1) instead of computing facets. On PostgreSQL
the counting, faceting and ordering happen in this worker's memory copy of the projection
(`search.memory`, `search_index`): one query to look for changes, and one each for the place
and the words when the search has them, instead of the facet and entries queries.

Ordering or counting a broad search in SQL means reading every matching listing (about
100,000 for the bare search page), so the vocabulary, the facet counts, the count
and each page's entries are kept in the cache for SEARCH_CACHE_SECONDS (see
`search.cache.cached_search_value`); a cached page then costs its rows and their
locations (2 queries). Rows whose entries came from the cache are re-checked against
every filter by the plain definitions, so a cached page never shows a listing that no
longer matches. Writes that change results call `invalidate_search_cache`; anything
else shows within SEARCH_CACHE_SECONDS.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db import router
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from practitioners import freshness, geo, trust
from practitioners.models import PracticeLocation, Practitioner, SearchRow, near_q, nearest_location_miles
from practitioners.prepared import marker, prepared

from . import memory
from .answers import FacetCounts, PageEntry, page_entry
from .cache import cached_search_value
from .filters import FLAG_LABELS, GENDER_CHOICES, MIN_RATING_CHOICES, PractitionerFilterSet, flag_q
from .memory import MemorySearch
from .projection import ProjectedSearch
from .vocabulary import FAMILY_RELATIONS, Vocabulary

PAGE_SIZE = 20


def search_identity(filterset: PractitionerFilterSet) -> dict:
    """What a search's results depend on: every usable filter's cleaned value, the day (trust
    facts expire at midnight) and whether an unusable location emptied it. Not the sort: facet
    counts and the count do not depend on it, and the ids' cache name includes it."""
    values = {name: filterset.value(name) for name in filterset.form.fields if name != "sort"}
    return {"values": values, "today": filterset.today, "location_failed": filterset.location_failed}


class SearchResultList:
    """A search's results for a paginator: `count()` and slices, in the search's order.

    A slice costs one narrow query for its entries (ordering needs every matching row, but
    only the columns the order uses), cached per slice, then one query for just those rows with
    the columns cards show (`card_rows`). Rows whose entries came from the cache are re-checked
    against every filter by the plain definitions, so a cached page never shows a listing that no
    longer matches. `count` may be given (the HTML page has it from the facets); otherwise it is
    one COUNT, cached too. `license_state`: the rows carry the card's license sentence facts
    (the HTML page; the API does not show them).
    """

    def __init__(
        self,
        filterset: PractitionerFilterSet,
        *,
        count: int | None = None,
        index: SearchIndex | None = None,
        license_state: bool = False,
    ) -> None:
        self.filterset = filterset
        self._count = count
        self.index = index or search_index(filterset, facets=False)
        self.license_state = license_state

    def count(self) -> int:
        if self._count is None:
            self._count = cached_search_value("count", self.index.count, identity=search_identity(self.filterset))
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[Practitioner]:
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("SearchResultList supports only contiguous slices.")
        start, stop = item.start or 0, item.stop
        if stop is None or stop <= start:
            return []
        computed_now = []

        def compute() -> list[PageEntry]:
            computed_now.append(True)
            return self.index.page_entries(start, stop)

        entries = cached_search_value(
            f"entries:{self.filterset.effective_sort}:{start}:{stop}",
            compute,
            identity=search_identity(self.filterset),
        )
        if not entries:
            return []
        by_pk = {entry.pk: entry for entry in entries}
        rows = card_rows(self.filterset, list(by_pk), recheck=not computed_now, license_state=self.license_state)
        for row in rows:
            entry = by_pk[row.pk]
            row.distance = entry.distance
            row.is_verified = entry.is_verified
            row.is_nccaom_certified = entry.is_nccaom_certified
            row.meets_medicare = entry.meets_medicare
            row.card_conditions = self.filterset.vocabulary.named("condition", entry.condition_ids)
            row.card_carrier_ids = entry.insurance_ids
        position = {pk: number for number, pk in enumerate(by_pk)}
        return sorted(rows, key=lambda row: position[row.pk])


def card_rows(
    filterset: PractitionerFilterSet, ids: list[int], *, recheck: bool, license_state: bool
) -> list[Practitioner]:
    """The listings `ids` with what a result card shows, in no particular order: one query, and
    one for their locations. `recheck`: keep only those that still match every filter by the plain
    definitions (`search.filters`), for ids read from the cache. The rows of a new search (no
    recheck) with the license sentence are read by a prepared statement on PostgreSQL
    (`practitioners.prepared`: its subqueries took longer to plan than to run)."""
    if license_state and not recheck:
        table = Practitioner._meta.db_table
        listed = RawSQL(f'"{table}"."id" = ANY(%s)', [marker(1)], output_field=BooleanField())  # noqa: S611 -- our table
        rows = filterset.queryset.filter(listed).with_license_state(filterset.today)
        found = prepared(rows, [list(ids)])
        if found is not None:
            return list(found.prefetch_related(*rows._prefetch_related_lookups))
    rows = filterset.queryset.filter(pk__in=ids)
    if recheck:
        rows = filterset.filtered(rows)
    if license_state:
        rows = rows.with_license_state(filterset.today)
    return list(rows)


def still_matching(params, ids: list[int]) -> bool:
    """Whether every listing of `ids` (a cached page's) is still published and matches the search
    `params` by the plain definitions (`search.filters`): one query, none for no ids."""
    if not ids:
        return True
    filterset = PractitionerFilterSet(params, queryset=Practitioner.objects.published())
    found = filterset.filtered(filterset.queryset.filter(pk__in=ids)).values_list("pk", flat=True)
    return len(set(found)) == len(set(ids))


def kept_answer(name: str, params, compute: Callable[[], dict], **key) -> dict:
    """What a search answered as it was sent (the page's HTML, the API's JSON): `compute()`, a dict
    with the "ids" of the listings it shows, kept with the search cache per query string and day (a
    card's badges end at midnight after a credential's expiry date) and whatever else the answer
    depends on (`key`). A kept answer is given again only while every listing it shows is still
    published and matching (`still_matching`, one query); otherwise it is computed again."""
    return cached_search_value(
        name,
        compute,
        identity={"query": sorted(params.lists()), "today": timezone.localdate(), **key},
        still_valid=lambda kept: still_matching(params, kept["ids"]),
    )


def carrier_ids_subquery() -> Subquery:
    """The row's insurance carrier ids as "3,7,12" (a card names them from the cached vocabulary,
    so carriers cost no query of their own)."""
    through = Practitioner.insurance_carriers.through
    return Subquery(
        through.objects.filter(practitioner_id=OuterRef("pk"))
        .order_by()
        .values("practitioner_id")
        .annotate(ids=StringAgg(Cast("insurancecarrier_id", CharField()), delimiter=Value(",")))
        .values("ids"),
        output_field=CharField(),
    )


# ---------------------------------------------------------------- search


def search_base_qs() -> QuerySet:
    """Published listings with what a result card shows (locations) prefetched; the search text and
    vector are left in the database. (A card's conditions and insurers come with the search's
    page entries, `search.answers.PageEntry`.)"""
    return (
        Practitioner.objects.published()
        .defer("search_document", "search_vector")
        .prefetch_related(
            # With the state's row (a join, not a query): the card's license sentence names its rule.
            Prefetch(
                "locations", queryset=PracticeLocation.objects.select_related("state").order_by("-is_primary", "pk")
            ),
        )
    )


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facets:
    """For each filter option, how many results there would be with that option added
    (for one-value filters such as insurance: with that option instead of the current one)."""

    total: int
    condition: list[FacetOption]
    technique: list[FacetOption]
    insurance: list[FacetOption]
    language: list[FacetOption]
    gender: list[FacetOption]
    min_rating: list[FacetOption]
    flags: dict[str, int]


def _count(*conditions: Q) -> Count:
    combined = Q()
    for condition in conditions:
        combined &= condition
    return Count("pk", filter=combined) if combined else Count("pk")


def _family_counts_query(queryset: QuerySet, kind: str) -> QuerySet:
    """(kind, option id, number of listings in `queryset` that have it): one GROUP BY."""
    relation, column = FAMILY_RELATIONS[kind]
    through = getattr(Practitioner, relation).through
    return (
        through.objects.filter(practitioner_id__in=queryset.values("pk"))
        .values(column)
        .annotate(kind=Value(kind, output_field=CharField()), n=Count("practitioner_id"))
        .values_list("kind", column, "n")
        .order_by()
    )


def _family_counts(querysets: dict[str, QuerySet]) -> dict[str, dict[int, int]]:
    """{kind: {option id: count}} for every kind, in one query (UNION ALL of the GROUP BYs)."""
    parts = [_family_counts_query(queryset, kind) for kind, queryset in querysets.items()]
    found: dict[str, dict[int, int]] = {kind: {} for kind in querysets}
    for kind, option_id, n in parts[0].union(*parts[1:], all=True):
        found[kind][option_id] = n
    return found


class PlainSearch:
    """One search on the listings by the plain definitions (`search.filters`): the reference the
    projection (`search.projection.ProjectedSearch`, what the selectors use) is tested against.
    Both offer `filtered`, `flag_q`, `ranked`, `page_entries` and `facet_counts`."""

    SLUG = "slug"  # the listing's slug, from the rows `filtered` returns

    def __init__(self, filterset: PractitionerFilterSet) -> None:
        self.filterset = filterset

    def flag_q(self, name: str) -> Q:
        return flag_q(name, self.filterset.today)

    def filtered(self, *, exclude=()) -> QuerySet:
        return self.filterset.filtered(self.filterset.queryset.prefetch_related(None), exclude=exclude)

    def count(self) -> int:
        return self.filtered().count()

    def ranked(self) -> QuerySet:
        return self.filterset.qs

    def page_entries(self, start: int, stop: int) -> list[PageEntry]:
        fields = ["pk", "is_verified", "is_nccaom_certified", "meets_medicare"]
        if self.filterset.place is not None:
            fields.append("distance")
        rows = list(self.ranked().values_list(*fields)[start:stop])
        held = {kind: _held_ids(kind, [row[0] for row in rows]) for kind in ("condition", "insurance")}
        return [
            page_entry(*row[:4], held["condition"].get(row[0]), held["insurance"].get(row[0]), *row[4:]) for row in rows
        ]

    def facet_counts(self) -> FacetCounts:
        """An aggregate (the total, the yes/no filters, gender and rating, each leaving out its own
        filter) and a UNION of one GROUP BY per vocabulary: two queries."""
        filterset = self.filterset
        gender, min_rating = filterset.value("gender"), filterset.value("min_rating")
        gender_q = Q(gender=gender) if gender else Q()
        rating_q = Q(rating_avg__gte=min_rating) if min_rating is not None else Q()
        aggregates = {"total": _count(gender_q, rating_q)}
        for name in FLAG_LABELS:
            aggregates[f"flag_{name}"] = _count(gender_q, rating_q, self.flag_q(name))
        for value, _label in GENDER_CHOICES:
            aggregates[f"gender_{value}"] = _count(rating_q, Q(gender=value))
        for stars in MIN_RATING_CHOICES:
            aggregates[f"rating_{stars}"] = _count(gender_q, Q(rating_avg__gte=stars))
        counts = self.filtered(exclude={"gender", "min_rating"}).aggregate(**aggregates)
        current = self.filtered()
        families = _family_counts(
            {
                "condition": current,
                "technique": current,
                "insurance": self.filtered(exclude={"insurance"}),
                "language": self.filtered(exclude={"language"}),
            }
        )
        return FacetCounts(
            total=counts["total"],
            flags={name: counts[f"flag_{name}"] for name in FLAG_LABELS},
            gender={value: counts[f"gender_{value}"] for value, _label in GENDER_CHOICES},
            min_rating={stars: counts[f"rating_{stars}"] for stars in MIN_RATING_CHOICES},
            families=families,
        )


def _held_ids(kind: str, practitioner_ids: list[int]) -> dict[int, list[int]]:
    """{listing id: ids of its `kind` vocabulary items}, from the listings' many-to-many table."""
    relation, column = FAMILY_RELATIONS[kind]
    through = getattr(Practitioner, relation).through
    held: dict[int, list[int]] = {}
    for practitioner_id, item_id in through.objects.filter(practitioner_id__in=practitioner_ids).values_list(
        "practitioner_id", column
    ):
        held.setdefault(practitioner_id, []).append(item_id)
    return held


SearchIndex = PlainSearch | ProjectedSearch | MemorySearch


def search_index(filterset: PractitionerFilterSet, *, facets: bool = True) -> MemorySearch | ProjectedSearch:
    """What counts, facets and orders a search: this worker's memory index on PostgreSQL
    (`search.memory`; `facets=False` when only the count and pages are wanted), the projection in
    SQL on SQLite (or with SEARCH_MEMORY_INDEX off)."""
    if memory.enabled(router.db_for_read(Practitioner)):
        return MemorySearch(filterset, facets=facets)
    return ProjectedSearch(filterset)


def search_facets(filterset: PractitionerFilterSet, *, index: SearchIndex | None = None) -> Facets:
    """Facet counts for the current search, however many options there are (`search_index`, unless
    `index` says otherwise)."""

    index = index or search_index(filterset)
    gender = filterset.value("gender")
    min_rating = filterset.value("min_rating")
    counts = index.facet_counts()
    by_kind = counts.families

    def options(kind: str) -> list[FacetOption]:
        chosen = filterset.value(kind) or []
        chosen = set(chosen if isinstance(chosen, list) else [chosen])
        return [
            FacetOption(
                value=item.slug, label=item.name, count=by_kind[kind].get(item.id, 0), selected=item.slug in chosen
            )
            for item in filterset.vocabulary.items[kind]
        ]

    return Facets(
        total=counts.total,
        condition=options("condition"),
        technique=options("technique"),
        insurance=options("insurance"),
        language=options("language"),
        gender=[
            FacetOption(value=value, label=label, count=counts.gender[value], selected=value == gender)
            for value, label in GENDER_CHOICES
        ],
        min_rating=[
            FacetOption(
                value=str(stars),
                label=f"{stars} stars and up",
                count=counts.min_rating[stars],
                selected=min_rating is not None and min_rating == stars,
            )
            for stars in MIN_RATING_CHOICES
        ],
        flags=counts.flags,
    )


class KnownCountPaginator(Paginator):
    """A paginator told the total (the facet aggregate already counted it): no COUNT query."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def page_number(raw_values: list[str], *, num_pages: int) -> tuple[int, str | None]:
    """The page to show for the `page` parameter(s), and a message when it isn't the one asked for."""
    given = [value.strip() for value in raw_values if value and value.strip()]
    if not given:
        return 1, None
    if len(set(given)) > 1:
        return 1, "Give one page number only; showing page 1."
    try:
        number = int(given[0])
    except ValueError:
        return 1, f"“{given[0][:20]}” is not a page number; showing page 1."
    if number < 1:
        return 1, "Page numbers start at 1; showing page 1."
    if number > num_pages:
        if num_pages == 1:
            return 1, f"There is only one page of results, so no page {number}; showing page 1."
        return num_pages, f"There are only {num_pages} pages of results, so no page {number}; showing page {num_pages}."
    return number, None


def nearest_location(practitioner: Practitioner, place: geo.Place | None) -> PracticeLocation | None:
    """The location a result card shows: the nearest to `place`, else the primary one.
    Uses the prefetched locations (no query)."""
    locations = list(practitioner.locations.all())
    if place is None or not locations:
        return locations[0] if locations else None
    located = [loc for loc in locations if loc.latitude is not None]
    if not located:
        return locations[0]
    return min(
        located, key=lambda loc: geo.haversine_miles(place.latitude, place.longitude, loc.latitude, loc.longitude)
    )


def tel_href(phone: str) -> str:
    """A tap-to-call address for a US number as typed ("(512) 555-0100" -> "tel:+15125550100")."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 10:
        digits = "1" + digits
    return f"tel:+{digits}" if digits else ""


def describe_for_card(
    practitioner: Practitioner, *, vocabulary: Vocabulary, insurance: str | None, now: datetime.datetime
) -> None:
    """What a result card says, from the row's annotations and prefetches (no query): the license
    sentence (one trust definition), the carriers (`card_carrier_ids`, named from the vocabulary)
    with the filtered one first, freshness, phone."""
    location = practitioner.nearest_location
    practitioner.license_sentence = trust.license_state_sentence(
        practitioner.license_state,
        practitioner.license_verified_at,
        state_name=location.state.state_name if location else "",
        regulation=location.state.regulation if location else trust.REGULATION_LICENSE,
    )
    carriers = vocabulary.named("insurance", practitioner.card_carrier_ids)  # display order
    carriers.sort(key=lambda carrier: carrier.slug != insurance)  # stable: the filtered one first
    practitioner.card_carriers = carriers
    practitioner.stale_label = freshness.stale_label(practitioner.last_confirmed_at, now)
    practitioner.card_phone = practitioner.phone or (location.phone if location else "")
    practitioner.card_tel = tel_href(practitioner.card_phone)
    practitioner.card_outcomes = []  # filled by the page for a condition search (reviews.selectors.listing_outcomes)


# How far an empty search looks beyond its radius for the nearest matching listings.
BEYOND_RADIUS_MILES = 500
BEYOND_RADIUS_COUNT = 3
# Parameters an empty search may suggest dropping (location and radius have their own advice).
DROPPABLE = ("q", "condition", "technique", "insurance", "language", "gender", *FLAG_LABELS, "min_rating")


@dataclass(frozen=True)
class NearbyListing:
    name: str
    slug: str
    distance: float


def nearest_beyond_radius(filterset: PractitionerFilterSet, *, index: SearchIndex | None = None) -> list[NearbyListing]:
    """The few listings matching every filter but the radius, nearest first (up to BEYOND_RADIUS_MILES): one
    query (with the memory index's points, only for their names; otherwise the index gives the rows to
    look at when they are few enough)."""
    index = index or ProjectedSearch(filterset)
    place = filterset.place
    if isinstance(index, MemorySearch):
        nearest = index.nearest_beyond(BEYOND_RADIUS_MILES, BEYOND_RADIUS_COUNT)
        if nearest is not None:  # from the points: only the names and slugs are read
            rows = SearchRow.objects.using(index.using).filter(pk__in=[pk for pk, _miles in nearest])
            named = {pk: (name, slug) for pk, name, slug in rows.values_list("pk", "name", ProjectedSearch.SLUG)}
            return [NearbyListing(*named[pk], distance=miles) for pk, miles in nearest if pk in named]
    candidates = index.candidate_rows(without="location") if isinstance(index, MemorySearch) else None
    slug = ProjectedSearch.SLUG  # the memory index's candidates are search rows
    if candidates is None:
        index = ProjectedSearch(filterset) if isinstance(index, MemorySearch) else index
        candidates, slug = index.filtered(exclude={"location"}), index.SLUG
    rows = (
        candidates.filter(near_q(place.latitude, place.longitude, BEYOND_RADIUS_MILES))
        .annotate(distance=nearest_location_miles(place.latitude, place.longitude, BEYOND_RADIUS_MILES))
        .order_by("distance", "name", "pk")
        .values_list("name", slug, "distance")[:BEYOND_RADIUS_COUNT]
    )
    return [NearbyListing(name=name, slug=slug, distance=distance) for name, slug, distance in rows]


def best_filter_to_drop(
    filterset: PractitionerFilterSet, *, index: SearchIndex | None = None
) -> tuple[str, int] | None:
    """The one filter whose removal gives the most results, with that number (None when none helps):
    one query, a UNION ALL of one COUNT per filter in use (counted in memory by the memory index)."""
    index = index or ProjectedSearch(filterset)
    in_use = [name for name in DROPPABLE if filterset.value(name) not in (None, "", [], False)]
    if not in_use:
        return None
    masks = {name: index.filtered_without(name) for name in in_use} if isinstance(index, MemorySearch) else {}
    if masks and all(mask is not None for mask in masks.values()):
        name, n = max(((name, int(masks[name].sum())) for name in in_use), key=lambda item: item[1])
        return (name, n) if n > 0 else None
    index = ProjectedSearch(filterset) if isinstance(index, MemorySearch) else index
    parts = [
        index.filtered(exclude={name})
        .order_by()
        .annotate(dropped=Value(name, output_field=CharField()))
        .values("dropped")
        .annotate(n=Count("pk"))
        .values_list("dropped", "n")
        for name in in_use
    ]
    counts = dict(parts[0].union(*parts[1:], all=True).order_by()) if len(parts) > 1 else dict(parts[0])
    name, n = max(((name, counts.get(name, 0)) for name in in_use), key=lambda item: item[1])
    return (name, n) if n > 0 else None


@dataclass
class SearchResults:
    filterset: PractitionerFilterSet
    facets: Facets
    page: Page
    page_message: str | None
    results: list[Practitioner] = field(default_factory=list)
    # For an empty search: the nearest matches beyond the radius, and the filter to drop for the most results.
    nearest_beyond: list[NearbyListing] = field(default_factory=list)
    drop_advice: tuple[str, int] | None = None


def search_practitioners(
    *, params, page_values: list[str], today: datetime.date | None = None, per_page: int = PAGE_SIZE
) -> SearchResults:
    """Run one search (the HTML page's): filters, facets, one page of results."""

    filterset = PractitionerFilterSet(params, queryset=search_base_qs(), today=today)
    index = search_index(filterset)  # one for the facets and the page: one look at the memory index
    facets = cached_search_value(
        "facets", lambda: search_facets(filterset, index=index), identity=search_identity(filterset)
    )
    results = SearchResultList(filterset, count=facets.total, index=index, license_state=True)
    paginator = KnownCountPaginator(results, per_page, count=facets.total)
    number, message = page_number(page_values, num_pages=paginator.num_pages)
    page = paginator.page(number)
    results = list(page.object_list)
    now = timezone.now()
    for practitioner in results:
        practitioner.nearest_location = nearest_location(practitioner, filterset.place)
        practitioner.distance = getattr(practitioner, "distance", None)
        describe_for_card(
            practitioner, vocabulary=filterset.vocabulary, insurance=filterset.value("insurance"), now=now
        )
    page.object_list = results
    search = SearchResults(filterset=filterset, facets=facets, page=page, page_message=message, results=results)
    if facets.total == 0 and not filterset.location_failed:
        identity = search_identity(filterset)
        if filterset.place:
            search.nearest_beyond = cached_search_value(
                "beyond", lambda: nearest_beyond_radius(filterset, index=index), identity=identity
            )
        search.drop_advice = cached_search_value(
            "drop", lambda: best_filter_to_drop(filterset, index=index), identity=identity
        )
    return search
