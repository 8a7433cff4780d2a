"""Issue 11, item 4: a claim proves control of something the public profile does not give away.

A license number is printed on every profile, so a claim also needs a one-time code sent to
the practice's email or phone on record (or a reviewer's explicit override with a note), and a
listing created with someone else's license number (squatting) does not lock the holder out.
"""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from dashboard import senders, services
from dashboard.models import CLAIM_CODE_MAX_ATTEMPTS, CLAIM_CODE_MAX_SENDS, Claim
from dashboard.selectors import claim_code_channels
from jobs.models import OutboundEmail
from practitioners.models import License, Practitioner, StateBoard
from tests.factories import (
    ClaimFactory,
    LicenseFactory,
    LocationFactory,
    PractitionerFactory,
    ReviewerFactory,
    VerifiedUserFactory,
)
from verification.services import credential_verify

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r"the code is (\d{6})")


@pytest.fixture
def listing():
    """An imported, unclaimed listing with a private contact email and a practice phone."""
    listing = PractitionerFactory(
        name="Ana Ruiz", slug="ana-ruiz", owner=None, contact_email="front.desk@anaruiz-clinic.com", phone=""
    )
    LocationFactory(practitioner=listing, is_primary=True, phone="(415) 555-0123")
    LicenseFactory(practitioner=listing, number="AC012345")
    return listing


@pytest.fixture
def claim(listing):
    return ClaimFactory(practitioner=listing, license_number="AC012345")


@pytest.fixture
def reviewer():
    return ReviewerFactory()


