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

from .filters import PractitionerFilterSet, best_match_score, search_order_by, shrunken_rating, text_matches
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
        if name in VOCABULARY_KINDS:
            field = row_list_field(name)
            for item_id in filterset.vocabulary.ids(name, value if isinstance(value, list) else [value]):
                rows = rows.filter(**{f"{field}__has": item_id})
            return rows
        if name in FLAG_ROW_Q:
            return rows.filter(self.flag_q(name)) if value else rows
        if name == "q":
            return text_matches(rows, value.strip(), via=VIA_LISTING) if value.strip() else rows
        if name == "location":
            return rows.filter(near_q(value.latitude, value.longitude, filterset.radius_miles))
        if name == "gender":
            return rows.filter(gender=value)
        if name == "min_rating":
            return rows.filter(rating_avg__gte=value)
        if name in ("radius", "sort"):  # they shape the location filter and the order
            return rows
        raise ValueError(f"The search projection does not know the parameter {name!r}.")

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

    def family_counts(self, querysets: dict[str, QuerySet] | None = None) -> dict[str, dict[int, int]]:
        """{kind: {item id: matching rows holding it}} for the four vocabularies, in one query over
        the search's rows read once: each vocabulary counts the rows matching every filter but its
        own (for insurance and language, which take one value; conditions and techniques add up).

        The rows are those of `filtered(exclude={"insurance", "language"})` with two booleans (does
        the row match the insurance / the language filter); each vocabulary unnests its id list
        (PostgreSQL `unnest`, SQLite `json_each`) over the rows that count for it. With a place or
        words the rows are materialised first, so the location and text tests run once, not four
        times. (`querysets` is ignored: the shape `search_facets` passes to the plain definitions.)"""
        rows = self.filtered(exclude=KIND_OWN_FILTERS)
        found: dict[str, dict[int, int]] = {kind: {} for kind in VOCABULARY_KINDS}
        if rows.query.is_empty():
            return found
        matches = {
            f"{name}_ok": ExpressionWrapper(self._own_filter_q(name), output_field=BooleanField())
            for name in KIND_OWN_FILTERS
        }
        rows = (
            rows.order_by().annotate(**matches).values(*(row_list_field(kind) for kind in VOCABULARY_KINDS), *matches)
        )
        sql, params = rows.query.sql_with_params()
        connection = connections[rows.db]
        materialized = "MATERIALIZED" if (self.filterset.place or self.filterset.text) else "NOT MATERIALIZED"
        kinds = list(VOCABULARY_KINDS)
        parts = []
        for index, kind in enumerate(kinds):
            field = row_list_field(kind)
            counted = " AND ".join(f"matched.{name}_ok" for name in KIND_OWN_FILTERS if name != kind) or "1 = 1"
            if connection.vendor == "postgresql":
                source, item = f"matched CROSS JOIN unnest(matched.{field}) AS item", "item"
            else:
                source, item = f"matched, json_each(matched.{field}) AS item", "item.value"
            parts.append(
                f"SELECT {index} AS kind, {item} AS item, COUNT(*) AS n "  # noqa: S608 -- our own names; params apart
                f"FROM {source} WHERE {counted} GROUP BY {item}"
            )
        statement = f"WITH matched AS {materialized} ({sql}) " + " UNION ALL ".join(parts)
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            for index, item_id, n in cursor.fetchall():
                found[kinds[index]][int(item_id)] = n
        return found

    def _own_filter_q(self, name: str) -> Q:
        """The search's filter on one single-valued vocabulary as a condition (always true when unused)."""
        value = self.filterset.value(name)
        if not value:
            return Q(pk__isnull=False)
        (item_id,) = self.filterset.vocabulary.ids(name, [value])
        return Q(**{f"{row_list_field(name)}__has": item_id})


# The vocabularies whose facet counts leave out their own filter (one value each: "with this one instead").
KIND_OWN_FILTERS = ("insurance", "language")


def row_list_field(kind: str) -> str:
    """The search row's id list for a vocabulary kind ("condition" → "condition_ids")."""
    return f"{kind}_ids"
