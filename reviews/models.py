"""Patient reviews that record whether the pain got better.

Every write goes through `reviews.services`, which keeps the rating summary
stored on `practitioners.Practitioner` in step in the same transaction.
The ranges below are enforced by the database as well as by the forms.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

RATING_MIN = 1
RATING_MAX = 5
PAIN_MIN = 0
PAIN_MAX = 10
SESSIONS_MIN = 1
# A course of acupuncture for back pain is typically 6-12 sessions; years of weekly
# maintenance treatment still stays well under 200. Anything above is a typo.
SESSIONS_MAX = 200
TITLE_MAX_LENGTH = 120
TEXT_MAX_LENGTH = 5000
REPLY_MAX_LENGTH = 3000
REASON_MAX_LENGTH = 1000
EARLIEST_VISIT_MONTH = datetime.date(1990, 1, 1)


RATING_VALIDATORS = [
    MinValueValidator(RATING_MIN, f"Choose a rating from {RATING_MIN} to {RATING_MAX}."),
    MaxValueValidator(RATING_MAX, f"Choose a rating from {RATING_MIN} to {RATING_MAX}."),
]
PAIN_VALIDATORS = [
    MinValueValidator(PAIN_MIN, f"Pain is scored from {PAIN_MIN} (none) to {PAIN_MAX} (worst imaginable)."),
    MaxValueValidator(PAIN_MAX, f"Pain is scored from {PAIN_MIN} (none) to {PAIN_MAX} (worst imaginable)."),
]


class ReviewState(models.TextChoices):
    PENDING = "pending", "Pending moderation"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    REMOVED = "removed", "Removed"


class ReviewQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=ReviewState.PUBLISHED)

    def pending(self):
        return self.filter(state=ReviewState.PENDING)

    def for_practitioner(self, practitioner_id: int):
        return self.filter(practitioner_id=practitioner_id)

    def with_outcome(self):
        """Reviews that report pain before and after treatment (the constraint makes one imply the other)."""
        return self.filter(pain_before__isnull=False, pain_after__isnull=False)


class Review(models.Model):
    State = ReviewState

    practitioner = models.ForeignKey("practitioners.Practitioner", on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(
        "overall rating", validators=RATING_VALIDATORS, help_text="1 (poor) to 5 (excellent)."
    )
    bedside_rating = models.PositiveSmallIntegerField(
        "bedside manner", validators=RATING_VALIDATORS, help_text="1 (poor) to 5 (excellent)."
    )
    condition = models.ForeignKey(
        "practitioners.Condition", on_delete=models.PROTECT, related_name="reviews", verbose_name="condition treated"
    )
    sessions = models.PositiveSmallIntegerField(
        "number of sessions",
        validators=[
            MinValueValidator(SESSIONS_MIN, f"Enter at least {SESSIONS_MIN} session."),
            MaxValueValidator(SESSIONS_MAX, f"Enter at most {SESSIONS_MAX} sessions."),
        ],
    )
    pain_before = models.PositiveSmallIntegerField(
        "pain before treatment",
        null=True,
        blank=True,
        validators=PAIN_VALIDATORS,
        help_text="0 (no pain) to 10 (worst pain imaginable).",
    )
    pain_after = models.PositiveSmallIntegerField(
        "pain after treatment",
        null=True,
        blank=True,
        validators=PAIN_VALIDATORS,
        help_text="0 (no pain) to 10 (worst pain imaginable).",
    )
    would_recommend = models.BooleanField("would recommend")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    text = models.TextField(max_length=TEXT_MAX_LENGTH)
    visit_month = models.DateField(help_text="The first day of the month of the (last) visit.")

    state = models.CharField(max_length=10, choices=ReviewState, default=ReviewState.PENDING)
    rejection_reason = models.TextField(
        blank=True, max_length=REASON_MAX_LENGTH, help_text="Shown to the author when the review is rejected."
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # Denormalised so "most helpful" sorts without a join; kept by reviews.services.
    helpful_count = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["practitioner", "state", "-published_at"], name="review_prac_newest_idx"),
            models.Index(fields=["practitioner", "state", "-rating"], name="review_prac_rating_idx"),
            models.Index(fields=["practitioner", "state", "-helpful_count"], name="review_prac_helpful_idx"),
            models.Index(fields=["state", "created_at"], name="review_queue_idx"),
            models.Index(fields=["author", "created_at"], name="review_author_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "practitioner"],
                name="review_one_per_author_practitioner",
                violation_error_message="You have already reviewed this practitioner. You can edit your review instead.",
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX), name="review_rating_range"
            ),
            models.CheckConstraint(
                condition=Q(bedside_rating__gte=RATING_MIN, bedside_rating__lte=RATING_MAX),
                name="review_bedside_range",
            ),
            models.CheckConstraint(
                condition=Q(sessions__gte=SESSIONS_MIN, sessions__lte=SESSIONS_MAX), name="review_sessions_range"
            ),
            models.CheckConstraint(
                condition=Q(pain_before__isnull=True) | Q(pain_before__gte=PAIN_MIN, pain_before__lte=PAIN_MAX),
                name="review_pain_before_range",
            ),
            models.CheckConstraint(
                condition=Q(pain_after__isnull=True) | Q(pain_after__gte=PAIN_MIN, pain_after__lte=PAIN_MAX),
                name="review_pain_after_range",
            ),
            models.CheckConstraint(
                condition=Q(pain_before__isnull=True, pain_after__isnull=True)
                | Q(pain_before__isnull=False, pain_after__isnull=False),
                name="review_pain_both_or_neither",
                violation_error_message="Give your pain both before and after treatment, or leave both empty.",
            ),
            models.CheckConstraint(condition=Q(state__in=ReviewState.values), name="review_state_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="review_title_not_empty"),
            models.CheckConstraint(condition=~Q(text=""), name="review_text_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), TEXT_MAX_LENGTH),
                name="review_text_max_length",
                violation_error_message=f"Keep your review under {TEXT_MAX_LENGTH} characters.",
            ),
            models.CheckConstraint(
                condition=Q(visit_month__day=1, visit_month__gte=EARLIEST_VISIT_MONTH),
                name="review_visit_month_first_day",
                violation_error_message="Enter the month of your visit (1990 or later).",
            ),
            models.CheckConstraint(
                condition=~Q(state=ReviewState.REJECTED) | ~Q(rejection_reason=""),
                name="review_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state=ReviewState.PUBLISHED) | Q(published_at__isnull=False),
                name="review_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.rating}/5) — {self.practitioner_id}"

    @property
    def is_published(self) -> bool:
        return self.state == ReviewState.PUBLISHED


class ReviewReply(models.Model):
    """The listing owner's one public reply to a review."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="reply")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="review_replies"
    )
    text = models.TextField(max_length=REPLY_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "review replies"
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="reply_text_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), REPLY_MAX_LENGTH), name="reply_text_max_length"
            ),
        ]

    def __str__(self) -> str:
        return f"Reply to review {self.review_id}"


