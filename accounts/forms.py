"""Sign-up asks for the public display name shown beside a member's reviews."""

from allauth.account.forms import SignupForm
from django import forms
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


class MeridianSignupForm(SignupForm):
    display_name = forms.CharField(
        label="Display name",
        max_length=User._meta.get_field("display_name").max_length,
        help_text="Shown beside your reviews, e.g. “Sam K.”. Your email address is never shown.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    field_order = ["email", "display_name", "password1", "password2"]

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])

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
