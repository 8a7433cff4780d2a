"""A real worker process (`manage.py db_worker`) against the test database: an email task delivered,
a failing one retried and then dead-lettered. The worker cannot see this process's in-memory outbox,
so it writes its mail to files (TEST_MAIL_DIR) or meets a closed SMTP port (TEST_SMTP_PORT)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from jobs.models import OutboundEmail
from jobs.services import email_enqueue
from tests.factories import VerifiedUserFactory

from .conftest import closed_port

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="A second process needs a database it can share: the SQLite test database is in memory.",
    ),
]


def run_worker_process(**env: str) -> subprocess.CompletedProcess:
    """`manage.py db_worker --batch` in a new process: runs every ready task, then exits."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "directory.settings.test",
        "DATABASE_URL": url,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def test_a_worker_process_delivers_the_email_a_request_enqueued(client, queue, tmp_path):
    user = VerifiedUserFactory(email="forgetful@example.com")
    assert client.post(reverse("account_reset_password"), {"email": user.email}).status_code == 302
    assert mail.outbox == [] and DBTaskResult.objects.get().status == "READY"

    run_worker_process(TEST_MAIL_DIR=str(tmp_path))

    written = [path.read_text() for path in Path(tmp_path).iterdir()]
    assert len(written) == 1
    assert "To: forgetful@example.com" in written[0] and "/accounts/password/reset/key/" in written[0]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_a_worker_process_retries_a_failing_email_then_dead_letters_it(queue):
    email_enqueue(to="x@example.com", subject="Your credential", body="Verified.")
    # No waiting between attempts, so one batch run makes all three.
    run_worker_process(TEST_SMTP_PORT=str(closed_port()), EMAIL_RETRY_DELAYS="0,0")

    statuses = list(DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True))
    assert statuses == ["SUCCESSFUL", "SUCCESSFUL", "FAILED"]  # two retries scheduled, then given up
    failed = DBTaskResult.objects.get(status="FAILED")
    assert failed.exception_class_path == "jobs.tasks.EmailUndeliverable"
    assert "ConnectionRefusedError" in failed.traceback
    row = OutboundEmail.objects.get()
    assert (row.status, row.attempts) == (OutboundEmail.Status.DEAD, 3)