class ReportReason(models.TextChoices):
    FAKE = "fake", "Not a genuine patient experience"
    OFFENSIVE = "offensive", "Abusive or offensive"
    PRIVATE = "private", "Contains private or personal information"
    CONFLICT = "conflict", "Written by someone with a conflict of interest"
    OFF_TOPIC = "off_topic", "Not about treatment by this practitioner"
    OTHER = "other", "Something else"


class ReviewReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class ReviewReport(models.Model):
    Reason = ReportReason

    class Resolution(models.TextChoices):
        KEPT = "kept", "Review kept"
        REMOVED = "removed", "Review removed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_reports")
    reason = models.CharField(max_length=12, choices=ReportReason)
    details = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=10, choices=Resolution, blank=True)
    resolution_note = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)

    objects = ReviewReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(resolved_at__isnull=True), name="report_open_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "reporter"],
                name="report_one_per_reporter",
                violation_error_message="You have already reported this review; our moderators will look at it.",
            ),
            models.CheckConstraint(condition=Q(reason__in=ReportReason.values), name="report_reason_valid"),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolution="")
                | Q(resolved_at__isnull=False, resolution__in=["kept", "removed"]),
                name="report_resolution_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"Report on review {self.review_id}: {self.get_reason_display()}"


class HelpfulVote(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="helpful_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpful_votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "user"],
                name="helpful_one_per_user",
                violation_error_message="You have already marked this review as helpful.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} found review {self.review_id} helpful"
