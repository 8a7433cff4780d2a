"""The dashboard's own writes: creating a listing, credentials, the photo, claims and freshness reminders.

Edits of a listing and its locations are `practitioners.services`; the views call those directly.

Each service takes the acting user, checks that they may act on this listing
(views scope every lookup to the owner's listing as well: two locks on one door),
validates with `full_clean()` and runs in one transaction. Change history
(django-simple-history) is written by the model saves, with the actor and a
reason set explicitly so the record is right outside a request too.

Credential rules live in `verification.services` and are only called from here:
`credential_submit` puts a new credential in the queue, and
`credential_update_details` decides when an edit sends a verified credential back
to pending. Publication is `practitioner_publish_if_verified`.
"""

import datetime
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import slugify

from accounts.models import User
from accounts.selectors import user_has_verified_email
from practitioners import freshness
from practitioners.conflicts import claim_conflict, require_no_conflict
from practitioners.models import (
    CREDENTIAL_BOOKKEEPING_FIELDS,
    CREDENTIAL_KINDS,
    Certification,
    Degree,
    License,
    Practitioner,
    StateBoard,
    VerificationState,
)
from practitioners.services import (
    for_history,
    lock_listing,
    practitioner_publish_if_verified,
    refresh_search_document,
    require_owner,
)
from search.cache import invalidate_search_cache
from verification.services import credential_submit, credential_update_details

from .images import SIZES
from .models import CLAIM_CODE_MAX_ATTEMPTS, CLAIM_CODE_MAX_SENDS, Claim, ClaimStatus, FreshnessReminder
from .selectors import claim_code_channels, claim_license_matches, verified_licenses_matching
from .senders import code_sender

Credential = License | Certification | Degree
CLAIM_APPROVE_PERMISSION = "dashboard.change_claim"
SLUG_ATTEMPTS = 50


# ---------------------------------------------------------------- helpers


def _require_verified_account(user: User) -> None:
    if not user_has_verified_email(user):
        raise PermissionDenied("Confirm your email address first; we sent you a link when you signed up.")


def _unique_slug(name: str) -> str:
    base = (slugify(name) or "practitioner")[:200]
    candidate = base
    for n in range(2, SLUG_ATTEMPTS):
        if not Practitioner.objects.filter(slug=candidate).exists():
            return candidate
        candidate = f"{base}-{n}"
    return f"{base}-{secrets.token_hex(3)}"


# ---------------------------------------------------------------- listing


def listing_create(
    *,
    user: User,
    name: str,
    display_credentials: str,
    license_state: StateBoard,
    license_number: str,
    license_title: str,
    license_expiry_date: datetime.date | None = None,
) -> Practitioner:
    """A new listing kept by `user`: a draft with one license in the verification queue.

    It is published by `practitioner_publish_if_verified` once staff verify a license
    in the state of one of its locations.
    """
    if not user.is_authenticated:
        raise PermissionDenied("Sign in to create a listing.")
    _require_verified_account(user)
    if Practitioner.objects.filter(owner=user).exists():
        raise ValidationError("Your account already keeps a listing; one account keeps one listing.")
    if Claim.objects.pending().filter(user=user).exists():
        raise ValidationError("You have a claim awaiting review. Withdraw it before creating a new listing.")
    # Only a verified license locks its number: an unproven listing with someone else's number
    # (squatting) must not keep the real holder out. Staff see the duplicates (license_conflicts).
    if verified_licenses_matching(state=license_state.state, number=license_number).exists():
        raise ValidationError(
            {
                "license_number": "This license is already verified on a Meridian listing. Find that listing and claim it instead."
            }
        )
    with transaction.atomic():
        practitioner = Practitioner(
            name=name.strip(),
            slug=_unique_slug(name),
            display_credentials=display_credentials.strip(),
            status=Practitioner.Status.DRAFT,
            owner=user,
        )
        practitioner.full_clean()
        for_history(practitioner, user, "Listing created by the practitioner")
        try:
            practitioner.save()
        except IntegrityError as exc:  # two tabs racing: the OneToOne owner is taken
            raise ValidationError("Your account already keeps a listing.") from exc
        credential_add(
            practitioner=practitioner,
            actor=user,
            credential_type=License,
            fields={
                "state": license_state,
                "number": license_number.strip(),
                "title": license_title,
                "expiry_date": license_expiry_date,
            },
        )
        refresh_search_document(practitioner.pk)
    return practitioner


