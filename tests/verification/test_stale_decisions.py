"""A decision applies to the exact version of the credential the reviewer saw (issue 11, item 3)."""

import datetime
import re

import pytest
from django.urls import reverse

from dashboard.services import credential_edit
from practitioners.models import VerificationRecord
from tests.factories import LicenseFactory, ReviewerFactory, owned_listing
from verification.services import (
    CredentialChanged,
    credential_mark_restricted,
    credential_verify,
    license_apply_roster,
)

pytestmark = pytest.mark.django_db

BOARD = "https://search.dca.ca.gov/"


@pytest.fixture
def pending():
    listing = owned_listing(status="draft")
    return LicenseFactory(
        practitioner=listing,
        number="AC111111",
        expiry_date=datetime.date(2027, 6, 30),
        verification_state="pending",
        verified_at=None,
    )


def test_reviewer_opens_practitioner_edits_reviewer_submits_refused_and_the_log_shows_the_edit(client, pending):
    reviewer = ReviewerFactory()
    client.force_login(reviewer)
    page = client.get(reverse("admin:practitioners_license_change", args=[pending.pk])).text
    seen = re.search(r'name="verify-version" value="(\d+)"', page).group(1)
    assert "AC111111" in page

    credential_edit(
        credential=pending,
        actor=pending.practitioner.owner,
        changes={"number": "AC999999", "expiry_date": datetime.date(2029, 1, 31)},
    )

    response = client.post(
        reverse("admin:practitioners_license_decide", args=[pending.pk]),
        {"decision": "verify", "verify-version": seen, "verify-source": BOARD},
        follow=True,
    )
    assert "This credential changed since you opened it." in response.text
    assert "AC999999" in response.text  # the current values are shown
    pending.refresh_from_db()
    assert (pending.verification_state, pending.verified_by_id, pending.number) == ("pending", None, "AC999999")
    (edit,) = VerificationRecord.objects.filter(credential_id=pending.pk, note__startswith="Details changed")
    assert (edit.old_state, edit.new_state, edit.actor) == ("pending", "pending", pending.practitioner.owner)
    assert "number: AC111111 → AC999999" in edit.note
    assert "expiry_date: 2027-06-30 → 2029-01-31" in edit.note
    assert not VerificationRecord.objects.filter(credential_id=pending.pk, new_state="verified").exists()

    # Looking again shows the new version; deciding on it works.
    page = client.get(reverse("admin:practitioners_license_change", args=[pending.pk])).text
    current = re.search(r'name="verify-version" value="(\d+)"', page).group(1)
    assert int(current) == int(seen) + 1
    client.post(
        reverse("admin:practitioners_license_decide", args=[pending.pk]),
        {"decision": "verify", "verify-version": current, "verify-source": BOARD},
    )
    pending.refresh_from_db()
    assert pending.verification_state == "verified"


def test_a_decision_that_names_no_version_is_refused(client, pending):
    client.force_login(ReviewerFactory())
    response = client.post(
        reverse("admin:practitioners_license_decide", args=[pending.pk]), {"decision": "verify", "verify-source": BOARD}
    )
    assert response.status_code == 200
    assert "The decision was not recorded" in response.text
    pending.refresh_from_db()
    assert pending.verification_state == "pending"


def test_every_change_of_the_details_raises_the_version(pending):
    reviewer = ReviewerFactory()
    versions = [pending.version]
    credential_edit(credential=pending, actor=pending.practitioner.owner, changes={"title": "Ac."})
    versions.append(pending.version)
    credential_mark_restricted(credential=pending, actor=reviewer, source=BOARD)
    versions.append(pending.version)
    # A state change alone does not: the details the reviewer saw are the same.
    credential_verify(credential=pending, actor=reviewer, source=BOARD, expected_version=3)
    pending.refresh_from_db()
    versions.append(pending.version)
    license_apply_roster(license_id=pending.pk, board_status="delinquent", expiry_date=None, source="CA roster")
    pending.refresh_from_db()
    versions.append(pending.version)
    assert versions == [1, 2, 3, 3, 4]


def test_the_service_refuses_an_older_version_under_the_lock(pending):
    reviewer = ReviewerFactory()
    seen = pending.version
    credential_edit(credential=pending, actor=pending.practitioner.owner, changes={"number": "AC222222"})
    with pytest.raises(CredentialChanged, match=r"changed since you opened it.*AC222222"):
        credential_verify(credential=pending, actor=reviewer, source=BOARD, expected_version=seen)
    pending.refresh_from_db()
    assert pending.verification_state == "pending"
