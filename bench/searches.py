"""Searches nobody has asked before: a seeded generator of distinct, valid, realistic searches.

    from bench.searches import generate_searches
    searches = generate_searches(2400, seed=14)   # the same list on every machine and every run

The benchmark's cold run asks each of them once and its mix run draws from them with a Zipf
distribution (bench/load.py), so the figures are what a new visitor meets rather than what
the search cache serves. Everything is drawn offline from a seeded RNG: places from the
`zipcodes` data in the states where seed_bench puts listings (weighted as it weights them),
vocabulary slugs from fixtures/reference (what the migrations load), words from the
conditions and the demo surnames. Each search is a set of GET parameters a person could
produce with the search form; `search_for` turns one into a page URL or an API URL.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlencode

from demo.practitioners import LAST_NAMES, STATE_WEIGHTS
from practitioners import geo, places
from practitioners.reference import reference_rows
from search.filters import DEFAULT_RADIUS, FLAG_LABELS, RADIUS_CHOICES, Sort

from .scenarios import API_PATH, SEARCH_PATH

DEFAULT_SEED = 14
ZIP_POOL = 300
CITY_POOL = 240
# Words people type into the search box besides surnames (the conditions' own words come from the reference data).
TEXT_WORDS = (
    "acupuncture",
    "cupping",
    "fertility",
    "pain",
    "migraine",
    "sports",
    "community",
    "herbal",
    "stress",
    "sleep",
    "anxiety",
    "back pain",
    "chinese medicine",
    "wellness",
)
SORTS = [value for value, _label in Sort.choices]


@dataclass(frozen=True)
class Search:
    """One search: GET parameters in the order a form sends them (repeated names allowed)."""

    params: tuple[tuple[str, str], ...]

    @property
    def located(self) -> bool:
        return any(name == "location" for name, _ in self.params)

    @property
    def sort(self) -> str:
        return next((value for name, value in self.params if name == "sort"), Sort.RELEVANCE)

    @property
    def query(self) -> str:
        return urlencode(self.params)

    def url(self, kind: str) -> str:
        path = {"page": SEARCH_PATH, "api": API_PATH}[kind]
        return f"{path}?{self.query}" if self.params else path


@cache
def _vocabulary() -> dict[str, list[str]]:
    return {
        "condition": [row["slug"] for row in reference_rows("conditions.json")],
        "technique": [row["slug"] for row in reference_rows("techniques.json")],
        "insurance": [row["slug"] for row in reference_rows("insurance_carriers.json")],
        "language": [row["code"] for row in reference_rows("languages.json")],
        "condition_words": sorted(
            {word.lower() for row in reference_rows("conditions.json") for word in row["name"].split() if len(word) > 3}
        ),
    }


@cache
def place_pools(seed: int = DEFAULT_SEED) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(ZIPs, "City, ST" texts) where seed_bench's listings are, each resolvable by `places.resolve`."""
    rng = random.Random(f"places:{seed}")
    states, weights = list(STATE_WEIGHTS), list(STATE_WEIGHTS.values())
    by_state = {state: geo.zips_in_state(state) for state in states}
    rows = {row["zip_code"]: row for row in geo.zip_rows()}
    zips: list[str] = []
    cities: list[str] = []
    attempts = 0
    while (len(zips) < ZIP_POOL or len(cities) < CITY_POOL) and attempts < 50_000:
        attempts += 1
        state = rng.choices(states, weights)[0]
        zip_code = rng.choice(by_state[state])
        if len(zips) < ZIP_POOL and zip_code not in zips and places.resolve(zip_code).found:
            zips.append(zip_code)
        row = rows[zip_code]
        city = f"{row['city']}, {row['state']}"
        if len(cities) < CITY_POOL and city not in cities and places.resolve(city).found:
            cities.append(city)
    return tuple(zips), tuple(cities)


def _one_search(rng: random.Random, zips: tuple[str, ...], cities: tuple[str, ...]) -> Search:
    vocabulary = _vocabulary()
    params: list[tuple[str, str]] = []
    narrow = 0  # how many filters narrow the search (deep pages only for wide searches)
    if rng.random() < 0.25:
        if rng.random() < 0.5:
            text = rng.choice(LAST_NAMES)
        else:
            text = rng.choice((*TEXT_WORDS, *vocabulary["condition_words"]))
        params.append(("q", text))
        narrow += 1
    located = rng.random() < 0.7
    if located:
        params.append(("location", rng.choice(zips) if rng.random() < 0.6 else rng.choice(cities)))
        radius = rng.choice((None, *RADIUS_CHOICES))
        # The default radius is left out, as the search form's own links do (the page redirects an
        # address that spells it out to the one without it, which would time a redirect).
        if radius is not None and radius != DEFAULT_RADIUS:
            params.append(("radius", str(radius)))
        narrow += 0 if radius is not None and radius >= 50 else 1
    conditions = rng.choices((0, 1, 2), (35, 50, 15))[0]
    for slug in rng.sample(vocabulary["condition"], conditions):
        params.append(("condition", slug))
    narrow += conditions
    if rng.random() < 0.1:
        params.append(("technique", rng.choice(vocabulary["technique"])))
        narrow += 1
    if rng.random() < 0.3:
        params.append(("insurance", rng.choice(vocabulary["insurance"])))
        narrow += 1
    if rng.random() < 0.15:
        params.append(("language", rng.choice(vocabulary["language"])))
        narrow += 1
    if rng.random() < 0.08:
        params.append(("gender", rng.choice(("female", "male", "nonbinary"))))
        narrow += 1
    for flag in FLAG_LABELS:
        if rng.random() < 0.1:
            params.append((flag, "true"))
            narrow += 1
    if rng.random() < 0.15:
        params.append(("min_rating", rng.choice(("3", "4", "4.5"))))
        narrow += 1
    sorts = SORTS if located else [sort for sort in SORTS if sort != Sort.DISTANCE]
    sort = rng.choice([None, *sorts])
    if sort is not None:
        params.append(("sort", sort))
    # Pages 2 and 3 only where there are surely that many results (the API answers 400 past the last page).
    if narrow <= 1 and rng.random() < 0.3:
        params.append(("page", rng.choice(("2", "2", "3"))))
    return Search(tuple(params))


def generate_searches(count: int, *, seed: int = DEFAULT_SEED) -> list[Search]:
    """`count` distinct searches, the same for the same seed (the order is the Zipf rank in the mix)."""
    rng = random.Random(f"searches:{seed}")
    zips, cities = place_pools()
    found: list[Search] = []
    seen: set[frozenset] = set()
    while len(found) < count:
        search = _one_search(rng, zips, cities)
        key = frozenset(search.params)
        if key in seen:
            continue
        seen.add(key)
        found.append(search)
    return found


def search_kind(index: int) -> str:
    """Which of the two a search is asked as in the cold and mix runs: page for even, API for odd
    positions (so no search's cached values warm the other kind's request)."""
    return "page" if index % 2 == 0 else "api"


def benchmark_urls(searches: list[Search]) -> list[str]:
    """The searches as the URLs the cold and mix runs request, in rank order."""
    return [search.url(search_kind(index)) for index, search in enumerate(searches)]


# The warm-up before a cold run: other searches (another seed), so workers have their ZIP tables,
# templates, connections and vocabulary, and nothing of the measured searches is cached.
WARMUP_SEED = 9_000