# ---------------------------------------------------------------- credentials


def credential_add(
    *, practitioner: Practitioner, actor: User, credential_type: type[Credential], fields: dict[str, Any]
) -> Credential:
    """Add a license, certification or degree and put it in the verification queue.

    Verification fields cannot be given: the credential starts unverified and
    `credential_submit` moves it to pending, writing the VerificationRecord.
    """
    require_owner(practitioner, actor)
    if credential_type not in CREDENTIAL_KINDS.values():
        raise ValidationError(f"Unknown kind of credential: {credential_type!r}.")
    forbidden = {*CREDENTIAL_BOOKKEEPING_FIELDS, "practitioner", "practitioner_id", "restricted"}
    if forbidden & set(fields):
        raise ValidationError({name: "This field cannot be set here." for name in sorted(forbidden & set(fields))})
    with transaction.atomic():
        credential = credential_type(practitioner=practitioner, **fields)
        credential.verification_state = VerificationState.UNVERIFIED
        credential.full_clean()
        for_history(credential, actor, "Added by the practitioner")
        credential.save()
        credential_submit(credential=credential, actor=actor)
    return credential


RESUBMIT_STATES = frozenset(
    {VerificationState.UNVERIFIED, VerificationState.REJECTED, VerificationState.EXPIRED, VerificationState.REVOKED}
)


def credential_edit(*, credential: Credential, actor: User, changes: dict[str, Any]) -> bool:
    """The practitioner changes what a credential says (and asks for it to be checked).

    The re-verification rule is `verification.services.credential_update_details`'s
    alone: a verified credential whose fields change goes back to pending; every
    edit, in any state, is recorded in the verification log with old and new values.
    A credential outside the queue (unverified, rejected, expired, revoked) is
    submitted again after the edit. Returns True when the credential entered the
    verification queue because of this call.
    """
    require_owner(credential.practitioner, actor)
    with transaction.atomic():
        record = credential_update_details(credential=credential, actor=actor, changes=changes)
        if record is not None and record.old_state == VerificationState.VERIFIED:
            return True
        if credential.verification_state in RESUBMIT_STATES:
            credential_submit(credential=credential, actor=actor)
            return True
    return False


# ---------------------------------------------------------------- photo


# Files here are shared by many listings (the demo's generated portraits, demo.portraits): never deleted
# when one listing's photo changes.
SHARED_PHOTOS_DIR = "photos/demo/"


def _photo_names(practitioner: Practitioner) -> dict[int, str]:
    token = secrets.token_hex(6)
    base = f"photos/{practitioner.slug}-{token}"
    return {edge: f"{base}.jpg" if edge == max(SIZES) else f"{base}-{edge}.jpg" for edge in SIZES}


def photo_thumbnail_name(photo_name: str, edge: int) -> str:
    """Where the `edge`-pixel rendition of a stored photo lives (next to the large one)."""
    return photo_name.removesuffix(".jpg") + f"-{edge}.jpg"


def _delete_photo_files(photo_name: str) -> None:
    if not photo_name or photo_name.startswith(SHARED_PHOTOS_DIR):
        return
    names = [photo_name, *(photo_thumbnail_name(photo_name, edge) for edge in SIZES if edge != max(SIZES))]
    for name in names:
        default_storage.delete(name)


