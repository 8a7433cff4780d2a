"""Every write to contact requests, with its rules and side effects.

The transitions are one table (`TRANSITIONS`); the database constraints on `ContactRequest`
say the same from the other side (each state with the dates it needs). Each write locks the
request row first, re-reads its state and refuses a form rendered for an older state
(`expected_state`): a reply typed in a second tab after the request was declined is refused
with a message, never applied to the new state.

Errors: `ValidationError` for input or a state a person can correct or understand,
`PermissionDenied` for an actor who may not do this at all.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_has_verified_email
from practitioners.conflicts import require_no_conflict, spam_report_conflict
from practitioners.models import Condition, InsuranceCarrier, Practitioner

from . import notices
from .models import (
    ALL_DAYS,
    ALL_TIMES,
    MESSAGE_MAX_LENGTH,
    OPEN_STATES,
    Channel,
    ConfirmedVisit,
    ContactBlock,
    ContactMessage,
    ContactRequest,
    DeclineReason,
    MessageKind,
    PatientStatus,
    RequestState,
    Side,
    SpamReport,
)

RESOLVE_REPORT_PERMISSION = "contact.change_spamreport"
OPEN_REQUEST_EXISTS = "You already have an open request with this practitioner: continue in that thread."


@dataclass(frozen=True)
class Transition:
    kind: str  # MessageKind of the thread entry the action writes
    verb: str  # "… can't be {verb}"
    moves: dict[str, str]  # from state -> to state; a state not here refuses the action


# What the practitioner's actions do; closing is open to both sides.
TRANSITIONS: dict[str, Transition] = {
    "message": Transition(
        MessageKind.MESSAGE,
        "answered",
        {RequestState.SENT: RequestState.ANSWERED, RequestState.ANSWERED: RequestState.ANSWERED},
    ),
    "propose": Transition(
        MessageKind.PROPOSAL,
        "answered with a proposed time",
        {RequestState.SENT: RequestState.ANSWERED, RequestState.ANSWERED: RequestState.ANSWERED},
    ),
    "decline": Transition(
        MessageKind.DECLINE,
        "declined",
        {RequestState.SENT: RequestState.DECLINED, RequestState.ANSWERED: RequestState.DECLINED},
    ),
    # A visit follows an answer: the practitioner has proposed a time or written back first.
    "visit": Transition(MessageKind.VISIT, "marked as visited", {RequestState.ANSWERED: RequestState.CONFIRMED}),
    "close": Transition(
        MessageKind.CLOSE,
        "closed",
        {RequestState.SENT: RequestState.CLOSED, RequestState.ANSWERED: RequestState.CLOSED},
    ),
}
PRACTITIONER_ACTIONS = ("message", "propose", "decline", "visit", "close")


# ---------------------------------------------------------------- checks


def request_refusal(*, practitioner: Practitioner, user: User) -> str | None:
    """Why `user` may not send a request to `practitioner` at all, or None. One statement for page and service."""
    if practitioner.status != Practitioner.Status.PUBLISHED:
        return "This listing is not published, so it can't receive requests."
    if practitioner.owner_id is None:
        return "Online requests start once the practitioner claims this listing. Call the practice instead."
    if not user.is_authenticated or not user.is_active:
        return "Sign in to send a request."
    if practitioner.owner_id == user.pk:
        return "This is your own listing: you can't send it a request."
    if not user_has_verified_email(user):
        return "Confirm your email address before sending a request."
    if ContactBlock.objects.filter(practitioner=practitioner, patient=user).exists():
        return "This practitioner does not accept online requests from you. Call the practice instead."
    return None


def _lock_request(request_id: int) -> ContactRequest:
    return ContactRequest.objects.select_for_update(of=("self",)).get(pk=request_id)


def _side_of(request: ContactRequest, actor: User) -> str:
    """Which side of the thread `actor` is on; PermissionDenied for anyone else (staff included)."""
    if not actor.is_authenticated:
        raise PermissionDenied("Sign in to see your requests.")
    if request.patient_id == actor.pk:
        return Side.PATIENT
    owner_id = Practitioner.objects.filter(pk=request.practitioner_id).values_list("owner_id", flat=True).first()
    if owner_id is not None and owner_id == actor.pk:
        return Side.PRACTITIONER
    raise PermissionDenied("Only the patient and the practitioner of a request can act on it.")


def _require_current(locked: ContactRequest, expected_state: str | None) -> None:
    if expected_state is not None and expected_state != locked.state:
        raise ValidationError(
            f"This request changed while you had it open: it is now “{locked.get_state_display()}”. "
            "Nothing was sent; read the thread and try again.",
            code="stale",
        )


def _clean_text(text: str, *, required: bool, field: str = "text") -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: "Write a message."})
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {field: f"Keep your message to {MESSAGE_MAX_LENGTH} characters (it has {len(text)})."}, code="max_length"
        )
    return text


def _sync(stale: ContactRequest, fresh: ContactRequest) -> ContactRequest:
    if stale is not fresh:
        for field in ContactRequest._meta.concrete_fields:
            setattr(stale, field.attname, getattr(fresh, field.attname))
    return fresh


# ---------------------------------------------------------------- patient


def contact_request_create(
    *,
    patient: User,
    practitioner: Practitioner,
    condition: Condition | None,
    patient_status: str,
    preferred_days: int,
    preferred_times: int,
    insurance: InsuranceCarrier | None,
    channel: str,
    phone: str,
    message: str,
    now: datetime.datetime | None = None,
) -> ContactRequest:
    """A patient's new request to a claimed, published listing; the practitioner gets a notice by email."""
    now = now or timezone.now()
    if reason := request_refusal(practitioner=practitioner, user=patient):
        raise PermissionDenied(reason)
    errors: dict[str, str] = {}
    if condition is not None and not practitioner.conditions.filter(pk=condition.pk).exists():
        errors["condition"] = "Choose one of the conditions this practitioner treats, or “Something else”."
    if insurance is not None and not practitioner.insurance_carriers.filter(pk=insurance.pk).exists():
        errors["insurance"] = "Choose one of the insurers this practitioner takes, or “Paying myself”."
    if patient_status not in PatientStatus.values:
        errors["patient_status"] = "Say whether you are a new or a returning patient."
    if not (1 <= preferred_days <= ALL_DAYS):
        errors["preferred_days"] = "Tick at least one day that suits you."
    if not (1 <= preferred_times <= ALL_TIMES):
        errors["preferred_times"] = "Tick at least one time of day that suits you."
    if channel not in Channel.values:
        errors["channel"] = "Choose how the practitioner should reach you."
    phone = (phone or "").strip()
    if channel == Channel.PHONE and not phone:
        errors["phone"] = "Give a phone number, or choose email."
    if channel != Channel.PHONE:
        phone = ""  # never keep a number the patient did not choose to share
    if errors:
        raise ValidationError(errors)
    message = _clean_text(message, required=True, field="message")

    with transaction.atomic():
        # Locking the patient's and then the listing's row serialises concurrent sends, so neither
        # limit can be beaten by sending several requests at once.
        User.objects.select_for_update().filter(pk=patient.pk).exists()
        Practitioner.objects.select_for_update().filter(pk=practitioner.pk).exists()
        if ContactRequest.objects.open().filter(practitioner=practitioner, patient=patient).exists():
            raise ValidationError(OPEN_REQUEST_EXISTS, code="open_exists")
        daily = settings.CONTACT_REQUESTS_PER_PATIENT_PER_DAY
        if (
            ContactRequest.objects.filter(patient=patient, created_at__gte=now - datetime.timedelta(days=1)).count()
            >= daily
        ):
            raise ValidationError(
                f"You can send at most {daily} requests in 24 hours. Please try again tomorrow, or call the practice.",
                code="patient_limit",
            )
        hourly = settings.CONTACT_REQUESTS_PER_LISTING_PER_HOUR
        if (
            ContactRequest.objects.filter(
                practitioner=practitioner, created_at__gte=now - datetime.timedelta(hours=1)
            ).count()
            >= hourly
        ):
            raise ValidationError(
                "This practitioner has received many requests in the last hour. Please try again in an hour, "
                "or call the practice.",
                code="listing_limit",
            )
        request = ContactRequest(
            practitioner=practitioner,
            patient=patient,
            condition=condition,
            patient_status=patient_status,
            preferred_days=preferred_days,
            preferred_times=preferred_times,
            insurance=insurance,
            channel=channel,
            phone=phone,
            message=message,
            state=RequestState.SENT,
            created_at=now,
        )
        request.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError as exc:  # the same patient sending twice at the same instant
            raise ValidationError(OPEN_REQUEST_EXISTS, code="open_exists") from exc
        ContactMessage.objects.create(
            request=request, side=Side.PATIENT, kind=MessageKind.REQUEST, text=message, created_at=now
        )
        notices.notify(request=request, to_side=Side.PRACTITIONER, event="new")
    return request


