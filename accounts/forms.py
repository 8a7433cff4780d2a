"""Sign-up asks for the public display name shown beside a member's reviews."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import MinimumLengthValidator, get_default_password_validators
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .models import User


def clean_display_name(value: str) -> str:
    value = " ".join(value.split())
    if "@" in value:
        raise ValidationError("Your display name is public: please don't use an email address.")
    if len(value) < 2:
        raise ValidationError("Enter a display name of at least 2 characters.")
    return value


def password_rule() -> str:
    """The password validators' rules (settings.AUTH_PASSWORD_VALIDATORS) in one plain sentence."""
    lengths = [v.min_length for v in get_default_password_validators() if isinstance(v, MinimumLengthValidator)]
    return (
        f"At least {max(lengths, default=1)} characters. Not only numbers, not a common password, "
        "and not like your email address or display name."
    )


class MeridianSignupForm(SignupForm):
    display_name = forms.CharField(
        label="Display name",
        max_length=User._meta.get_field("display_name").max_length,
        help_text="Shown beside your reviews, e.g. “Sam K.”. Your email address is never shown.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    field_order = ["email", "display_name", "password1", "password2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = password_rule()  # instead of the validators' bulleted list

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])

    def clean(self) -> dict:
        cleaned = super().clean()
        # allauth checks the password against an unsaved user holding only the email address;
        # check it again with the display name, so the similarity rule (settings) sees it too.
        password, display_name = cleaned.get("password1"), cleaned.get("display_name")
        if password and display_name and "password1" not in self.errors:
            candidate = User(email=cleaned.get("email") or "", display_name=display_name)
            try:
                get_adapter().clean_password(password, user=candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def try_save(self, request: HttpRequest):
        if self.account_already_exists:
            # allauth answers "check your email" either way (ACCOUNT_PREVENT_ENUMERATION) but skips
            # creating the account, and with it the password hash, the slow part of a sign-up: hash
            # this password too (and discard it), so both answers take the same time.
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)

    def custom_signup(self, request: HttpRequest, user: User) -> None:
        super().custom_signup(request, user)
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])


class DisplayNameForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name"]
        labels = {"display_name": "Display name"}

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])
