"""Trust facts at the date boundaries, and the database and Python definitions agreeing."""

import datetime
import itertools

import pytest
from django.utils import timezone

from practitioners import trust
from practitioners.models import License, Practitioner
from tests.factories import (
    CertificationFactory,
    DegreeFactory,
    LicenseFactory,
    LocationFactory,
    PractitionerFactory,
    SchoolFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
DAY = datetime.timedelta(days=1)


def practitioner_with_license(**license_fields) -> Practitioner:
    prac = PractitionerFactory()
    LocationFactory(practitioner=prac)  # in CA
    LicenseFactory(practitioner=prac, **license_fields)
    return prac


def facts(prac: Practitioner, today: datetime.date) -> dict[str, bool]:
    annotated = Practitioner.objects.with_trust_facts(today).get(pk=prac.pk)
    filtered = {
        "is_verified": Practitioner.objects.verified(today).filter(pk=prac.pk).exists(),
        "is_nccaom_certified": Practitioner.objects.nccaom_certified(today).filter(pk=prac.pk).exists(),
        "meets_medicare": Practitioner.objects.meets_medicare_clbp(today).filter(pk=prac.pk).exists(),
    }
    # The annotation and the filter are the same expression: they must agree.
    for key, value in filtered.items():
        assert getattr(annotated, key) == value, key
    return filtered


@pytest.mark.parametrize(
    ("expiry", "expected"), [(TODAY, True), (TODAY - DAY, False), (TODAY + DAY, True), (None, False)]
)
def test_verified_license_expiry_boundaries(expiry, expected):
    prac = practitioner_with_license(expiry_date=expiry, issue_date=datetime.date(2010, 1, 1))
    assert facts(prac, TODAY)["is_verified"] is expected


def test_badge_disappears_the_day_after_expiry_without_any_job():
    prac = practitioner_with_license(expiry_date=TODAY)
    assert facts(prac, TODAY)["is_verified"]
    assert not facts(prac, TODAY + DAY)["is_verified"]


@pytest.mark.parametrize(
    "fields",
    [
        {"verification_state": "pending", "verified_at": None},
        {"verification_state": "rejected", "verified_at": None},
        {"verification_state": "revoked"},
        {"board_status": "probation"},
        {"board_status": "suspended"},
        {"restricted": True},
    ],
)
def test_only_verified_active_unrestricted_licenses_count(fields):
    prac = practitioner_with_license(expiry_date=TODAY + 30 * DAY, **fields)
    assert not facts(prac, TODAY)["is_verified"]


def test_license_must_be_in_a_state_where_they_practise():
    prac = PractitionerFactory()
    LocationFactory(practitioner=prac)  # CA
    LicenseFactory(practitioner=prac, state_id="NY", expiry_date=TODAY + DAY)
    assert not facts(prac, TODAY)["is_verified"]
    LicenseFactory(practitioner=prac, state_id="CA", expiry_date=TODAY + DAY)
    assert facts(prac, TODAY)["is_verified"]


@pytest.mark.parametrize(
    ("expiry", "status", "expected"),
    [
        (TODAY, "active", True),
        (TODAY - DAY, "active", False),
        (TODAY + DAY, "active", True),
        (TODAY + DAY, "lapsed", False),
    ],
)
def test_nccaom_boundaries(expiry, status, expected):
    prac = PractitionerFactory()
    CertificationFactory(practitioner=prac, expiry_date=expiry, status=status, issue_date=datetime.date(2020, 1, 1))
    assert facts(prac, TODAY)["is_nccaom_certified"] is expected


@pytest.mark.parametrize(
    ("accreditation", "degree", "state", "license_expiry", "expected"),
    [
        ("accredited", "MSOM", "verified", TODAY, True),
        ("accredited", "DACM", "verified", TODAY + DAY, True),
        ("accredited", "MSOM", "verified", TODAY - DAY, False),  # license expired yesterday
        ("candidate", "MSOM", "verified", TODAY + DAY, False),
        ("none", "MSOM", "verified", TODAY + DAY, False),
        ("accredited", "CERT", "verified", TODAY + DAY, False),  # not a master's or doctorate
        ("accredited", "MSOM", "pending", TODAY + DAY, False),
    ],
)
def test_medicare_criteria(accreditation, degree, state, license_expiry, expected):
    prac = practitioner_with_license(expiry_date=license_expiry)
    school = SchoolFactory(accreditation=accreditation)
    DegreeFactory(
        practitioner=prac,
        school=school,
        degree=degree,
        verification_state=state,
        verified_at=timezone.now() if state == "verified" else None,
    )
    assert facts(prac, TODAY)["meets_medicare"] is expected


def test_medicare_needs_an_unrestricted_license():
    prac = practitioner_with_license(expiry_date=TODAY + DAY, restricted=True)
    DegreeFactory(practitioner=prac)
    assert not facts(prac, TODAY)["meets_medicare"]


def test_medicare_label_never_claims_direct_billing():
    text = (trust.MEDICARE_LABEL + " " + trust.MEDICARE_EXPLANATION).lower()
    assert "auxiliary personnel" in text
    assert "supervising" in text
    assert "bills medicare directly" not in text and "medicare provider" not in text


def test_python_and_database_license_rules_agree_on_every_combination():
    """The per-object check and the QuerySet filter are one rule stated twice; prove they agree."""
    prac = PractitionerFactory()
    combos = list(
        itertools.product(
            ["verified", "pending", "rejected", "expired", "revoked", "unverified"],
            ["active", "probation", "inactive", "expired"],
            [False, True],
            [TODAY - DAY, TODAY, TODAY + DAY, None],
        )
    )
    for n, (state, board, restricted, expiry) in enumerate(combos):
        LicenseFactory(
            practitioner=prac,
            number=f"X{n}",
            verification_state=state,
            verified_at=timezone.now() if state in ("verified", "revoked", "expired") else None,
            board_status=board,
            restricted=restricted,
            expiry_date=expiry,
            issue_date=None,
        )
    in_db = set(License.objects.filter(trust.current_license_q(TODAY)).values_list("pk", flat=True))
    in_python = {lic.pk for lic in License.objects.filter(practitioner=prac) if lic.is_current(TODAY)}
    assert in_db == in_python
    assert len(in_db) == 2  # verified, active, unrestricted, expiring today or tomorrow