def contact_patient_message(
    *,
    request: ContactRequest,
    actor: User,
    text: str,
    expected_state: str | None = None,
    now: datetime.datetime | None = None,
) -> ContactMessage:
    """The patient writes in the thread of their open request (its state does not change)."""
    now = now or timezone.now()
    if _side_of(request, actor) != Side.PATIENT:
        raise PermissionDenied("Answer from your dashboard: this is the patient's side of the thread.")
    text = _clean_text(text, required=True)
    with transaction.atomic():
        locked = _lock_request(request.pk)
        _require_current(locked, expected_state)
        if locked.state not in OPEN_STATES:
            raise ValidationError(
                f"This request is “{locked.get_state_display()}”, so no more messages can be added. "
                "Send a new request if you need to.",
                code="ended",
            )
        entry = ContactMessage.objects.create(
            request=locked, side=Side.PATIENT, kind=MessageKind.MESSAGE, text=text, created_at=now
        )
        locked.save(update_fields=["updated_at"])
        notices.notify(request=locked, to_side=Side.PRACTITIONER, event="message")
    _sync(request, locked)
    return entry


def contact_request_delete(*, request: ContactRequest, actor: User) -> None:
    """The patient deletes their request and its thread, whatever its state (spam reports keep their copy)."""
    if not actor.is_authenticated or request.patient_id != actor.pk:
        raise PermissionDenied("Only the patient who sent a request can delete it.")
    with transaction.atomic():
        _lock_request(request.pk).delete()


