"""templates/partials/verification_state.html: one template, two audiences (the public profile, the practitioner)."""

import datetime
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string


def render(state: str, reason: str = "", **context) -> str:
    cred = SimpleNamespace(
        verification_state=state,
        verified_at=datetime.date(2026, 1, 2),
        submitted_at=datetime.date(2026, 1, 1),
        rejection_reason=reason,
    )
    return " ".join(render_to_string("partials/verification_state.html", {"cred": cred, **context}).split())


@pytest.mark.parametrize(
    ("state", "current", "public"),
    [
        ("verified", True, '<span class="vstate vstate-verified">Verified by Meridian on Jan. 2, 2026</span>'),
        ("verified", False, '<span class="vstate vstate-stale">Verified on Jan. 2, 2026, but no longer current</span>'),
        ("pending", True, '<span class="vstate vstate-pending">Verification pending</span>'),
        ("rejected", True, '<span class="vstate vstate-rejected">Could not be verified</span>'),
        ("expired", True, '<span class="vstate vstate-rejected">Expired</span>'),
        ("revoked", True, '<span class="vstate vstate-rejected">Verification revoked</span>'),
        ("unverified", True, '<span class="vstate vstate-pending">Not yet verified</span>'),
    ],
)
def test_the_public_sees_the_state_and_never_the_reviewers_reason(state, current, public):
    assert render(state, "Number not on the roster", current=current) == public


@pytest.mark.parametrize(
    ("state", "owner"),
    [
        ("verified", '<span class="vstate vstate-verified">Verified Jan. 2, 2026</span>'),
        ("pending", '<span class="vstate vstate-pending">Waiting for verification (submitted Jan. 1, 2026)</span>'),
        (
            "rejected",
            '<span class="vstate vstate-rejected">Could not be verified</span> <span class="rejection-reason">'
            "Reason from our staff: Number not on the roster</span> Correct it and save to submit it again.",
        ),
        (
            "revoked",
            '<span class="vstate vstate-rejected">Verification withdrawn</span> <span class="rejection-reason">'
            "Reason from our staff: Number not on the roster</span>",
        ),
        (
            "expired",
            '<span class="vstate vstate-rejected">Expired</span> Enter the renewed dates and save to submit it again.',
        ),
        ("unverified", '<span class="vstate vstate-pending">Not yet submitted</span>'),
    ],
)
def test_the_practitioner_sees_the_reason_and_what_to_do(state, owner):
    assert render(state, "Number not on the roster", for_owner=True) == owner


def test_no_reason_no_reason_line():
    assert "rejection-reason" not in render("revoked", "", for_owner=True)
