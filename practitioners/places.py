"""What a person types in the location box, turned into a place; and city-name suggestions.

Pure functions over the offline ZIP table (`geo`): no ORM, no network. The city index is
built once per process (the wsgi module builds it at worker start) and holds one entry per
(city, state) with the centroid of that city's ZIPs and its number of ZIPs, our measure of a
city's size (the `zipcodes` data has no population).

Accepted (see docs/search.md): "10001", "10001-2345", "Austin, TX", "austin tx", "Austin, Texas",
"AUSTIN , TX", "Austin" (a city name alone, when unique or clearly the largest of its name),
"St. Louis, MO" = "Saint Louis, MO" (also Ft./Fort, Mt./Mount, Ste./Sainte), case, accents and
extra spaces ignored. Anything else gets a specific message, with places to choose from when we
can name them (an ambiguous city, a misspelling, a state alone).
"""

import bisect
import difflib
import functools
import heapq
import re
import unicodedata
from dataclasses import dataclass, field

from . import geo

MAX_LENGTH = 100
MAX_CHOICES = 8
MAX_SUGGESTIONS = 8
MIN_QUERY = 2  # one letter matches thousands of names; the box suggests from the second

# A city alone resolves when it is the only one of its name, or when it has at least this many
# times the ZIPs of the next largest ("Austin" 81 vs 1, "Portland" 65 vs 9 → Oregon; "Springfield"
# 38 vs 21, "Columbus" 47 vs 14 → the person chooses).
DOMINANCE_RATIO = 4
# A state name typed alone means the state ("Florida"), unless a city of that name is a big one
# ("New York" 165 ZIPs, "Washington" 274): a city needs at least this many ZIPs to win.
STATE_NAME_CITY_MIN_ZIPS = 10
# difflib ratio for "Did you mean": "Austn" ~ "Austin" is 0.91, "Sprngfeld" ~ "Springfield" 0.9.
CLOSE_MATCH_CUTOFF = 0.8
STRONG_MATCH = 0.9

STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "VI": "U.S. Virgin Islands", "GU": "Guam", "AS": "American Samoa",
    "MP": "Northern Mariana Islands", "FM": "Micronesia", "MH": "Marshall Islands", "PW": "Palau",
}  # fmt: skip

# The same word written two ways; applied to city names only ("Helena MT" keeps Montana).
CITY_WORD_FORMS = {"ST": "SAINT", "STE": "SAINTE", "FT": "FORT", "MT": "MOUNT"}

# "30.27, -97.74" (latitude, longitude; from "Use my location"): the page rounds to 2 decimals, ~1 km.
COORDINATES_RE = re.compile(
    r"^(?P<lat>[-+]?\d{1,3}(?:\.\d{1,8})?)\s*,\s*(?P<lng>[-+]?\d{1,3}(?:\.\d{1,8})?)$", re.ASCII
)
ZIP_RE = re.compile(r"^(?P<zip>\d{5})(?:[-\s]?\d{4})?$", re.ASCII)
TRAILING_ZIP_RE = re.compile(r"[\s,]+(?P<zip>\d{5})(?:-\d{4})?$", re.ASCII)
COUNTRY_SUFFIX_RE = re.compile(r"[\s,]+(?:USA|U\.S\.A\.|US|U\.S\.|UNITED STATES(?: OF AMERICA)?)\.?$", re.IGNORECASE)
_APART = re.compile(r"[-'’`/&]")
_NOT_WORD = re.compile(r"[^A-Z0-9 ]")


@dataclass(frozen=True)
class City:
    name: str  # as the label shows it: "Saint Louis"
    state: str
    key: str  # normalized: "SAINT LOUIS"
    zip_count: int
    latitude: float
    longitude: float

    @property
    def label(self) -> str:
        return f"{self.name}, {self.state}"

    def place(self) -> geo.Place:
        return geo.Place(label=self.label, latitude=self.latitude, longitude=self.longitude, state=self.state)


@dataclass(frozen=True)
class Resolution:
    """The outcome for one location text: a place, or a code and message (and places to offer)."""

    text: str
    place: geo.Place | None = None
    code: str = ""  # empty when found; else e.g. "ambiguous_city", "misspelled_city", "unknown_zip"
    message: str = ""
    choices: tuple[str, ...] = ()  # "City, ST" labels, largest first: to choose from, or also called so
    also: tuple[str, ...] = field(default=())  # a resolved city alone: other places of that name

    @property
    def found(self) -> bool:
        return self.place is not None