# ---------------------------------------------------------------- both sides


def contact_request_act(
    *,
    request: ContactRequest,
    actor: User,
    action: str,
    text: str = "",
    proposed_time: datetime.datetime | None = None,
    decline_reason: str = "",
    expected_state: str | None = None,
    now: datetime.datetime | None = None,
) -> ContactRequest:
    """One action on a request: the practitioner answers, proposes a time, declines, confirms the
    visit or closes; the patient may only close (their messages go through `contact_patient_message`)."""
    now = now or timezone.now()
    side = _side_of(request, actor)
    if action not in TRANSITIONS:
        raise ValidationError({"action": "Choose what to do with this request."})
    if side == Side.PATIENT and action != "close":
        raise PermissionDenied("Only the practitioner can answer, propose a time, decline or confirm a visit.")
    transition = TRANSITIONS[action]
    text = _clean_text(text, required=action == "message")
    if action == "propose":
        if proposed_time is None:
            raise ValidationError({"proposed_time": "Give the date and time you propose."})
        if proposed_time <= now:
            raise ValidationError({"proposed_time": "Propose a time in the future."})
    else:
        proposed_time = None
    if action == "decline":
        if decline_reason not in DeclineReason.values:
            raise ValidationError({"decline_reason": "Choose a reason for declining."})
    else:
        decline_reason = ""

    with transaction.atomic():
        locked = _lock_request(request.pk)
        _require_current(locked, expected_state)
        if locked.state not in transition.moves:
            raise ValidationError(
                f"This request is “{locked.get_state_display()}”, so it can't be {transition.verb}"
                + (" before you have answered it." if action == "visit" and locked.state == RequestState.SENT else "."),
                code="wrong_state",
            )
        target = transition.moves[locked.state]
        locked.state = target
        if side == Side.PRACTITIONER and locked.answered_at is None and action != "close":
            locked.answered_at = now
        if target in (RequestState.CONFIRMED, RequestState.DECLINED, RequestState.CLOSED):
            locked.ended_at = now
        locked.decline_reason = decline_reason
        locked.closed_by = side if target == RequestState.CLOSED else ""
        locked.full_clean(validate_constraints=False)
        locked.save()
        ContactMessage.objects.create(
            request=locked,
            side=side,
            kind=transition.kind,
            text=text,
            proposed_time=proposed_time,
            created_at=now,
        )
        if target == RequestState.CONFIRMED:
            ConfirmedVisit.objects.get_or_create(
                practitioner_id=locked.practitioner_id, patient_id=locked.patient_id, defaults={"confirmed_at": now}
            )
        other = Side.PATIENT if side == Side.PRACTITIONER else Side.PRACTITIONER
        notices.notify(request=locked, to_side=other, event=action)
    return _sync(request, locked)


