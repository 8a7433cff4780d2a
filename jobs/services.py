"""Writes of the background work: enqueueing mail, retrying a failed task."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.tasks import Task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import TaskRetry
from .tasks import send_email

RETRY_PERMISSION = "jobs.add_taskretry"


def email_enqueue(*, to: str, subject: str, body: str, key: str | None = None) -> None:
    """Send an email from a worker once the current transaction commits (at once outside one).

    A rolled-back transaction sends nothing. `key` names the logical message: the outbox sends
    each key once, however often its task runs; without a key each call is its own message.
    """
    key = key or f"email:{uuid.uuid4()}"
    transaction.on_commit(lambda: send_email.enqueue(to=to, subject=subject, body=body, key=key))


def task_retry(*, result: DBTaskResult, actor) -> TaskRetry:
    """Run a failed task again, as new: from its first attempt, with the same arguments. Once per failed task."""
    if not actor.has_perm(RETRY_PERMISSION):
        raise PermissionDenied("Only staff allowed to retry tasks may retry a task.")
    with transaction.atomic():
        locked = DBTaskResult.objects.select_for_update().get(pk=result.pk)
        if locked.status != "FAILED":
            raise ValidationError(f"Only failed tasks can be retried; this one is {locked.status.lower()}.")
        if TaskRetry.objects.filter(failed_task_id=locked.pk).exists():
            raise ValidationError("This task has already been retried.")
        kwargs = dict(locked.args_kwargs["kwargs"])
        if "attempt" in kwargs:
            kwargs["attempt"] = 1
        task: Task = locked.task.using(run_after=timezone.now())  # not the failed attempt's deferred time
        new = task.enqueue(*locked.args_kwargs["args"], **kwargs)
        retry = TaskRetry(failed_task_id=locked.pk, retry_task_id=str(new.id), retried_by=actor)
        retry.full_clean()
        retry.save()
    return retry
