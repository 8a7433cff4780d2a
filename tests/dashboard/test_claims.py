"""Claiming an existing listing: the claimant's side, the rules, and staff approval in the admin."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dashboard import services
from dashboard.models import Claim
from practitioners.models import Practitioner, StateBoard
from tests.factories import (
    ClaimFactory,
    LicenseFactory,
    LocationFactory,
    PractitionerFactory,
    UserFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def unclaimed():
    listing = PractitionerFactory(name="Ana Ruiz", slug="ana-ruiz", owner=None, npi="1234567890")
    LocationFactory(practitioner=listing, is_primary=True)
    LicenseFactory(practitioner=listing, number="AC012345")
    return listing


@pytest.fixture
def claimant(client):
    user = VerifiedUserFactory(email="ana@example.com")
    client.force_login(user)
    return user


@pytest.fixture
def reviewer():
    user = UserFactory(is_staff=True, email="staff@example.com")
    user.user_permissions.add(
        Permission.objects.get(codename="change_claim"), Permission.objects.get(codename="view_claim")
    )
    return user


def ca() -> StateBoard:
    return StateBoard.objects.get(state="CA")


# ---------------------------------------------------------------- claimant


def test_search_finds_unclaimed_listings_only(client, claimant, unclaimed):
    PractitionerFactory(name="Ana Kept", owner=VerifiedUserFactory())
    page = client.get(reverse("dashboard:claim_search"), {"q": "ana"}).text
    assert "Ana Ruiz" in page
    assert "Ana Kept" not in page
    assert reverse("dashboard:claim_new", args=["ana-ruiz"]) in page


def test_claim_form_creates_a_pending_claim(client, claimant, unclaimed):
    response = client.post(
        reverse("dashboard:claim_new", args=["ana-ruiz"]),
        {"license_state": "CA", "license_number": "ac 012345", "message": "Call me at the clinic."},
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert (claim.user, claim.practitioner, claim.status) == (claimant, unclaimed, "pending")
    unclaimed.refresh_from_db()
    assert unclaimed.owner is None  # nothing to edit until staff approve
    home = client.get(reverse("dashboard:home")).text
    assert "Your claim is awaiting review" in home
    assert client.get(reverse("dashboard:listing_edit")).status_code == 302


def test_a_claim_needs_a_license_number(client, claimant, unclaimed):
    response = client.post(reverse("dashboard:claim_new", args=["ana-ruiz"]), {"license_state": "CA"})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not Claim.objects.exists()


def test_one_pending_claim_per_account(claimant, unclaimed):
    other = PractitionerFactory(owner=None)
    services.claim_create(user=claimant, practitioner=unclaimed, license_state=ca(), license_number="AC012345")
    with pytest.raises(ValidationError, match="already have a claim"):
        services.claim_create(user=claimant, practitioner=other, license_state=ca(), license_number="X1")
    assert Claim.objects.count() == 1


def test_database_refuses_a_second_pending_claim(claimant, unclaimed):
    ClaimFactory(user=claimant, practitioner=unclaimed)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            user=claimant, practitioner=PractitionerFactory(owner=None), license_state=ca(), license_number="X"
        )


def test_cannot_claim_a_kept_listing_or_keep_two(claimant, unclaimed):
    kept = PractitionerFactory(owner=VerifiedUserFactory())
    with pytest.raises(ValidationError, match="already kept"):
        services.claim_create(user=claimant, practitioner=kept, license_state=ca(), license_number="AC1")
    PractitionerFactory(owner=claimant)
    with pytest.raises(ValidationError, match="already keeps a listing"):
        services.claim_create(user=claimant, practitioner=unclaimed, license_state=ca(), license_number="AC012345")


def test_unconfirmed_email_cannot_claim(unclaimed):
    user = UserFactory()
    with pytest.raises(PermissionDenied):
        services.claim_create(user=user, practitioner=unclaimed, license_state=ca(), license_number="AC012345")


def test_kept_listing_has_no_claim_page(client, claimant):
    kept = PractitionerFactory(owner=VerifiedUserFactory())
    assert client.get(reverse("dashboard:claim_new", args=[kept.slug])).status_code == 404


def test_claimant_can_withdraw_only_their_own_claim(client, claimant, unclaimed):
    mine = ClaimFactory(user=claimant, practitioner=unclaimed)
    theirs = ClaimFactory(practitioner=unclaimed)
    assert client.post(reverse("dashboard:claim_withdraw", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("dashboard:claim_withdraw", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("withdrawn", "pending")


# ---------------------------------------------------------------- staff


def test_approval_sets_the_owner_when_the_license_matches(reviewer, unclaimed, django_capture_on_commit_callbacks):
    claim = ClaimFactory(practitioner=unclaimed, license_number="ac 012345", proven=True)
    rival = ClaimFactory(practitioner=unclaimed, license_number="AC012345")
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_approve(claim=claim, actor=reviewer)
    unclaimed.refresh_from_db()
    claim.refresh_from_db()
    rival.refresh_from_db()
    assert unclaimed.owner == claim.user
    assert (claim.status, claim.reviewed_by, claim.reviewed_at is not None) == ("approved", reviewer, True)
    assert rival.status == "rejected" and rival.note
    assert [m.to for m in mail.outbox] == [[claim.user.email]]
    assert "yours to keep" in mail.outbox[0].subject


def test_approval_refused_when_the_license_is_not_on_the_listing(reviewer, unclaimed):
    claim = ClaimFactory(practitioner=unclaimed, license_number="AC999999", proven=True)
    other_state = ClaimFactory(
        practitioner=unclaimed, license_number="AC012345", license_state=StateBoard.objects.get(state="NY"), proven=True
    )
    for bad in (claim, other_state):
        with pytest.raises(ValidationError, match="not on this listing"):
            services.claim_approve(claim=bad, actor=reviewer)
    unclaimed.refresh_from_db()
    assert unclaimed.owner is None
    assert set(Claim.objects.values_list("status", flat=True)) == {"pending"}


def test_only_claim_reviewers_decide(unclaimed):
    claim = ClaimFactory(practitioner=unclaimed, license_number="AC012345")
    for actor in (claim.user, UserFactory(is_staff=True)):
        with pytest.raises(PermissionDenied):
            services.claim_approve(claim=claim, actor=actor)
    assert Practitioner.objects.get(pk=unclaimed.pk).owner is None


def test_rejection_needs_a_note_which_the_claimant_sees(
    client, reviewer, unclaimed, django_capture_on_commit_callbacks
):
    claim = ClaimFactory(practitioner=unclaimed)
    with pytest.raises(ValidationError):
        services.claim_reject(claim=claim, actor=reviewer, note="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_reject(claim=claim, actor=reviewer, note="The board lists a different name.")
    client.force_login(claim.user)
    assert "The board lists a different name." in client.get(reverse("dashboard:home")).text
    assert "different name" in mail.outbox[0].body


def test_a_claimed_draft_with_verified_license_is_published_on_approval(reviewer):
    draft = PractitionerFactory(owner=None, status="draft")
    LocationFactory(practitioner=draft)
    LicenseFactory(practitioner=draft, number="AC777")
    claim = ClaimFactory(practitioner=draft, license_number="AC777", proven=True)
    services.claim_approve(claim=claim, actor=reviewer)
    draft.refresh_from_db()
    assert draft.status == "published"


def test_admin_queue_lists_pending_claims_and_approves_them(client, reviewer, unclaimed):
    pending = ClaimFactory(practitioner=unclaimed, license_number="AC012345", proven=True)
    ClaimFactory(practitioner=PractitionerFactory(owner=None), status="withdrawn")
    client.force_login(reviewer)
    queue = client.get(reverse("admin:dashboard_pendingclaim_changelist"))
    assert queue.status_code == 200
    assert "claims awaiting review" in queue.text.lower()
    assert queue.text.count('name="_selected_action"') == 1
    response = client.post(
        reverse("admin:dashboard_pendingclaim_changelist"),
        {"action": "approve_claims", "_selected_action": [pending.pk]},
    )
    assert response.status_code == 302
    unclaimed.refresh_from_db()
    assert unclaimed.owner == pending.user


def test_admin_reject_action_asks_for_a_note(client, reviewer, unclaimed):
    pending = ClaimFactory(practitioner=unclaimed)
    client.force_login(reviewer)
    url = reverse("admin:dashboard_pendingclaim_changelist")
    confirm = client.post(url, {"action": "reject_claims", "_selected_action": [pending.pk]})
    assert confirm.status_code == 200 and "Why (the claimant sees this)" in confirm.text
    client.post(url, {"action": "reject_claims", "_selected_action": [pending.pk], "apply": "1", "note": "No match."})
    pending.refresh_from_db()
    assert (pending.status, pending.note) == ("rejected", "No match.")


def test_admin_claim_pages_need_the_claim_permission(client, unclaimed):
    ClaimFactory(practitioner=unclaimed)
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:dashboard_pendingclaim_changelist")).status_code == 403


# ---------------------------------------------------------------- stale claims (issue 11, item 10)


def test_a_stale_claim_cannot_take_over_a_listing_given_an_owner_meanwhile(reviewer, unclaimed):
    claim = ClaimFactory(practitioner=unclaimed, license_number="AC012345", proven=True)
    keeper = VerifiedUserFactory()
    Practitioner.objects.filter(pk=unclaimed.pk).update(owner=keeper)  # staff set the owner in the admin
    with pytest.raises(ValidationError, match="already has an owner") as refused:
        services.claim_approve(claim=claim, actor=reviewer)
    assert "Nothing was changed" in refused.value.messages[0]
    unclaimed.refresh_from_db()
    claim.refresh_from_db()
    assert unclaimed.owner == keeper
    assert (claim.status, claim.reviewed_by) == ("pending", None)


def test_a_stale_claim_is_refused_when_the_claimant_got_another_listing(reviewer, unclaimed):
    claim = ClaimFactory(practitioner=unclaimed, license_number="AC012345", proven=True)
    elsewhere = PractitionerFactory(owner=claim.user)
    with pytest.raises(ValidationError, match="already keeps another listing"):
        services.claim_approve(claim=claim, actor=reviewer)
    unclaimed.refresh_from_db()
    assert unclaimed.owner is None
    assert Practitioner.objects.get(owner=claim.user) == elsewhere


def test_the_one_listing_per_account_constraint_answers_with_a_refusal_not_a_crash(reviewer, unclaimed, monkeypatch):
    """Between the check and the save another listing can become the claimant's: the
    database's one-owner constraint then refuses, and the reviewer gets a message."""
    claim = ClaimFactory(practitioner=unclaimed, license_number="AC012345", proven=True)
    PractitionerFactory(owner=claim.user)
    monkeypatch.setattr(services, "_ownership_refusal", lambda **kwargs: None)  # the check lost the race
    with pytest.raises(ValidationError, match="already keeps another listing"):
        services.claim_approve(claim=claim, actor=reviewer)
    claim.refresh_from_db()
    assert claim.status == "pending"
    assert Practitioner.objects.get(pk=unclaimed.pk).owner is None


def test_admin_approve_action_shows_the_refusal_for_a_stale_claim(client, reviewer, unclaimed):
    claim = ClaimFactory(practitioner=unclaimed, license_number="AC012345", proven=True)
    keeper = VerifiedUserFactory()
    Practitioner.objects.filter(pk=unclaimed.pk).update(owner=keeper)
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:dashboard_pendingclaim_changelist"),
        {"action": "approve_claims", "_selected_action": [claim.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "already has an owner" in response.text
    assert Practitioner.objects.get(pk=unclaimed.pk).owner == keeper
