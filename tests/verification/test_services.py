"""The verification services: each decision changes the credential and writes exactly one record."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from practitioners.models import License, Practitioner, StateBoard, VerificationRecord, VerificationState
from practitioners.services import practitioner_publish_if_verified
from tests.factories import (
    CertificationFactory,
    DegreeFactory,
    LicenseFactory,
    LocationFactory,
    PractitionerFactory,
    UserFactory,
)
from verification.services import (
    SYSTEM_ACTOR_LABEL,
    credential_expire,
    credential_mark_restricted,
    credential_refuse,
    credential_submit,
    credential_transition,
    credential_update_details,
    credential_verify,
    credentials_decide_bulk,
)

pytestmark = pytest.mark.django_db

BOARD = "https://www.dca.ca.gov/lookup"


@pytest.fixture
def reviewer():
    return UserFactory(first_name="Rita", last_name="Reviewer", is_staff=True)


@pytest.fixture
def owner():
    return UserFactory(email="owner@example.com")


def pending_license(**kwargs) -> License:
    kwargs.setdefault("verification_state", VerificationState.PENDING)
    kwargs.setdefault("verified_at", None)
    kwargs.setdefault("submitted_at", timezone.now())
    return LicenseFactory(**kwargs)


def records_for(credential) -> list[VerificationRecord]:
    return list(VerificationRecord.objects.filter(credential_id=credential.pk).order_by("pk"))


# ---------------------------------------------------------------- verify


def test_verify_writes_one_record_and_sets_who_when_what(reviewer, django_capture_on_commit_callbacks):
    lic = pending_license()
    with django_capture_on_commit_callbacks(execute=True):
        record = credential_verify(credential=lic, actor=reviewer, source=BOARD, note="Matches the board.")
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.VERIFIED
    assert lic.verified_by == reviewer
    assert lic.verification_source == BOARD
    assert lic.verified_at is not None
    assert records_for(lic) == [record]
    assert (record.old_state, record.new_state) == ("pending", "verified")
    assert record.actor == reviewer
    assert record.actor_label == "Rita Reviewer"
    assert (record.source, record.note) == (BOARD, "Matches the board.")
    assert record.practitioner_id == lic.practitioner_id


def test_verify_requires_a_source(reviewer):
    lic = pending_license()
    with pytest.raises(ValidationError) as exc:
        credential_verify(credential=lic, actor=reviewer, source="  ")
    assert "source" in exc.value.message_dict
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.PENDING
    assert VerificationRecord.objects.count() == 0


def test_verify_emails_the_owner_after_commit(reviewer, owner, django_capture_on_commit_callbacks):
    lic = pending_license(practitioner=PractitionerFactory(owner=owner))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        credential_verify(credential=lic, actor=reviewer, source=BOARD)
    assert mail.outbox == []  # nothing is sent before the transaction commits
    with django_capture_on_commit_callbacks(execute=True):  # the callback enqueues the mail on commit
        for callback in callbacks:
            callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@example.com"]
    assert "verified" in message.subject
    assert BOARD in message.body


def test_no_email_without_any_address(reviewer, django_capture_on_commit_callbacks):
    lic = pending_license(practitioner=PractitionerFactory(owner=None, contact_email=""))
    with django_capture_on_commit_callbacks(execute=True):
        credential_verify(credential=lic, actor=reviewer, source=BOARD)
    assert mail.outbox == []


def test_reverify_refreshes_the_date_and_source(reviewer):
    earlier = timezone.now() - datetime.timedelta(days=400)
    lic = LicenseFactory(verified_at=earlier, verification_source="old")
    credential_verify(credential=lic, actor=reviewer, source=BOARD)
    lic.refresh_from_db()
    assert lic.verified_at > earlier
    assert lic.verification_source == BOARD
    assert len(records_for(lic)) == 1


# ---------------------------------------------------------------- reject / revoke


def test_reject_requires_a_reason_and_shows_it(reviewer, owner, django_capture_on_commit_callbacks):
    lic = pending_license(practitioner=PractitionerFactory(owner=owner))
    with pytest.raises(ValidationError):
        credential_refuse(new_state="rejected", credential=lic, actor=reviewer, reason="")
    assert VerificationRecord.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        record = credential_refuse(
            new_state="rejected", credential=lic, actor=reviewer, reason="No such number at the board."
        )
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.REJECTED
    assert lic.rejection_reason == "No such number at the board."
    assert records_for(lic) == [record]
    assert "No such number at the board." in mail.outbox[0].body


def test_revoke_only_a_verified_credential(reviewer):
    lic = LicenseFactory()
    record = credential_refuse(
        new_state="revoked", credential=lic, actor=reviewer, reason="Board shows it surrendered."
    )
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.REVOKED
    assert lic.rejection_reason == "Board shows it surrendered."
    assert (record.old_state, record.new_state) == ("verified", "revoked")
    with pytest.raises(ValidationError):
        credential_refuse(new_state="revoked", credential=pending_license(), actor=reviewer, reason="x")


def test_refused_transition_writes_nothing(reviewer):
    lic = pending_license()
    with pytest.raises(ValidationError):
        credential_transition(credential=lic, new_state=VerificationState.EXPIRED, actor=reviewer)
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.PENDING
    assert VerificationRecord.objects.count() == 0


# ---------------------------------------------------------------- restricted


def test_mark_restricted_keeps_state_and_records_the_change(reviewer, django_capture_on_commit_callbacks):
    lic = LicenseFactory()
    verified_at = lic.verified_at
    with django_capture_on_commit_callbacks(execute=True):
        record = credential_mark_restricted(credential=lic, actor=reviewer, source=BOARD, note="Probation order 2026.")
    lic.refresh_from_db()
    assert lic.restricted is True
    assert lic.verification_state == VerificationState.VERIFIED
    assert lic.verified_at == verified_at  # not a re-verification
    assert (record.old_state, record.new_state) == ("verified", "verified")
    assert records_for(lic) == [record]
    assert not lic.is_current()
    with pytest.raises(ValidationError):
        credential_mark_restricted(credential=lic, actor=reviewer, source=BOARD)
    assert len(records_for(lic)) == 1


def test_restriction_can_be_lifted(reviewer):
    lic = LicenseFactory(restricted=True)
    credential_mark_restricted(credential=lic, actor=reviewer, source=BOARD, restricted=False)
    lic.refresh_from_db()
    assert lic.restricted is False
    assert lic.is_current()


def test_only_licenses_can_be_restricted(reviewer):
    with pytest.raises(ValidationError):
        credential_mark_restricted(credential=CertificationFactory(), actor=reviewer, source=BOARD)


# ---------------------------------------------------------------- expire


def test_expire_is_by_the_system_and_idempotent(django_capture_on_commit_callbacks):
    today = timezone.localdate()
    lic = LicenseFactory(expiry_date=today - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        record = credential_expire(credential=lic, today=today)
    assert record.actor is None
    assert record.actor_label == SYSTEM_ACTOR_LABEL
    assert (record.old_state, record.new_state) == ("verified", "expired")
    assert credential_expire(credential=lic, today=today) is None
    assert len(records_for(lic)) == 1


def test_expire_leaves_a_credential_that_expires_today():
    today = timezone.localdate()
    lic = LicenseFactory(expiry_date=today)
    assert credential_expire(credential=lic, today=today) is None
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.VERIFIED


# ---------------------------------------------------------------- submit and claim updates


def test_submit_refuses_what_is_already_pending_or_verified(owner):
    with pytest.raises(ValidationError):
        credential_submit(credential=pending_license(), actor=owner)
    with pytest.raises(ValidationError):
        credential_submit(credential=LicenseFactory(), actor=owner)
    lic = LicenseFactory(verification_state="unverified", verified_at=None)
    record = credential_submit(credential=lic, actor=owner)
    assert (record.old_state, record.new_state) == ("unverified", "pending")


def test_update_details_on_verified_license_sends_it_back_to_pending(owner):
    lic = LicenseFactory()
    new_expiry = lic.expiry_date + datetime.timedelta(days=730)
    record = credential_update_details(credential=lic, actor=owner, changes={"expiry_date": new_expiry})
    assert record is not None
    assert (record.old_state, record.new_state) == ("verified", "pending")
    assert "expiry_date" in record.note
    lic.refresh_from_db()
    assert lic.expiry_date == new_expiry
    assert lic.verification_state == VerificationState.PENDING
    assert lic.submitted_at is not None


def test_update_details_state_change_accepts_instance_or_code(owner):
    lic = LicenseFactory()
    record = credential_update_details(credential=lic, actor=owner, changes={"state": "NY"})
    assert record is not None
    lic.refresh_from_db()
    assert lic.state_id == "NY"
    other = LicenseFactory(verification_state="unverified", verified_at=None)
    record = credential_update_details(
        credential=other, actor=owner, changes={"state": StateBoard.objects.get(pk="OR")}
    )
    assert (record.old_state, record.new_state) == ("unverified", "unverified")
    other.refresh_from_db()
    assert other.state_id == "OR"


def test_update_details_without_real_change_does_nothing(owner):
    lic = LicenseFactory()
    same = {"number": lic.number, "expiry_date": str(lic.expiry_date), "state": lic.state}
    assert credential_update_details(credential=lic, actor=owner, changes=same) is None
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.VERIFIED
    assert VerificationRecord.objects.count() == 0


def test_update_details_on_unverified_credential_keeps_its_state_and_records_the_edit(owner):
    degree = DegreeFactory(verification_state="rejected", verified_at=None, rejection_reason="Wrong year")
    record = credential_update_details(credential=degree, actor=owner, changes={"graduation_year": 2016})
    degree.refresh_from_db()
    assert degree.graduation_year == 2016
    assert degree.verification_state == VerificationState.REJECTED
    assert (record.old_state, record.new_state, record.actor) == ("rejected", "rejected", owner)
    assert "graduation_year: 2014 → 2016" in record.note


def test_update_details_refuses_fields_the_practitioner_does_not_own(owner):
    lic = LicenseFactory(verification_state="unverified", verified_at=None)
    for forbidden in ({"restricted": False}, {"verification_state": "verified"}, {"verified_by": owner}):
        with pytest.raises(ValidationError):
            credential_update_details(credential=lic, actor=owner, changes=forbidden)
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.UNVERIFIED


def test_update_details_validates_and_writes_nothing_on_error(owner):
    # (An unverified license's number is no longer a conflict: only verified licenses are unique.)
    lic = LicenseFactory()
    with pytest.raises(ValidationError):
        credential_update_details(credential=lic, actor=owner, changes={"number": ""})
    with pytest.raises(ValidationError):
        credential_update_details(credential=lic, actor=owner, changes={"expiry_date": datetime.date(2000, 1, 1)})
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.VERIFIED
    assert VerificationRecord.objects.count() == 0


def test_update_details_status_change_needs_reverification(owner):
    cert = CertificationFactory(status="inactive")
    record = credential_update_details(credential=cert, actor=owner, changes={"status": "active"})
    assert record is not None
    cert.refresh_from_db()
    assert cert.verification_state == VerificationState.PENDING


# ---------------------------------------------------------------- bulk


def test_bulk_verify_reports_the_ones_that_cannot_move(reviewer):
    one, two = pending_license(), pending_license()
    already = LicenseFactory(verification_state="rejected", verified_at=None)
    outcome = credentials_decide_bulk(credentials=[one, two, already], decision="reject", actor=reviewer, note="No.")
    assert outcome.done == [one, two]
    assert [c for c, _ in outcome.failed] == [already]
    assert VerificationRecord.objects.count() == 2


def test_bulk_reject_without_reason_rejects_nothing(reviewer):
    one = pending_license()
    outcome = credentials_decide_bulk(credentials=[one], decision="reject", actor=reviewer, note="")
    assert outcome.done == []
    one.refresh_from_db()
    assert one.verification_state == VerificationState.PENDING


# ---------------------------------------------------------------- publication


def draft_imported_listing() -> Practitioner:
    practitioner = PractitionerFactory(status="draft", npi="1234567893", owner=None)
    LocationFactory(practitioner=practitioner)  # in CA, like the factory license
    return practitioner


def test_verifying_a_license_publishes_a_draft_imported_listing(reviewer):
    practitioner = draft_imported_listing()
    lic = pending_license(practitioner=practitioner)
    credential_verify(credential=lic, actor=reviewer, source=BOARD)
    practitioner.refresh_from_db()
    assert practitioner.status == Practitioner.Status.PUBLISHED


def test_a_license_in_another_state_does_not_publish(reviewer):
    practitioner = draft_imported_listing()
    lic = pending_license(practitioner=practitioner, state=StateBoard.objects.get(pk="NY"))
    credential_verify(credential=lic, actor=reviewer, source=BOARD)
    practitioner.refresh_from_db()
    assert practitioner.status == Practitioner.Status.DRAFT


def test_suspended_and_plain_drafts_are_not_published(reviewer):
    suspended = PractitionerFactory(status="suspended", npi="1234567893")
    LocationFactory(practitioner=suspended)
    LicenseFactory(practitioner=suspended)
    assert practitioner_publish_if_verified(practitioner=suspended) is False
    staff_draft = PractitionerFactory(status="draft", npi=None, owner=None)
    LocationFactory(practitioner=staff_draft)
    LicenseFactory(practitioner=staff_draft)
    assert practitioner_publish_if_verified(practitioner=staff_draft) is False
    claimed = PractitionerFactory(status="draft", owner=UserFactory())
    LocationFactory(practitioner=claimed)
    LicenseFactory(practitioner=claimed)
    assert practitioner_publish_if_verified(practitioner=claimed) is True