# -- normalizing -----------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """Upper-case ASCII words: accents dropped, periods removed, hyphens and apostrophes split."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    upper = _APART.sub(" ", ascii_text.upper().replace(".", " "))
    return _NOT_WORD.sub(" ", upper).split()


def city_key(words: list[str]) -> str:
    return " ".join(CITY_WORD_FORMS.get(word, word) for word in words)


def normalize_city(text: str) -> str:
    """'St. Louis' → 'SAINT LOUIS', 'Winston-Salem' → 'WINSTON SALEM', 'Cañon City' → 'CANON CITY'."""
    return city_key(_words(text))


def _pretty(name: str) -> str:
    # The data has "Winston-salem", "Mc Cook"; fix only the case after a hyphen.
    return re.sub(r"-([a-z])", lambda m: "-" + m[1].upper(), name)


@functools.cache
def _state_lookup() -> dict[str, str]:
    """'TX' and 'TEXAS' (as normalized words) → 'TX'."""
    lookup = {code: code for code in STATE_NAMES}
    lookup.update({" ".join(_words(name)): code for code, name in STATE_NAMES.items()})
    lookup["WASHINGTON DC"] = lookup["D C"] = "DC"
    return lookup


def state_code(text: str) -> str | None:
    return _state_lookup().get(" ".join(_words(text)))


# -- the index -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CityIndex:
    by_state: dict[tuple[str, str], City]  # (key, state) → city
    by_key: dict[str, tuple[City, ...]]  # key → its cities, largest first
    keys_by_state: dict[str, tuple[str, ...]]
    keys_by_initial: dict[str, tuple[str, ...]]
    by_state_size: dict[str, tuple[City, ...]]  # a state's cities, largest first
    prefix_keys: tuple[str, ...]  # every key of `ranked`, sorted, for bisect
    ranked: tuple[tuple[City, ...], ...]  # aligned with prefix_keys


def _size_order(city: City) -> tuple[int, str]:
    return (-city.zip_count, city.label)


@functools.cache
def city_index() -> CityIndex:
    sums: dict[tuple[str, str], list] = {}
    names: dict[tuple[str, str], dict[str, int]] = {}
    for row in geo.zip_rows():
        if row["zip_code_type"] == "MILITARY" or row["state"] not in STATE_NAMES:
            continue
        key = (normalize_city(row["city"]), row["state"])
        entry = sums.setdefault(key, [0.0, 0.0, 0])
        entry[0] += float(row["lat"])
        entry[1] += float(row["long"])
        entry[2] += 1
        spelled = names.setdefault(key, {})
        spelled[row["city"]] = spelled.get(row["city"], 0) + 1
    by_state = {}
    for (key, state), (lat, lng, count) in sums.items():
        # "Fort Mitchell" and "Ft Mitchell" are one city; show the spelling most of its ZIPs use,
        # preferring the long form on a tie.
        name = max(names[(key, state)].items(), key=lambda item: (item[1], len(item[0])))[0]
        by_state[(key, state)] = City(_pretty(name), state, key, count, lat / count, lng / count)
    by_key: dict[str, list[City]] = {}
    keys_by_state: dict[str, list[str]] = {}
    by_state_size: dict[str, list[City]] = {}
    for city in by_state.values():
        by_key.setdefault(city.key, []).append(city)
        keys_by_state.setdefault(city.state, []).append(city.key)
        by_state_size.setdefault(city.state, []).append(city)
    keys_by_initial: dict[str, list[str]] = {}
    for key in by_key:
        keys_by_initial.setdefault(key[0], []).append(key)
    prefix_keys = tuple(sorted(by_key))
    return CityIndex(
        by_state=by_state,
        by_key={key: tuple(sorted(cities, key=_size_order)) for key, cities in by_key.items()},
        keys_by_state={state: tuple(sorted(keys)) for state, keys in keys_by_state.items()},
        keys_by_initial={initial: tuple(sorted(keys)) for initial, keys in keys_by_initial.items()},
        by_state_size={state: tuple(sorted(c, key=_size_order)) for state, c in by_state_size.items()},
        prefix_keys=prefix_keys,
        ranked=tuple(tuple(sorted(by_key[key], key=_size_order)) for key in prefix_keys),
    )


def _labels(cities: tuple[City, ...] | list[City], limit: int = MAX_CHOICES) -> tuple[str, ...]:
    return tuple(city.label for city in cities[:limit])


# -- resolving -------------------------------------------------------------------------------

EXAMPLE = "like “Austin, TX” or “10001”"


