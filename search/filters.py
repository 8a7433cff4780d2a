"""The directory search: one FilterSet for the HTML page and the JSON API.

Parameters (all GET, all optional; see SPEC.md "Public URLs"):

    q             free text: name, practice names, conditions, bio
    location      a ZIP, "City, ST", "City, State", a city alone, or "lat, lng"
                  (`practitioners.places`, docs/search.md); limits results to listings with a
                  location within `radius` and adds `distance` (miles, nearest location)
    radius        miles around `location`, 1–200, default 25
    condition     condition slug, repeatable; a listing must treat every one given
    technique     technique slug, repeatable; a listing must offer every one given
    insurance     insurance carrier slug
    language      language code
    gender        female, male or nonbinary
    verified, nccaom, medicare, sliding_scale, new_patients
                  "true" keeps only listings with that fact; "false" or absent: no filter
    min_rating    average rating at least this (1–5)
    sort          relevance ("best match", the default), distance, rating, reviews or
                  experience; each is exactly what it says (docs/search.md, "Order")

Blank parameters count as absent (an HTML form sends every field). Anything else
that cannot be used is a form error with a specific message: the API answers 400
with those errors, the page shows them and leaves that parameter out (an unusable
`location` gives no results rather than results from anywhere).
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from practitioners import freshness, geo, places
from practitioners.expressions import SEARCH_CONFIG
from practitioners.models import Practitioner, medicare_exists, nccaom_exists, verified_exists

from .vocabulary import VOCABULARY_KINDS, Vocabulary, load_vocabulary

DEFAULT_RADIUS = 25
MAX_RADIUS = 200
MIN_RADIUS = 1
RADIUS_CHOICES = (5, 10, 25, 50, 100, 200)
MIN_RATING_CHOICES = (4, 3, 2)
MAX_QUERY_LENGTH = 200
GENDER_CHOICES = [
    (Practitioner.Gender.FEMALE.value, Practitioner.Gender.FEMALE.label),
    (Practitioner.Gender.MALE.value, Practitioner.Gender.MALE.label),
    (Practitioner.Gender.NONBINARY.value, Practitioner.Gender.NONBINARY.label),
]
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


class Sort:
    RELEVANCE = "relevance"  # "best match": the default, a documented score (best_match_score)
    DISTANCE = "distance"
    RATING = "rating"
    REVIEWS = "reviews"
    EXPERIENCE = "experience"

    choices = [
        (RELEVANCE, "Best match"),
        (DISTANCE, "Nearest first"),
        (RATING, "Highest rated"),
        (REVIEWS, "Most reviews"),
        (EXPERIENCE, "Most years in practice"),
    ]


# Which listing facts the yes/no filters keep, by parameter name.
FLAG_LABELS = {
    "verified": "Verified license",
    "nccaom": "NCCAOM certified",
    "medicare": "Meets Medicare criteria",
    "sliding_scale": "Sliding-scale fees",
    "new_patients": "Accepting new patients",
}
# Parameters that take one value: giving two different ones is an error.
SINGLE_VALUED = (
    "q",
    "location",
    "radius",
    "insurance",
    "language",
    "gender",
    *FLAG_LABELS,
    "min_rating",
    "sort",
)


# "Highest rated" orders by a shrunken (Bayesian) average: (C·m + Σ ratings) / (C + n), with m
# the site-wide mean of published ratings (`Vocabulary.rating_mean`) and C this prior, so one
# 5-star review counts for less than twenty 4.6s. docs/search.md explains the choice of C.
RATING_PRIOR_REVIEWS = 5

# The best-match score's components and their weights (docs/search.md, "Best match").
# Nobody can pay for placement: these are the only inputs.
BEST_MATCH_WEIGHTS = {
    "text": 3.0,  # how well the words match (PostgreSQL ts_rank, 0–1; SQLite: 1 when the name contains them)
    "proximity": 2.0,  # 1 at the searched place, 0 at the edge of the radius
    "verified": 1.0,  # a current license checked by Meridian
    "rating": 1.0,  # the shrunken rating, scaled from 1–5 stars to 0–1
}


def shrunken_rating(rating_mean: float | None, *, prior: int = RATING_PRIOR_REVIEWS):
    """(C·m + Σ ratings) / (C + n) in SQL, from the stored per-listing sums; m with no review anywhere: 0."""
    mean = float(rating_mean or 0.0)
    return ExpressionWrapper(
        (Value(prior * mean, output_field=FloatField()) + Cast("rating_sum", FloatField()))
        / (Value(float(prior), output_field=FloatField()) + Cast("review_count", FloatField())),
        output_field=FloatField(),
    )


def best_match_score(*, text: str, has_place: bool, radius_miles: float, verified: Q, via: str = ""):
    """The documented best-match score (higher first): a weighted sum of BEST_MATCH_WEIGHTS's components.

    `verified` is the verified-license condition of the rows scored (`flag_q("verified", …)` on
    listings, its projection's date comparison on search rows); `via` the path to the listing's
    text columns. Needs the `shrunk_rating` annotation, and `distance` when there is a place."""
    weights = BEST_MATCH_WEIGHTS
    score = Value(weights["verified"], output_field=FloatField()) * Case(
        When(verified, then=Value(1.0)), default=Value(0.0), output_field=FloatField()
    )
    score = score + Value(weights["rating"] / 4.0) * (F("shrunk_rating") - Value(1.0))
    if text:
        score = score + Value(weights["text"]) * text_rank(text, via=via)
    if has_place:
        proximity = Value(1.0) - Coalesce(F("distance"), Value(radius_miles)) / Value(float(radius_miles))
        score = score + Value(weights["proximity"]) * proximity
    return ExpressionWrapper(score, output_field=FloatField())


def search_order_by(sort: str) -> list:
    """The ORDER BY for one sort: exactly what the sort says, then name and pk so pages are stable.

    Listing freshness (stale listings below fresh ones) is part of the best-match order only;
    an order the patient picks is never overridden by it (SPEC.md, "Listing freshness")."""
    keys = {
        Sort.RELEVANCE: [
            ExpressionWrapper(freshness.fresh_q(timezone.now()), output_field=BooleanField()).desc(),
            F("score").desc(),
        ],
        Sort.DISTANCE: [F("distance").asc(nulls_last=True)],
        Sort.RATING: [F("shrunk_rating").desc(), F("review_count").desc()],
        Sort.REVIEWS: [F("review_count").desc(), F("shrunk_rating").desc()],
        Sort.EXPERIENCE: [F("practice_started_year").asc(nulls_last=True)],
    }[sort]
    return [*keys, "name", "pk"]


def text_matches(queryset: QuerySet, text: str, *, via: str = "") -> QuerySet:
    """Listings whose search document matches `text` (`via`: the path from the queryset's rows to the
    listing, "practitioner__" for search rows).

    PostgreSQL: stemmed full-text search (websearch syntax: quotes, OR, -word) over the
    stored weighted vector (`Practitioner.search_vector`), served by its GIN index.
    SQLite: every word must appear somewhere.
    """
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.filter(**{f"{via}search_vector": query})
    for word in text.split():
        queryset = queryset.filter(**{f"{via}search_document__icontains": word})
    return queryset


def text_rank(text: str, *, via: str = ""):
    """How well a listing matches `text` (higher is better); matches in the name count most."""
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return SearchRank(F(f"{via}search_vector"), query)
    return Case(When(**{f"{via}name__icontains": text}, then=Value(1.0)), default=Value(0.0), output_field=FloatField())


# ---------------------------------------------------------------- form fields


class YesField(forms.Field):
    """true/1/yes/on → True; false/0/no/off → False; anything else is an error."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise forms.ValidationError(
            "“%(value)s” is not a yes/no value; use true or false.", code="invalid", params={"value": value}
        )