def photo_set(*, practitioner: Practitioner, actor: User, renditions: dict[int, bytes]) -> str:
    """Store a processed photo (`dashboard.images.process_photo` output) and show it on the listing.

    The previous files are deleted once the change is committed. Returns the stored name.
    """
    require_owner(practitioner, actor)
    if set(renditions) != set(SIZES):
        raise ValidationError("The photo was not processed into every size.")
    names = _photo_names(practitioner)
    stored = {edge: default_storage.save(names[edge], ContentFile(data)) for edge, data in renditions.items()}
    try:
        with transaction.atomic():
            locked = lock_listing(practitioner)
            old = locked.photo.name
            locked.photo.name = stored[max(SIZES)]
            for_history(locked, actor, "Photo changed by the practitioner")
            locked.save(update_fields=["photo", "updated_at"])
            transaction.on_commit(lambda: _delete_photo_files(old))
            # Cards show the photo, and a repeated search's HTML is cached: the old file is gone.
            transaction.on_commit(invalidate_search_cache)
    except BaseException:
        # Nothing points at the new files: remove them, then let the error through.
        for name in stored.values():
            default_storage.delete(name)
        raise
    practitioner.photo.name = locked.photo.name
    return locked.photo.name


def photo_remove(*, practitioner: Practitioner, actor: User) -> None:
    require_owner(practitioner, actor)
    with transaction.atomic():
        locked = lock_listing(practitioner)
        old = locked.photo.name
        if not old:
            return
        locked.photo.name = ""
        for_history(locked, actor, "Photo removed by the practitioner")
        locked.save(update_fields=["photo", "updated_at"])
        transaction.on_commit(lambda: _delete_photo_files(old))
        transaction.on_commit(invalidate_search_cache)  # the cards of cached searches show it
    practitioner.photo.name = ""


# ---------------------------------------------------------------- claims


def _send(template: str, *, subject: str, to: str, context: dict, key: str | None = None) -> None:
    from jobs.services import email_enqueue

    email_enqueue(subject=subject, body=render_to_string(template, context), to=to, key=key)


def claim_create(
    *, user: User, practitioner: Practitioner, license_state: StateBoard, license_number: str, message: str = ""
) -> Claim:
    """Say that an unclaimed listing is yours. Staff approve it when the license matches the listing."""
    if not user.is_authenticated:
        raise PermissionDenied("Sign in to claim a listing.")
    _require_verified_account(user)
    if Practitioner.objects.filter(owner=user).exists():
        raise ValidationError("Your account already keeps a listing; one account keeps one listing.")
    if practitioner.owner_id is not None:
        raise ValidationError("This listing is already kept by its practitioner.")
    if practitioner.status == Practitioner.Status.SUSPENDED:
        raise ValidationError("This listing cannot be claimed online. Contact Meridian staff.")
    if Claim.objects.pending().filter(user=user).exists():
        raise ValidationError("You already have a claim awaiting review.")
    claim = Claim(
        practitioner=practitioner,
        user=user,
        license_state=license_state,
        license_number=license_number.strip(),
        message=message.strip(),
    )
    claim.full_clean()
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as exc:  # a second tab submitted at the same moment
        raise ValidationError("You already have a claim awaiting review.") from exc
    return claim


def claim_withdraw(*, claim: Claim, actor: User) -> None:
    if claim.user_id != actor.pk:
        raise PermissionDenied("Only the person who made a claim can withdraw it.")
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked.status != ClaimStatus.PENDING:
            raise ValidationError("Only a claim awaiting review can be withdrawn.")
        locked.status = ClaimStatus.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
    claim.status = ClaimStatus.WITHDRAWN


def _require_claim_reviewer(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_staff and actor.has_perm(CLAIM_APPROVE_PERMISSION)):
        raise PermissionDenied("Only staff who review claims can decide them.")


def claim_decision_conflict(*, claim: Claim, actor: User) -> str | None:
    """Why `actor` may not decide on `claim` (theirs, or on their listing), or None. Read fresh."""
    claimant_id, owner_id = Claim.objects.filter(pk=claim.pk).values_list("user_id", "practitioner__owner_id").get()
    return claim_conflict(actor_id=actor.pk, claimant_id=claimant_id, listing_owner_id=owner_id)


