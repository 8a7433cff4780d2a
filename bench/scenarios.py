"""What the benchmark requests: realistic searches (as the HTML page and as the API) and profiles.

The searches are fixed, so figures from different runs and dataset sizes compare.
Places are where seed_bench puts many listings (it weights states by where
acupuncturists practise), so the searches find results at every size from 10,000 up.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

SEARCH_PATH = "/practitioners/"
API_PATH = "/api/v1/practitioners/"


@dataclass(frozen=True)
class Scenario:
    name: str  # unique, e.g. "page:zip-radius-condition"
    kind: str  # "page", "api" or "profile"
    label: str  # what a reader sees in the report
    url: str  # path and query string

    @property
    def search_key(self) -> str:
        """The search this request runs (page and API of one search share it)."""
        return self.name.split(":", 1)[1]


# (key, what it is, parameters). Repeated parameters are lists.
SEARCHES: tuple[tuple[str, str, dict], ...] = (
    ("browse", "No filters (the bare search page)", {}),
    (
        "zip-radius-condition",
        "ZIP + radius + condition",
        {"location": "94110", "radius": "10", "condition": "neck-pain"},
    ),
    ("city-insurance", "City + insurance", {"location": "Los Angeles, CA", "insurance": "aetna"}),
    ("text", "Free text", {"q": "sciatica"}),
    (
        "text-location-relevance",
        "Text + location, sort=relevance",
        # No radius=25: the default, which the search page redirects away (search.page.without_blank_params).
        {"q": "chronic low back pain", "location": "New York, NY", "sort": "relevance"},
    ),
    ("rating", "sort=rating with a condition", {"condition": "chronic-low-back-pain", "sort": "rating"}),
    (
        "distance",
        "City, sort=distance, wide radius",
        {"location": "Sacramento, CA", "radius": "100", "sort": "distance"},
    ),
    (
        "booleans",
        "Several yes/no filters",
        {"verified": "true", "nccaom": "true", "sliding_scale": "true", "new_patients": "true"},
    ),
    (
        "many-filters",
        "Conditions, technique, language, gender, rating",
        {
            "condition": ["sciatica", "neck-pain"],
            "technique": "electroacupuncture",
            "language": "es",
            "gender": "female",
            "min_rating": "4",
        },
    ),
    (
        "medicare-state",
        "Medicare criteria near Chicago",
        {"medicare": "true", "location": "Chicago, IL", "radius": "50"},
    ),
    ("deep-page", "Deep page (page=200, sort=reviews)", {"sort": "reviews", "page": "200"}),
    ("no-results", "A search with no results", {"q": "zzyzxqvw", "location": "10001"}),
)


def _url(path: str, params: dict) -> str:
    pairs = []
    for name, value in params.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return f"{path}?{urlencode(pairs)}" if pairs else path


def search_scenarios() -> list[Scenario]:
    found = []
    for key, label, params in SEARCHES:
        found.append(Scenario(name=f"page:{key}", kind="page", label=label, url=_url(SEARCH_PATH, params)))
        found.append(Scenario(name=f"api:{key}", kind="api", label=label, url=_url(API_PATH, params)))
    return found


def profile_scenarios(*, no_reviews_slug: str, many_reviews_slug: str, many_reviews: int) -> list[Scenario]:
    return [
        Scenario(
            name="profile:0-reviews",
            kind="profile",
            label="Profile, no reviews",
            url=f"{SEARCH_PATH}{no_reviews_slug}/",
        ),
        Scenario(
            name=f"profile:{many_reviews}-reviews",
            kind="profile",
            label=f"Profile, {many_reviews} reviews",
            url=f"{SEARCH_PATH}{many_reviews_slug}/",
        ),
    ]


# The load test's requests: one typical search as a page and through the API, and a trivial view.
LOAD_SEARCH = "zip-radius-condition"


def load_targets() -> dict[str, str]:
    params = next(params for key, _, params in SEARCHES if key == LOAD_SEARCH)
    return {"search page": _url(SEARCH_PATH, params), "API": _url(API_PATH, params), "trivial view": "/healthz"}


# Requested before any timing, several times, so every server worker has loaded the ZIP table,
# compiled the templates and opened its database connection. None is a measured search, so
# each measured search's first request still finds nothing of it in the search cache.
WARMUP_URLS = (
    "/healthz",
    f"{SEARCH_PATH}?location=90210&radius=5&condition=whiplash",
    f"{API_PATH}?location=90210&radius=5&condition=whiplash",
    f"{SEARCH_PATH}?q=cupping&sort=experience",
    f"{API_PATH}?q=cupping&sort=experience",
    f"{SEARCH_PATH}?location=Austin%2C+TX&insurance=cigna&sort=rating&page=2",
    f"{API_PATH}?location=Austin%2C+TX&insurance=cigna&sort=rating",
)
