"""The one task that sends email. Plain data in (subject, body, address, key), so the task can run
in any worker process; the outbox row for the key records what was sent.

Transient failures (the mail server down or refusing) are retried with backoff: the attempt is
recorded on the outbox row and the next one enqueued to run later (settings.EMAIL_RETRY_DELAYS:
1, 5, 30 and 120 minutes by default). After the last attempt the row
is marked dead and the task fails, so it is listed among the failed tasks in the admin, where
staff can retry it (`services.task_retry`).
"""

import datetime
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .models import OutboundEmail

TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, ConnectionError)


class EmailUndeliverable(Exception):
    """Raised by the last attempt: the task fails and shows in the admin's failed tasks."""


@task
def send_email(*, to: str, subject: str, body: str, key: str, attempt: int = 1) -> str:
    failure: BaseException | None = None
    with transaction.atomic():
        OutboundEmail.objects.get_or_create(key=key, defaults={"to": to, "subject": subject, "body": body})
        # The lock makes a second run of the same key wait, then see "sent".
        row = OutboundEmail.objects.select_for_update().get(key=key)
        if row.status == OutboundEmail.Status.SENT:
            return "already sent"
        row.attempts = attempt
        try:
            send_mail(subject=subject, message=body, from_email=None, recipient_list=[to])
        except TRANSIENT_ERRORS as exc:
            failure = exc
            row.last_error = f"{type(exc).__name__}: {exc}"
            if attempt > len(settings.EMAIL_RETRY_DELAYS):
                row.status = OutboundEmail.Status.DEAD
            else:
                row.status = OutboundEmail.Status.PENDING
                transaction.on_commit(
                    lambda: _enqueue_retry(to=to, subject=subject, body=body, key=key, attempt=attempt)
                )
        else:
            row.status = OutboundEmail.Status.SENT
            row.sent_at = timezone.now()
            row.last_error = ""
        row.full_clean()
        row.save()
    if failure is None:
        return "sent"
    if row.status == OutboundEmail.Status.DEAD:
        raise EmailUndeliverable(f"Gave up after {attempt} attempts: {row.last_error}") from failure
    return f"attempt {attempt} failed ({row.last_error}); retrying in {settings.EMAIL_RETRY_DELAYS[attempt - 1]} s"


def _enqueue_retry(*, to: str, subject: str, body: str, key: str, attempt: int) -> None:
    retry = send_email
    # A backend without deferred tasks (the immediate backend of tests) retries at once.
    if retry.get_backend().supports_defer:
        delay = datetime.timedelta(seconds=settings.EMAIL_RETRY_DELAYS[attempt - 1])
        retry = send_email.using(run_after=timezone.now() + delay)
    retry.enqueue(to=to, subject=subject, body=body, key=key, attempt=attempt + 1)