CLAIM_WITHOUT_PROOF = (
    "The claimant has not confirmed a code sent to the practice's email or phone on record. A license number "
    "is public, so it proves nothing by itself: approve only with an override note saying how you checked."
)
LISTING_HAS_OWNER = (
    "This listing already has an owner (set after the claim was made). Nothing was changed; reject the claim "
    "with a note, or remove the owner first if that was a mistake."
)
CLAIMANT_KEEPS_ANOTHER = "The claimant's account already keeps another listing. Nothing was changed."


def _ownership_refusal(*, practitioner: Practitioner, claimant_id: int) -> str | None:
    """Why the claimant cannot become the owner of the (locked) listing now, or None.

    A claim may wait for days: the listing may have been given an owner in the admin,
    or the claimant may have got another listing, since it was made.
    """
    if practitioner.owner_id is not None:
        return LISTING_HAS_OWNER
    if Practitioner.objects.filter(owner_id=claimant_id).exists():
        return CLAIMANT_KEEPS_ANOTHER
    return None


def claim_approve(
    *, claim: Claim, actor: User, note: str = "", override_note: str = "", now: datetime.datetime | None = None
) -> Claim:
    """Make the claimant the listing's owner — only if the license they gave is on the listing
    and they proved control of the practice's email or phone on record (a confirmed code).

    A license number is public (every profile prints it), so it proves nothing by itself.
    Without a confirmed code the reviewer must say how they checked instead (`override_note`,
    e.g. "called the practice at the number on the board's roster"); it is kept on the claim.
    Other pending claims on the same listing are rejected. The claimant is emailed.
    """
    _require_claim_reviewer(actor)
    require_no_conflict(claim_decision_conflict(claim=claim, actor=actor))
    now = now or timezone.now()
    with transaction.atomic():
        locked = Claim.objects.select_for_update().select_related("user").get(pk=claim.pk)
        practitioner = lock_listing(locked.practitioner)
        if locked.status != ClaimStatus.PENDING:
            raise ValidationError(f"This claim is {locked.get_status_display().lower()}, not awaiting review.")
        if not claim_license_matches(locked):
            raise ValidationError(
                f"License {locked.license_state_id} {locked.license_number} is not on this listing. Add it to the "
                "listing after checking it with the state board, or reject the claim."
            )
        override_note = (override_note or "").strip()
        if locked.proof_confirmed_at is None and not override_note:
            raise ValidationError(CLAIM_WITHOUT_PROOF)
        if (refusal := _ownership_refusal(practitioner=practitioner, claimant_id=locked.user_id)) is not None:
            raise ValidationError(refusal)
        practitioner.owner_id = locked.user_id
        for_history(practitioner, actor, f"Claim #{locked.pk} approved: owner set")
        try:
            with transaction.atomic():  # a savepoint: the refusal below leaves the outer transaction usable
                practitioner.save(update_fields=["owner", "updated_at"])
        except IntegrityError as exc:
            # The claimant's account got a listing between the check and the save (one listing per account).
            raise ValidationError(CLAIMANT_KEEPS_ANOTHER) from exc
        locked.status = ClaimStatus.APPROVED
        locked.reviewed_by = actor
        locked.reviewed_at = now
        locked.note = note.strip()
        if locked.proof_confirmed_at is None:
            locked.proof_override_note = override_note
        locked.full_clean()
        locked.save()
        for other in Claim.objects.pending().filter(practitioner=practitioner).exclude(pk=locked.pk):
            other.status = ClaimStatus.REJECTED
            other.reviewed_by = actor
            other.reviewed_at = now
            other.note = "Another account's claim on this listing was approved."
            other.save()
        practitioner_publish_if_verified(practitioner=practitioner)
        context = {"claim": locked, "practitioner": practitioner}
        transaction.on_commit(
            lambda: _send(
                "dashboard/emails/claim_approved.txt",
                subject=f"Your listing is yours to keep: {practitioner.name}",
                to=locked.user.email,
                context=context,
            )
        )
    claim.status, claim.reviewed_by, claim.reviewed_at, claim.note = (
        locked.status,
        actor,
        locked.reviewed_at,
        locked.note,
    )
    return locked


