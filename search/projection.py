"""The search on its projection (`practitioners.models.SearchRow`): what the search page and the API
count, facet and order by.

`search.filters` defines what each parameter means, on listings and the tables they are built
from (the plain definitions). Counting or ordering 100,000 listings that way joins the
credential, location-state and vocabulary tables once per listing (correlated subplans the planner
cannot hash), so the selectors do that work here, on one narrow row per published listing:

    verified / nccaom / medicare   verified_until / nccaom_until / medicare_until >= today
    condition, technique,          the id lists (`condition_ids__has=3`: PostgreSQL `@>` with a
    insurance, language            GIN index; SQLite json_each)
    gender, sliding_scale, new_patients, min_rating, sorts   the copied columns
    q, location                    the listing's text vector / its locations, as in search.filters

A page's 20 rows are then read from the listings with the plain definitions re-applied
(`search.selectors.SearchResultList`). tests/search/test_search_projection.py checks, on random
listings, writes and searches, that the projection and the plain definitions give the same
results, order and facet counts, on PostgreSQL and on SQLite.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from practitioners.models import SearchRow, near_q, nearest_location_miles

from .answers import FacetCounts, PageEntry, page_entry
from .filters import (
    FLAG_LABELS,
    GENDER_CHOICES,
    MIN_RATING_CHOICES,
    PractitionerFilterSet,
    best_match_score,
    search_order_by,
    shrunken_rating,
    text_matches,
)
from .vocabulary import VOCABULARY_KINDS

VIA_LISTING = "practitioner__"  # from a search row to its listing's columns (text search)

# The date each yes/no trust filter compares with today; the others are copied columns.
FLAG_ROW_Q = {
    "verified": lambda today: Q(verified_until__gte=today),
    "nccaom": lambda today: Q(nccaom_until__gte=today),
    "medicare": lambda today: Q(medicare_until__gte=today),
    "sliding_scale": lambda today: Q(sliding_scale=True),
    "new_patients": lambda today: Q(accepting_new_patients=True),
}


class ProjectedSearch:
    """One search (a bound `PractitionerFilterSet`) as querysets of search rows."""

    SLUG = f"{VIA_LISTING}slug"  # the listing's slug, from the rows `filtered` returns

    def __init__(self, filterset: PractitionerFilterSet) -> None:
        self.filterset = filterset

    def flag_q(self, name: str) -> Q:
        return FLAG_ROW_Q[name](self.filterset.today)

    def filtered(self, *, exclude=()) -> QuerySet:
        """Rows matching every usable parameter except those in `exclude`."""
        filterset = self.filterset
        if filterset.location_failed:
            return SearchRow.objects.none()
        rows = SearchRow.objects.all()
        for name, value in filterset.form.cleaned_data.items():
            if name in exclude or value in (None, "", []):
                continue
            rows = self._filter(rows, name, value)
        return rows

    def _filter(self, rows: QuerySet, name: str, value) -> QuerySet:
        filterset = self.filterset
        if name in VOCABULARY_KINDS or name in ("gender", "min_rating"):
            return rows.filter(self.value_q(name, value))
        if name in FLAG_ROW_Q:
            return rows.filter(self.flag_q(name)) if value else rows
        if name == "q":
            return text_matches(rows, value.strip(), via=VIA_LISTING) if value.strip() else rows
        if name == "location":
            return rows.filter(near_q(value.latitude, value.longitude, filterset.radius_miles))
        if name in ("radius", "sort"):  # they shape the location filter and the order
            return rows
        raise ValueError(f"The search projection does not know the parameter {name!r}.")

    def value_q(self, name: str, value) -> Q:
        """The condition a vocabulary, gender or rating parameter puts on the rows."""
        if name in VOCABULARY_KINDS:
            field = row_list_field(name)
            condition = Q()
            for item_id in self.filterset.vocabulary.ids(name, value if isinstance(value, list) else [value]):
                condition &= Q(**{f"{field}__has": item_id})
            return condition
        if name == "gender":
            return Q(gender=value)
        if name == "min_rating":
            return Q(rating_avg__gte=value)
        raise ValueError(f"{name!r} is not a vocabulary, gender or rating parameter.")

    def count(self) -> int:
        return self.filtered().count()

    def ranked(self) -> QuerySet:
        """The matching rows with what the sorts use, in the search's order (`search_order_by`)."""
        filterset = self.filterset
        rows = self.filtered()
        place = filterset.place
        if place:
            rows = rows.annotate(
                distance=nearest_location_miles(place.latitude, place.longitude, filterset.radius_miles)
            )
        rows = rows.annotate(shrunk_rating=shrunken_rating(filterset.vocabulary.rating_mean))
        if filterset.effective_sort == "relevance":
            rows = rows.annotate(
                score=best_match_score(
                    text=filterset.text,
                    has_place=bool(place),
                    radius_miles=filterset.radius_miles,
                    verified=self.flag_q("verified"),
                    via=VIA_LISTING,
                )
            )
        return rows.order_by(*search_order_by(filterset.effective_sort))

    def page_entries(self, start: int, stop: int) -> list[PageEntry]:
        """Results `start` to `stop` in the search's order, with the trust facts the cards show (the
        same conditions as the yes/no filters), their conditions and insurers, and the distance the
        order used."""
        rows = self.ranked().annotate(
            **{
                name: ExpressionWrapper(self.flag_q(flag), output_field=BooleanField())
                for name, flag in CARD_TRUST_FACTS.items()
            }
        )
        fields = ["pk", *CARD_TRUST_FACTS, row_list_field("condition"), row_list_field("insurance")]
        if self.filterset.place is not None:
            fields.append("distance")
        return [page_entry(*row) for row in rows.values_list(*fields)[start:stop]]

    def facet_counts(self) -> FacetCounts:
        """The search's facet counts in one query over its rows read once.

        The rows are those of `filtered()` without the four one-value filters that facet counts
        leave out in turn (gender, rating, insurance, language), with one boolean per condition a
        count needs: does the row match each of those four filters, each yes/no filter, each gender
        and each rating threshold. One aggregate row counts the total, the yes/no filters, gender
        and rating (each without its own filter); each vocabulary unnests its id list (PostgreSQL
        `unnest`, SQLite `json_each`) over the rows that count for it. With a place or words the
        rows are materialised first, so the location and text tests run once, not five times;
        without, each part reads the table with its own filters (cheaper than spilling a broad
        search's rows to disk)."""
        filterset = self.filterset
        rows = self.filtered(exclude=SELF_EXCLUDING_FILTERS)
        families: dict[str, dict[int, int]] = {kind: {} for kind in VOCABULARY_KINDS}
        if rows.query.is_empty():
            return counted({}, families)
        own = {name: q for name in SELF_EXCLUDING_FILTERS if (q := self._own_filter_q(name)) is not None}
        conditions = {
            **{f"own_{name}": q for name, q in own.items()},
            **{f"flag_{name}": self.flag_q(name) for name in FLAG_LABELS},
            **{f"gender_{value}": self.value_q("gender", value) for value, _label in GENDER_CHOICES},
            **{f"rating_{stars}": self.value_q("min_rating", stars) for stars in MIN_RATING_CHOICES},
        }
        rows = rows.order_by().annotate(
            **{name: ExpressionWrapper(q, output_field=BooleanField()) for name, q in conditions.items()}
        )
        sql, params = rows.values(
            *(row_list_field(kind) for kind in VOCABULARY_KINDS), *conditions
        ).query.sql_with_params()

        def every_own_filter_but(*left_out: str) -> str:
            return " AND ".join(f"matched.own_{name}" for name in own if name not in left_out) or "1 = 1"

        aggregates = [
            ("total", every_own_filter_but()),
            *((f"flag_{name}", f"{every_own_filter_but()} AND matched.flag_{name}") for name in FLAG_LABELS),
            *(
                (f"gender_{value}", f"{every_own_filter_but('gender')} AND matched.gender_{value}")
                for value, _label in GENDER_CHOICES
            ),
            *(
                (f"rating_{stars}", f"{every_own_filter_but('min_rating')} AND matched.rating_{stars}")
                for stars in MIN_RATING_CHOICES
            ),
        ]
        connection = connections[rows.db]
        width = len(aggregates)
        parts = [
            "SELECT -1 AS kind, NULL AS item, "  # noqa: S608 -- our own names; params apart
            + ", ".join(f"COUNT(*) FILTER (WHERE {where}) AS {name}" for name, where in aggregates)
            + " FROM matched"
        ]
        kinds = list(VOCABULARY_KINDS)
        for index, kind in enumerate(kinds):
            field = row_list_field(kind)
            if connection.vendor == "postgresql":
                source, item = f"matched CROSS JOIN unnest(matched.{field}) AS item", "item"
            else:
                source, item = f"matched, json_each(matched.{field}) AS item", "item.value"
            padding = ", NULL" * (width - 1)
            parts.append(
                f"SELECT {index}, {item}, COUNT(*){padding} "  # noqa: S608 -- our own names; params apart
                f"FROM {source} WHERE {every_own_filter_but(kind)} GROUP BY {item}"
            )
        materialized = "MATERIALIZED" if (filterset.place or filterset.text) else "NOT MATERIALIZED"
        statement = f"WITH matched AS {materialized} ({sql}) " + " UNION ALL ".join(parts)
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            found = cursor.fetchall()
        for kind_index, item_id, *numbers in found:
            if kind_index == -1:
                by_name = dict(zip((name for name, _where in aggregates), numbers, strict=True))
            else:
                families[kinds[kind_index]][int(item_id)] = numbers[0]
        return counted(by_name, families)

    def _own_filter_q(self, name: str) -> Q | None:
        """The search's filter on one of SELF_EXCLUDING_FILTERS as a condition (None when unused)."""
        value = self.filterset.value(name)
        return None if value in (None, "") else self.value_q(name, value)


def counted(by_name: dict[str, int], families: dict[str, dict[int, int]]) -> FacetCounts:
    """FacetCounts from the aggregate row's counts by column name (absent: 0, an empty search)."""
    return FacetCounts(
        total=by_name.get("total", 0),
        flags={name: by_name.get(f"flag_{name}", 0) for name in FLAG_LABELS},
        gender={value: by_name.get(f"gender_{value}", 0) for value, _label in GENDER_CHOICES},
        min_rating={stars: by_name.get(f"rating_{stars}", 0) for stars in MIN_RATING_CHOICES},
        families=families,
    )


# The trust facts a card shows, by the yes/no filter that keeps them (`page_entries`).
CARD_TRUST_FACTS = {"is_verified": "verified", "is_nccaom_certified": "nccaom", "meets_medicare": "medicare"}

# The filters whose facet counts leave out their own value (one value each: "with this one instead").
SELF_EXCLUDING_FILTERS = ("gender", "min_rating", "insurance", "language")


def row_list_field(kind: str) -> str:
    """The search row's id list for a vocabulary kind ("condition" → "condition_ids")."""
    return f"{kind}_ids"
