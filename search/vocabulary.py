"""The filterable vocabularies (conditions, techniques, insurance carriers, languages): types and loader."""

from dataclasses import dataclass

from django.db.models import CharField, F, IntegerField, Sum, Value
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

    def name(self, kind: str, slug: str) -> str:
        return next((item.name for item in self.items[kind] if item.slug == slug), slug)


# kind (the search parameter) -> (model, the field the parameter names it by)
VOCABULARY_MODELS = {
    "condition": (Condition, "slug"),
    "technique": (Technique, "slug"),
    "insurance": (InsuranceCarrier, "slug"),
    "language": (Language, "code"),
}


RATINGS_KIND = "ratings"  # the extra row of the vocabulary query: (n reviews, Σ ratings) of published listings


def load_vocabulary() -> Vocabulary:
    """All four reference lists and the site-wide rating totals in one query (UNION ALL); cached
    under the search cache generation, which every review change renews."""
    return cached_search_value("vocabulary", _load_vocabulary)


def _load_vocabulary() -> Vocabulary:
    parts = []
    for kind, (model, key_field) in VOCABULARY_MODELS.items():
        position = F("sort_order") if key_field == "slug" else Value(0, output_field=IntegerField())
        parts.append(
            model.objects.order_by()
            .annotate(kind=Value(kind), key=F(key_field), position=position)
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
    items: dict[str, list[VocabularyItem]] = {kind: [] for kind in VOCABULARY_MODELS}
    rating_mean = None
    for kind, pk, key, name, _position in rows:
        if kind == RATINGS_KIND:
            rating_mean = int(key) / pk if pk else None
            continue
        items[kind].append(VocabularyItem(id=pk, slug=key, name=name))
    return Vocabulary(items={kind: tuple(found) for kind, found in items.items()}, rating_mean=rating_mean)
