"""Forms parse and explain input; the rules that matter live in reviews.services."""

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils import timezone

from practitioners.fields import add_service_errors
from practitioners.models import Condition

from .models import (
    PAIN_MAX,
    PAIN_MIN,
    REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    SESSIONS_MAX,
    SESSIONS_MIN,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ReportReason,
    Review,
)

RATING_WORDS = {1: "poor", 2: "fair", 3: "good", 4: "very good", 5: "excellent"}
# Lowest first: the stars read (and arrow keys move) from one to five, left to right.
RATING_CHOICES = [(n, f"{n} star{'s' if n > 1 else ''} – {RATING_WORDS[n]}") for n in range(1, 6)]
# The numeric rating scale's anchors, said beside the numbers (and to screen readers in each label).
PAIN_ANCHORS = {PAIN_MIN: "no pain", 5: "moderate pain", PAIN_MAX: "worst pain imaginable"}
PAIN_NOT_SCORED = "Not scored"
PAIN_CHOICES = [
    *((n, f"{n} ({PAIN_ANCHORS[n]})" if n in PAIN_ANCHORS else str(n)) for n in range(PAIN_MIN, PAIN_MAX + 1)),
    ("", PAIN_NOT_SCORED),
]
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class StarRatingWidget(forms.RadioSelect):
    """One row of stars: a radio group (fieldset and legend) whose labels are drawn as stars by CSS alone."""

    template_name = "reviews/widgets/star_rating.html"


class PainScaleWidget(forms.RadioSelect):
    """The 0–10 numeric rating scale as a row of radio buttons with its anchors, and "not scored"."""

    template_name = "reviews/widgets/pain_scale.html"

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["anchors"] = [(n, PAIN_ANCHORS[n]) for n in sorted(PAIN_ANCHORS)]
        return context


def _rating_field(label: str, message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=RATING_CHOICES,
        coerce=int,
        widget=StarRatingWidget,
        help_text="1 star = poor, 5 stars = excellent.",
        error_messages={"required": message, "invalid_choice": message},
    )


def _pain_field(label: str) -> forms.TypedChoiceField:
    message = f"Pain is scored from {PAIN_MIN} (no pain) to {PAIN_MAX} (worst pain imaginable)."
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=PAIN_CHOICES,
        coerce=int,
        empty_value=None,
        widget=PainScaleWidget,
        help_text=f"{PAIN_MIN} = no pain, {PAIN_MAX} = worst pain imaginable. Optional: choose "
        f"“{PAIN_NOT_SCORED}” for both if you did not keep track.",
        error_messages={"invalid_choice": message},
    )


class VisitMonthField(forms.CharField):
    """A month as YYYY-MM (the value of <input type="month">); cleans to the month's first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"})

    def to_python(self, value: Any) -> datetime.date | None:
        value = super().to_python(value)
        if not value:
            return None
        match = MONTH_RE.match(value)
        if not match:
            raise ValidationError("Enter the month of your visit as YYYY-MM, for example 2025-03.", code="invalid")
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12 or year < 1:
            raise ValidationError("Enter a real month, for example 2025-03.", code="invalid")
        return datetime.date(year, month, 1)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m")
        return value


class ReviewForm(forms.Form):
    # The project's template engine, so the star and pain-scale widgets' templates in templates/reviews/widgets/ are found.
    default_renderer = TemplatesSetting()

    rating = _rating_field("Overall rating", "Choose an overall rating from 1 to 5.")
    bedside_rating = _rating_field("Bedside manner", "Rate the bedside manner from 1 to 5.")
    condition = forms.ModelChoiceField(
        label="Condition treated",
        queryset=Condition.objects.all(),
        empty_label="Choose a condition",
        error_messages={
            "required": "Choose the condition you were treated for.",
            "invalid_choice": "Choose a condition from the list.",
        },
    )
    sessions = forms.IntegerField(
        label="Number of sessions",
        min_value=SESSIONS_MIN,
        max_value=SESSIONS_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-short"}),
        help_text="How many treatment sessions you had with this practitioner.",
        error_messages={
            "required": "Enter how many sessions you had.",
            "min_value": f"Enter at least {SESSIONS_MIN} session.",
            "max_value": f"Enter at most {SESSIONS_MAX} sessions.",
            "invalid": "Enter the number of sessions as a whole number.",
        },
    )
    pain_before = _pain_field("Pain before treatment (0–10)")
    pain_after = _pain_field("Pain after treatment (0–10)")
    would_recommend = forms.TypedChoiceField(
        label="Would you recommend this practitioner?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you would recommend this practitioner."},
    )
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX_LENGTH,
        error_messages={"required": "Give your review a short title."},
    )
    text = forms.CharField(
        label="Your review",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text. Describe your treatment and whether it helped; links are not made clickable.",
        error_messages={"required": "Write a few words about your treatment."},
    )
    visit_month = VisitMonthField(
        label="Month of your (last) visit",
        help_text="For example 2025-03.",
        error_messages={"required": "Enter the month of your visit."},
    )

    def __init__(
        self, *args: Any, today: datetime.date | None = None, treats: list[Condition] | None = None, **kwargs: Any
    ) -> None:
        """`treats`: the practitioner's conditions, listed first; every other condition stays choosable."""
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["visit_month"].widget.attrs["max"] = self.today.strftime("%Y-%m")
        if treats:
            treated = {condition.pk for condition in treats}
            others = [(c.pk, c.name) for c in Condition.objects.order_by("name") if c.pk not in treated]
            self.fields["condition"].widget.choices = [
                ("", "Choose a condition"),
                ("Conditions this practitioner treats", [(c.pk, c.name) for c in treats]),
                ("Something else", others),
            ]

    @classmethod
    def initial_from(cls, review: Review) -> dict[str, Any]:
        return {
            "rating": review.rating,
            "bedside_rating": review.bedside_rating,
            "condition": review.condition_id,
            "sessions": review.sessions,
            # "" checks "Not scored" when the review has no pain scores.
            "pain_before": "" if review.pain_before is None else review.pain_before,
            "pain_after": "" if review.pain_after is None else review.pain_after,
            "would_recommend": "yes" if review.would_recommend else "no",
            "title": review.title,
            "text": review.text,
            "visit_month": review.visit_month,
        }

    def clean_visit_month(self) -> datetime.date | None:
        month = self.cleaned_data["visit_month"]
        if month and month > self.today.replace(day=1):
            raise ValidationError("The visit month can't be in the future.")
        return month

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        before, after = data.get("pain_before"), data.get("pain_after")
        if "pain_before" in data and "pain_after" in data and (before is None) != (after is None):
            missing = "pain_after" if after is None else "pain_before"
            self.add_error(missing, "Give your pain both before and after treatment, or leave both empty.")
        return data

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError beside the matching field (or at the top)."""
        add_service_errors(self, error)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your public reply",
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Shown under the review. Plain text; don't share anything about the patient's treatment.",
        error_messages={"required": "Write your reply."},
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with this review?",
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a reason.", "invalid_choice": "Choose one of the reasons listed."},
    )
    details = forms.CharField(
        label="Details (optional)",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RejectForm(forms.Form):
    """Admin: the reason a rejected review's author will read."""

    reason = forms.CharField(
        label="Reason shown to the author",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the author a reason for the rejection."},
    )
