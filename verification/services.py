"""Writes with rules for credentials: the verification state machine and its decisions.

Every change of a credential's verification state goes through
`credential_transition`, which changes the credential and appends a
VerificationRecord in one transaction. The named actions below
(`credential_submit`, `credential_verify`, …) are what views, admin actions
and commands call.

Emails to the practitioner about a decision are sent only after the
transaction commits (`transaction.on_commit`), so a rolled-back decision never
emails anyone.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from practitioners.conflicts import ConflictOfInterest, credential_conflict, require_no_conflict
from practitioners.models import (
    CREDENTIAL_BOOKKEEPING_FIELDS,
    Certification,
    Degree,
    License,
    Practitioner,
    VerificationRecord,
    VerificationState,
)
from practitioners.search_rows import lock_listings, search_rows_changed
from practitioners.services import for_history, practitioner_publish_if_verified, require_staff

from . import notifications
from .roster import ROSTER_VERIFIABLE_STATES, RosterAction

Credential = License | Certification | Degree
CREDENTIAL_MODELS: tuple[type[models.Model], ...] = (License, Certification, Degree)

SYSTEM_ACTOR_LABEL = "Meridian system"

# Which states each state may move to. Anything else is refused.
# verified → verified is a re-check by a reviewer: it refreshes who verified it, when and against what.
# A recorded change that keeps the state (a restriction, a roster update) passes `new_state=None`.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    VerificationState.UNVERIFIED: frozenset(
        {VerificationState.PENDING, VerificationState.VERIFIED, VerificationState.REJECTED}
    ),
    VerificationState.PENDING: frozenset({VerificationState.VERIFIED, VerificationState.REJECTED}),
    VerificationState.VERIFIED: frozenset(
        {VerificationState.PENDING, VerificationState.EXPIRED, VerificationState.REVOKED, VerificationState.VERIFIED}
    ),
    VerificationState.REJECTED: frozenset({VerificationState.PENDING, VerificationState.VERIFIED}),
    VerificationState.EXPIRED: frozenset({VerificationState.PENDING, VerificationState.VERIFIED}),
    VerificationState.REVOKED: frozenset({VerificationState.PENDING, VerificationState.VERIFIED}),
}

# The details a practitioner states about each kind of credential (dashboard edits).
# All of them identify the credential or state its standing, so changing any of
# them on a verified credential sends it back to the queue: a practitioner's own
# word never keeps (or creates) a badge. Board/NCCAOM status is included for the
# same reason: "inactive" → "active" must not re-light a badge unchecked.
DETAIL_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    License: ("state", "number", "title", "issue_date", "expiry_date", "board_status"),
    Certification: ("cert_type", "number", "issue_date", "expiry_date", "status"),
    Degree: ("school", "degree", "graduation_year"),
}
# Of those, the board's or NCCAOM's standing: staff and the roster record it; the practitioner's form leaves it out.
STANDING_FIELDS = frozenset({"board_status", "status"})


class CredentialChanged(ValidationError):
    """The credential's details changed after the reviewer opened it: the decision is refused."""


STALE_MESSAGE = "This credential changed since you opened it."


def details_now(credential: Credential) -> str:
    """The credential's current details, for a reviewer who saw an older version."""
    return "; ".join(
        f"{credential._meta.get_field(name).verbose_name}: {_shown(getattr(credential, name))}"
        for name in DETAIL_FIELDS[type(credential)]
    )


def _shown(value: object) -> str:
    return "none" if value in (None, "") else str(value)


def actor_label(actor: User | None) -> str:
    if actor is None:
        return SYSTEM_ACTOR_LABEL
    return actor.get_full_name() or actor.email


