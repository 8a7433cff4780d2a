"""Who may keep which listing: claims on existing listings, and freshness reminders sent.

Every write goes through `dashboard.services`; the invariants below are also
database constraints.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from practitioners.models import Practitioner, StateBoard

CLAIM_NOTE_MAX_LENGTH = 2000
# One-time codes proving the claimant controls the practice's email or phone on record.
CLAIM_CODE_MAX_ATTEMPTS = 5
CLAIM_CODE_MAX_SENDS = 3


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ClaimQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ClaimStatus.PENDING)


class Claim(models.Model):
    """A signed-in practitioner says an existing listing is theirs.

    Staff approve it only when the license given matches a license on the listing;
    approval makes the claimant the listing's owner (`Practitioner.owner`).
    """

    Status = ClaimStatus

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims")
    license_state = models.ForeignKey(
        StateBoard, on_delete=models.PROTECT, related_name="+", db_column="license_state", verbose_name="license state"
    )
    license_number = models.CharField("license number", max_length=40)
    message = models.TextField(
        "message to staff", blank=True, max_length=CLAIM_NOTE_MAX_LENGTH, help_text="Anything that helps us check."
    )
    status = models.CharField(max_length=10, choices=ClaimStatus, default=ClaimStatus.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(
        "staff note", blank=True, max_length=CLAIM_NOTE_MAX_LENGTH, help_text="Shown to the claimant."
    )
    # Proof of control (dashboard.services.claim_code_send / claim_code_confirm): the code is
    # stored hashed, only for its short life; the destination is kept masked, for the queue.
    code_hash = models.CharField(max_length=128, blank=True, editable=False)
    code_sent_to = models.CharField("code sent to", max_length=120, blank=True, editable=False)
    code_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    code_sends = models.PositiveSmallIntegerField(default=0, editable=False)
    code_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    proof_confirmed_at = models.DateTimeField("code confirmed at", null=True, blank=True, editable=False)
    proof_override_note = models.TextField(
        "approved without proof because",
        blank=True,
        max_length=CLAIM_NOTE_MAX_LENGTH,
        editable=False,
        help_text="A reviewer who approves a claim without a confirmed code says how they checked instead.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="claim_queue_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="claim_one_pending_per_user",
                violation_error_message="You already have a claim awaiting review.",
            ),
            models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"),
            models.CheckConstraint(condition=~Q(license_number=""), name="claim_license_number_not_empty"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "withdrawn"]) | Q(reviewed_at__isnull=False),
                name="claim_reviewed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(proof_confirmed_at__isnull=False) | ~Q(proof_override_note=""),
                name="claim_approved_has_proof_or_override",
                violation_error_message="A claim is approved only with a confirmed code or a reviewer's override note.",
            ),
            models.CheckConstraint(
                condition=Q(code_attempts__lte=CLAIM_CODE_MAX_ATTEMPTS) & Q(code_sends__lte=CLAIM_CODE_MAX_SENDS),
                name="claim_code_limits",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(note=""),
                name="claim_rejected_has_note",
                violation_error_message="Say why the claim is rejected; the claimant sees this note.",
            ),
        ]

    def __str__(self) -> str:
        return f"Claim on {self.practitioner} by {self.user} ({self.status})"

    @property
    def proof_label(self) -> str:
        """What proof the claimant gave, for the queue."""
        if self.proof_confirmed_at is not None:
            return f"Code confirmed to {self.code_sent_to} at {timezone.localtime(self.proof_confirmed_at):%Y-%m-%d %H:%M %Z}"
        if self.proof_override_note:
            return f"None; approved by reviewer override: {self.proof_override_note}"
        if self.code_sent_at is not None:
            return f"None yet (code sent to {self.code_sent_to}, not confirmed)"
        return "None"


class PendingClaim(Claim):
    """The claims awaiting review, as their own admin changelist for the verification queue."""

    class Meta:
        proxy = True
        verbose_name = "claim awaiting review"
        verbose_name_plural = "claims awaiting review"


class FreshnessReminder(models.Model):
    """One row per reminder email: at most one per listing per staleness period.

    A period starts when the listing was last confirmed (or, if it never was, when
    it was created); confirming again starts a new period.
    """

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="freshness_reminders")
    period_start = models.DateTimeField()
    sent_to = models.EmailField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "period_start"], name="reminder_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"Freshness reminder for {self.practitioner_id} sent {self.sent_at:%Y-%m-%d}"