def resolve(text: str) -> Resolution:
    """Resolve a location text. Never raises on any string."""
    text = " ".join((text or "").split())
    if not text:
        return Resolution(text, code="empty", message=f"Enter a ZIP code or a city and state, {EXAMPLE}.")
    if len(text) > MAX_LENGTH:
        return Resolution(
            text,
            code="too_long",
            message=f"That is too long for a place ({len(text)} characters; at most {MAX_LENGTH}).",
        )
    if match := ZIP_RE.match(text):
        return _zip(text, match["zip"])
    if match := COORDINATES_RE.match(text):
        return _coordinates(text, float(match["lat"]), float(match["lng"]))
    if text.replace("-", "").replace(" ", "").isdigit():
        return Resolution(
            text,
            code="invalid_zip",
            message=f"A ZIP code has 5 digits, or 5+4 like “10001-2345” (you entered “{text}”).",
        )
    without_country = COUNTRY_SUFFIX_RE.sub("", text).strip(" ,") or text
    if match := TRAILING_ZIP_RE.search(without_country):
        # "Austin, TX 78701": the ZIP is the most precise part.
        return _zip(text, match["zip"])
    if "," in without_country:
        city_part, state_part = (part.strip() for part in without_country.rsplit(",", 1))
        if not state_part:
            return _city_alone(text, city_part)
        state = state_code(state_part)
        if state is None:
            return Resolution(
                text,
                code="unknown_state",
                message=f"We don't know the state “{state_part}”. Use its name or two-letter abbreviation, like “Austin, TX” or “Austin, Texas”.",
            )
        key = normalize_city(city_part)
        if not key:
            return _state_alone(text, state)
        return _in_state(text, key, state, city_part)
    words = _words(without_country)
    if not words:
        return Resolution(
            text, code="invalid", message=f"Enter a ZIP code or a city and state, {EXAMPLE} (you entered “{text}”)."
        )
    index = city_index()
    # "austin tx", "austin texas", "charleston west virginia": a state at the end (1–3 words).
    tail_state: tuple[str, str, str] | None = None
    for n in (3, 2, 1):
        if len(words) <= n:
            continue
        state = _state_lookup().get(" ".join(words[-n:]))
        if state is None:
            continue
        key = city_key(words[:-n])
        if (key, state) in index.by_state:
            return Resolution(text, place=index.by_state[(key, state)].place())
        tail_state = tail_state or (key, state, " ".join(without_country.split()[:-n]))
    whole_state = _state_lookup().get(" ".join(words))
    if whole_state is not None:
        biggest = index.by_key.get(city_key(words), ())
        if not biggest or biggest[0].zip_count < STATE_NAME_CITY_MIN_ZIPS:
            return _state_alone(text, whole_state)
    if city_key(words) in index.by_key or tail_state is None:
        return _city_alone(text, without_country)
    key, state, city_text = tail_state
    return _in_state(text, key, state, city_text)


def _coordinates(text: str, latitude: float, longitude: float) -> Resolution:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return Resolution(
            text,
            code="invalid_coordinates",
            message="Coordinates need a latitude from -90 to 90 and a longitude from -180 to 180, like “30.27, -97.74”.",
        )
    return Resolution(text, place=geo.Place(label="your location", latitude=latitude, longitude=longitude, state=""))


def _zip(text: str, zip_code: str) -> Resolution:
    place = geo.zip_place(zip_code)
    if place is None:
        return Resolution(
            text,
            code="unknown_zip",
            message=f"We don't know the ZIP code {zip_code}. Check it, or try a city and state, like “Austin, TX”.",
        )
    return Resolution(text, place=place)


def _state_alone(text: str, state: str) -> Resolution:
    biggest = city_index().by_state_size.get(state, ())
    example = f", like “{biggest[0].label}”" if biggest else ""
    return Resolution(
        text,
        code="state_only",
        message=f"{STATE_NAMES[state]} is a state; add a city or a ZIP code{example}.",
        choices=_labels(biggest, 5),
    )


