"""Every invariant is enforced by the database itself, not only by forms."""

import datetime
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction

from practitioners.models import Certification, License, OpeningHours, Practitioner, StateBoard
from tests.factories import (
    CertificationFactory,
    DegreeFactory,
    LicenseFactory,
    LocationFactory,
    PractitionerFactory,
)

pytestmark = pytest.mark.django_db


def refused(callable_) -> bool:
    try:
        with transaction.atomic():
            callable_()
    except (IntegrityError, DataError):  # a check or unique constraint, or a column too short for the value
        return True
    return False


def update(obj, **fields):
    """Write fields with a queryset update: no model validation, the database alone decides."""
    return lambda: type(obj).objects.filter(pk=obj.pk).update(**fields)


def test_verified_license_number_unique_per_state():
    lic = LicenseFactory(number="AC123")  # verified
    other = PractitionerFactory()
    verified = {"verification_state": "verified", "verified_at": lic.verified_at}
    assert refused(
        lambda: License.objects.create(practitioner=other, state=lic.state, number="AC123", title="L.Ac.", **verified)
    )
    # Unverified, the same number may sit on another listing (squatting must not lock the holder
    # out, issue 11 item 4); it cannot become verified while the first one is.
    duplicate = License.objects.create(practitioner=other, state=lic.state, number="AC123", title="L.Ac.")
    assert refused(update(duplicate, **verified))
    # The same number in another state is a different license.
    ny = StateBoard.objects.get(state="NY")
    License.objects.create(practitioner=other, state=ny, number="AC123", title="L.Ac.")


def test_certificate_number_unique_per_type():
    cert = CertificationFactory(number="N1")
    assert refused(lambda: CertificationFactory(number="N1", cert_type=cert.cert_type))


@pytest.mark.parametrize("factory", [LicenseFactory, CertificationFactory])
def test_expiry_must_follow_issue(factory):
    cred = factory()
    assert refused(update(cred, issue_date=datetime.date(2020, 1, 1), expiry_date=datetime.date(2019, 12, 31)))
    assert refused(update(cred, issue_date=datetime.date(2020, 1, 1), expiry_date=datetime.date(2020, 1, 1)))
    assert not refused(update(cred, issue_date=datetime.date(2020, 1, 1), expiry_date=datetime.date(2020, 1, 2)))


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"latitude": 90.5}, True),
        ({"latitude": -90.5}, True),
        ({"longitude": 180.5}, True),
        ({"longitude": -181}, True),
        ({"latitude": None}, True),  # one without the other
        ({"latitude": None, "longitude": None}, False),
        ({"latitude": 90, "longitude": -180}, False),
    ],
)
def test_coordinates_in_range_and_together(fields, bad):
    loc = LocationFactory()
    assert refused(update(loc, **fields)) is bad


@pytest.mark.parametrize(
    ("zip_code", "bad"), [("9411", True), ("941100", True), ("94A10", True), ("", True), ("02139", False)]
)
def test_zip_is_five_digits(zip_code, bad):
    loc = LocationFactory()
    assert refused(update(loc, zip_code=zip_code)) is bad


@pytest.mark.parametrize(
    ("field", "value", "bad"),
    [
        ("first_visit_fee", Decimal("-0.01"), True),
        ("follow_up_fee", Decimal("-10"), True),
        ("first_visit_fee", Decimal("10001"), True),
        ("first_visit_fee", Decimal("0"), False),
        ("first_visit_fee", None, False),
    ],
)
def test_fees_are_not_negative(field, value, bad):
    prac = PractitionerFactory()
    assert refused(update(prac, **{field: value})) is bad


def test_slug_is_unique_and_not_empty():
    prac = PractitionerFactory(slug="jane-doe")
    assert refused(lambda: PractitionerFactory(slug="jane-doe"))
    assert refused(update(prac, slug=""))


def test_npi_is_ten_digits_and_unique():
    prac = PractitionerFactory(npi="1234567890")
    assert refused(update(PractitionerFactory(), npi="1234567890"))
    assert refused(update(prac, npi="12345"))


def test_practice_year_and_status_and_gender_checked():
    prac = PractitionerFactory()
    assert refused(update(prac, practice_started_year=1800))
    assert refused(update(prac, status="deleted"))
    assert refused(update(prac, gender="unknown"))


def test_review_histogram_must_match_count():
    prac = PractitionerFactory()
    assert refused(update(prac, review_count=1))
    assert not refused(update(prac, review_count=1, rating_5=1, rating_sum=5, rating_avg=Decimal("5.00")))
    assert refused(update(prac, rating_avg=Decimal("5.5")))


@pytest.mark.parametrize("factory", [LicenseFactory, CertificationFactory, DegreeFactory])
def test_verification_state_is_checked_and_verified_needs_a_date(factory):
    cred = factory()
    assert refused(update(cred, verification_state="approved"))
    assert refused(update(cred, verification_state="verified", verified_at=None))
    assert not refused(update(cred, verification_state="pending", verified_at=None))


def test_license_board_status_and_number_checked():
    lic = LicenseFactory()
    assert refused(update(lic, board_status="great"))
    assert refused(update(lic, number=""))


def test_certification_type_and_status_checked():
    cert = CertificationFactory()
    assert refused(update(cert, cert_type="dipl_xx"))
    assert refused(update(cert, status="fine"))
    assert Certification.objects.filter(pk=cert.pk, cert_type="dipl_ac").exists()


def test_degree_type_and_year_checked():
    deg = DegreeFactory()
    assert refused(update(deg, degree="PhD"))
    assert refused(update(deg, graduation_year=1492))


def test_opening_hours_close_after_open_and_valid_weekday():
    loc = LocationFactory()
    assert refused(lambda: OpeningHours.objects.create(location=loc, weekday=0, opens="17:00", closes="09:00"))
    assert refused(lambda: OpeningHours.objects.create(location=loc, weekday=7, opens="09:00", closes="17:00"))
    OpeningHours.objects.create(location=loc, weekday=6, opens="09:00", closes="17:00")


def test_only_one_primary_location():
    loc = LocationFactory(is_primary=True)
    assert refused(lambda: LocationFactory(practitioner=loc.practitioner, is_primary=True))
    LocationFactory(practitioner=loc.practitioner, is_primary=False)


def test_deleting_a_practitioner_with_audit_records_is_refused():
    """The audit trail outlives nothing: PROTECT keeps records from vanishing with their listing."""
    from verification.services import credential_submit

    lic = LicenseFactory(verification_state="unverified", verified_at=None)
    credential_submit(credential=lic, actor=None)
    assert refused(lambda: Practitioner.objects.filter(pk=lic.practitioner_id).delete())
