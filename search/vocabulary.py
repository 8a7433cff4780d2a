"""The filterable vocabularies (conditions, techniques, insurance carriers, languages): types and loader."""

from dataclasses import dataclass

from django.db.models import CharField, F, IntegerField, Model, Sum, Value
from django.db.models.functions import Cast

from practitioners.models import Condition, InsuranceCarrier, Language, Practitioner, Technique

from .cache import cached_search_value


@dataclass(frozen=True)
class VocabularyItem:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class Vocabulary:
    """The filterable reference lists (conditions, techniques, insurance carriers, languages)."""

    items: dict[str, tuple[VocabularyItem, ...]]
    # The site-wide mean of published ratings (m in the shrunken rating, search.filters.shrunken_rating),
    # from the per-listing sums reviews.services keeps; None before the first review.
    rating_mean: float | None = None

    def choices(self, kind: str) -> list[tuple[str, str]]:
        return [(item.slug, item.name) for item in self.items[kind]]

    def ids(self, kind: str, slugs: list[str]) -> list[int]:
        by_slug = {item.slug: item.id for item in self.items[kind]}
        return [by_slug[slug] for slug in slugs]

    def named(self, kind: str, ids) -> list[VocabularyItem]:
        """The items of `kind` with these ids, in the vocabulary's order (unknown ids are left out)."""
        wanted = set(ids)
        return [item for item in self.items[kind] if item.id in wanted]

    def name(self, kind: str, slug: str) -> str:
        return next((item.name for item in self.items[kind] if item.slug == slug), slug)


@dataclass(frozen=True)
class VocabularyKind:
    model: type[Model]
    key_field: str  # what the search parameter names an item by
    relation: str  # the listing's many-to-many field

    @property
    def column(self) -> str:
        """The item's column in the relation's through table ("insurancecarrier_id")."""
        return f"{self.model._meta.model_name}_id"


# The one list of the filterable vocabularies: kind (the search parameter) → where it lives.
# The FilterSet, the facet counts, the page's links and chips and the vocabulary query read it.
VOCABULARY_KINDS: dict[str, VocabularyKind] = {
    "condition": VocabularyKind(Condition, "slug", "conditions"),
    "technique": VocabularyKind(Technique, "slug", "techniques"),
    "insurance": VocabularyKind(InsuranceCarrier, "slug", "insurance_carriers"),
    "language": VocabularyKind(Language, "code", "languages"),
}
# kind → (the listing's many-to-many field, the item's through-table column), for the facet counts
FAMILY_RELATIONS = {kind: (spec.relation, spec.column) for kind, spec in VOCABULARY_KINDS.items()}


RATINGS_KIND = "ratings"  # the extra row of the vocabulary query: (n reviews, Σ ratings) of published listings


def load_vocabulary() -> Vocabulary:
    """All four reference lists and the site-wide rating totals in one query (UNION ALL); cached
    under the search cache generation, which every review change renews."""
    return cached_search_value("vocabulary", _load_vocabulary)


def _load_vocabulary() -> Vocabulary:
    parts = []
    for kind, spec in VOCABULARY_KINDS.items():
        position = F("sort_order") if spec.key_field == "slug" else Value(0, output_field=IntegerField())
        parts.append(
            spec.model.objects.order_by()
            .annotate(kind=Value(kind), key=F(spec.key_field), position=position)
            .values_list("kind", "pk", "key", "name", "position")
        )
    # One row, no GROUP BY (Django leaves constants out of it): Σ review_count, Σ rating_sum.
    parts.append(
        Practitioner.objects.published()
        .order_by()
        .annotate(kind=Value(RATINGS_KIND))
        .values("kind")
        .annotate(
            n=Sum("review_count"),
            key=Cast(Sum("rating_sum"), CharField()),
            label=Value("", output_field=CharField()),
            position=Value(0, output_field=IntegerField()),
        )
        .values_list("kind", "n", "key", "label", "position")
    )
    # NULL-safe: the ratings row's constant position came back NULL from SQLite's compound SELECT
    # in one CI run (a TypeError, so a 500 on the search page); it sorts as 0, the items' order is unchanged.
    rows = sorted(parts[0].union(*parts[1:], all=True).order_by(), key=lambda row: (row[4] or 0, row[3] or ""))
    items: dict[str, list[VocabularyItem]] = {kind: [] for kind in VOCABULARY_KINDS}
    rating_mean = None
    for kind, pk, key, name, _position in rows:
        if kind == RATINGS_KIND:
            rating_mean = int(key) / pk if pk else None
            continue
        items[kind].append(VocabularyItem(id=pk, slug=key, name=name))
    return Vocabulary(items={kind: tuple(found) for kind, found in items.items()}, rating_mean=rating_mean)
