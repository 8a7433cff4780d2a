"""The daily jobs are enqueued once a day, however many schedulers run."""

import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from jobs.models import ScheduledRun
from jobs.schedule import schedule_daily_jobs

DAY = datetime.date(2026, 12, 1)
JOBS = [
    "verification.tasks.expire_credentials",
    "dashboard.tasks.send_freshness_reminders",
    "contact.tasks.delete_expired_requests",
    "practitioners.tasks.repair_search_rows",
]


@pytest.mark.django_db
def test_run_scheduler_once_enqueues_each_daily_job_once_a_day(queue, settings):
    assert settings.DAILY_TASKS == JOBS
    call_command("run_scheduler", "--once", verbosity=0)
    call_command("run_scheduler", "--once", verbosity=0)
    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == sorted(JOBS)
    assert ScheduledRun.objects.count() == len(JOBS)


@pytest.mark.django_db
def test_the_daily_jobs_run_as_tasks(settings):
    """With the immediate backend the scheduled task runs at once: the commands' summaries come back."""
    assert schedule_daily_jobs(day=DAY) == [
        "expire_credentials",
        "send_freshness_reminders",
        "delete_expired_requests",
        "repair_search_rows",
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Two schedulers at once need real concurrent transactions."
)
def test_two_schedulers_racing_enqueue_each_job_exactly_once(queue):
    results: list[list[str]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def scheduler():
        try:
            barrier.wait()
            results.append(schedule_daily_jobs(day=DAY))
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(name for enqueued in results for name in enqueued) == sorted(path.rsplit(".", 1)[-1] for path in JOBS)
    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == sorted(JOBS)
    assert sorted(ScheduledRun.objects.values_list("job", flat=True)) == sorted(
        path.rsplit(".", 1)[-1] for path in JOBS
    )
