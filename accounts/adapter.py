"""django-allauth hooks."""

from .models import User


def user_display(user: User) -> str:
    """How allauth's pages name an account: the public display name, never the email address."""
    return user.public_name()
