"""The request form (patient) and the answer forms (both sides). Every field has its own message;
the services check the same rules again (a form is one door, the service is the rule)."""

import re

from django import forms
from django.utils import timezone

from practitioners.models import Practitioner

from .models import DAYS, MESSAGE_MAX_LENGTH, PHONE_MAX_LENGTH, TIMES, Channel, DeclineReason, PatientStatus

SOMETHING_ELSE = "other"
PAYING_MYSELF = "self"
HONEYPOT = "website"
_PHONE = re.compile(r"^\+?[0-9 ().\-]+$")
PHONE_MESSAGE = "Enter a phone number with digits, spaces and + - ( ) only, e.g. (415) 555-0123."


def _message_field(label: str, *, required: bool, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MESSAGE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_MAX_LENGTH}),
        help_text=help_text or f"Up to {MESSAGE_MAX_LENGTH} characters.",
        error_messages={
            "required": "Write a message.",
            "max_length": f"Keep your message to {MESSAGE_MAX_LENGTH} characters (it has %(show_value)d).",
        },
    )


def _bits(values: list[str]) -> int:
    return sum(int(v) for v in values)


class ContactRequestForm(forms.Form):
    condition = forms.ChoiceField(
        label="What would you like help with?", error_messages={"required": "Choose what you would like help with."}
    )
    patient_status = forms.ChoiceField(
        label="Have you seen this practitioner before?",
        choices=PatientStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether you are a new or a returning patient.",
            "invalid_choice": "Say whether you are a new or a returning patient.",
        },
    )
    preferred_days = forms.MultipleChoiceField(
        label="Days that suit you",
        choices=[(str(bit), label) for bit, label in DAYS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Tick at least one day that suits you.",
            "invalid_choice": "Tick days from the list.",
        },
    )
    preferred_times = forms.MultipleChoiceField(
        label="Times of day that suit you",
        choices=[(str(bit), label) for bit, label in TIMES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Tick at least one time of day that suits you.",
            "invalid_choice": "Tick times of day from the list.",
        },
    )
    insurance = forms.ChoiceField(
        label="How will you pay?", error_messages={"required": "Choose your insurer, or “Paying myself”."}
    )
    channel = forms.ChoiceField(
        label="How should the practitioner reach you?",
        choices=Channel.choices,
        widget=forms.RadioSelect,
        help_text="Email: the practitioner answers here and we email you a notice; they see your email address. "
        "Phone: they see only the number you give below.",
        error_messages={
            "required": "Choose how the practitioner should reach you.",
            "invalid_choice": "Choose email or phone.",
        },
    )
    phone = forms.CharField(
        label="Phone number (only if you chose phone)",
        required=False,
        max_length=PHONE_MAX_LENGTH,
        error_messages={"max_length": f"A phone number has at most {PHONE_MAX_LENGTH} characters."},
    )
    message = _message_field(
        "Your message",
        required=True,
        help_text=f"Up to {MESSAGE_MAX_LENGTH} characters. Share only what you are comfortable with; "
        "the practitioner can ask for details at your visit.",
    )
    # Left empty by people (it is hidden from them); bots fill in every field.
    website = forms.CharField(label="Leave this field empty", required=False, max_length=200)

    def __init__(self, *args, practitioner: Practitioner, **kwargs):
        super().__init__(*args, **kwargs)
        self.practitioner = practitioner
        self.conditions = {str(c.pk): c for c in practitioner.conditions.all()}
        self.carriers = {str(i.pk): i for i in practitioner.insurance_carriers.all()}
        self.fields["condition"].choices = [
            ("", "Choose…"),
            *((pk, c.name) for pk, c in self.conditions.items()),
            (SOMETHING_ELSE, "Something else"),
        ]
        self.fields["condition"].error_messages["invalid_choice"] = (
            "Choose one of the conditions this practitioner treats, or “Something else”."
        )
        self.fields["insurance"].choices = [
            ("", "Choose…"),
            *((pk, i.name) for pk, i in self.carriers.items()),
            (PAYING_MYSELF, "Paying myself"),
        ]
        self.fields["insurance"].error_messages["invalid_choice"] = (
            "Choose one of the insurers this practitioner takes, or “Paying myself”."
        )
        self.fields[HONEYPOT].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and (not _PHONE.match(phone) or not 7 <= sum(ch.isdigit() for ch in phone) <= 15):
            raise forms.ValidationError(PHONE_MESSAGE)
        return phone

    def clean(self):
        data = super().clean()
        if data.get(HONEYPOT):
            raise forms.ValidationError("This request looks automated, so it was not sent.", code="honeypot")
        if data.get("channel") == Channel.PHONE and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", "Give a phone number, or choose email.")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "condition": self.conditions.get(data["condition"]),
            "patient_status": data["patient_status"],
            "preferred_days": _bits(data["preferred_days"]),
            "preferred_times": _bits(data["preferred_times"]),
            "insurance": self.carriers.get(data["insurance"]),
            "channel": data["channel"],
            "phone": data["phone"] if data["channel"] == Channel.PHONE else "",
            "message": data["message"],
        }


class _ThreadForm(forms.Form):
    # The state the page showed: a form posted after the request changed (another tab) is refused.
    state = forms.CharField(widget=forms.HiddenInput, required=False)


class PractitionerAnswerForm(_ThreadForm):
    ACTIONS = [
        ("message", "Send a message"),
        ("propose", "Propose a time"),
        ("decline", "Decline"),
        ("visit", "Mark “visit happened”"),
        ("close", "Close the request"),
    ]
    action = forms.ChoiceField(
        label="What do you want to do?",
        choices=ACTIONS,
        widget=forms.RadioSelect,
        initial="message",
        error_messages={"required": "Choose what to do.", "invalid_choice": "Choose an action from the list."},
    )
    text = _message_field("Message", required=False)
    proposed_time = forms.DateTimeField(
        label="Proposed time (for “Propose a time”)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": "Enter a date and time, e.g. 2027-01-15 10:30."},
    )
    decline_reason = forms.ChoiceField(
        label="Reason (for “Decline”)",
        required=False,
        choices=[("", "Choose…"), *DeclineReason.choices],
        error_messages={"invalid_choice": "Choose a reason from the list."},
    )

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "message" and not data.get("text") and "text" not in self.errors:
            self.add_error("text", "Write a message.")
        if action == "propose" and not data.get("proposed_time") and "proposed_time" not in self.errors:
            self.add_error("proposed_time", "Give the date and time you propose.")
        if (
            action == "propose"
            and data.get("proposed_time")
            and data["proposed_time"] <= timezone.now()
            and "proposed_time" not in self.errors
        ):
            self.add_error("proposed_time", "Propose a time in the future.")
        if action == "decline" and not data.get("decline_reason") and "decline_reason" not in self.errors:
            self.add_error("decline_reason", "Choose a reason for declining.")
        return data


class PatientMessageForm(_ThreadForm):
    text = _message_field("Your message", required=True)


class StateForm(_ThreadForm):
    """Close, block, report: no input but the state the page showed."""
