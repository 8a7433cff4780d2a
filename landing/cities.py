"""City landing pages' addresses: canonical slugs and the index of cities with published listings (pure, no ORM).

A city's slug is its normalized name (`practitioners.places.normalize_city`: "St. Louis" and
"Saint Louis" are one city) as lowercase words joined by hyphens; the state is its lowercase
two-letter code. Other spellings of either ("TX", "texas", "St.-Louis", "saint_louis") resolve
to the same page, which the view answers with a 301 to the canonical address.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.text import slugify

from practitioners import places

# Longer path segments are not a city (and are not worth normalizing).
MAX_SEGMENT = 100


def city_slug(city: str) -> str:
    return slugify(places.normalize_city(city.replace("_", " ")))


def state_slug(code: str) -> str:
    return code.lower()


def state_code_for(segment: str) -> str | None:
    """'tx', 'TX', 'texas', 'new-york' -> the two-letter code; None if it names no state."""
    if not segment or len(segment) > MAX_SEGMENT:
        return None
    return places.state_code(segment.replace("-", " ").replace("_", " "))


@dataclass(frozen=True)
class City:
    state: str  # the two-letter code
    state_name: str
    slug: str
    name: str  # as listings spell it most often
    spellings: tuple[str, ...]  # every spelling listings use (what the page's query matches)
    listings: int  # published listings with a location here (summed over spellings)

    @property
    def label(self) -> str:
        return f"{self.name}, {self.state}"

    @property
    def state_slug(self) -> str:
        return state_slug(self.state)


def build_city_index(rows: Iterable[tuple[str, str, str, int]]) -> dict[tuple[str, str], City]:
    """(state code, state name, city as spelt, listings) rows -> {(state code, slug): City}."""
    grouped: dict[tuple[str, str], list[tuple[str, str, int]]] = {}
    for state, state_name, name, listings in rows:
        slug = city_slug(name)
        if slug:
            grouped.setdefault((state, slug), []).append((name, state_name, listings))
    index = {}
    for (state, slug), spellings in grouped.items():
        spellings.sort(key=lambda row: (-row[2], row[0]))
        index[(state, slug)] = City(
            state=state,
            state_name=spellings[0][1],
            slug=slug,
            name=spellings[0][0],
            spellings=tuple(row[0] for row in spellings),
            listings=sum(row[2] for row in spellings),
        )
    return index


def find_city(index: dict[tuple[str, str], City], state_segment: str, city_segment: str) -> City | None:
    """The city two path segments name, in any spelling; None for a city without listings."""
    code = state_code_for(state_segment)
    if code is None or not city_segment or len(city_segment) > MAX_SEGMENT:
        return None
    return index.get((code, city_slug(city_segment.replace("-", " "))))


def largest_cities(index: dict[tuple[str, str], City], limit: int) -> list[City]:
    """The cities with the most listings, then by name."""
    return sorted(index.values(), key=lambda city: (-city.listings, city.label))[:limit]
