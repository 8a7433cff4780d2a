"""What the search page shows around the results: active-filter chips, messages, heading, links.

Pure functions of the search's cleaned values and the request's query string (no ORM).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict

from .filters import DEFAULT_RADIUS, FLAG_LABELS, GENDER_CHOICES, MAX_RADIUS, RADIUS_CHOICES, Sort
from .vocabulary import VOCABULARY_KINDS

# Parameter order in the links the page builds (and in the address htmx pushes).
PARAM_ORDER = (
    "q",
    "location",
    "radius",
    *VOCABULARY_KINDS,
    "gender",
    *FLAG_LABELS,
    "min_rating",
    "sort",
    "page",
)


@dataclass(frozen=True)
class Chip:
    label: str
    remove_url: str


@dataclass(frozen=True)
class Notice:
    field: str
    text: str


def clean_query(query: QueryDict, *, drop: str | None = None, drop_value: str | None = None) -> str:
    """The query string without blank values and without the page (or without one filter value).

    `drop` removes a parameter (or only `drop_value` of it); any change of filter resets the page.
    """
    pairs = []
    for name in PARAM_ORDER:
        if name == "page" and drop is not None:
            continue
        seen = set()
        for value in query.getlist(name):
            value = value.strip()
            if not value or value in seen or (name == drop and (drop_value is None or value == drop_value)):
                continue
            if name == "radius" and value == str(DEFAULT_RADIUS):
                continue
            seen.add(value)
            pairs.append((name, value))
    return urlencode(pairs)


def url_with(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def active_filter_chips(filterset, query: QueryDict, path: str) -> list[Chip]:
    """One removable chip per filter value in use (the sort is not a filter)."""
    vocabulary = filterset.vocabulary
    chips: list[Chip] = []

    def add(label: str, name: str, value: str | None = None, *also: str) -> None:
        remaining = QueryDict(clean_query(query, drop=name, drop_value=value), mutable=True)
        for other in also:
            remaining.pop(other, None)
        chips.append(Chip(label=label, remove_url=url_with(path, clean_query(remaining, drop="page"))))

    if filterset.text:
        add(f"“{filterset.text}”", "q")
    if filterset.place:
        add(f"Within {filterset.radius_miles:g} miles of {filterset.place.label}", "location", None, "radius")
    for kind in ("condition", "technique"):
        for slug in filterset.value(kind) or []:
            add(vocabulary.name(kind, slug), kind, slug)
    for kind, prefix in (("insurance", "Takes "), ("language", "Speaks ")):
        if slug := filterset.value(kind):
            add(prefix + vocabulary.name(kind, slug), kind)
    if gender := filterset.value("gender"):
        add(dict(GENDER_CHOICES)[gender], "gender")
    for name, label in FLAG_LABELS.items():
        if filterset.value(name):
            add(label, name)
    if (min_rating := filterset.value("min_rating")) is not None:
        add(f"Rated {min_rating:g}+", "min_rating")
    return chips


def notices(filterset, page_message: str | None) -> list[Notice]:
    """Every problem with the request, in words, with what the page did instead."""
    found = []
    if filterset.is_bound:
        for name, errors in filterset.form.errors.items():
            if name == "__all__":
                found.extend(Notice(field="", text=str(error)) for error in errors)
                continue
            consequence = (
                "No results are shown until the location is fixed."
                if name == "location"
                else "This filter was left out."
            )
            if name == "sort":
                consequence = "Results use the default order."
            prefix = f"{FLAG_LABELS[name]}: " if name in FLAG_LABELS else ""
            found.extend(Notice(field=name, text=f"{prefix}{error} {consequence}") for error in errors)
    if page_message:
        found.append(Notice(field="page", text=page_message))
    return found


def heading(filterset) -> str:
    """The page's h1 and title, e.g. "Acupuncturists for neck pain near 94110 (San Francisco, CA)"."""
    text = "Acupuncturists"
    conditions = filterset.value("condition") or []
    if len(conditions) == 1:
        text += f" for {filterset.vocabulary.name('condition', conditions[0]).lower()}"
    if filterset.place:
        text += f" near {filterset.place.label}"
    return text


def radius_options(filterset) -> list[int | float]:
    chosen = filterset.radius_miles
    options = sorted({*RADIUS_CHOICES, chosen}) if chosen <= MAX_RADIUS else list(RADIUS_CHOICES)
    return [int(value) if float(value).is_integer() else value for value in options]


@dataclass(frozen=True)
class SortOption:
    value: str  # "" for this search's default, so the address stays clean and the default can follow the search
    label: str
    selected: bool


def sort_options(filterset) -> list[SortOption]:
    """The sorts that mean something for this search (nearest first needs a place); best match is the default."""
    options = []
    for key, label in Sort.choices:
        if key == Sort.DISTANCE and not filterset.place:
            continue
        options.append(
            SortOption(
                value="" if key == Sort.RELEVANCE else key, label=label, selected=key == filterset.effective_sort
            )
        )
    return options


@dataclass(frozen=True)
class PlaceLink:
    label: str
    url: str