@pytest.fixture(autouse=True)
def codes_sent_on_commit(monkeypatch):
    """A code's email goes through the mail queue once the sending transaction commits (the test's
    transaction never does): run the on-commit work of each send, as a real commit would."""
    send = services.claim_code_send

    def send_and_commit(**kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return send(**kwargs)

    monkeypatch.setattr(services, "claim_code_send", send_and_commit)


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    senders.sms_outbox.clear()
    yield
    senders.sms_outbox.clear()


def sent_code() -> str:
    return CODE_RE.search(mail.outbox[-1].body).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# ---------------------------------------------------------------- no proof, no silent approval


def test_a_claim_without_proof_is_not_approved(reviewer, claim, listing):
    with pytest.raises(ValidationError, match="has not confirmed a code"):
        services.claim_approve(claim=claim, actor=reviewer)
    listing.refresh_from_db()
    claim.refresh_from_db()
    assert listing.owner is None
    assert claim.status == "pending"


def test_a_reviewer_override_needs_a_note_and_is_kept(reviewer, claim, listing):
    with pytest.raises(ValidationError, match="has not confirmed a code"):
        services.claim_approve(claim=claim, actor=reviewer, override_note="   ")
    services.claim_approve(claim=claim, actor=reviewer, override_note="Called the number on the board roster.")
    claim.refresh_from_db()
    assert Practitioner.objects.get(pk=listing.pk).owner == claim.user
    assert claim.proof_override_note == "Called the number on the board roster."
    assert "reviewer override" in claim.proof_label


def test_the_database_refuses_an_approved_claim_without_proof_or_override(claim):
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(status="approved", reviewed_at=timezone.now())


def test_admin_approve_refuses_unproven_claims_and_the_override_action_asks_for_a_note(client, reviewer, claim):
    client.force_login(reviewer)
    url = reverse("admin:dashboard_pendingclaim_changelist")
    response = client.post(url, {"action": "approve_claims", "_selected_action": [claim.pk]}, follow=True)
    assert "has not confirmed a code" in response.text
    assert Practitioner.objects.get(pk=claim.practitioner_id).owner is None
    confirm = client.post(url, {"action": "approve_without_proof", "_selected_action": [claim.pk]})
    assert confirm.status_code == 200 and "How you checked instead" in confirm.text
    client.post(
        url,
        {
            "action": "approve_without_proof",
            "_selected_action": [claim.pk],
            "apply": "1",
            "override_note": "Board roster phone, spoke to Ana.",
        },
    )
    claim.refresh_from_db()
    assert (claim.status, claim.proof_override_note) == ("approved", "Board roster phone, spoke to Ana.")


# ---------------------------------------------------------------- the code


def test_channels_are_the_addresses_on_record_masked(listing):
    channels = claim_code_channels(listing)
    assert [(c.kind, c.masked) for c in channels] == [("email", "f***@a***.com"), ("sms", "*** *** **23")]


def test_phone_is_offered_only_with_an_sms_sender(listing, settings):
    settings.CLAIM_CODE_SENDERS = {"email": "dashboard.senders.EmailCodeSender"}
    assert [c.kind for c in claim_code_channels(listing)] == ["email"]


def test_code_by_email_is_stored_hashed_and_confirms_the_claim(claim, reviewer, client):
    masked = services.claim_code_send(claim=claim, actor=claim.user, channel="email")
    assert masked == "f***@a***.com"
    assert mail.outbox[-1].to == ["front.desk@anaruiz-clinic.com"]
    # Through the mail queue (a task, retried while the mail server is down), not sent in the request.
    assert OutboundEmail.objects.get(to="front.desk@anaruiz-clinic.com").status == "sent"
    code = sent_code()
    claim.refresh_from_db()
    assert claim.code_hash and code not in claim.code_hash
    services.claim_code_confirm(claim=claim, actor=claim.user, code=code)
    claim.refresh_from_db()
    assert claim.proof_confirmed_at is not None and claim.code_hash == ""
    assert claim.proof_label.startswith("Code confirmed to f***@a***.com at ")
    client.force_login(reviewer)
    queue = client.get(reverse("admin:dashboard_pendingclaim_changelist")).text
    assert "Code confirmed to f***@a***.com" in queue
    services.claim_approve(claim=claim, actor=reviewer)
    assert Practitioner.objects.get(pk=claim.practitioner_id).owner == claim.user


def test_code_by_text_message_goes_through_the_sms_sender(claim):
    channel = next(c.key for c in claim_code_channels(claim.practitioner) if c.kind == "sms")
    services.claim_code_send(claim=claim, actor=claim.user, channel=channel)
    to, message = senders.sms_outbox[-1]
    assert to == "+14155550123"
    services.claim_code_confirm(claim=claim, actor=claim.user, code=CODE_RE.search(message).group(1))
    claim.refresh_from_db()
    assert claim.proof_confirmed_at is not None


def test_a_wrong_code_is_refused_and_counted(claim):
    services.claim_code_send(claim=claim, actor=claim.user, channel="email")
    with pytest.raises(ValidationError, match="not the code we sent"):
        services.claim_code_confirm(claim=claim, actor=claim.user, code=wrong(sent_code()))
    claim.refresh_from_db()
    assert (claim.code_attempts, claim.proof_confirmed_at) == (1, None)


def test_an_expired_code_is_refused(claim):
    now = timezone.now()
    services.claim_code_send(claim=claim, actor=claim.user, channel="email", now=now)
    later = now + services.CLAIM_CODE_TTL + datetime.timedelta(seconds=1)
    with pytest.raises(ValidationError, match="expired"):
        services.claim_code_confirm(claim=claim, actor=claim.user, code=sent_code(), now=later)
    claim.refresh_from_db()
    assert claim.proof_confirmed_at is None


def test_too_many_wrong_codes_kill_the_code(claim):
    services.claim_code_send(claim=claim, actor=claim.user, channel="email")
    code = sent_code()
    for _ in range(CLAIM_CODE_MAX_ATTEMPTS):
        with pytest.raises(ValidationError, match="not the code we sent"):
            services.claim_code_confirm(claim=claim, actor=claim.user, code=wrong(code))
    with pytest.raises(ValidationError, match="Too many wrong codes"):
        services.claim_code_confirm(claim=claim, actor=claim.user, code=code)
    claim.refresh_from_db()
    assert claim.proof_confirmed_at is None


def test_sends_are_rate_limited_per_claim_and_per_listing(claim, listing):
    now = timezone.now()
    services.claim_code_send(claim=claim, actor=claim.user, channel="email", now=now)
    with pytest.raises(ValidationError, match="less than a minute ago"):
        services.claim_code_send(
            claim=claim, actor=claim.user, channel="email", now=now + datetime.timedelta(seconds=5)
        )
    for n in range(1, CLAIM_CODE_MAX_SENDS):
        services.claim_code_send(
            claim=claim, actor=claim.user, channel="email", now=now + datetime.timedelta(minutes=n)
        )
    with pytest.raises(ValidationError, match=f"asked for {CLAIM_CODE_MAX_SENDS} codes"):
        services.claim_code_send(claim=claim, actor=claim.user, channel="email", now=now + datetime.timedelta(hours=1))
    # Withdrawing and claiming again does not reset the practice's daily limit.
    services.claim_withdraw(claim=claim, actor=claim.user)
    again = ClaimFactory(practitioner=listing, user=claim.user)
    services.claim_code_send(claim=again, actor=claim.user, channel="email", now=now + datetime.timedelta(hours=2))
    services.claim_code_send(claim=again, actor=claim.user, channel="email", now=now + datetime.timedelta(hours=3))
    with pytest.raises(ValidationError, match="Too many codes were sent to this practice today"):
        services.claim_code_send(claim=again, actor=claim.user, channel="email", now=now + datetime.timedelta(hours=4))
    assert len(mail.outbox) == services.CLAIM_CODE_LISTING_DAILY_SENDS


def test_the_claimant_cannot_choose_the_destination_or_act_on_anothers_claim(claim):
    with pytest.raises(ValidationError, match="addresses on record"):
        services.claim_code_send(claim=claim, actor=claim.user, channel="attacker@example.com")
    with pytest.raises(PermissionDenied):
        services.claim_code_send(claim=claim, actor=VerifiedUserFactory(), channel="email")
    assert not mail.outbox


def test_the_claim_proof_page_sends_and_confirms(client, claim):
    client.force_login(claim.user)
    url = reverse("dashboard:claim_proof", args=[claim.pk])
    page = client.get(url)
    assert page.status_code == 200 and "f***@a***.com" in page.text
    assert "front.desk@" not in page.text  # the address on record is never shown
    assert client.post(url, {"action": "send", "send-channel": "email"}).status_code == 302
    bad = client.post(url, {"action": "confirm", "confirm-code": wrong(sent_code())})
    assert bad.status_code == 400 and "not the code we sent" in bad.text
    assert client.post(url, {"action": "confirm", "confirm-code": sent_code()}).status_code == 302
    claim.refresh_from_db()
    assert claim.proof_confirmed_at is not None


def test_a_new_claim_leads_to_the_proof_page(client, listing):
    user = VerifiedUserFactory()
    client.force_login(user)
    response = client.post(
        reverse("dashboard:claim_new", args=[listing.slug]), {"license_state": "CA", "license_number": "AC012345"}
    )
    assert response.headers["Location"] == reverse("dashboard:claim_proof", args=[Claim.objects.get(user=user).pk])


# ---------------------------------------------------------------- squatting


@pytest.fixture
def squatted():
    """Someone created a listing with the holder's California license number; nobody verified it."""
    squatter_listing = PractitionerFactory(name="Squatter", owner=VerifiedUserFactory(), status="draft")
    LicenseFactory(practitioner=squatter_listing, number="AC555000", verification_state="unverified", verified_at=None)
    return squatter_listing


def test_an_unverified_duplicate_does_not_block_the_holder_creating_a_listing(squatted):
    holder = VerifiedUserFactory()
    listing = services.listing_create(
        user=holder,
        name="Real Holder",
        display_credentials="L.Ac.",
        license_state=StateBoard.objects.get(state="CA"),
        license_number="AC555000",
        license_title="L.Ac.",
        license_expiry_date=timezone.localdate() + datetime.timedelta(days=300),
    )
    assert License.objects.filter(number="AC555000").count() == 2
    assert listing.licenses.get().verification_state == "pending"


def test_an_unverified_duplicate_does_not_block_the_holders_claim(squatted, reviewer):
    imported = PractitionerFactory(owner=None)
    LicenseFactory(practitioner=imported, number="AC555000", verification_state="pending", verified_at=None)
    claim = ClaimFactory(practitioner=imported, license_number="AC555000", proven=True)
    services.claim_approve(claim=claim, actor=reviewer)
    assert Practitioner.objects.get(pk=imported.pk).owner == claim.user


def test_a_verified_license_is_unique_per_state_and_number(squatted, reviewer):
    holder_listing = PractitionerFactory(owner=VerifiedUserFactory())
    LicenseFactory(practitioner=holder_listing, number="AC555000")  # verified
    squatter_license = squatted.licenses.get()
    squatter_license.verification_state = "pending"
    squatter_license.save()
    with pytest.raises(ValidationError, match="already verified on another listing"):
        credential_verify(credential=squatter_license, actor=reviewer, source="board lookup")
    with pytest.raises(IntegrityError), transaction.atomic():
        License.objects.filter(pk=squatter_license.pk).update(verification_state="verified", verified_at=timezone.now())


def test_a_verified_license_still_blocks_a_new_listing_with_its_number():
    LicenseFactory(number="AC777000")  # verified, on someone's listing
    with pytest.raises(ValidationError, match="already verified on a Meridian listing"):
        services.listing_create(
            user=VerifiedUserFactory(),
            name="Copycat",
            display_credentials="",
            license_state=StateBoard.objects.get(state="CA"),
            license_number="ac 777000",
            license_title="L.Ac.",
            license_expiry_date=timezone.localdate() + datetime.timedelta(days=300),
        )


def test_staff_see_the_conflict_in_the_claim_queue_and_on_the_credential_page(client, squatted, reviewer):
    imported = PractitionerFactory(owner=None, name="Imported Listing")
    license = LicenseFactory(practitioner=imported, number="AC555000", verification_state="pending", verified_at=None)
    ClaimFactory(practitioner=imported, license_number="AC555000")
    client.force_login(reviewer)
    queue = client.get(reverse("admin:dashboard_pendingclaim_changelist")).text
    assert "Squatter" in queue and reverse("admin:practitioners_practitioner_change", args=[squatted.pk]) in queue
    page = client.get(reverse("admin:practitioners_license_change", args=[license.pk]))
    assert page.status_code == 200
    assert "Same license on other listings" in page.text and "Squatter" in page.text
