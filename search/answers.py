"""What a search answers, whichever way it was computed (the projection or the plain definitions): pure data."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FacetCounts:
    """For one search: the number of results, and for each filter option how many results there
    would be with it (each count leaves out the filter's own current value where it takes one value).

    families: {vocabulary kind: {item id: count}}; min_rating: {stars: count}; gender: {value: count}."""

    total: int
    flags: dict[str, int]
    gender: dict[str, int]
    min_rating: dict[int, int]
    families: dict[str, dict[int, int]]


@dataclass(frozen=True)
class PageEntry:
    """One result of a page as the search ordered it: what the cards take from the search itself
    (the distance its order used, the trust facts its filters used, the conditions and insurance
    carriers its facets count), so reading the rows does not compute or join them again."""

    pk: int
    distance: float | None
    is_verified: bool
    is_nccaom_certified: bool
    meets_medicare: bool
    condition_ids: tuple[int, ...]  # what the card lists (sorted ids; names from the vocabulary)
    insurance_ids: tuple[int, ...]


def page_entry(
    pk: int,
    is_verified: bool,
    is_nccaom_certified: bool,
    meets_medicare: bool,
    condition_ids,
    insurance_ids,
    distance: float | None = None,
) -> PageEntry:
    """A PageEntry from a row of the search's ordered values (`pk`, the three trust facts, the card's
    condition and insurance ids, the distance if any)."""
    return PageEntry(
        pk,
        distance,
        bool(is_verified),
        bool(is_nccaom_certified),
        bool(meets_medicare),
        tuple(sorted(condition_ids or ())),
        tuple(sorted(insurance_ids or ())),
    )
