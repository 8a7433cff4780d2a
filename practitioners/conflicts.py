"""Conflicts of interest: nobody decides on their own listing, credential, claim or review.

SPEC (credential reviewer): "never decide on their own listing, credential, claim or review
(conflict of interest: another reviewer must)" — superusers included. This module is the one
statement of what "own" means; every decision service (credential decisions in
`verification.services`, claim decisions in `dashboard.services`, moderation in
`reviews.services`) asks it, and the admin asks it to replace the decision buttons with the reason.

"Own":
- a credential: it belongs to a listing the actor owns;
- a claim: the actor made it, or it is on a listing the actor owns;
- a review: the actor wrote it, or it is about a listing the actor owns;
- a spam report on a contact request: the actor is the reported patient, or owns the reporting listing.

Pure functions over ids: the caller reads the ids from the database (fresh, inside its
transaction), so a decision can't slip past with a stale instance.
"""

from django.core.exceptions import PermissionDenied

ANOTHER_REVIEWER = "another reviewer must"


class ConflictOfInterest(PermissionDenied):
    """The actor may decide on this kind of thing in general, but not on this one: it is theirs."""


def _reason(what: str) -> str:
    return f"You cannot decide on {what} — {ANOTHER_REVIEWER}."


def credential_conflict(*, actor_id: int | None, listing_owner_id: int | None) -> str | None:
    """Why `actor_id` may not decide on a credential of the listing kept by `listing_owner_id`, or None."""
    if actor_id is not None and actor_id == listing_owner_id:
        return _reason("your own credential")
    return None


def claim_conflict(*, actor_id: int | None, claimant_id: int | None, listing_owner_id: int | None) -> str | None:
    """Why `actor_id` may not decide on a listing claim, or None."""
    if actor_id is None:
        return None
    if actor_id == claimant_id:
        return _reason("your own claim")
    if actor_id == listing_owner_id:
        return _reason("a claim on your own listing")
    return None


def review_conflict(*, actor_id: int | None, author_id: int | None, listing_owner_id: int | None) -> str | None:
    """Why `actor_id` may not moderate a review (publish, reject, remove, resolve a report), or None."""
    if actor_id is None:
        return None
    if actor_id == author_id:
        return _reason("your own review")
    if actor_id == listing_owner_id:
        return _reason("a review of your own listing")
    return None


def spam_report_conflict(*, actor_id: int | None, patient_id: int | None, listing_owner_id: int | None) -> str | None:
    """Why `actor_id` may not resolve a spam report on a contact request, or None."""
    if actor_id is None:
        return None
    if actor_id == patient_id:
        return _reason("a report about you")
    if actor_id == listing_owner_id:
        return _reason("a report your own listing made")
    return None


def require_no_conflict(reason: str | None) -> None:
    """Raise ConflictOfInterest with `reason` (from one of the functions above) when there is one."""
    if reason is not None:
        raise ConflictOfInterest(reason)
