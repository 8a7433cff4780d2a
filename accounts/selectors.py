"""Read-side questions about accounts."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser

from .models import User


def user_has_verified_email(user: User | AnonymousUser) -> bool:
    """True when the account has confirmed at least one email address (allauth's record)."""
    if not user.is_authenticated:
        return False
    return EmailAddress.objects.filter(user=user, verified=True).exists()