def credential_transition(
    *,
    credential: Credential,
    new_state: str | None,
    actor: User | None,
    source: str = "",
    note: str = "",
    changes: dict | None = None,
    expected_version: int | None = None,
) -> VerificationRecord:
    """Move a credential to `new_state`, apply `changes` to its fields, and record the decision.

    `new_state=None` keeps the current state: a recorded change of fields only
    (restriction, board roster update, the practitioner's edit); verification
    bookkeeping is left alone. Any change of fields raises the credential's
    `version`. `expected_version` is the version a reviewer decided on: if the
    credential has another one now, CredentialChanged is raised under the row lock.
    `actor=None` means the system (expiry job, imports). Raises ValidationError for
    a transition the state machine does not allow or for invalid field changes;
    nothing is written in that case.
    """
    if new_state is not None and new_state not in ALLOWED_TRANSITIONS:
        raise ValidationError({"verification_state": f"Unknown verification state {new_state!r}."})
    with transaction.atomic():
        locked = type(credential).objects.select_for_update().get(pk=credential.pk)
        # Then the listing (credential first, listing second, as every credential write does), before
        # the record below references it: two decisions on one listing's credentials run one after
        # the other, and the search row refresh and a publication find the listing locked already.
        lock_listings([locked.practitioner_id])
        if expected_version is not None and locked.version != expected_version:
            raise CredentialChanged(f"{STALE_MESSAGE} Now: {details_now(locked)}.", code="stale")
        old_state = locked.verification_state
        if new_state is None:
            new_state = old_state
        elif new_state not in ALLOWED_TRANSITIONS[old_state]:
            raise ValidationError(
                {"verification_state": f"A credential that is {old_state} cannot become {new_state}."}
            )
        else:
            _apply_bookkeeping(locked, new_state=new_state, actor=actor, source=source, note=note)
        for name, value in (changes or {}).items():
            setattr(locked, name, value)
        if changes:
            locked.version += 1
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
            actor_label=actor_label(actor)[:100],
            source=source[:300],
            note=note,
            created_at=timezone.now(),
        )
        record.full_clean()
        record.save()
        # Trust facts filter, sort and count searches: the listing's search row now, and cached
        # searches must not keep the old ones.
        search_rows_changed([locked.practitioner_id])
    # Keep the caller's instance in step with what was saved.
    for name in (*CREDENTIAL_BOOKKEEPING_FIELDS, "version", *(changes or {})):
        setattr(credential, name, getattr(locked, name))
    credential.updated_at = locked.updated_at
    return record


def _apply_bookkeeping(locked: Credential, *, new_state: str, actor: User | None, source: str, note: str) -> None:
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
    elif new_state in (VerificationState.REJECTED, VerificationState.REVOKED):
        # The reason is shown to the practitioner on their dashboard and in the email.
        locked.rejection_reason = note


# ---------------------------------------------------------------- practitioner actions


def credential_submit(*, credential: Credential, actor: User | None) -> VerificationRecord:
    """Put a credential in the verification queue (from unverified, rejected, expired or revoked)."""
    if credential.verification_state == VerificationState.PENDING:
        raise ValidationError({"verification_state": "This credential is already waiting for verification."})
    if credential.verification_state == VerificationState.VERIFIED:
        raise ValidationError({"verification_state": "This credential is already verified."})
    return credential_transition(credential=credential, new_state=VerificationState.PENDING, actor=actor)


def _detail_changes(credential: Credential, changes: dict) -> dict:
    """The entries of `changes` that differ from what is stored, keyed for `setattr`.

    A foreign key may be given as an instance (`state=board`) or a primary key
    (`state="CA"`); both compare and are set by primary key.
    """
    allowed = DETAIL_FIELDS[type(credential)]
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError({name: "This field cannot be changed by the practitioner." for name in unknown})
    differing = {}
    for name, value in changes.items():
        model_field = credential._meta.get_field(name)
        if model_field.is_relation:
            proposed = value.pk if isinstance(value, models.Model) else value
            if str(getattr(credential, model_field.attname)) != str(proposed):
                differing[model_field.attname] = proposed
        else:
            if value == "" and model_field.null:
                value = None  # an emptied optional date
            if _differs(getattr(credential, name), value):
                differing[name] = value
    return differing


