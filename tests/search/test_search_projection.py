"""The search projection (`SearchRow`, `search.projection`) answers every search exactly as the plain
definitions (`search.filters`, `search.selectors.PlainSearch`) do: the same results in the same
order, the same count, the same facet counts and the same advice for an empty search.

Hypothesis draws a small directory (listings in states that license, register or do neither;
licenses, certifications and degrees in every verification state and standing, expiring around
today; vocabulary, ratings, freshness) and random searches over it, compares both, then makes
random writes through the services (credential decisions, listing and location edits,
publication) and compares again: the services keep the projection, so it must still agree.
Runs on PostgreSQL (arrays, GIN, `@>`) and on SQLite (JSON text, json_each).
"""

import datetime
import decimal

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practitioners import services as listing_services
from practitioners.models import (
    Condition,
    InsuranceCarrier,
    Language,
    Practitioner,
    SearchRow,
    StateBoard,
    Technique,
)
from practitioners.search_rows import build_search_rows, rebuild_search_rows, refresh_search_rows
from search import words as text_words
from search.filters import RADIUS_CHOICES, PractitionerFilterSet, Sort
from search.memory import MemorySearch
from search.projection import ProjectedSearch
from search.selectors import PlainSearch, best_filter_to_drop, nearest_beyond_radius, search_base_qs, search_facets
from tests.factories import (
    CertificationFactory,
    DegreeFactory,
    LicenseFactory,
    PractitionerFactory,
    SchoolFactory,
    UserFactory,
    location_at_zip,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ZIPS = ("94110", "94704", "10001", "35203", "97201", "78701")  # CA, CA, NY, AL (none), OR, TX
STATES = ("CA", "NY", "AL", "OR", "TX")
WORDS = (
    "pain",
    "back",
    "clinic",
    "needle",
    "Practitioner",
    "sciatica",
    "-pain",
    '"low back"',
    "back pain",
    "needle or clinic",
    "sciatica or pain or back",
    "pain -back",
    "-needle or clinic",
    "low-back needle",
)
CONDITIONS = ("neck-pain", "chronic-low-back-pain", "sciatica", "tension-headache")


def _expiry():
    """Mostly the days around today, where "current" turns into "expired"."""
    days = st.sampled_from([-1, 0, 0, 0, 1, 1, -400, 400])
    return st.one_of(days.map(lambda n: TODAY + datetime.timedelta(days=n)), st.none())


# Weighted towards the credentials that count, so the boundaries are met often.
VERIFICATION = st.sampled_from(["verified"] * 4 + ["pending", "expired", "revoked", "rejected"])
LICENSE = st.fixed_dictionaries(
    {
        "state": st.sampled_from(STATES),
        "verification_state": VERIFICATION,
        "board_status": st.sampled_from(["active"] * 4 + ["inactive", "probation"]),
        "restricted": st.sampled_from([False] * 4 + [True]),
        "expiry_date": _expiry(),
    }
)
CERTIFICATION = st.fixed_dictionaries(
    {"verification_state": VERIFICATION, "status": st.sampled_from(["active", "lapsed"]), "expiry_date": _expiry()}
)
DEGREE = st.fixed_dictionaries(
    {
        "verification_state": VERIFICATION,
        "degree": st.sampled_from(["MSOM", "DACM", "CERT"]),
        "accredited": st.booleans(),
    }
)
LISTING = st.fixed_dictionaries(
    {
        "status": st.sampled_from(["published"] * 5 + ["draft", "suspended"]),
        "gender": st.sampled_from(["", "female", "male", "nonbinary", "self"]),
        "sliding_scale": st.booleans(),
        "accepting_new_patients": st.booleans(),
        "practice_started_year": st.one_of(st.none(), st.integers(1985, 2024)),
        "confirmed_days_ago": st.one_of(st.none(), st.sampled_from([1, 100, 400, 800])),
        "ratings": st.lists(st.integers(0, 3), min_size=5, max_size=5),
        "zips": st.lists(st.sampled_from(ZIPS), max_size=2, unique=True),
        "licenses": st.lists(LICENSE, max_size=3),
        "certifications": st.lists(CERTIFICATION, max_size=1),
        "degrees": st.lists(DEGREE, max_size=1),
        "conditions": st.lists(st.integers(0, 3), max_size=3, unique=True),
        "techniques": st.lists(st.integers(0, 2), max_size=2, unique=True),
        "insurance": st.lists(st.integers(0, 2), max_size=2, unique=True),
        "languages": st.lists(st.integers(0, 2), max_size=2, unique=True),
    }
)


PARAMETERS = {
    "q": st.sampled_from(WORDS),
    "location": st.sampled_from([*ZIPS, "Austin, TX", "San Francisco, CA", "Portland, OR"]),
    "radius": st.sampled_from([str(r) for r in RADIUS_CHOICES]),
    "condition": st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=2, unique=True),
    "technique": st.sampled_from(["index-0", "index-1"]),
    "insurance": st.sampled_from(["index-0", "index-1"]),
    "language": st.sampled_from(["index-0", "index-1"]),
    "gender": st.sampled_from(["female", "male", "nonbinary"]),
    "min_rating": st.sampled_from(["1", "2.5", "4", "5"]),
    "sort": st.sampled_from([value for value, _ in Sort.choices]),
    **{
        name: st.sampled_from(["true", "true", "false"])
        for name in ("verified", "nccaom", "medicare", "sliding_scale", "new_patients")
    },
}
# One to four parameters a search, so that most searches still find something.
SEARCH = st.lists(st.sampled_from(sorted(PARAMETERS)), min_size=1, max_size=4, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({name: PARAMETERS[name] for name in names})
)
SEARCHES = st.lists(SEARCH, min_size=4, max_size=8)