class SlugListField(forms.MultipleChoiceField):
    """Repeatable slug parameter: blanks dropped, duplicates merged, unknown slugs named."""

    def to_python(self, value):
        values = super().to_python(value)
        return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


class RadiusFilter(django_filters.NumberFilter):
    field_class = forms.DecimalField


class YesFilter(django_filters.BooleanFilter):
    field_class = YesField


class SlugListFilter(django_filters.MultipleChoiceFilter):
    field_class = SlugListField


def _choices_loaded_per_request():
    """Placeholder: the FilterSet sets vocabulary choices when it is created."""
    return []


class SearchForm(forms.Form):
    """Cross-field checks; django-filter adds the fields from the filters below."""

    location_resolution: places.Resolution | None = None  # set by clean_location

    def clean_location(self) -> geo.Place | None:
        """Any way of typing a place (`practitioners.places`); a failure's message names the places to choose."""
        text = (self.cleaned_data.get("location") or "").strip()
        if not text:
            return None
        self.location_resolution = resolution = places.resolve(text)
        if resolution.found:
            return resolution.place
        raise forms.ValidationError(resolution.message, code=resolution.code)

    def clean(self):
        cleaned = super().clean()
        for name in SINGLE_VALUED:
            if name in self.errors:
                continue
            given = [v.strip() for v in self._raw_values(name) if v and v.strip()]
            if len(set(given)) > 1:
                self.add_error(
                    name,
                    forms.ValidationError(
                        "Give one %(name)s only; this address has %(count)s different values.",
                        code="repeated",
                        params={"name": name.replace("_", " "), "count": len(set(given))},
                    ),
                )
        if cleaned.get("sort") == Sort.DISTANCE and not cleaned.get("location") and "location" not in self.errors:
            self.add_error(
                "sort", forms.ValidationError("Sorting by distance needs a location.", code="needs_location")
            )
        return cleaned

    def _raw_values(self, name: str) -> list[str]:
        if hasattr(self.data, "getlist"):
            return self.data.getlist(name)
        value = self.data.get(name)
        return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------- the FilterSet


class PractitionerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_text",
        label="Name, clinic or keyword",
        max_length=MAX_QUERY_LENGTH,
        error_messages={"max_length": f"Search text can be at most {MAX_QUERY_LENGTH} characters."},
    )
    location = django_filters.CharFilter(
        method="filter_location",
        label="ZIP code or city, state",
        help_text='A ZIP code (ZIP+4 too), "City, ST", "City, State", a city alone when it is unambiguous, or "lat, lng". Unusable values get a 400 naming the places to choose from.',
        max_length=100,
        error_messages={"max_length": "That is too long for a place (at most 100 characters)."},
    )
    radius = RadiusFilter(
        method="filter_nothing",
        label="Distance (miles)",
        help_text=f"Miles around the location, {MIN_RADIUS}–{MAX_RADIUS}; default {DEFAULT_RADIUS}.",
        min_value=MIN_RADIUS,
        max_value=MAX_RADIUS,
        error_messages={
            "invalid": f"Distance must be a number of miles from {MIN_RADIUS} to {MAX_RADIUS}.",
            "min_value": f"Distance must be between {MIN_RADIUS} and {MAX_RADIUS} miles.",
            "max_value": f"Distance must be between {MIN_RADIUS} and {MAX_RADIUS} miles.",
        },
    )
    condition = SlugListFilter(
        method="filter_conditions",
        label="Conditions treated",
        help_text="Condition slug; repeat for several (a listing must treat all of them).",
        choices=_choices_loaded_per_request,
        error_messages={"invalid_choice": "Unknown condition “%(value)s”. Choose one from the list."},
    )
    technique = SlugListFilter(
        method="filter_techniques",
        label="Techniques",
        help_text="Technique slug; repeat for several (a listing must offer all of them).",
        choices=_choices_loaded_per_request,
        error_messages={"invalid_choice": "Unknown technique “%(value)s”. Choose one from the list."},
    )
    insurance = django_filters.ChoiceFilter(
        method="filter_insurance",
        label="Insurance accepted",
        help_text="Insurance carrier slug.",
        choices=_choices_loaded_per_request,
        error_messages={"invalid_choice": "Unknown insurance carrier “%(value)s”. Choose one from the list."},
    )
    language = django_filters.ChoiceFilter(
        method="filter_language",
        label="Language spoken",
        help_text="Language code, e.g. es.",
        choices=_choices_loaded_per_request,
        error_messages={"invalid_choice": "Unknown language code “%(value)s”. Choose one from the list."},
    )
    gender = django_filters.ChoiceFilter(
        method="filter_gender",
        label="Practitioner's gender",
        choices=GENDER_CHOICES,
        error_messages={"invalid_choice": "Unknown gender “%(value)s”; use female, male or nonbinary."},
    )
    verified = YesFilter(method="filter_flag", label=FLAG_LABELS["verified"], help_text="true: verified license only.")
    nccaom = YesFilter(method="filter_flag", label=FLAG_LABELS["nccaom"], help_text="true: NCCAOM certified only.")
    medicare = YesFilter(
        method="filter_flag", label=FLAG_LABELS["medicare"], help_text="true: meets Medicare's criteria only."
    )
    sliding_scale = YesFilter(
        method="filter_flag", label=FLAG_LABELS["sliding_scale"], help_text="true: sliding-scale fees only."
    )
    new_patients = YesFilter(
        method="filter_flag", label=FLAG_LABELS["new_patients"], help_text="true: accepting new patients only."
    )
    min_rating = django_filters.NumberFilter(
        method="filter_min_rating",
        label="Minimum rating",
        help_text="Average rating at least this, 1–5.",
        min_value=1,
        max_value=5,
        error_messages={
            "invalid": "Minimum rating must be a number from 1 to 5.",
            "min_value": "Minimum rating must be between 1 and 5 stars.",
            "max_value": "Minimum rating must be between 1 and 5 stars.",
        },
    )
    sort = django_filters.ChoiceFilter(
        method="filter_nothing",
        label="Sort by",
        choices=Sort.choices,
        help_text=(
            "Default relevance (best match: text match, proximity, verified license, shrunken rating; stale "
            "listings last). distance: nearest first. rating: shrunken average (C·m + Σ)/(C + n), C = 5. "
            "reviews: most reviews. experience: earliest practice start year. Ties: by name."
        ),
        error_messages={
            "invalid_choice": "Unknown sort “%(value)s”. Use relevance, distance, rating, reviews or experience."
        },
    )

    class Meta:
        model = Practitioner
        fields: list[str] = []
        form = SearchForm

    def __init__(
        self,
        data=None,
        queryset=None,
        *,
        request=None,
        prefix=None,
        vocabulary: Vocabulary | None = None,
        today: datetime.date | None = None,
    ):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.vocabulary = vocabulary or load_vocabulary()
        self.today = today or timezone.localdate()
        for name in VOCABULARY_KINDS:
            self.filters[name].extra["choices"] = self.vocabulary.choices(name)

    # ------------------------------------------------------------ what was asked

    def value(self, name: str):
        """The cleaned value of one parameter, or None when absent or unusable."""
        if not self.is_bound:
            return None
        return self.form.cleaned_data.get(name) if name not in self.form.errors else None

    @property
    def place(self) -> geo.Place | None:
        return self.value("location")

    @property
    def radius_miles(self) -> float:
        value = self.value("radius")
        return float(value) if value is not None else float(DEFAULT_RADIUS)

    @property
    def text(self) -> str:
        return (self.value("q") or "").strip()

    @property
    def location_resolution(self) -> places.Resolution | None:
        """What the location text resolved to, with the places to offer (None without a location)."""
        if not self.is_bound:
            return None
        self.form.errors  # noqa: B018 -- validates the form once, which sets the resolution
        return self.form.location_resolution

    @property
    def location_failed(self) -> bool:
        """An unusable location: show nothing rather than results from anywhere."""
        return self.is_bound and "location" in self.form.errors

    @property
    def effective_sort(self) -> str:
        """The chosen sort, else best match (the default with or without words or a place)."""
        return self.value("sort") or Sort.RELEVANCE

    # ------------------------------------------------------------ filtering

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        """Filter, then annotate what cards show and sort by (`ranked`)."""
        return self.ranked(self.filtered(queryset))

    def filtered(self, queryset: QuerySet, *, exclude: Iterable[str] = ()) -> QuerySet:
        """Apply every usable parameter except those in `exclude` (facet counts use this)."""
        if self.location_failed:
            return queryset.none()
        exclude = set(exclude)
        for name, value in self.form.cleaned_data.items():
            if name not in exclude:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def ranked(self, queryset: QuerySet) -> QuerySet:
        queryset = queryset.with_trust_facts(self.today).with_license_state(self.today)
        if self.place:
            queryset = queryset.with_distance(self.place.latitude, self.place.longitude, self.radius_miles)
        queryset = queryset.annotate(shrunk_rating=shrunken_rating(self.vocabulary.rating_mean))
        if self.effective_sort == Sort.RELEVANCE:
            queryset = queryset.annotate(
                score=best_match_score(
                    text=self.text,
                    has_place=bool(self.place),
                    radius_miles=self.radius_miles,
                    verified=flag_q("verified", self.today),
                )
            )
        return queryset.order_by(*search_order_by(self.effective_sort))

    def filter_nothing(self, queryset: QuerySet, name: str, value) -> QuerySet:
        """radius and sort shape other steps (location, ordering) but filter nothing themselves."""
        return queryset

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return text_matches(queryset, value.strip()) if value.strip() else queryset

    def filter_location(self, queryset: QuerySet, name: str, value: geo.Place) -> QuerySet:
        return queryset.near(value.latitude, value.longitude, self.radius_miles)

    def filter_conditions(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        through = Practitioner.conditions.through.objects
        for item_id in self.vocabulary.ids("condition", value):
            queryset = queryset.filter(Exists(through.filter(practitioner_id=OuterRef("pk"), condition_id=item_id)))
        return queryset

    def filter_techniques(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        through = Practitioner.techniques.through.objects
        for item_id in self.vocabulary.ids("technique", value):
            queryset = queryset.filter(Exists(through.filter(practitioner_id=OuterRef("pk"), technique_id=item_id)))
        return queryset

    def filter_insurance(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        through = Practitioner.insurance_carriers.through.objects
        (item_id,) = self.vocabulary.ids("insurance", [value])
        return queryset.filter(Exists(through.filter(practitioner_id=OuterRef("pk"), insurancecarrier_id=item_id)))

    def filter_language(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        through = Practitioner.languages.through.objects
        (item_id,) = self.vocabulary.ids("language", [value])
        return queryset.filter(Exists(through.filter(practitioner_id=OuterRef("pk"), language_id=item_id)))

    def filter_gender(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(gender=value)

    def filter_flag(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(flag_q(name, self.today)) if value else queryset

    def filter_min_rating(self, queryset: QuerySet, name: str, value: Decimal) -> QuerySet:
        return queryset.filter(rating_avg__gte=value)


def flag_q(name: str, today: datetime.date) -> Q:
    """The condition behind each yes/no filter, using the one definition of each trust fact."""
    return {
        "verified": lambda: Q(verified_exists(today)),
        "nccaom": lambda: Q(nccaom_exists(today)),
        "medicare": lambda: Q(medicare_exists(today)),
        "sliding_scale": lambda: Q(sliding_scale=True),
        "new_patients": lambda: Q(accepting_new_patients=True),
    }[name]()
