"""Publication in states that differ (issue 19): one definition (`state_requirement_met`) decides.

No-licensure state + verified NCCAOM → published; without it → draft; registration-only state;
a listing in two states."""

import pytest
from django.utils import timezone

from practitioners.models import Certification, Practitioner, StateBoard, VerificationRecord
from practitioners.services import practitioner_publish_if_verified
from tests.factories import CertificationFactory, LicenseFactory, LocationFactory, PractitionerFactory, UserFactory
from verification.services import credential_verify

pytestmark = pytest.mark.django_db

NCCAOM = "https://www.nccaom.org/verify-credentials/"


@pytest.fixture
def reviewer():
    return UserFactory(first_name="Rita", last_name="Reviewer", is_staff=True)


def draft_listing(*states: str) -> Practitioner:
    practitioner = PractitionerFactory(status="draft", owner=UserFactory())
    for code in states:
        LocationFactory(practitioner=practitioner, state=StateBoard.objects.get(pk=code))
    return practitioner


def pending_certification(practitioner: Practitioner) -> Certification:
    return CertificationFactory(
        practitioner=practitioner, verification_state="pending", verified_at=None, submitted_at=timezone.now()
    )


def status_of(practitioner: Practitioner) -> str:
    return Practitioner.objects.get(pk=practitioner.pk).status


def test_no_licensure_state_certified_is_published(reviewer):
    practitioner = draft_listing("OK")
    cert = pending_certification(practitioner)
    credential_verify(credential=cert, actor=reviewer, source=NCCAOM)
    assert status_of(practitioner) == "published"
    record = VerificationRecord.objects.get(credential_id=cert.pk, new_state="verified")
    assert record.source == NCCAOM  # publication rests on a recorded check


def test_no_licensure_state_without_a_current_certification_stays_draft(reviewer):
    practitioner = draft_listing("OK", "SD")
    assert practitioner_publish_if_verified(practitioner=practitioner) is False
    CertificationFactory(practitioner=practitioner, status="lapsed")
    assert practitioner_publish_if_verified(practitioner=practitioner) is False
    assert status_of(practitioner) == "draft"


def test_certification_alone_does_not_publish_where_a_location_needs_a_license(reviewer):
    practitioner = draft_listing("OK", "TX")
    cert = pending_certification(practitioner)
    credential_verify(credential=cert, actor=reviewer, source=NCCAOM)
    assert status_of(practitioner) == "draft"
    lic = LicenseFactory(
        practitioner=practitioner, state=StateBoard.objects.get(pk="TX"), verification_state="pending", verified_at=None
    )
    credential_verify(credential=lic, actor=reviewer, source="https://www.tmb.state.tx.us/")
    assert status_of(practitioner) == "published"


def test_registration_only_state_publishes_on_a_verified_registration(reviewer):
    StateBoard.objects.filter(pk="CA").update(regulation="registration")
    practitioner = draft_listing("CA")
    reg = LicenseFactory(practitioner=practitioner, verification_state="pending", verified_at=None)
    credential_verify(credential=reg, actor=reviewer, source="https://example.org/registry")
    assert status_of(practitioner) == "published"
    assert not Practitioner.objects.verified().filter(pk=practitioner.pk).exists()  # not a license
    assert Practitioner.objects.registered().filter(pk=practitioner.pk).exists()


def test_two_state_listing_is_published_on_one_states_license(reviewer):
    practitioner = draft_listing("CA", "NY")
    lic = LicenseFactory(
        practitioner=practitioner, state=StateBoard.objects.get(pk="NY"), verification_state="pending", verified_at=None
    )
    credential_verify(credential=lic, actor=reviewer, source="https://www.op.nysed.gov/verification-search")
    assert status_of(practitioner) == "published"