def _vocabulary():
    return {
        "condition": list(Condition.objects.filter(slug__in=CONDITIONS).order_by("slug")),
        "technique": list(Technique.objects.order_by("pk")[:3]),
        "insurance": list(InsuranceCarrier.objects.order_by("pk")[:3]),
        "language": list(Language.objects.order_by("pk")[:3]),
    }


def build_directory(listings: list[dict]) -> list[Practitioner]:
    """The drawn listings, written directly (the projection is rebuilt afterwards)."""
    vocabulary = _vocabulary()
    now = timezone.now()
    created = []
    for number, spec in enumerate(listings):
        ratings = spec["ratings"]
        count = sum(ratings)
        total = sum(stars * n for stars, n in zip(range(1, 6), ratings, strict=True))
        confirmed = spec["confirmed_days_ago"]
        practitioner = PractitionerFactory(
            status=spec["status"],
            gender=spec["gender"],
            sliding_scale=spec["sliding_scale"],
            accepting_new_patients=spec["accepting_new_patients"],
            practice_started_year=spec["practice_started_year"],
            last_confirmed_at=now - datetime.timedelta(days=confirmed) if confirmed else None,
            bio="Treats low back pain and sciatica." if number % 2 else "A quiet clinic.",
            review_count=count,
            rating_sum=total,
            rating_avg=(decimal.Decimal(total) / count).quantize(decimal.Decimal("0.01")) if count else None,
            **{f"rating_{stars}": n for stars, n in zip(range(1, 6), ratings, strict=True)},
        )
        for position, zip_code in enumerate(spec["zips"]):
            location_at_zip(practitioner, zip_code, name=f"Clinic {number}", is_primary=position == 0)
        for index, fields in enumerate(spec["licenses"]):
            verified = fields["verification_state"] == "verified"
            LicenseFactory(
                practitioner=practitioner,
                state=StateBoard.objects.get(state=fields["state"]),
                number=f"P{number}L{index}",
                verification_state=fields["verification_state"],
                verified_at=now if verified else None,
                board_status=fields["board_status"],
                restricted=fields["restricted"],
                expiry_date=fields["expiry_date"],
            )
        for fields in spec["certifications"]:
            CertificationFactory(
                practitioner=practitioner,
                verified_at=now if fields["verification_state"] == "verified" else None,
                **fields,
            )
        for fields in spec["degrees"]:
            school = SchoolFactory(
                slug=f"school-{fields['accredited']}", accreditation="accredited" if fields["accredited"] else "none"
            )
            DegreeFactory(
                practitioner=practitioner,
                school=school,
                degree=fields["degree"],
                verification_state=fields["verification_state"],
                verified_at=now if fields["verification_state"] == "verified" else None,
            )
        for kind, relation, drawn in (
            ("condition", "conditions", "conditions"),
            ("technique", "techniques", "techniques"),
            ("insurance", "insurance_carriers", "insurance"),
            ("language", "languages", "languages"),
        ):
            getattr(practitioner, relation).set([vocabulary[kind][index] for index in spec[drawn]])
        listing_services.refresh_search_document(practitioner.pk)
        created.append(practitioner)
    return created


