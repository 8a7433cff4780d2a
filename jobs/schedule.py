"""The daily jobs, enqueued once a day by `manage.py run_scheduler` (no cron)."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils.module_loading import import_string

from .models import ScheduledRun


def daily_jobs() -> dict[str, Task]:
    """settings.DAILY_TASKS, by name: the tasks the scheduler enqueues once a day."""
    return {path.rsplit(".", 1)[-1]: import_string(path) for path in settings.DAILY_TASKS}


def schedule_daily_jobs(*, day: datetime.date) -> list[str]:
    """Enqueue each daily job not yet enqueued for `day`; returns the names enqueued.

    The ScheduledRun row and the task are written in one transaction (the queue is in this
    database): a second scheduler's insert of the same (job, day) waits for the first and then
    fails the unique constraint, so each job is enqueued exactly once a day.
    """
    enqueued = []
    for name, job in daily_jobs().items():
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=name, day=day)
                run.task_id = str(job.enqueue().id)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue
        enqueued.append(name)
    return enqueued