def claim_reject(*, claim: Claim, actor: User, note: str, now: datetime.datetime | None = None) -> Claim:
    """Turn a claim down; the note is shown to the claimant and emailed to them."""
    _require_claim_reviewer(actor)
    require_no_conflict(claim_decision_conflict(claim=claim, actor=actor))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say why the claim is rejected; the claimant sees this note."})
    with transaction.atomic():
        locked = Claim.objects.select_for_update().select_related("user", "practitioner").get(pk=claim.pk)
        if locked.status != ClaimStatus.PENDING:
            raise ValidationError(f"This claim is {locked.get_status_display().lower()}, not awaiting review.")
        locked.status = ClaimStatus.REJECTED
        locked.reviewed_by = actor
        locked.reviewed_at = now or timezone.now()
        locked.note = note
        locked.full_clean()
        locked.save()
        transaction.on_commit(
            lambda: _send(
                "dashboard/emails/claim_rejected.txt",
                subject=f"We could not approve your claim: {locked.practitioner.name}",
                to=locked.user.email,
                context={"claim": locked, "practitioner": locked.practitioner},
            )
        )
    claim.status, claim.note = locked.status, locked.note
    return locked


# ---------------------------------------------------------------- claim proof: one-time codes

CLAIM_CODE_TTL = datetime.timedelta(minutes=15)
CLAIM_CODE_RESEND_AFTER = datetime.timedelta(seconds=60)
# Codes sent to one listing's addresses per day, over all claims (withdrawing and claiming again
# does not let anyone flood a practice's phone).
CLAIM_CODE_LISTING_DAILY_SENDS = 5


def _code_digest(claim_pk: int, code: str) -> str:
    return salted_hmac("dashboard.claim-code", f"{claim_pk}:{code}", algorithm="sha256").hexdigest()


def _own_pending_claim(claim: Claim, actor: User) -> Claim:
    if not actor.is_authenticated or claim.user_id != actor.pk:
        raise PermissionDenied("Only the person who made a claim can prove it.")
    locked = Claim.objects.select_for_update().select_related("practitioner").get(pk=claim.pk)
    if locked.status != ClaimStatus.PENDING:
        raise ValidationError(f"This claim is {locked.get_status_display().lower()}, not awaiting review.")
    return locked