def _resolve(params: dict) -> QueryDict:
    """Search parameters with the drawn vocabulary positions ("index-1") turned into real slugs/codes."""
    vocabulary = _vocabulary()
    query = QueryDict(mutable=True)
    for name, value in params.items():
        if isinstance(value, str) and value.startswith("index-"):
            item = vocabulary[name][int(value.removeprefix("index-"))]
            value = item.code if name == "language" else item.slug
        if isinstance(value, list):
            query.setlist(name, value)
        else:
            query[name] = value
    return query


def assert_same_answers(params: dict) -> None:
    query = _resolve(params)
    filterset = PractitionerFilterSet(query, queryset=search_base_qs())
    plain, projected = PlainSearch(filterset), ProjectedSearch(filterset)
    plain_ids = list(plain.ranked().values_list("pk", flat=True))
    projected_ids = list(projected.ranked().values_list("pk", flat=True))
    assert projected_ids == plain_ids, query.urlencode()
    # What the cards take from the search: the distance and the trust facts behind the badges.
    plain_entries = plain.page_entries(0, len(plain_ids))
    assert projected.page_entries(0, len(plain_ids)) == plain_entries, query.urlencode()
    assert projected.count() == len(plain_ids), query.urlencode()
    plain_facets = search_facets(filterset, index=plain)
    assert search_facets(filterset, index=projected) == plain_facets, query.urlencode()
    if connection.vendor == "postgresql":  # the memory index (search.memory): PostgreSQL only
        in_memory = MemorySearch(filterset)
        in_memory.snapshot.hold_lexemes()  # a private copy (this transaction wrote): its words too
        in_memory.snapshot.hold_points()  # and its places
        assert in_memory.page_entries(0, len(plain_ids)) == plain_entries, query.urlencode()
        for start, stop in ((0, 1), (1, 3), (2, 20)):  # pages: the candidates picked for a slice
            assert in_memory.page_entries(start, stop) == plain_entries[start:stop], query.urlencode()
        assert in_memory.count() == len(plain_ids), query.urlencode()
        pages_only = MemorySearch(filterset, facets=False)  # the API's: words tested on fewer listings
        pages_only.snapshot.hold_lexemes()
        pages_only.snapshot.hold_points()
        assert pages_only.page_entries(0, len(plain_ids)) == plain_entries, query.urlencode()
        assert pages_only.count() == len(plain_ids), query.urlencode()
        # The same floating-point values as the SQL, not only the same order (near ties included).
        slots = np.flatnonzero(in_memory.filtered())
        pks = in_memory.snapshot.columns["pk"][slots].tolist()
        values = ["shrunk_rating", *(["score"] if filterset.effective_sort == "relevance" else [])]
        in_sql = {pk: rest for pk, *rest in projected.ranked().values_list("pk", *values)}
        computed = [in_memory._shrunk(slots).tolist()]
        if "score" in values:
            computed.append(in_memory._score(slots).tolist())
        assert dict(zip(pks, (list(row) for row in zip(*computed, strict=True)), strict=True)) == in_sql
        assert search_facets(filterset, index=in_memory) == plain_facets, query.urlencode()
        assert best_filter_to_drop(filterset, index=in_memory) == best_filter_to_drop(filterset, index=plain), (
            query.urlencode()
        )
        if filterset.place:
            assert nearest_beyond_radius(filterset, index=in_memory) == nearest_beyond_radius(filterset, index=plain)
    assert best_filter_to_drop(filterset, index=projected) == best_filter_to_drop(filterset, index=plain)
    if filterset.place:
        assert nearest_beyond_radius(filterset, index=projected) == nearest_beyond_radius(filterset, index=plain)


