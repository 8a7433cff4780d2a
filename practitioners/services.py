"""Writes with rules for listings and credentials.

Every change of a credential's verification state goes through
`credential_transition`, which changes the credential and appends a
VerificationRecord in one transaction. The named actions below
(`credential_submit`, `credential_verify`, …) are what views, admin actions
and commands call.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .models import Certification, Degree, License, VerificationRecord, VerificationState

Credential = License | Certification | Degree

SYSTEM_ACTOR_LABEL = "Meridian system"

# Which states each state may move to. Anything else is refused.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    VerificationState.UNVERIFIED: frozenset({VerificationState.PENDING, VerificationState.VERIFIED, VerificationState.REJECTED}),
    VerificationState.PENDING: frozenset({VerificationState.VERIFIED, VerificationState.REJECTED, VerificationState.PENDING}),
    VerificationState.VERIFIED: frozenset(
        {VerificationState.PENDING, VerificationState.EXPIRED, VerificationState.REVOKED, VerificationState.VERIFIED}
    ),
    VerificationState.REJECTED: frozenset({VerificationState.PENDING, VerificationState.VERIFIED}),
    VerificationState.EXPIRED: frozenset({VerificationState.PENDING, VerificationState.VERIFIED}),
    VerificationState.REVOKED: frozenset({VerificationState.PENDING, VerificationState.VERIFIED}),
}


def actor_label(actor: User | None) -> str:
    if actor is None:
        return SYSTEM_ACTOR_LABEL
    return actor.get_full_name() or actor.email


def credential_transition(
    *,
    credential: Credential,
    new_state: str,
    actor: User | None,
    source: str = "",
    note: str = "",
    changes: dict | None = None,
) -> VerificationRecord:
    """Move a credential to `new_state`, apply `changes` to its fields, and record the decision.

    `actor=None` means the system (expiry job, imports). Raises ValidationError for
    a transition the state machine does not allow or for invalid field changes;
    nothing is written in that case.
    """
    if new_state not in ALLOWED_TRANSITIONS:
        raise ValidationError({"verification_state": f"Unknown verification state {new_state!r}."})
    with transaction.atomic():
        locked = type(credential).objects.select_for_update().get(pk=credential.pk)
        old_state = locked.verification_state
        if new_state not in ALLOWED_TRANSITIONS[old_state]:
            raise ValidationError(
                {"verification_state": f"A credential that is {old_state} cannot become {new_state}."}
            )
        for field, value in (changes or {}).items():
            setattr(locked, field, value)
        now = timezone.now()
        locked.verification_state = new_state
        if new_state == VerificationState.VERIFIED:
            locked.verified_at = now
            locked.verified_by = actor
            locked.verification_source = source
            locked.rejection_reason = ""
        elif new_state == VerificationState.PENDING:
            locked.submitted_at = now
            locked.rejection_reason = ""
        elif new_state == VerificationState.REJECTED:
            locked.rejection_reason = note
        locked.full_clean()
        locked.save()
        record = VerificationRecord(
            practitioner_id=locked.practitioner_id,
            credential_type=ContentType.objects.get_for_model(type(locked)),
            credential_id=locked.pk,
            credential_label=str(locked)[:200],
            old_state=old_state,
            new_state=new_state,
            actor=actor,
            actor_label=actor_label(actor),
            source=source,
            note=note,
            created_at=now,
        )
        record.full_clean()
        record.save()
    # Keep the caller's instance in step with what was saved.
    for field in ("verification_state", "verified_at", "verified_by", "verification_source", "rejection_reason", "submitted_at"):
        setattr(credential, field, getattr(locked, field))
    for field in changes or {}:
        setattr(credential, field, getattr(locked, field))
    return record


def credential_submit(*, credential: Credential, actor: User | None) -> VerificationRecord:
    """Put a credential in the verification queue."""
    return credential_transition(credential=credential, new_state=VerificationState.PENDING, actor=actor)