def _differs(current: object, proposed: object) -> bool:
    """Compare a stored value with a submitted one ("2026-01-31" equals date(2026, 1, 1) + 30 days)."""
    if current is None or proposed is None:
        return current is not proposed
    return str(current) != str(proposed)


def credential_update_details(
    *, credential: Credential, actor: User | None, changes: dict
) -> VerificationRecord | None:
    """Apply the details the practitioner now states about a credential.

    Only the fields in `DETAIL_FIELDS` may change (anything else raises
    ValidationError). Every real change is recorded in the verification log with
    the old and the new values, whatever the state, and raises the version, so a
    reviewer who opened the older version cannot decide on it. A verified
    credential goes back to pending; any other keeps its state. Returns the
    record, or None when nothing changed.
    """
    with transaction.atomic():
        locked = type(credential).objects.select_for_update().get(pk=credential.pk)
        differing = _detail_changes(locked, changes)
        if not differing:
            return None
        edits = "; ".join(
            f"{name.removesuffix('_id')}: {_shown(getattr(locked, name))} → {_shown(value)}"
            for name, value in differing.items()
        )
        if locked.verification_state == VerificationState.VERIFIED:
            return credential_transition(
                credential=credential,
                new_state=VerificationState.PENDING,
                actor=actor,
                note=f"Details changed after verification ({edits}). Needs checking again.",
                changes=differing,
            )
        return credential_transition(
            credential=credential, new_state=None, actor=actor, note=f"Details changed ({edits}).", changes=differing
        )


def credential_staff_delete(*, credential: Credential, actor: User) -> None:
    """Staff delete a credential in the admin (one entered twice, say). A verified one took its
    trust facts with it: the listing's search row is rebuilt in the same transaction. The change
    history keeps the deleted row; its VerificationRecords stay (they are the audit trail)."""
    require_staff(actor, f"practitioners.delete_{type(credential)._meta.model_name}")
    with transaction.atomic():
        locked = type(credential).objects.select_for_update().get(pk=credential.pk)
        for_history(locked, actor, "Deleted by staff")
        locked.delete()
        search_rows_changed([locked.practitioner_id])


# ---------------------------------------------------------------- reviewer decisions


def _notify_on_commit(*, credential: Credential, record: VerificationRecord, kind: str) -> None:
    transaction.on_commit(lambda: notifications.send_decision_email(credential=credential, record=record, kind=kind))


def credential_decision_conflict(*, credential: Credential, actor: User | None) -> str | None:
    """Why `actor` may not decide on `credential` (its listing is theirs), or None.

    The listing's owner is read from the database, not from the caller's instance.
    """
    if actor is None:
        return None
    owner_id = Practitioner.objects.filter(pk=credential.practitioner_id).values_list("owner_id", flat=True).first()
    return credential_conflict(actor_id=actor.pk, listing_owner_id=owner_id)


def _require_independent(credential: Credential, actor: User) -> None:
    """No one, superusers included, decides on a credential of their own listing."""
    require_no_conflict(credential_decision_conflict(credential=credential, actor=actor))


def credential_verify(
    *, credential: Credential, actor: User, source: str, note: str = "", expected_version: int | None = None
) -> VerificationRecord:
    """A reviewer checked the credential against `source` (e.g. the board lookup) and it holds.

    Verifying a license may publish the listing: see `practitioner_publish_if_verified`.
    Raises ConflictOfInterest when the credential is on the actor's own listing, and
    CredentialChanged when `expected_version` (what the reviewer saw) is no longer current.
    """
    _require_independent(credential, actor)
    source = (source or "").strip()
    if not source:
        raise ValidationError({"source": "Say what you checked the credential against (e.g. the board's lookup)."})
    with transaction.atomic():
        record = credential_transition(
            credential=credential,
            new_state=VerificationState.VERIFIED,
            actor=actor,
            source=source,
            note=note.strip(),
            expected_version=expected_version,
        )
        if isinstance(credential, License | Certification):
            # A license or registration, or an NCCAOM certification where no location's state licenses.
            practitioner_publish_if_verified(practitioner=credential.practitioner)
        _notify_on_commit(credential=credential, record=record, kind="verified")
    return record