def _in_state(text: str, key: str, state: str, city_text: str) -> Resolution:
    index = city_index()
    if (city := index.by_state.get((key, state))) is not None:
        return Resolution(text, place=city.place())
    shown = " ".join(city_text.split())
    where = STATE_NAMES[state]
    close = difflib.get_close_matches(key, index.keys_by_state.get(state, ()), n=3, cutoff=CLOSE_MATCH_CUTOFF)
    near = tuple(index.by_state[(match, state)].label for match in close)
    elsewhere = _labels(index.by_key.get(key, ()))
    starting = tuple(suggest(f"{city_text}, {state}"))
    # In this order: a very close name in the state ("Pittsburg, PA" → Pittsburgh, ratio 0.95); the
    # start of a name in it ("san fran, ca", Enter pressed before a suggestion was chosen); the
    # same name in other states ("Portland, FL": likelier than a typo for Orlando, ratio 0.8); any
    # close name in the state.
    if near and _ratio(key, close[0]) >= STRONG_MATCH:
        return _did_you_mean(text, "misspelled_city", f"We couldn't find “{shown}” in {where}.", near + elsewhere)
    if starting:
        return _did_you_mean(text, "incomplete_city", f"We couldn't find “{shown}” in {where}.", starting)
    if elsewhere:
        return _did_you_mean(text, "city_not_in_state", f"There is no {shown} in {where}.", elsewhere)
    if near:
        return _did_you_mean(text, "misspelled_city", f"We couldn't find “{shown}” in {where}.", near)
    return Resolution(
        text,
        code="unknown_city",
        message=f"We couldn't find a place called “{shown}” in {where}. Check the spelling, or try its ZIP code.",
    )


def _city_alone(text: str, city_text: str) -> Resolution:
    index = city_index()
    key = normalize_city(city_text)
    shown = " ".join(city_text.split())
    if not key:
        return Resolution(
            text, code="invalid", message=f"Enter a ZIP code or a city and state, {EXAMPLE} (you entered “{text}”)."
        )
    cities = index.by_key.get(key, ())
    if len(cities) == 1 or (len(cities) > 1 and cities[0].zip_count >= DOMINANCE_RATIO * cities[1].zip_count):
        return Resolution(text, place=cities[0].place(), also=_labels(cities[1:]))
    if cities:
        return Resolution(
            text,
            code="ambiguous_city",
            message=f"There are places called {cities[0].name} in {len(cities)} states. Which one do you mean: {_or(_labels(cities, 4))}?",
            choices=_labels(cities),
        )
    # A misspelled city alone: compared with the names that start with the same letter (about
    # 1,000 on average, a few ms; a wrong first letter is not caught).
    close = difflib.get_close_matches(key, index.keys_by_initial.get(key[0], ()), n=3, cutoff=CLOSE_MATCH_CUTOFF)
    near = tuple(label for match in close for label in _labels(index.by_key[match], 3))
    starting = tuple(suggest(city_text))
    problem = f"We couldn't find a place called “{shown}”."
    if starting:
        return _did_you_mean(text, "incomplete_city", problem, starting)
    if near:
        return _did_you_mean(text, "misspelled_city", problem, near)
    return Resolution(text, code="unknown_city", message=f"{problem} Try a city and state, {EXAMPLE}.")


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _did_you_mean(text: str, code: str, problem: str, labels: tuple[str, ...]) -> Resolution:
    labels = tuple(dict.fromkeys(labels))[:MAX_CHOICES]
    return Resolution(text, code=code, message=f"{problem} Did you mean {_or(labels[:3])}?", choices=labels)


def _or(labels: tuple[str, ...]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " or " + labels[-1]


# -- suggestions -------------------------------------------------------------------------------


def suggest(query: str, limit: int = MAX_SUGGESTIONS) -> list[str]:
    """'City, ST' labels whose normalized city name starts with the query, largest cities first.

    "st l" and "saint l" both find Saint Louis, MO ("St"/"Ft"/"Mt" also match as typed, so "st"
    finds Stamford too); "austin, t" keeps cities in states whose code or name starts with "T"."""
    query = " ".join((query or "").split())[:MAX_LENGTH]
    state_filter: set[str] | None = None
    if "," in query:
        query, state_text = query.rsplit(",", 1)
        state_prefix = " ".join(_words(state_text))
        if state_prefix:
            state_filter = {code for name, code in _state_lookup().items() if name.startswith(state_prefix)}
    words = _words(query)
    if len("".join(words)) < MIN_QUERY:
        return []
    prefixes = {" ".join(words), city_key(words)}
    index = city_index()
    candidates: list[City] = []
    for prefix in prefixes:
        start = bisect.bisect_left(index.prefix_keys, prefix)
        stop = bisect.bisect_left(index.prefix_keys, prefix + "\x7f", lo=start)
        for cities in index.ranked[start:stop]:
            candidates.extend(c for c in cities if state_filter is None or c.state in state_filter)
    return [city.label for city in heapq.nsmallest(limit, set(candidates), key=_size_order)]
