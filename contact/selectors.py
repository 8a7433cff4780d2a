"""Read-side queries for contact requests. A request is only ever looked up inside the
signed-in side's own requests (the patient's, or the listing they keep), so another's id is a 404."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from practitioners.models import Practitioner

from .models import ConfirmedVisit, ContactBlock, ContactRequest, RequestState, Side
from .services import request_refusal
from .stats import ResponseFigures, response_figures


def response_stats(*, practitioner_id: int, now: datetime.datetime | None = None) -> ResponseFigures | None:
    """Typical response time and response rate over settings.CONTACT_STATS_DAYS, in one query.

    Requests the patient closed before any answer are not counted: the practitioner had no chance."""
    now = now or timezone.now()
    rows = (
        ContactRequest.objects.for_listing(practitioner_id)
        .filter(created_at__gte=now - datetime.timedelta(days=settings.CONTACT_STATS_DAYS))
        .exclude(answered_at__isnull=True, closed_by=Side.PATIENT)
        .values_list("created_at", "answered_at")
    )
    delays = [None if answered is None else answered - created for created, answered in rows]
    return response_figures(delays, min_requests=settings.CONTACT_STATS_MIN_REQUESTS)


def confirmed_authors(*, practitioner_id: int, author_ids: list[int]) -> set[int]:
    """Which of `author_ids` had a visit to this listing confirmed by its practitioner (one query)."""
    if not author_ids:
        return set()
    return set(
        ConfirmedVisit.objects.filter(practitioner_id=practitioner_id, patient_id__in=author_ids).values_list(
            "patient_id", flat=True
        )
    )


def review_visit_confirmed() -> Exists:
    """For a review row: whether its listing confirmed a visit by its author (`confirmed_authors`, read
    with the review itself so the profile's page of reviews needs no query of its own for it)."""
    return Exists(
        ConfirmedVisit.objects.filter(practitioner_id=OuterRef("practitioner_id"), patient_id=OuterRef("author_id"))
    )


def has_confirmed_visit(*, practitioner_id: int, user: User) -> bool:
    return user.is_authenticated and bool(confirmed_authors(practitioner_id=practitioner_id, author_ids=[user.pk]))


@dataclass(frozen=True)
class ProfileContact:
    """What the profile says about reaching the practitioner."""

    claimed: bool
    refusal: str | None  # why this visitor can't send a request (None: they can)
    open_request_id: int | None  # the visitor's open request to this listing, if any
    stats: ResponseFigures | None
    stats_days: int

    @property
    def can_request(self) -> bool:
        return self.refusal is None and self.open_request_id is None


def profile_contact(*, practitioner: Practitioner, user: User, now: datetime.datetime | None = None) -> ProfileContact:
    refusal = request_refusal(practitioner=practitioner, user=user)
    open_id = None
    if user.is_authenticated and practitioner.owner_id not in (None, user.pk):
        open_id = (
            ContactRequest.objects.open()
            .filter(practitioner=practitioner, patient=user)
            .values_list("pk", flat=True)
            .first()
        )
    return ProfileContact(
        claimed=practitioner.owner_id is not None,
        refusal=refusal,
        open_request_id=open_id,
        stats=response_stats(practitioner_id=practitioner.pk, now=now) if practitioner.owner_id else None,
        stats_days=settings.CONTACT_STATS_DAYS,
    )


INBOX_FILTERS = {
    "open": Q(state__in=[RequestState.SENT, RequestState.ANSWERED]),
    "sent": Q(state=RequestState.SENT),
    "answered": Q(state=RequestState.ANSWERED),
    "ended": Q(state__in=[RequestState.CONFIRMED, RequestState.DECLINED, RequestState.CLOSED]),
    "all": Q(),
}
INBOX_LABELS = {"open": "Open", "sent": "Waiting for you", "answered": "Answered", "ended": "Ended", "all": "All"}


def inbox(*, practitioner: Practitioner, show: str = "open") -> QuerySet[ContactRequest]:
    """The listing's requests for the dashboard (unanswered first); `show` is one of INBOX_FILTERS."""
    return (
        ContactRequest.objects.for_listing(practitioner.pk)
        .filter(INBOX_FILTERS[show])
        .select_related("condition")
        .order_by(F("answered_at").asc(nulls_first=True), "-created_at", "-pk")
    )


def patient_requests(*, user: User) -> QuerySet[ContactRequest]:
    return ContactRequest.objects.for_patient(user.pk).select_related("practitioner").order_by("-created_at", "-pk")


def _thread(queryset: QuerySet[ContactRequest], pk: int) -> ContactRequest:
    try:
        return queryset.select_related("practitioner", "patient", "condition", "insurance").get(pk=pk)
    except ContactRequest.DoesNotExist as exc:
        raise Http404("No request of yours has this number.") from exc


def practitioner_thread(*, practitioner: Practitioner, pk: int) -> ContactRequest:
    return _thread(ContactRequest.objects.for_listing(practitioner.pk), pk)


def patient_thread(*, user: User, pk: int) -> ContactRequest:
    return _thread(ContactRequest.objects.for_patient(user.pk), pk)


def is_blocked(*, practitioner_id: int, patient_id: int) -> bool:
    return ContactBlock.objects.filter(practitioner_id=practitioner_id, patient_id=patient_id).exists()