def claim_code_send(*, claim: Claim, actor: User, channel: str, now: datetime.datetime | None = None) -> str:
    """Send a one-time code to one of the listing's addresses on record; returns it masked.

    `channel` is a key from `claim_code_channels` — the claimant chooses among the addresses
    the listing already has, never types one. The code is stored as a keyed hash, lives
    CLAIM_CODE_TTL, and a new code replaces the old one (and its wrong attempts). Sends are
    limited per claim, spaced by CLAIM_CODE_RESEND_AFTER, and limited per listing per day.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _own_pending_claim(claim, actor)
        if locked.proof_confirmed_at is not None:
            raise ValidationError("Your code is already confirmed; staff will review your claim.")
        target = next((c for c in claim_code_channels(locked.practitioner) if c.key == channel), None)
        if target is None:
            raise ValidationError({"channel": "Choose one of the addresses on record for this listing."})
        if locked.code_sends >= CLAIM_CODE_MAX_SENDS:
            raise ValidationError(
                f"You have asked for {CLAIM_CODE_MAX_SENDS} codes. Staff will review your claim with the other "
                "evidence you gave; you can add a message for them by withdrawing and claiming again."
            )
        if locked.code_sent_at is not None and now - locked.code_sent_at < CLAIM_CODE_RESEND_AFTER:
            raise ValidationError("A code was sent less than a minute ago. Wait a moment before asking again.")
        recent = Claim.objects.filter(
            practitioner_id=locked.practitioner_id, code_sent_at__gte=now - datetime.timedelta(days=1)
        )
        if sum(recent.values_list("code_sends", flat=True)) >= CLAIM_CODE_LISTING_DAILY_SENDS:
            raise ValidationError("Too many codes were sent to this practice today. Try again tomorrow.")
        code = f"{secrets.randbelow(10**6):06d}"
        locked.code_hash = _code_digest(locked.pk, code)
        locked.code_sent_to = target.masked
        locked.code_sent_at = now
        locked.code_expires_at = now + CLAIM_CODE_TTL
        locked.code_sends += 1
        locked.code_attempts = 0
        locked.full_clean()
        locked.save()
        listing_name = locked.practitioner.name
    # Sent once the code is stored: a failing sender leaves a code nobody received (ask again).
    minutes = int(CLAIM_CODE_TTL.total_seconds() // 60)
    code_sender(target.kind).send(
        to=target.address,
        message=(
            f"Meridian: someone asked to manage the listing of {listing_name}. If that is you, the code is {code} "
            f"(valid {minutes} minutes). If not, ignore this message; nothing changes without the code."
        ),
    )
    return target.masked


def claim_code_confirm(*, claim: Claim, actor: User, code: str, now: datetime.datetime | None = None) -> None:
    """Check the code the claimant typed. Wrong attempts count (and are kept even though the
    call refuses); after CLAIM_CODE_MAX_ATTEMPTS the code is dead and a new one is needed."""
    now = now or timezone.now()
    refusal: str | None = None
    with transaction.atomic():
        locked = _own_pending_claim(claim, actor)
        if locked.proof_confirmed_at is not None:
            return
        if not locked.code_hash:
            raise ValidationError({"code": "Ask for a code first."})
        if locked.code_attempts >= CLAIM_CODE_MAX_ATTEMPTS:
            raise ValidationError({"code": "Too many wrong codes. Ask for a new code."})
        if now >= locked.code_expires_at:
            raise ValidationError({"code": "This code has expired. Ask for a new one."})
        if constant_time_compare(_code_digest(locked.pk, (code or "").strip()), locked.code_hash):
            locked.proof_confirmed_at = now
            locked.code_hash = ""
        else:
            locked.code_attempts += 1
            left = CLAIM_CODE_MAX_ATTEMPTS - locked.code_attempts
            refusal = (
                f"That is not the code we sent. {left} attempt(s) left."
                if left
                else ("That is not the code we sent. Too many wrong codes: ask for a new code.")
            )
        locked.full_clean()
        locked.save()
    if refusal is not None:  # raised after the commit, so the wrong attempt is counted
        raise ValidationError({"code": refusal})
    claim.proof_confirmed_at = locked.proof_confirmed_at


# ---------------------------------------------------------------- freshness reminders


def freshness_reminder_send(*, practitioner: Practitioner, now: datetime.datetime | None = None) -> bool:
    """Email the owner that their listing is going stale — once per staleness period.

    A period starts at the listing's last confirmation (or its creation, if never
    confirmed); the unique `FreshnessReminder` row for (listing, period start) makes
    a second call in the same period do nothing. Returns True if an email was sent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Practitioner.objects.select_for_update(of=("self",)).select_related("owner").get(pk=practitioner.pk)
        if locked.owner is None or locked.status == Practitioner.Status.SUSPENDED:
            return False
        period_start = locked.last_confirmed_at or locked.created_at
        if period_start > freshness.reminder_cutoff(now):
            return False
        _, created = FreshnessReminder.objects.get_or_create(
            practitioner=locked, period_start=period_start, defaults={"sent_to": locked.owner.email, "sent_at": now}
        )
        if not created:
            return False
        # Enqueued on commit with the row; the worker retries a failed send.
        _send(
            "dashboard/emails/freshness_reminder.txt",
            subject="Is your Meridian listing still correct?",
            to=locked.owner.email,
            key=f"freshness-reminder:{locked.pk}:{period_start.isoformat()}",
            context={
                "practitioner": locked,
                "since": locked.last_confirmed_at,
                "stale_after_days": freshness.STALE_AFTER_DAYS,
                "days_left": max(0, freshness.STALE_AFTER_DAYS - (now - period_start).days),
            },
        )
    return True
