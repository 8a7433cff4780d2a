"""Contact and appointment requests: a patient asks a claimed listing, the practitioner answers.

Every write goes through `contact.services`. The state machine is stated twice: as the services'
transition table and as database constraints tying each state to the dates and fields it needs,
so a row can never say "answered" without an answer date, or "declined" without a reason.

    sent ──► answered ──► visit confirmed
      │          │
      ├──────────┴──► declined (practitioner, with a reason)
      └──────────┴──► closed (either side)

Requests and their messages are deleted `settings.CONTACT_RETENTION_DAYS` after they end
(`contact.tasks.delete_expired_requests`, daily); a `ConfirmedVisit` (who saw whom, no health
detail) stays, so a review keeps its "confirmed visit" label.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

MESSAGE_MAX_LENGTH = 1000
PHONE_MAX_LENGTH = 30


class RequestState(models.TextChoices):
    SENT = "sent", "Sent"
    ANSWERED = "answered", "Answered"
    CONFIRMED = "confirmed", "Visit confirmed"
    DECLINED = "declined", "Declined"
    CLOSED = "closed", "Closed"


OPEN_STATES = (RequestState.SENT, RequestState.ANSWERED)
ENDED_STATES = (RequestState.CONFIRMED, RequestState.DECLINED, RequestState.CLOSED)


class PatientStatus(models.TextChoices):
    NEW = "new", "New patient"
    RETURNING = "returning", "Returning patient"


class Channel(models.TextChoices):
    EMAIL = "email", "Email, through Meridian"
    PHONE = "phone", "Phone call"


class Side(models.TextChoices):
    PATIENT = "patient", "Patient"
    PRACTITIONER = "practitioner", "Practitioner"


class DeclineReason(models.TextChoices):
    NOT_ACCEPTING = "not_accepting", "Not taking new patients at the moment"
    NOT_TREATED = "not_treated", "I don't treat this condition"
    NO_TIMES = "no_times", "No times that suit the request"
    INSURANCE = "insurance", "I can't accept this insurance"
    REFER = "refer", "Better seen by another kind of provider"


# Preferred days and times are bit sets (one bit per checkbox), so the database can check them.
DAYS = [(1 << i, name) for i, name in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))]
TIMES = [(1, "Morning"), (2, "Afternoon"), (4, "Evening")]
ALL_DAYS = sum(bit for bit, _ in DAYS)
ALL_TIMES = sum(bit for bit, _ in TIMES)


def bits_to_labels(value: int, choices: list[tuple[int, str]]) -> list[str]:
    return [label for bit, label in choices if value & bit]


class ContactRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def for_listing(self, practitioner_id: int):
        return self.filter(practitioner_id=practitioner_id)

    def for_patient(self, user_id: int):
        return self.filter(patient_id=user_id)


class ContactRequest(models.Model):
    State = RequestState

    practitioner = models.ForeignKey(
        "practitioners.Practitioner", on_delete=models.CASCADE, related_name="contact_requests"
    )
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_requests")
    # None: "something else" (not one of the conditions the listing treats).
    condition = models.ForeignKey(
        "practitioners.Condition", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patient_status = models.CharField(max_length=10, choices=PatientStatus)
    preferred_days = models.PositiveSmallIntegerField()
    preferred_times = models.PositiveSmallIntegerField()
    # None: paying myself.
    insurance = models.ForeignKey(
        "practitioners.InsuranceCarrier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("how to reach you", max_length=5, choices=Channel)
    phone = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True)
    message = models.TextField(max_length=MESSAGE_MAX_LENGTH)

    state = models.CharField(max_length=10, choices=RequestState, default=RequestState.SENT)
    created_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True, help_text="The practitioner's first answer.")
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Confirmed, declined or closed.")
    decline_reason = models.CharField(max_length=15, choices=DeclineReason, blank=True)
    closed_by = models.CharField(max_length=12, choices=Side, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContactRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["practitioner", "-created_at"], name="contact_listing_newest_idx"),
            models.Index(fields=["patient", "-created_at"], name="contact_patient_newest_idx"),
            models.Index(fields=["ended_at"], condition=Q(ended_at__isnull=False), name="contact_ended_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=RequestState.values), name="contact_state_valid"),
            models.CheckConstraint(
                condition=Q(patient_status__in=PatientStatus.values), name="contact_patient_status_valid"
            ),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="contact_channel_valid"),
            models.CheckConstraint(
                condition=Q(preferred_days__gte=1, preferred_days__lte=ALL_DAYS), name="contact_days_valid"
            ),
            models.CheckConstraint(
                condition=Q(preferred_times__gte=1, preferred_times__lte=ALL_TIMES), name="contact_times_valid"
            ),
            models.CheckConstraint(
                condition=~Q(channel=Channel.PHONE) | ~Q(phone=""),
                name="contact_phone_channel_has_phone",
                violation_error_message="Give a phone number, or choose email.",
            ),
            models.CheckConstraint(
                condition=Q(channel=Channel.PHONE) | Q(phone=""), name="contact_phone_only_for_phone_channel"
            ),
            models.CheckConstraint(condition=~Q(message=""), name="contact_message_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("message"), MESSAGE_MAX_LENGTH), name="contact_message_max_length"
            ),
            # Each state with the dates and fields it needs, and nothing it must not have.
            models.CheckConstraint(
                condition=Q(state=RequestState.SENT, answered_at__isnull=True, ended_at__isnull=True)
                | Q(state=RequestState.ANSWERED, answered_at__isnull=False, ended_at__isnull=True)
                | Q(state=RequestState.CONFIRMED, answered_at__isnull=False, ended_at__isnull=False)
                | Q(state=RequestState.DECLINED, answered_at__isnull=False, ended_at__isnull=False)
                | Q(state=RequestState.CLOSED, ended_at__isnull=False),
                name="contact_state_dates",
            ),
            models.CheckConstraint(
                condition=Q(state=RequestState.DECLINED, decline_reason__in=DeclineReason.values)
                | (~Q(state=RequestState.DECLINED) & Q(decline_reason="")),
                name="contact_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state=RequestState.CLOSED, closed_by__in=Side.values)
                | (~Q(state=RequestState.CLOSED) & Q(closed_by="")),
                name="contact_closed_has_side",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=models.F("created_at")),
                name="contact_answered_after_created",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("created_at")),
                name="contact_ended_after_created",
            ),
            # One open request per patient and listing: the thread is where to follow up.
            models.UniqueConstraint(
                fields=["practitioner", "patient"],
                condition=Q(state__in=["sent", "answered"]),
                name="contact_one_open_per_patient_listing",
                violation_error_message="You already have an open request with this practitioner.",
            ),
        ]

    def __str__(self) -> str:
        return f"Request {self.pk} to listing {self.practitioner_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def day_labels(self) -> list[str]:
        return bits_to_labels(self.preferred_days, DAYS)

    def time_labels(self) -> list[str]:
        return bits_to_labels(self.preferred_times, TIMES)


class MessageKind(models.TextChoices):
    REQUEST = "request", "Request"
    MESSAGE = "message", "Message"
    PROPOSAL = "proposal", "Proposed a time"
    DECLINE = "decline", "Declined"
    VISIT = "visit", "Visit happened"
    CLOSE = "close", "Closed"


class ContactMessage(models.Model):
    """One entry of a request's thread, seen by both sides."""

    Kind = MessageKind

    request = models.ForeignKey(ContactRequest, on_delete=models.CASCADE, related_name="messages")
    side = models.CharField(max_length=12, choices=Side)
    kind = models.CharField(max_length=10, choices=MessageKind, default=MessageKind.MESSAGE)
    text = models.TextField(max_length=MESSAGE_MAX_LENGTH, blank=True)
    proposed_time = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(side__in=Side.values), name="contact_message_side_valid"),
            models.CheckConstraint(condition=Q(kind__in=MessageKind.values), name="contact_message_kind_valid"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), MESSAGE_MAX_LENGTH), name="contact_message_text_max"
            ),
            models.CheckConstraint(
                condition=(Q(kind=MessageKind.PROPOSAL) & Q(proposed_time__isnull=False))
                | (~Q(kind=MessageKind.PROPOSAL) & Q(proposed_time__isnull=True)),
                name="contact_message_proposal_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[MessageKind.MESSAGE, MessageKind.REQUEST]) | ~Q(text=""),
                name="contact_message_has_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.side} on request {self.request_id}"


class ContactBlock(models.Model):
    """A practitioner stops a patient from sending requests to their listing."""

    practitioner = models.ForeignKey("practitioners.Practitioner", on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "patient"], name="contact_block_once"),
        ]

    def __str__(self) -> str:
        return f"Listing {self.practitioner_id} blocks user {self.patient_id}"


class SpamReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class SpamReport(models.Model):
    """A practitioner reports a request as spam; staff look at it in the admin.

    It keeps a copy of the request's first message (the practitioner chose to show it to
    staff), so the report survives the patient deleting the request; it is deleted with the
    requests' retention period once resolved.
    """

    class Resolution(models.TextChoices):
        SPAM = "spam", "Spam"
        NOT_SPAM = "not_spam", "Not spam"

    request = models.ForeignKey(
        ContactRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="spam_reports"
    )
    practitioner = models.ForeignKey("practitioners.Practitioner", on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message_copy = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=10, choices=Resolution, blank=True)

    objects = SpamReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(request__isnull=False),
                name="contact_spam_report_once",
                violation_error_message="You have already reported this request.",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolution="")
                | Q(resolved_at__isnull=False, resolution__in=["spam", "not_spam"]),
                name="contact_spam_resolution_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"Spam report on listing {self.practitioner_id} about user {self.patient_id}"


class ConfirmedVisit(models.Model):
    """The practitioner confirmed that this patient visited: a review by them carries "confirmed visit".

    Holds no health detail, and outlives the request it came from (which retention deletes)."""

    practitioner = models.ForeignKey("practitioners.Practitioner", on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    confirmed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "patient"], name="contact_confirmed_visit_once"),
        ]

    def __str__(self) -> str:
        return f"User {self.patient_id} visited listing {self.practitioner_id}"