def place_links(filterset, query: QueryDict, path: str) -> dict[str, list[PlaceLink]]:
    """Links that re-run the search at another place: `location_choices` when the location could
    not be used ("Springfield": each Springfield; "Austn, TX": Austin, TX), `location_also` when a
    city typed alone was taken to be its largest namesake ("Austin": Austin, MN, …)."""
    resolution = filterset.location_resolution

    def links(labels: tuple[str, ...]) -> list[PlaceLink]:
        found = []
        for label in labels:
            there = QueryDict(clean_query(query, drop="location"), mutable=True)
            there["location"] = label
            found.append(PlaceLink(label=label, url=url_with(path, clean_query(there, drop="page"))))
        return found

    if resolution is None:
        return {"location_choices": [], "location_also": []}
    return {
        "location_choices": [] if resolution.found else links(resolution.choices),
        "location_also": links(resolution.also[:ALSO_SHOWN]) if resolution.found else [],
    }


ALSO_SHOWN = 5


def wider_radius_url(filterset, query: QueryDict, path: str) -> str | None:
    """A link to the same search over twice the distance (at most the maximum), if that is wider."""
    if not filterset.place or filterset.radius_miles >= MAX_RADIUS:
        return None
    wider = QueryDict(clean_query(query, drop="radius"), mutable=True)
    wider["radius"] = str(int(min(MAX_RADIUS, max(filterset.radius_miles * 2, 50))))
    return url_with(path, clean_query(wider, drop="page"))


DROP_LABELS = {
    "q": "your search words",
    **{kind: f"the {kind} filter" for kind in VOCABULARY_KINDS},
    "gender": "the gender filter",
    "min_rating": "the rating filter",
    **{name: f"“{label}”" for name, label in FLAG_LABELS.items()},
}


def miles_list(distances: list[float]) -> str:
    """[33.2, 41.0, 79.4] -> "33, 41 and 79"."""
    words = [f"{distance:.0f}" for distance in distances]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass(frozen=True)
class EmptyAdvice:
    beyond_text: str  # "None within 25 miles. The nearest who treat … are 33, 41 and 79 miles away."
    beyond: list  # NearbyListing, nearest first
    drop_text: str  # "Remove the insurance filter: 12 practitioners match without it."
    drop_url: str


def empty_advice(search, query: QueryDict, path: str) -> EmptyAdvice | None:
    """What an empty search can still offer: the nearest matches beyond the radius, and the one filter to drop."""
    filterset = search.filterset
    if search.facets.total or filterset.location_failed:
        return None
    beyond_text = ""
    if filterset.place:
        conditions = [
            filterset.vocabulary.name("condition", slug).lower() for slug in filterset.value("condition") or []
        ]
        who = f"who treat {' and '.join(conditions)}" if conditions else "matching your search"
        if search.nearest_beyond:
            distances = [item.distance for item in search.nearest_beyond]
            if len(distances) == 1:
                where = f"The nearest {who} is {miles_list(distances)} miles away."
            else:
                where = f"The nearest {who} are {miles_list(distances)} miles away."
        else:
            where = f"No one {who} practises within 500 miles."
        beyond_text = f"None within {filterset.radius_miles:g} miles. {where}"
    drop_text = drop_url = ""
    if search.drop_advice:
        name, count = search.drop_advice
        matches = "practitioner matches" if count == 1 else "practitioners match"
        drop_text = f"Remove {DROP_LABELS[name]}: {count} {matches} without it."
        drop_url = url_with(path, clean_query(query, drop=name))
    return EmptyAdvice(beyond_text=beyond_text, beyond=search.nearest_beyond, drop_text=drop_text, drop_url=drop_url)


@dataclass(frozen=True)
class FlagOption:
    name: str
    label: str
    count: int
    checked: bool
    error: str | None


FLAG_GROUPS = (
    ("Checked credentials", ("verified", "nccaom", "medicare")),
    ("Availability and fees", ("new_patients", "sliding_scale")),
)


def flag_groups(filterset, facets) -> list[tuple[str, list[FlagOption]]]:
    """The yes/no filters as labelled checkbox groups, each with its facet count."""
    errors = filterset.form.errors if filterset.is_bound else {}
    return [
        (
            group,
            [
                FlagOption(
                    name=name,
                    label=FLAG_LABELS[name],
                    count=facets.flags[name],
                    checked=bool(filterset.value(name)),
                    error=errors[name][0] if name in errors else None,
                )
                for name in names
            ],
        )
        for group, names in FLAG_GROUPS
    ]


def page_context(search, query: QueryDict, path: str) -> dict:
    """Everything the search template needs, from one search (`selectors.search_practitioners`)."""
    filterset = search.filterset
    return {
        "search": search,
        "filter": filterset,
        "form": filterset.form,
        "facets": search.facets,
        "page": search.page,
        "results": search.results,
        "heading": heading(filterset),
        "chips": active_filter_chips(filterset, query, path),
        "notices": notices(filterset, search.page_message),
        "sort_options": sort_options(filterset),
        "radius_options": radius_options(filterset),
        "wider_radius_url": wider_radius_url(filterset, query, path),
        **place_links(filterset, query, path),
        "flag_groups": flag_groups(filterset, search.facets),
        "empty_advice": empty_advice(search, query, path),
        "query": QueryDict(clean_query(query)),
    }
