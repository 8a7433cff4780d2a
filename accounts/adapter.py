"""django-allauth hooks."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from jobs.services import email_enqueue

from .models import User


def user_display(user: User) -> str:
    """How allauth's pages name an account: the public display name, never the email address."""
    return user.public_name()


class AccountAdapter(DefaultAccountAdapter):
    """allauth's mail (address confirmation, password reset, account notices) as allauth renders it,
    sent from a worker after the request's transaction commits."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        context = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        message = self.render_mail(template_prefix, email, context)
        for address in message.to:
            email_enqueue(to=address, subject=message.subject, body=message.body)
