"""django-allauth hooks."""

import ipaddress

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest

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

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address sign-in limits count against, chosen as the API throttle (DRF's NUM_PROXIES)
        chooses it: the entry TRUSTED_PROXY_COUNT from the right of X-Forwarded-For, or the leftmost
        when the header is shorter. allauth itself raises ImproperlyConfigured on a short header — a 500
        any client behind fewer proxies could cause; an unparsable entry falls back to the socket address."""
        count = settings.ALLAUTH_TRUSTED_PROXY_COUNT
        forwarded = request.headers.get("x-forwarded-for")
        if count > 0 and forwarded:
            entries = forwarded.split(",")
            try:
                return str(ipaddress.ip_address(entries[-min(count, len(entries))].strip()))
            except ValueError:
                return request.META["REMOTE_ADDR"]
        return super().get_client_ip(request)
