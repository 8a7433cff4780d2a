"""The practitioner's forms. None of them has a field for the owner, the listing, the
publication state or any verification field: whatever else is posted is ignored."""

import datetime
from decimal import Decimal

from django import forms
from django.core import signing
from django.core.validators import RegexValidator, URLValidator
from django.utils import timezone

from practitioners.fields import BoundedModelMultipleChoiceField
from practitioners.geo import ZIP_RE, zip_place
from practitioners.models import (
    EARLIEST_PRACTICE_YEAR,
    LISTING_M2M_FIELDS,
    MAX_FEE,
    Certification,
    Degree,
    License,
    OpeningHours,
    PracticeLocation,
    Practitioner,
    School,
    StateBoard,
)
from practitioners.services import LISTING_FIELDS, LOCATION_FIELDS, listing_snapshot
from reviews.models import REPLY_MAX_LENGTH
from verification.services import DETAIL_FIELDS, STANDING_FIELDS

from . import images
from .models import CLAIM_NOTE_MAX_LENGTH
from .rules import normalize_license_number
from .selectors import CodeChannel, verified_licenses_matching

PHONE_MESSAGE = "Enter a phone number using digits, spaces and + - ( ) only, e.g. (415) 555-0123."
_phone_characters = RegexValidator(r"^\+?[0-9 ().\-]+$", PHONE_MESSAGE)


def phone_validator(value: str) -> None:
    _phone_characters(value)
    digits = sum(ch.isdigit() for ch in value)
    if not 7 <= digits <= 15:
        raise forms.ValidationError(PHONE_MESSAGE)


http_url_validator = URLValidator(
    schemes=["http", "https"], message="Enter a website address that starts with http:// or https://.", code="scheme"
)


def this_year() -> int:
    return timezone.localdate().year


def fee_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(MAX_FEE),
        max_digits=7,
        decimal_places=2,
        help_text="In US dollars. Leave empty to show “Ask the practice”.",
        error_messages={
            "min_value": "A fee cannot be negative.",
            "max_value": f"Fees above ${MAX_FEE:,} are not accepted. Check for a typo.",
            "max_digits": f"Fees above ${MAX_FEE:,} are not accepted. Check for a typo.",
            "max_whole_digits": f"Fees above ${MAX_FEE:,} are not accepted. Check for a typo.",
            "max_decimal_places": "Use at most two decimal places (cents).",
            "invalid": "Enter an amount in dollars, e.g. 120 or 95.50.",
        },
    )


def year_field(label: str, *, required: bool) -> forms.IntegerField:
    year = this_year()
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=EARLIEST_PRACTICE_YEAR,
        max_value=year,
        error_messages={
            "min_value": f"Enter a year from {EARLIEST_PRACTICE_YEAR} on.",
            "max_value": f"This year cannot be in the future (after {year}).",
            "invalid": "Enter a four-digit year, e.g. 2012.",
        },
    )


# ---------------------------------------------------------------- listing

LOADED_SALT = "dashboard.listing-loaded"
CONFLICT_CHOICES = [("mine", "Keep mine"), ("saved", "Keep the saved one")]


def sign_loaded(pk: int, snapshot: dict, conflicts: tuple[str, ...] = ()) -> str:
    return signing.dumps({"pk": pk, "values": snapshot, "conflicts": list(conflicts)}, salt=LOADED_SALT)