# ---------------------------------------------------------------- practitioner: abuse


def _require_owner(request: ContactRequest, actor: User) -> None:
    if _side_of(request, actor) != Side.PRACTITIONER:
        raise PermissionDenied("Only the practitioner who received a request can block its sender or report it.")


def _block_and_close(locked: ContactRequest, *, now: datetime.datetime) -> None:
    ContactBlock.objects.get_or_create(practitioner_id=locked.practitioner_id, patient_id=locked.patient_id)
    if locked.state in OPEN_STATES:
        locked.state = RequestState.CLOSED
        locked.closed_by = Side.PRACTITIONER
        locked.ended_at = now
        locked.save()
        ContactMessage.objects.create(request=locked, side=Side.PRACTITIONER, kind=MessageKind.CLOSE, created_at=now)


def contact_patient_block(
    *, request: ContactRequest, actor: User, now: datetime.datetime | None = None
) -> ContactBlock:
    """The practitioner blocks the request's sender from their listing; an open request is closed.

    The patient is not told (a notice would invite a new account); the profile tells them to call."""
    now = now or timezone.now()
    _require_owner(request, actor)
    with transaction.atomic():
        locked = _lock_request(request.pk)
        _block_and_close(locked, now=now)
    _sync(request, locked)
    return ContactBlock.objects.get(practitioner_id=request.practitioner_id, patient_id=request.patient_id)


def contact_request_report_spam(
    *, request: ContactRequest, actor: User, now: datetime.datetime | None = None
) -> SpamReport:
    """The practitioner reports a request as spam: staff see it in the admin; the sender is blocked."""
    now = now or timezone.now()
    _require_owner(request, actor)
    with transaction.atomic():
        locked = _lock_request(request.pk)
        if SpamReport.objects.filter(request=locked).exists():
            raise ValidationError("You have already reported this request.", code="duplicate")
        report = SpamReport.objects.create(
            request=locked,
            practitioner_id=locked.practitioner_id,
            patient_id=locked.patient_id,
            message_copy=locked.message,
        )
        _block_and_close(locked, now=now)
    _sync(request, locked)
    return report


def spam_report_resolve(
    *, report: SpamReport, actor: User, resolution: str, now: datetime.datetime | None = None
) -> SpamReport:
    """Staff decide a spam report; never on a report about themselves or made by their own listing."""
    now = now or timezone.now()
    if not (
        actor.is_authenticated and actor.is_active and actor.is_staff and actor.has_perm(RESOLVE_REPORT_PERMISSION)
    ):
        raise PermissionDenied("Only staff allowed to resolve spam reports can resolve one.")
    if resolution not in SpamReport.Resolution.values:
        raise ValidationError({"resolution": "Choose “Spam” or “Not spam”."})
    with transaction.atomic():
        locked = SpamReport.objects.select_for_update().get(pk=report.pk)
        owner_id = Practitioner.objects.filter(pk=locked.practitioner_id).values_list("owner_id", flat=True).first()
        require_no_conflict(
            spam_report_conflict(actor_id=actor.pk, patient_id=locked.patient_id, listing_owner_id=owner_id)
        )
        if locked.resolved_at is not None:
            raise ValidationError("This report has already been resolved.", code="resolved")
        locked.resolution = resolution
        locked.resolved_at = now
        locked.resolved_by = actor
        locked.save()
    return locked


# ---------------------------------------------------------------- retention


def contact_requests_delete_expired(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Delete requests (with their messages) and resolved spam reports older than the retention
    period after they ended; returns (requests, reports) deleted. Idempotent: run daily."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.CONTACT_RETENTION_DAYS)
    with transaction.atomic():
        expired = ContactRequest.objects.filter(ended_at__lt=cutoff)
        count = expired.count()
        expired.delete()
        reports, _ = SpamReport.objects.filter(resolved_at__lt=cutoff).delete()
    return count, reports
