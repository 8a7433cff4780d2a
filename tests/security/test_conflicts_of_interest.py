"""No one, superusers included, decides on their own listing, credential, claim or review.

The admin doors are in `test_authorization_matrix.py` (the "acting on one's own object" column);
these are the rule itself, the services called directly, and what the admin shows instead of
the decision buttons.
"""

import pytest
from django.urls import reverse

from dashboard.services import claim_approve
from practitioners.conflicts import ConflictOfInterest, claim_conflict, credential_conflict, review_conflict
from practitioners.models import VerificationRecord
from reviews.services import review_publish, review_report_resolve
from tests.factories import (
    ClaimFactory,
    LicenseFactory,
    PractitionerFactory,
    ReviewerFactory,
    ReviewFactory,
    ReviewReportFactory,
    UserFactory,
    owned_listing,
)
from verification.services import credential_mark_restricted, credential_verify, credentials_decide_bulk

pytestmark = pytest.mark.django_db

BOARD = "https://search.dca.ca.gov/"


def test_the_rule_names_each_sense_of_own():
    assert credential_conflict(actor_id=1, listing_owner_id=1) == (
        "You cannot decide on your own credential — another reviewer must."
    )
    assert credential_conflict(actor_id=1, listing_owner_id=2) is None
    assert credential_conflict(actor_id=1, listing_owner_id=None) is None
    assert "your own claim" in claim_conflict(actor_id=1, claimant_id=1, listing_owner_id=None)
    assert "a claim on your own listing" in claim_conflict(actor_id=1, claimant_id=2, listing_owner_id=1)
    assert claim_conflict(actor_id=1, claimant_id=2, listing_owner_id=None) is None
    assert "your own review" in review_conflict(actor_id=1, author_id=1, listing_owner_id=2)
    assert "a review of your own listing" in review_conflict(actor_id=1, author_id=2, listing_owner_id=1)
    assert review_conflict(actor_id=1, author_id=2, listing_owner_id=3) is None
    # The system (expiry job, imports) is nobody's own.
    assert credential_conflict(actor_id=None, listing_owner_id=None) is None


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


def test_a_superuser_cannot_verify_or_restrict_a_license_of_their_own_listing(superuser):
    own = LicenseFactory(practitioner=owned_listing(superuser), verification_state="pending", verified_at=None)
    records = VerificationRecord.objects.count()
    with pytest.raises(ConflictOfInterest, match="another reviewer must"):
        credential_verify(credential=own, actor=superuser, source=BOARD)
    with pytest.raises(ConflictOfInterest):
        credential_mark_restricted(credential=own, actor=superuser, source=BOARD)
    own.refresh_from_db()
    assert (own.verification_state, own.restricted) == ("pending", False)
    assert VerificationRecord.objects.count() == records
    # Another reviewer may.
    credential_verify(credential=own, actor=ReviewerFactory(), source=BOARD)
    own.refresh_from_db()
    assert own.verification_state == "verified"


def test_the_owner_is_read_fresh_not_from_the_callers_instance():
    reviewer = ReviewerFactory()
    listing = PractitionerFactory(owner=None, status="draft")
    lic = LicenseFactory(practitioner=listing, verification_state="pending", verified_at=None)
    listing.owner = reviewer  # the listing became theirs after the page was loaded
    listing.save(update_fields=["owner"])
    stale = type(lic).objects.get(pk=lic.pk)
    stale.practitioner.owner_id = None
    with pytest.raises(ConflictOfInterest):
        credential_verify(credential=stale, actor=reviewer, source=BOARD)


def test_bulk_decisions_skip_and_report_ones_own_and_decide_the_others():
    reviewer = ReviewerFactory()
    own = LicenseFactory(practitioner=owned_listing(reviewer), verification_state="pending", verified_at=None)
    other = LicenseFactory(practitioner=owned_listing(), verification_state="pending", verified_at=None)
    outcome = credentials_decide_bulk(credentials=[own, other], decision="verify", actor=reviewer, source=BOARD)
    assert outcome.done == [other]
    assert [(c, "another reviewer must" in reason) for c, reason in outcome.skipped] == [(own, True)]
    assert outcome.failed == []
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.verification_state, other.verification_state) == ("pending", "verified")


def test_a_reviewer_cannot_approve_their_own_claim():
    reviewer = ReviewerFactory()
    listing = PractitionerFactory(owner=None)
    lic = LicenseFactory(practitioner=listing)
    claim = ClaimFactory(practitioner=listing, user=reviewer, license_number=lic.number)
    with pytest.raises(ConflictOfInterest, match="your own claim"):
        claim_approve(claim=claim, actor=reviewer)
    claim.refresh_from_db()
    listing.refresh_from_db()
    assert (claim.status, listing.owner_id) == ("pending", None)


def test_a_moderator_cannot_publish_their_own_review_or_keep_a_reported_review_of_their_listing():
    moderator = ReviewerFactory()
    mine = ReviewFactory(author=moderator, practitioner=owned_listing(), state="pending")
    with pytest.raises(ConflictOfInterest, match="your own review"):
        review_publish(review=mine, moderator=moderator)
    mine.refresh_from_db()
    assert mine.state == "pending"
    about_me = review_publish(review=ReviewFactory(practitioner=owned_listing(moderator)), moderator=ReviewerFactory())
    report = ReviewReportFactory(review=about_me)
    with pytest.raises(ConflictOfInterest, match="a review of your own listing"):
        review_report_resolve(report=report, moderator=moderator, remove_review=False)
    report.refresh_from_db()
    assert report.resolved_at is None


def test_the_credential_page_shows_the_reason_instead_of_the_decision_buttons(client):
    reviewer = ReviewerFactory()
    own = LicenseFactory(practitioner=owned_listing(reviewer), verification_state="pending", verified_at=None)
    other = LicenseFactory(practitioner=owned_listing(), verification_state="pending", verified_at=None)
    client.force_login(reviewer)
    page = client.get(reverse("admin:practitioners_license_change", args=[own.pk])).text
    assert "You cannot decide on your own credential — another reviewer must." in page
    assert 'name="decision"' not in page
    assert 'name="decision"' in client.get(reverse("admin:practitioners_license_change", args=[other.pk])).text
    # The queue lists it with the reason and no checkbox.
    queue = client.get(reverse("admin:practitioners_verificationqueue_changelist")).text
    assert f'value="license:{other.pk}"' in queue
    assert f'value="license:{own.pk}"' not in queue
    assert "another reviewer must" in queue


def test_the_claim_and_review_pages_say_why_the_actions_will_be_refused(client):
    reviewer = ReviewerFactory()
    claim = ClaimFactory(user=reviewer)
    review = ReviewFactory(author=reviewer, practitioner=owned_listing())
    client.force_login(reviewer)
    claim_page = client.get(reverse("admin:dashboard_pendingclaim_change", args=[claim.pk])).text
    assert "You cannot decide on your own claim — another reviewer must." in claim_page
    review_page = client.get(reverse("admin:reviews_review_change", args=[review.pk])).text
    assert "You cannot decide on your own review — another reviewer must." in review_page
