"""Writes of the background work: enqueueing mail, retrying a failed task."""

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from .models import ImportRun, TaskRetry
from .tasks import send_email

RETRY_PERMISSION = "jobs.add_taskretry"
IMPORT_PERMISSION = "jobs.add_importrun"
# How much of an upload is checked for being text (the importers report bad lines after that).
SNIFF_BYTES = 64 * 1024


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


def import_upload_check(upload: UploadedFile) -> None:
    """A CSV file within the size limit: ValidationError saying what is wrong otherwise."""
    limit = settings.IMPORT_UPLOAD_MAX_BYTES
    if not upload.name.lower().endswith(".csv"):
        raise ValidationError(f"“{upload.name[:100]}” is not a .csv file: upload the CSV itself (unzipped).")
    if upload.size == 0:
        raise ValidationError("The file is empty.")
    if upload.size > limit:
        raise ValidationError(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; uploads may be at most {limit // (1024 * 1024)} MB. "
            "Import larger files from the command line (docs/deployment.md)."
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if b"\x00" in head or not _looks_like_text(head):
        raise ValidationError("This is not a text (CSV) file: it contains binary data.")


def _looks_like_text(head: bytes) -> bool:
    # The importers read UTF-8 and fall back to Windows-1252 per line, so either decodes.
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if encoding == "utf-8" and exc.start >= len(head) - 3:
                return True  # a character cut at the end of the sniffed part
            continue
        return True
    return False


def import_run_start(*, kind: str, upload: UploadedFile, options: dict, actor) -> ImportRun:
    """Store the file in the default storage and enqueue its import once the transaction commits.

    The task (settings.IMPORT_TASKS[kind]) is given only the run's id; a worker on any machine
    reads the file from the storage and writes its progress on the run.
    """
    if not actor.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied("Only staff allowed to start imports may start one.")
    if kind not in settings.IMPORT_TASKS:
        raise ValidationError(f"Unknown import “{kind[:20]}”.")
    import_upload_check(upload)
    task: Task = import_string(settings.IMPORT_TASKS[kind])
    with transaction.atomic():
        run = ImportRun(kind=kind, original_name=upload.name[:255], size=upload.size, options=options, started_by=actor)
        run.file.save(upload.name, upload, save=False)
        run.full_clean()
        run.save()
        transaction.on_commit(lambda: _enqueue_import(task, run.pk))
    return run


def _enqueue_import(task: Task, run_id: int) -> None:
    result = task.enqueue(run_id=run_id)
    ImportRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id))