@pytest.fixture
def every_word(monkeypatch):
    """The memory index holds every lexeme of the listings (search.words), as it holds the most common
    ones of a large directory: call it once the listings exist (PostgreSQL's statistics choose them)."""
    monkeypatch.setattr(text_words, "HELD_LEXEME_SHARE", 0)
    monkeypatch.setattr(text_words, "HELD_LEXEME_LISTINGS", 0)

    def hold() -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Practitioner._meta.db_table}")

    return hold


def assert_rows_current() -> None:
    """Every projection row is what its listing's data gives now, and only published listings have one."""
    published = list(Practitioner.objects.published().values_list("pk", flat=True))
    stored = {row.pk: row for row in SearchRow.objects.all()}
    assert set(stored) == set(published)
    for fresh in build_search_rows(published):
        row = stored[fresh.pk]
        assert {f.attname: getattr(row, f.attname) for f in SearchRow._meta.fields} == {
            f.attname: getattr(fresh, f.attname) for f in SearchRow._meta.fields
        }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(listings=st.lists(LISTING, min_size=1, max_size=10), searches=SEARCHES, registration_state=st.booleans())
def test_projection_answers_every_search_as_the_plain_definitions(listings, searches, registration_state, every_word):
    with transaction.atomic():
        if registration_state:  # one state registers rather than licenses
            StateBoard.objects.filter(state="OR").update(regulation="registration")
        build_directory(listings)
        rebuild_search_rows()
        every_word()
        assert_rows_current()
        for params in [{}, *searches]:
            assert_same_answers(params)
        transaction.set_rollback(True)


WRITES = st.lists(
    st.tuples(
        st.sampled_from(["verify", "refuse", "status", "edit", "move", "remove_location"]),
        st.integers(0, 9),
        st.integers(0, 5),
    ),
    min_size=1,
    max_size=6,
)


def apply_write(kind: str, which: int, choice: int, listings: list[Practitioner], staff) -> None:
    """One write through the services a person would use (staff doors, as the admin does)."""
    from verification.services import credential_refuse, credential_verify

    practitioner = Practitioner.objects.get(pk=listings[which % len(listings)].pk)
    if kind in ("verify", "refuse"):
        license = practitioner.licenses.exclude(verification_state="verified").first()
        if license is None:
            return
        try:
            if kind == "verify":
                credential_verify(credential=license, actor=staff, source="https://board.example/lookup")
            else:
                credential_refuse(
                    credential=license, actor=staff, new_state="rejected", reason="Not found on the board's lookup."
                )
        except ValidationError:  # e.g. the number is verified on another listing: a refusal is an outcome too
            return
    elif kind == "status":
        status = ["published", "draft", "suspended"][choice % 3]
        try:
            listing_services.listing_set_status(practitioner=practitioner, actor=staff, status=status)
        except ValidationError:  # publishing a listing that does not meet its state's rule is refused
            return
    elif kind == "edit":
        vocabulary = _vocabulary()
        listing_services.listing_staff_update(
            practitioner=practitioner,
            actor=staff,
            changes={
                "gender": ["female", "male", ""][choice % 3],
                "sliding_scale": bool(choice % 2),
                "conditions": vocabulary["condition"][: choice % 4],
                "languages": vocabulary["language"][choice % 3 :],
            },
        )
    elif kind == "move":
        location = practitioner.locations.first()
        if location is None:
            return
        moved = location_at_zip(practitioner, ZIPS[choice % len(ZIPS)])  # the new place's city, state, point
        location.city, location.state, location.zip_code = moved.city, moved.state, moved.zip_code
        moved.delete()
        refresh_search_rows([practitioner.pk])  # the helper wrote directly; the move below is the service's
        listing_services.location_staff_save(location=location, actor=staff)
    elif kind == "remove_location":
        location = practitioner.locations.first()
        if location is not None:
            listing_services.location_staff_delete(location=location, actor=staff)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(listings=st.lists(LISTING, min_size=2, max_size=8), writes=WRITES, searches=SEARCHES)
def test_projection_stays_equal_through_random_writes(
    listings, writes, searches, every_word, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        staff = UserFactory(is_staff=True, is_superuser=True)
        created = build_directory(listings)
        rebuild_search_rows()
        every_word()
        for kind, which, choice in writes:
            apply_write(kind, which, choice, created, staff)
        assert_rows_current()
        for params in searches:
            assert_same_answers(params)
        transaction.set_rollback(True)