# A refusal names its reason to the practitioner; rejecting a credential and revoking an earlier
# verification differ only in the state they lead to (the email says which).
REFUSAL_STATES = frozenset({VerificationState.REJECTED, VerificationState.REVOKED})


def credential_refuse(
    *,
    credential: Credential,
    actor: User,
    new_state: str,
    reason: str,
    source: str = "",
    expected_version: int | None = None,
) -> VerificationRecord:
    """Refuse a credential: `rejected` (it could not be verified) or `revoked` (an earlier
    verification is withdrawn: the board record changed, the evidence was wrong, …).

    The reason is shown to the practitioner and emailed to them.
    """
    if new_state not in REFUSAL_STATES:
        raise ValueError(f"A refusal leads to rejected or revoked, not {new_state!r}.")
    _require_independent(credential, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason; the practitioner sees it."})
    with transaction.atomic():
        record = credential_transition(
            credential=credential,
            new_state=new_state,
            actor=actor,
            source=source.strip(),
            note=reason,
            expected_version=expected_version,
        )
        _notify_on_commit(credential=credential, record=record, kind=new_state)
    return record


def credential_mark_restricted(
    *,
    credential: License,
    actor: User,
    source: str,
    note: str = "",
    restricted: bool = True,
    expected_version: int | None = None,
) -> VerificationRecord:
    """Record that the board restricted or disciplined a license (or lifted it with `restricted=False`).

    The verification state is kept; a restricted license never counts as current
    (`trust.current_license_q`), so the badge and the Medicare fact drop at once.
    """
    if not isinstance(credential, License):
        raise ValidationError("Only state licenses can be restricted or disciplined.")
    _require_independent(credential, actor)
    source = (source or "").strip()
    if not source:
        raise ValidationError({"source": "Say where the restriction or discipline is recorded."})
    if credential.restricted == restricted:
        state = "already marked restricted" if restricted else "not marked restricted"
        raise ValidationError({"restricted": f"This license is {state}."})
    with transaction.atomic():
        record = credential_transition(
            credential=credential,
            new_state=None,
            actor=actor,
            source=source,
            note=note.strip() or ("Marked restricted or disciplined." if restricted else "Restriction lifted."),
            changes={"restricted": restricted},
            expected_version=expected_version,
        )
        _notify_on_commit(credential=credential, record=record, kind="restricted" if restricted else "unrestricted")
    return record


def credential_expire(*, credential: License | Certification, today: datetime.date) -> VerificationRecord | None:
    """Move a verified credential past its expiry date to expired, as the system.

    Returns None (and writes nothing) when it is not verified or not yet past
    expiry, so running it twice is harmless.
    """
    with transaction.atomic():
        locked = type(credential).objects.select_for_update().get(pk=credential.pk)
        if locked.verification_state != VerificationState.VERIFIED or not _is_past_expiry(locked, today):
            return None
        record = credential_transition(
            credential=credential,
            new_state=VerificationState.EXPIRED,
            actor=None,
            source="Expiry date on file",
            note=f"Expired on {locked.expiry_date:%Y-%m-%d}.",
        )
        _notify_on_commit(credential=credential, record=record, kind="expired")
    return record


def _is_past_expiry(credential: License | Certification, today: datetime.date) -> bool:
    return credential.expiry_date is not None and credential.expiry_date < today


@dataclass
class BulkOutcome:
    done: list[Credential] = field(default_factory=list)
    failed: list[tuple[Credential, str]] = field(default_factory=list)
    # The actor's own credentials: not decided, with the reason (another reviewer must).
    skipped: list[tuple[Credential, str]] = field(default_factory=list)


def credentials_decide_bulk(
    *,
    credentials: Iterable[Credential],
    decision: str,
    actor: User,
    source: str = "",
    note: str = "",
    versions: Mapping[Credential, int] | None = None,
) -> BulkOutcome:
    """Verify or reject several credentials. Each is its own transaction: one that cannot
    move (e.g. already verified by someone else, or changed since the reviewer saw the
    version given in `versions`) is reported in `failed`, one on the actor's own listing in
    `skipped`; the others still go through."""
    if decision not in ("verify", "reject"):
        raise ValueError(f"Unknown bulk decision {decision!r}.")
    versions = versions or {}
    outcome = BulkOutcome()
    for credential in credentials:
        expected_version = versions.get(credential)
        try:
            if decision == "verify":
                credential_verify(
                    credential=credential, actor=actor, source=source, note=note, expected_version=expected_version
                )
            else:
                credential_refuse(
                    credential=credential,
                    actor=actor,
                    new_state=VerificationState.REJECTED,
                    reason=note,
                    source=source,
                    expected_version=expected_version,
                )
        except ConflictOfInterest as exc:
            outcome.skipped.append((credential, str(exc)))
        except ValidationError as exc:
            outcome.failed.append((credential, "; ".join(exc.messages)))
        else:
            outcome.done.append(credential)
    return outcome


# ---------------------------------------------------------------- expiry reminders

REMINDER_DAYS = (60, 30)
REMINDER_STATES = (VerificationState.UNVERIFIED, VerificationState.PENDING, VerificationState.VERIFIED)


def reminder_window(days_before: int) -> tuple[int, int]:
    """Days left (inclusive) during which the `days_before` reminder is due: 60 → 31–60, 30 → 0–30.

    A window, not an exact day, so a missed cron run still sends the reminder;
    "sent once" is enforced by the credential's `expiry_notice_*_sent_for` field.
    """
    later = [d for d in REMINDER_DAYS if d < days_before]
    return (max(later) + 1 if later else 0), days_before


def reminder_due(*, expiry_date: datetime.date | None, today: datetime.date, days_before: int) -> bool:
    if expiry_date is None:
        return False
    low, high = reminder_window(days_before)
    return low <= (expiry_date - today).days <= high


def credential_send_expiry_reminder(
    *, credential: License | Certification, days_before: int, today: datetime.date
) -> bool:
    """Email the practitioner that a credential expires soon, once per expiry date and window.

    Returns True if an email was sent. The credential remembers the expiry date the
    reminder was sent for, so a renewed credential (new expiry date) gets new reminders.
    """
    sent_for_field = f"expiry_notice_{days_before}_sent_for"
    with transaction.atomic():
        locked = (
            type(credential)
            .objects.select_for_update(of=("self",))
            .select_related("practitioner__owner")
            .get(pk=credential.pk)
        )
        if getattr(locked, sent_for_field) == locked.expiry_date:
            return False
        if locked.verification_state not in REMINDER_STATES:
            return False
        if not reminder_due(expiry_date=locked.expiry_date, today=today, days_before=days_before):
            return False
        recipient = notifications.practitioner_email(locked.practitioner)
        if not recipient:
            return False
        # Enqueued on commit, with the mark: the worker retries a failed send.
        notifications.send_expiry_reminder(credential=locked, recipient=recipient, today=today)
        setattr(locked, sent_for_field, locked.expiry_date)
        locked.save(update_fields=[sent_for_field])
    return True


# ---------------------------------------------------------------- state board roster


def license_apply_roster(
    *,
    license_id: int,
    board_status: str | None,
    expiry_date: datetime.date | None,
    source: str,
) -> VerificationRecord | None:
    """Bring a license's board status and expiry date in line with the board's roster,
    as the system, with a VerificationRecord naming the roster as its source.

    The verification state is kept: a verified license whose board status is no longer
    active stops counting as current at once (`trust.current_license_q`). Returns None,
    writing nothing, when the license already agrees (so a re-run is harmless).
    """
    with transaction.atomic():
        locked = License.objects.select_for_update().get(pk=license_id)
        if locked.verification_state != VerificationState.VERIFIED:
            # The board's values are never written onto a claim nobody has checked: that would make
            # the next run an "exact match" and verify on what was only a partial one.
            return None
        changes: dict = {}
        notes = []
        if board_status is not None and board_status != locked.board_status:
            changes["board_status"] = board_status
            notes.append(f"board status {locked.board_status} → {board_status}")
        if expiry_date is not None and expiry_date != locked.expiry_date:
            changes["expiry_date"] = expiry_date
            notes.append(f"expiry {locked.expiry_date or 'none'} → {expiry_date}")
        if not changes:
            return None
        return credential_transition(
            credential=locked,
            new_state=None,
            actor=None,
            source=source,
            note="Updated from the board's roster: " + "; ".join(notes) + ".",
            changes=changes,
        )


def license_verify_from_roster(
    *,
    license_id: int,
    board_name: str,
    board_status: str | None,
    expiry_date: datetime.date | None,
    source: str,
    today: datetime.date | None = None,
) -> VerificationRecord | None:
    """A license that the board's own roster shows exactly as claimed — same number and a fitting
    name (the caller compared those), board status active, the same expiry date, not yet past —
    is verified as the system, with the roster file and line as the evidence; it may publish the
    listing (`practitioner_publish_if_verified`).

    Returns None, writing nothing, when anything falls short: a status or expiry the roster does
    not give or that differs, a license not active or expired, or one that is not unverified or
    pending (a rejection or revocation is a reviewer's decision; a verified one needs nothing).
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = License.objects.select_for_update().select_related("practitioner").get(pk=license_id)
        exact = (
            board_status == License.BoardStatus.ACTIVE
            and locked.board_status == board_status
            and expiry_date is not None
            and locked.expiry_date == expiry_date
            and expiry_date >= today
        )
        if not exact or locked.verification_state not in ROSTER_VERIFIABLE_STATES:
            return None
        record = credential_transition(
            credential=locked,
            new_state=VerificationState.VERIFIED,
            actor=None,
            source=source,
            note=(
                f"Exact match with the board's roster ({board_name}): number, name, status and expiry "
                f"({expiry_date:%Y-%m-%d}) agree."
            ),
        )
        practitioner_publish_if_verified(practitioner=locked.practitioner, today=today)
        _notify_on_commit(credential=locked, record=record, kind="verified")
    return record


@dataclass
class RosterApplyResult:
    updated: int = 0
    verified: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


def roster_apply(
    *, actions: Iterable[RosterAction], board_name: str, source_prefix: str, dry_run: bool = False
) -> RosterApplyResult:
    """Apply a batch of `roster.roster_cross_check` actions in one transaction: "verify" through
    `license_verify_from_roster`, "update" through `license_apply_roster`, each recorded with
    the source "<source_prefix>, line N". A license that cannot take the change is reported in
    `problems` and skipped; `dry_run` rolls the batch back (the counts say what would change)."""
    result = RosterApplyResult()
    with transaction.atomic():
        for action in actions:
            source = f"{source_prefix}, line {action.line}"
            entry = action.entry
            try:
                if action.kind == "verify":
                    record = license_verify_from_roster(
                        license_id=action.license.pk,
                        board_name=board_name,
                        board_status=entry.status,
                        expiry_date=entry.expiry_date,
                        source=source,
                    )
                else:
                    record = license_apply_roster(
                        license_id=action.license.pk,
                        board_status=entry.status,
                        expiry_date=entry.expiry_date,
                        source=source,
                    )
            except ValidationError as exc:
                done = "verified" if action.kind == "verify" else "updated"
                result.problems.append(
                    (action.line, f"license {action.license.number} not {done}: {'; '.join(exc.messages)}")
                )
                continue
            if record is not None:
                if action.kind == "verify":
                    result.verified += 1
                else:
                    result.updated += 1
        if dry_run:
            transaction.set_rollback(True)
    return result