class ListingForm(forms.ModelForm):
    first_visit_fee = fee_field("First visit fee")
    follow_up_fee = fee_field("Follow-up visit fee")
    website = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=[http_url_validator],
        help_text="Your practice's website, e.g. https://example.com.",
        error_messages={"invalid": "Enter a full website address, e.g. https://example.com."},
    )
    phone = forms.CharField(required=False, max_length=30, validators=[phone_validator])
    # The values this form was loaded with (signed): saving compares them with what is saved now,
    # so a second tab never silently restores a field the first tab changed.
    loaded = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Practitioner
        fields = LISTING_FIELDS
        labels = {
            "gender_self_description": "Gender, in your own words",
            "bio": "About you",
            "languages": "Languages you treat patients in",
            "conditions": "Conditions you treat",
            "techniques": "Techniques you use",
            "services": "Complementary services",
            "insurance_carriers": "Insurance accepted",
            "medicare_enrolled": "Enrolled with Medicare",
            "accepting_new_patients": "Accepting new patients",
            "first_session_text": "What a first session is like",
            "course_of_treatment_text": "A typical course of treatment",
            "contact_email": "Contact email (kept private)",
        }
        help_texts = {
            "gender_self_description": "Only used when you choose “Self-described”.",
        }
        field_classes = dict.fromkeys(LISTING_M2M_FIELDS, BoundedModelMultipleChoiceField)
        widgets = {
            **dict.fromkeys(LISTING_M2M_FIELDS, forms.CheckboxSelectMultiple),
            "bio": forms.Textarea(attrs={"rows": 8}),
            "first_session_text": forms.Textarea(attrs={"rows": 4}),
            "course_of_treatment_text": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, conflicts: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice_started_year"] = year_field("Year you started practising", required=False)
        self.fields["name"].strip = True
        if self.instance.pk:
            self.fields["loaded"].initial = sign_loaded(self.instance.pk, listing_snapshot(self.instance), conflicts)

    def clean_loaded(self) -> dict | None:
        """(snapshot, conflicts) the form was built from, or None for a post without one."""
        token = self.cleaned_data.get("loaded") or ""
        if not token:
            return None
        try:
            payload = signing.loads(token, salt=LOADED_SALT)
        except signing.BadSignature:
            raise forms.ValidationError("This form is out of date or was altered. Reload the page.") from None
        if payload.get("pk") != self.instance.pk:
            raise forms.ValidationError("This form belongs to another listing. Reload the page.")
        return payload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("gender") == Practitioner.Gender.SELF_DESCRIBED:
            if not (cleaned.get("gender_self_description") or "").strip():
                self.add_error("gender_self_description", "Describe your gender, or choose another option.")
        else:
            cleaned["gender_self_description"] = ""
        return cleaned


# ---------------------------------------------------------------- locations


class LocationForm(forms.ModelForm):
    phone = forms.CharField(required=False, max_length=30, validators=[phone_validator])
    # The location as the form showed it (`location_fingerprint`): a change saved since is noticed.
    loaded = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    class Meta:
        model = PracticeLocation
        fields = list(LOCATION_FIELDS)
        labels = {
            "street": "Street address",
            "zip_code": "ZIP code",
            "evening_hours": "Open some evenings",
            "weekend_hours": "Open some weekends",
            "wheelchair_accessible": "Wheelchair accessible",
            "is_primary": "Main location (shown first)",
        }
        help_texts = {"zip_code": "Five digits. We place the location on the map from it."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].empty_label = "Choose a state"
        self.place = None

    def clean_zip_code(self) -> str:
        value = (self.cleaned_data.get("zip_code") or "").strip()
        if not ZIP_RE.match(value):
            raise forms.ValidationError("Enter a 5-digit ZIP code.")
        place = zip_place(value)
        if place is None:
            raise forms.ValidationError(f"“{value}” is not a US ZIP code we know. Enter the five-digit ZIP.")
        self.place = place
        return value

    def clean(self):
        cleaned = super().clean()
        state = cleaned.get("state")
        if self.place is not None and state is not None and self.place.state != state.state:
            self.add_error(
                "zip_code", f"ZIP {cleaned['zip_code']} is in {self.place.state}, not {state.state}. Check both."
            )
        return cleaned


class OpeningHoursForm(forms.Form):
    """One opening period per weekday; both times empty means closed that day."""

    def __init__(self, *args, location: PracticeLocation | None = None, **kwargs):
        initial = kwargs.pop("initial", None) or {}
        if location is not None and location.pk:
            for slot in location.hours.all():
                initial.setdefault(f"opens_{slot.weekday}", slot.opens)
                initial.setdefault(f"closes_{slot.weekday}", slot.closes)
        super().__init__(*args, initial=initial, **kwargs)
        for day, name in OpeningHours.Weekday.choices:
            self.fields[f"opens_{day}"] = forms.TimeField(
                label=f"{name} opens", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            )
            self.fields[f"closes_{day}"] = forms.TimeField(
                label=f"{name} closes", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            )

    def days(self):
        """(weekday name, opens field, closes field) for the template."""
        return [(name, self[f"opens_{day}"], self[f"closes_{day}"]) for day, name in OpeningHours.Weekday.choices]

    def clean(self):
        cleaned = super().clean()
        for day, name in OpeningHours.Weekday.choices:
            opens, closes = cleaned.get(f"opens_{day}"), cleaned.get(f"closes_{day}")
            if f"opens_{day}" in self.errors or f"closes_{day}" in self.errors:
                continue
            if (opens is None) != (closes is None):
                self.add_error(f"closes_{day}", f"Give both times for {name}, or neither if closed.")
            elif opens is not None and closes <= opens:
                self.add_error(f"closes_{day}", f"On {name} the closing time must be after the opening time.")
        return cleaned

    def slots(self) -> dict[int, tuple[datetime.time, datetime.time]]:
        return {
            day: (self.cleaned_data[f"opens_{day}"], self.cleaned_data[f"closes_{day}"])
            for day, _ in OpeningHours.Weekday.choices
            if self.cleaned_data.get(f"opens_{day}") is not None
        }


# ---------------------------------------------------------------- credentials


def licensing_states():
    return StateBoard.objects.issuing_credentials()


def license_title_choices() -> list[tuple[str, str]]:
    titles = sorted({t for board in licensing_states() for t in board.licensed_titles})
    return [("", "Choose a title"), *((t, t) for t in titles)]


class DatesMixin:
    """Issue date not in the future; expiry after issue."""

    def clean(self):
        cleaned = super().clean()
        issue, expiry = cleaned.get("issue_date"), cleaned.get("expiry_date")
        if issue and issue > timezone.localdate():
            self.add_error("issue_date", "The issue date cannot be in the future.")
        if issue and expiry and expiry <= issue:
            self.add_error("expiry_date", "The expiry date must be after the issue date.")
        return cleaned


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def practitioner_stated(model) -> list[str]:
    """What the practitioner types in for a credential: its details (`verification.services.DETAIL_FIELDS`)
    except the board's or NCCAOM's standing, which staff record from the source."""
    return [name for name in DETAIL_FIELDS[model] if name not in STANDING_FIELDS]


class LicenseForm(DatesMixin, forms.ModelForm):
    class Meta:
        model = License
        fields = practitioner_stated(License)
        labels = {"state": "State", "number": "License number"}
        widgets = {"issue_date": DATE_WIDGET, "expiry_date": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].queryset = licensing_states()
        self.fields["state"].empty_label = "Choose a state"
        self.fields["title"] = forms.ChoiceField(label="Title", choices=license_title_choices())

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip()

    def clean(self):
        cleaned = super().clean()
        state, number, title = cleaned.get("state"), cleaned.get("number"), cleaned.get("title")
        if state and title and state.licensed_titles and title not in state.licensed_titles:
            self.add_error("title", f"{state.state_name} licenses: {', '.join(state.licensed_titles)}.")
        if (
            state
            and number
            and verified_licenses_matching(state=state.state, number=number).exclude(pk=self.instance.pk).exists()
        ):
            self.add_error(
                "number",
                "This license is already verified on a Meridian listing. If that listing is yours, claim it instead.",
            )
        return cleaned


class CertificationForm(DatesMixin, forms.ModelForm):
    class Meta:
        model = Certification
        fields = practitioner_stated(Certification)
        widgets = {"issue_date": DATE_WIDGET, "expiry_date": DATE_WIDGET}

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip()

    def clean(self):
        cleaned = super().clean()
        cert_type, number = cleaned.get("cert_type"), cleaned.get("number")
        if cert_type and number:
            clash = (
                Certification.objects.filter(cert_type=cert_type, number__iexact=number)
                .exclude(pk=self.instance.pk)
                .exists()
            )
            if clash:
                self.add_error("number", "This certificate is already on a Meridian listing.")
        return cleaned


class DegreeForm(forms.ModelForm):
    class Meta:
        model = Degree
        fields = practitioner_stated(Degree)

    def __init__(self, *args, practitioner: Practitioner, **kwargs):
        super().__init__(*args, **kwargs)
        self.practitioner = practitioner
        self.fields["school"].queryset = School.objects.all()
        self.fields["school"].empty_label = "Choose a school"
        self.fields["graduation_year"] = year_field("Graduation year", required=True)

    def clean(self):
        cleaned = super().clean()
        school, degree = cleaned.get("school"), cleaned.get("degree")
        if school and degree:
            clash = (
                Degree.objects.filter(practitioner=self.practitioner, school=school, degree=degree)
                .exclude(pk=self.instance.pk)
                .exists()
            )
            if clash:
                self.add_error("degree", "You have already added this degree from this school.")
        return cleaned


CREDENTIAL_FORMS: dict[str, type[forms.ModelForm]] = {
    "license": LicenseForm,
    "certification": CertificationForm,
    "degree": DegreeForm,
}


# ---------------------------------------------------------------- photo, claims, new listings, replies


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label="Photo",
        help_text=(
            "A JPEG, PNG or WebP image of up to 5 MB, at least 200 × 200 pixels "
            "(PNG and WebP: at most 16 megapixels). We crop it to a square."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def clean_photo(self) -> dict[int, bytes]:
        upload = self.cleaned_data["photo"]
        if upload.size > images.MAX_UPLOAD_BYTES:
            # Refuse before reading the file into memory.
            raise forms.ValidationError(
                f"This file is {upload.size / 1024 / 1024:.1f} MB; photos can be at most "
                f"{images.MAX_UPLOAD_BYTES // 1024 // 1024} MB."
            )
        return images.process_photo(upload.read())


class LicenseIdentityForm(forms.Form):
    """A license state and number, as given on a claim or a new listing."""

    license_state = forms.ModelChoiceField(
        label="License state", queryset=StateBoard.objects.none(), empty_label="Choose a state"
    )
    license_number = forms.CharField(label="License number", max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["license_state"].queryset = licensing_states()

    def clean_license_number(self) -> str:
        number = self.cleaned_data["license_number"].strip()
        if not normalize_license_number(number):
            raise forms.ValidationError("Enter your license number.")
        return number


class ClaimForm(LicenseIdentityForm):
    message = forms.CharField(
        label="Message to our staff (optional)",
        required=False,
        max_length=CLAIM_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, a phone number at your practice where we can reach you.",
    )


class ClaimCodeSendForm(forms.Form):
    """Which address on record gets the code: a choice among the listing's own, never typed."""

    channel = forms.ChoiceField(label="Send a code to", widget=forms.RadioSelect)

    def __init__(self, *args, channels: list[CodeChannel], **kwargs):
        super().__init__(*args, **kwargs)
        kind_label = {"email": "Email", "sms": "Text message"}
        self.fields["channel"].choices = [(c.key, f"{kind_label[c.kind]} to {c.masked}") for c in channels]


class ClaimCodeConfirmForm(forms.Form):
    code = forms.CharField(
        label="The 6-digit code we sent",
        max_length=6,
        min_length=6,
        validators=[RegexValidator(r"^[0-9]{6}$", "Enter the six digits of the code.")],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ListingCreateForm(LicenseIdentityForm):
    name = forms.CharField(label="Your name as patients know it", max_length=200)
    display_credentials = forms.CharField(
        label="Credentials after your name", max_length=100, required=False, help_text="e.g. L.Ac., Dipl. Ac."
    )
    license_title = forms.ChoiceField(label="License title", choices=())
    license_expiry_date = forms.DateField(label="License expiry date", widget=DATE_WIDGET)

    field_order = ["name", "display_credentials", "license_state", "license_number", "license_title"]

    def clean_license_expiry_date(self) -> datetime.date:
        value = self.cleaned_data["license_expiry_date"]
        if value < timezone.localdate():
            raise forms.ValidationError("This date has passed. Enter the expiry date of your current license.")
        return value

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["license_title"].choices = license_title_choices()

    def clean(self):
        cleaned = super().clean()
        state, title, number = cleaned.get("license_state"), cleaned.get("license_title"), cleaned.get("license_number")
        if state and title and state.licensed_titles and title not in state.licensed_titles:
            self.add_error("license_title", f"{state.state_name} licenses: {', '.join(state.licensed_titles)}.")
        if state and number and verified_licenses_matching(state=state.state, number=number).exists():
            self.add_error(
                "license_number",
                "This license is already verified on a Meridian listing. Find that listing and claim it instead.",
            )
        return cleaned


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your public reply",
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown under the review on your profile. Never confirm that the reviewer is your patient.",
    )


class ClaimSearchForm(forms.Form):
    q = forms.CharField(label="Your name as it appears on the listing", max_length=100, required=False)
    state = forms.ModelChoiceField(
        label="State", queryset=StateBoard.objects.all(), required=False, empty_label="Any state", to_field_name="state"
    )
