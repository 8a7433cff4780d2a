"""Mail leaves the request: enqueued on commit, sent once by a worker, retried while the mail
server is down, a dead letter after the last attempt, and retried from the admin by staff."""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs.models import OutboundEmail, TaskRetry
from jobs.services import email_enqueue, task_retry
from jobs.tasks import send_email
from practitioners.models import VerificationState
from tests.factories import LicenseFactory, PractitionerFactory, ReviewerFactory, UserFactory, VerifiedUserFactory
from verification.services import credential_verify

from .conftest import mail_server_back, run_worker

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def later(seconds: int):
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds), tick=False)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_decision_sends_nothing_a_committed_one_is_sent_by_the_worker(queue):
    owner = UserFactory(email="owner@example.com")
    license_ = LicenseFactory(
        practitioner=PractitionerFactory(owner=owner), verification_state=VerificationState.PENDING
    )
    reviewer = ReviewerFactory()
    with pytest.raises(Boom), transaction.atomic():
        credential_verify(credential=license_, actor=reviewer, source="State board lookup")
        raise Boom
    assert not DBTaskResult.objects.exists()
    run_worker()
    assert mail.outbox == []

    license_.refresh_from_db()
    credential_verify(credential=license_, actor=reviewer, source="State board lookup")
    assert mail.outbox == []  # the request only enqueued it
    assert DBTaskResult.objects.get().task_path == "jobs.tasks.send_email"
    run_worker()
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_a_task_that_runs_twice_sends_its_email_once():
    for _ in range(2):
        send_email.call(to="a@example.com", subject="Hello", body="Once.", key="greeting:1")
    assert len(mail.outbox) == 1
    row = OutboundEmail.objects.get(key="greeting:1")
    assert (row.status, row.attempts, row.sent_at is not None) == (OutboundEmail.Status.SENT, 1, True)


@pytest.mark.django_db(transaction=True)
def test_a_request_answers_while_the_mail_server_is_down_and_the_mail_goes_out_when_it_is_back(
    client, queue, mail_server_down, settings
):
    user = VerifiedUserFactory(email="forgetful@example.com")
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    run_worker()
    assert mail.outbox == []
    row = OutboundEmail.objects.get()
    assert (row.status, row.attempts) == (OutboundEmail.Status.PENDING, 1)
    assert "ConnectionRefusedError" in row.last_error
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.args_kwargs["kwargs"]["attempt"] == 2
    assert waiting.run_after > timezone.now()  # backoff: not before the first delay

    mail_server_back(settings)
    run_worker()
    assert mail.outbox == []  # still waiting for its time
    with later(settings.EMAIL_RETRY_DELAYS[0] + 1):
        run_worker()
    assert [m.to for m in mail.outbox] == [["forgetful@example.com"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboundEmail.Status.SENT, 2, "")


@pytest.mark.django_db(transaction=True)
def test_after_the_last_attempt_a_dead_letter_that_staff_retry_from_the_admin(
    client, queue, mail_server_down, settings
):
    settings.EMAIL_RETRY_DELAYS = [60, 600]
    email_enqueue(to="x@example.com", subject="Your credential", body="Verified.")
    run_worker()
    with later(61):
        run_worker()
    with later(61 + 601):
        run_worker()
    row = OutboundEmail.objects.get()
    assert (row.status, row.attempts) == (OutboundEmail.Status.DEAD, 3)
    failed = DBTaskResult.objects.get(status="FAILED")
    assert failed.exception_class_path == "jobs.tasks.EmailUndeliverable"
    assert not DBTaskResult.objects.filter(status="READY").exists()

    staff = UserFactory(is_staff=True, is_superuser=True)
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    client.force_login(staff)
    changelist = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    page = client.get(changelist, {"status__exact": "FAILED"}).text
    assert "Gave up after 3 attempts" in page and "ConnectionRefusedError" in page

    mail_server_back(settings)
    response = client.post(changelist, {"action": "retry_failed", "_selected_action": [str(failed.pk)]})
    assert response.status_code == 302
    retry = TaskRetry.objects.get()
    assert (retry.failed_task_id, retry.retried_by) == (failed.pk, staff)
    assert DBTaskResult.objects.get(status="READY").args_kwargs["kwargs"]["attempt"] == 1
    run_worker()
    assert [m.subject for m in mail.outbox] == ["Your credential"]
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT

    # Once per failed task: a second click enqueues nothing.
    again = client.post(changelist, {"action": "retry_failed", "_selected_action": [str(failed.pk)]}, follow=True)
    assert "This task has already been retried." in again.text
    assert DBTaskResult.objects.count() == 4 and TaskRetry.objects.count() == 1


def test_a_rolled_back_transaction_sends_nothing_even_with_a_backend_that_runs_at_once(
    django_capture_on_commit_callbacks,
):
    """The immediate backend (tests, or a server configured so) runs a task as it is enqueued:
    email_enqueue waits for the commit, so a rolled-back transaction still sends nothing."""
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Boom), transaction.atomic():
        email_enqueue(to="a@example.com", subject="Decided", body="Rolled back.")
        raise Boom
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        email_enqueue(to="a@example.com", subject="Decided", body="Committed.")
    assert [m.body for m in mail.outbox] == ["Committed."]


def test_only_staff_with_the_retry_permission_may_retry_a_task(queue):
    failed = DBTaskResult.objects.create(
        status="FAILED",
        task_path="jobs.tasks.send_email",
        args_kwargs={"args": [], "kwargs": {"to": "a@example.com", "subject": "S", "body": "B", "key": "k"}},
        backend_name="default",
    )
    with pytest.raises(PermissionDenied):
        task_retry(result=failed, actor=ReviewerFactory())
    assert not TaskRetry.objects.exists() and DBTaskResult.objects.count() == 1
    task_retry(result=failed, actor=UserFactory(is_staff=True, is_superuser=True))
    assert DBTaskResult.objects.filter(status="READY").count() == 1
