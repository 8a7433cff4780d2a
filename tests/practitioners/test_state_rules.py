"""State rules as data: every state board row cites a source and a date, and the rule for what each
state requires is stated once and agrees in the database and in Python."""

import datetime
import itertools
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from practitioners import trust
from practitioners.models import Practitioner, StateBoard
from practitioners.reference import reference_rows
from tests.factories import CertificationFactory, LicenseFactory, LocationFactory, PractitionerFactory

TODAY = datetime.date(2026, 6, 15)
DAY = datetime.timedelta(days=1)

BOARDS = reference_rows("state_boards.json")


# ---------------------------------------------------------------- the fixture cites its sources


@pytest.mark.parametrize("row", BOARDS, ids=[row["state"] for row in BOARDS])
def test_every_state_board_row_has_a_source_and_a_checked_date(row):
    source = urlsplit(row.get("source_url") or "")
    assert source.scheme in ("http", "https") and source.netloc, f"{row['state']}: no source URL"
    checked = row.get("checked_on")
    assert checked, f"{row['state']}: no checked date"
    assert datetime.date.fromisoformat(checked) <= timezone.localdate(), f"{row['state']}: checked in the future"
    assert row.get("source_note", "").strip(), f"{row['state']}: say what the source confirms"


@pytest.mark.parametrize("row", BOARDS, ids=[row["state"] for row in BOARDS])
def test_every_row_states_a_coherent_rule(row):
    assert row["regulation"] in trust.REGULATIONS
    if row["regulation"] == trust.REGULATION_NONE:
        assert row["licensed_titles"] == [] and row["renewal_cycle_years"] is None and row["exam"] == "none"
    else:
        assert row["licensed_titles"], f"{row['state']}: a state that issues a credential grants a title"
        assert 1 <= row["renewal_cycle_years"] <= 10


def test_fixture_covers_fifty_states_and_dc_once():
    codes = [row["state"] for row in BOARDS]
    assert len(codes) == len(set(codes)) == 51


def test_the_checked_points_of_issue_19():
    rows = {row["state"]: row for row in BOARDS}
    assert {code for code, row in rows.items() if row["regulation"] == "none"} == {"AL", "OK", "SD"}
    assert rows["FL"]["licensed_titles"] == ["AP"]
    assert "D.Ac." in rows["HI"]["licensed_titles"]
    assert rows["CA"]["exam"] == "state" and "birth month" in rows["CA"]["expiry_rule"]
    assert rows["MI"]["regulation"] == "license"  # registration until SB 683 (2018)


@pytest.mark.django_db
def test_the_database_holds_the_fixture():
    assert StateBoard.objects.count() == len(BOARDS)
    assert not StateBoard.objects.filter(source_url="").exists()
    assert set(StateBoard.objects.filter(regulation="none").values_list("state", flat=True)) == {"AL", "OK", "SD"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"regulation": "licensed"},
        {"source_url": ""},
        {"regulation": "none", "renewal_cycle_years": 2, "exam": "none"},
        {"exam": "cale"},
        {"renewal_cycle_years": 0},
    ],
)
def test_state_board_constraints_refuse_bad_rows(fields):
    board = StateBoard.objects.get(state="TX")
    for name, value in fields.items():
        setattr(board, name, value)
    with pytest.raises(ValidationError):
        board.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        board.save()


# ---------------------------------------------------------------- one rule, stated twice


def registration_state() -> StateBoard:
    """No state is registration-only today (Michigan moved to licensure in 2018); the rule still must work."""
    return StateBoard.objects.create(
        state="ZR",
        state_name="Registria",
        board_name="Registria Board of Registration",
        regulation="registration",
        licensed_titles=["R.Ac."],
        renewal_cycle_years=1,
        source_url="https://example.org/registria",
        checked_on=TODAY,
    )


def python_facts(prac: Practitioner, today: datetime.date) -> dict[str, bool]:
    prac = Practitioner.objects.prefetch_related("locations__state", "licenses", "certifications").get(pk=prac.pk)
    coverage = prac.state_coverage(today)
    return {
        "verified": trust.has_verified_license(coverage),
        "registered": trust.has_verified_registration(coverage),
        "requirement": trust.state_requirement_met(coverage),
    }


def database_facts(prac: Practitioner, today: datetime.date) -> dict[str, bool]:
    one = Practitioner.objects.filter(pk=prac.pk)
    return {
        "verified": one.verified(today).exists(),
        "registered": one.registered(today).exists(),
        "requirement": one.state_requirement_met(today).exists(),
    }


LOCATION_SETS = [(), ("CA",), ("OK",), ("OK", "SD"), ("CA", "OK"), ("ZR",), ("ZR", "OK")]
LICENSE_SETS = [(), ("CA",), ("ZR",), ("OK",), ("TX",)]


@pytest.mark.django_db
def test_database_and_python_agree_on_every_combination():
    registration_state()
    checked = 0
    for locations, licenses, certified, expiry in itertools.product(
        LOCATION_SETS, LICENSE_SETS, [False, True], [TODAY - DAY, TODAY]
    ):
        prac = PractitionerFactory(status="draft")
        for code in locations:
            LocationFactory(practitioner=prac, state_id=code)
        for code in licenses:
            LicenseFactory(practitioner=prac, state_id=code, expiry_date=expiry)
        if certified:
            CertificationFactory(practitioner=prac, expiry_date=expiry)
        db, py = database_facts(prac, TODAY), python_facts(prac, TODAY)
        assert db == py, (locations, licenses, certified, expiry)
        checked += 1
    assert checked == len(LOCATION_SETS) * len(LICENSE_SETS) * 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("locations", "licenses", "certified", "expected"),
    [
        (("OK",), (), True, {"verified": False, "registered": False, "requirement": True}),
        (("OK",), (), False, {"verified": False, "registered": False, "requirement": False}),
        (("OK", "SD"), (), True, {"verified": False, "registered": False, "requirement": True}),
        # A location in a licensing state needs its license: NCCAOM alone is not enough there.
        (("CA", "OK"), (), True, {"verified": False, "registered": False, "requirement": False}),
        (("CA", "OK"), ("CA",), False, {"verified": True, "registered": False, "requirement": True}),
        # A "license" number in a state that licenses no acupuncturists is not an acupuncture license.
        (("OK",), ("OK",), False, {"verified": False, "registered": False, "requirement": False}),
        (("ZR",), ("ZR",), False, {"verified": False, "registered": True, "requirement": True}),
        (("ZR",), (), True, {"verified": False, "registered": False, "requirement": False}),
        ((), (), True, {"verified": False, "registered": False, "requirement": False}),
        (("CA",), ("TX",), True, {"verified": False, "registered": False, "requirement": False}),
    ],
)
def test_what_each_state_requires(locations, licenses, certified, expected):
    registration_state()
    prac = PractitionerFactory(status="draft")
    for code in locations:
        LocationFactory(practitioner=prac, state_id=code)
    for code in licenses:
        LicenseFactory(practitioner=prac, state_id=code, expiry_date=TODAY + DAY)
    if certified:
        CertificationFactory(practitioner=prac, expiry_date=TODAY + DAY)
    assert database_facts(prac, TODAY) == expected
    assert python_facts(prac, TODAY) == expected


def test_no_licensure_explanation_wording():
    assert trust.no_licensure_explanation("Oklahoma") == (
        "Oklahoma does not license acupuncturists. "
        "Meridian checked this practitioner's national NCCAOM certification instead."
    )
