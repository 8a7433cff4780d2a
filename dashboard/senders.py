"""Where a claim's one-time code goes: pluggable senders, chosen by settings.CLAIM_CODE_SENDERS.

`CLAIM_CODE_SENDERS` maps a channel ("email", "sms") to the dotted path of a class with
`send(*, to: str, message: str) -> None`. Email goes through the mail queue
(`jobs.services.email_enqueue`: sent by a worker once the request's transaction commits, retried
while the mail server is down; console in development, in-memory in tests, SMTP in production). SMS has no provider yet: the console
sender prints the message (dev.py), the in-memory one keeps it in `sms_outbox` (test.py);
production offers the phone only when CLAIM_CODE_SMS_SENDER names a provider's class
behind the same interface.
"""

import sys
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from jobs.services import email_enqueue

CLAIM_CODE_SUBJECT = "Your Meridian listing code"


class CodeSender(Protocol):
    def send(self, *, to: str, message: str) -> None: ...


class EmailCodeSender:
    def send(self, *, to: str, message: str) -> None:
        email_enqueue(to=to, subject=CLAIM_CODE_SUBJECT, body=message)


class ConsoleSmsSender:
    """Development only: prints the text message instead of sending it."""

    def send(self, *, to: str, message: str) -> None:
        sys.stdout.write(f"SMS to {to}: {message}\n")


# (to, message) pairs sent by LocmemSmsSender, for tests (like django.core.mail.outbox).
sms_outbox: list[tuple[str, str]] = []


class LocmemSmsSender:
    def send(self, *, to: str, message: str) -> None:
        sms_outbox.append((to, message))


def configured_channels() -> frozenset[str]:
    """The channels with a sender; a listing's phone is offered only when "sms" has one."""
    return frozenset(settings.CLAIM_CODE_SENDERS)


def code_sender(channel: str) -> CodeSender:
    if channel not in settings.CLAIM_CODE_SENDERS:
        raise ValueError(f"No claim code sender configured for channel {channel!r} (settings.CLAIM_CODE_SENDERS).")
    return import_string(settings.CLAIM_CODE_SENDERS[channel])()
