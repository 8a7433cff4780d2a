"""What the background work records: each email sent (the outbox), each failed task retried by staff,
and each daily job enqueued (so several schedulers enqueue it once)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboundEmail(models.Model):
    """One logical email, by its key: a task that runs twice (a retry, a second worker) sends it once."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending (being sent or waiting to retry)"
        SENT = "sent", "Sent"
        DEAD = "dead", "Gave up (dead letter)"

    key = models.CharField(max_length=200, unique=True)
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outbound email"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "sent", "dead"]), name="outboundemail_status"),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="outboundemail_sent_at_iff_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"


class TaskRetry(models.Model):
    """A failed task that staff started again: once per failed task (the unique key)."""

    failed_task_id = models.UUIDField(unique=True)
    retry_task_id = models.CharField(max_length=64)
    retried_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    retried_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "task retry"
        verbose_name_plural = "task retries"

    def __str__(self) -> str:
        return f"{self.failed_task_id} retried as {self.retry_task_id}"


class ScheduledRun(models.Model):
    """A daily job enqueued for a day. Inserted in the same transaction as the task (the queue is in
    this database), so of several schedulers exactly one enqueues each job each day."""

    job = models.CharField(max_length=200)
    day = models.DateField()
    task_id = models.CharField(max_length=64, blank=True)
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="scheduledrun_once_per_day")]

    def __str__(self) -> str:
        return f"{self.job} on {self.day:%Y-%m-%d}"


def _import_upload_to(run: "ImportRun", filename: str) -> str:
    # A name of our own (never the uploader's) with a .csv suffix: the media view serves only images.
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.csv"


class ImportRun(models.Model):
    """A registry or roster import started from the admin and run by a worker: its file, options
    and progress. The file is in the default storage (shared by every machine, see docs/deployment.md),
    so a worker anywhere can read it; the counts are written as the import goes."""

    class Kind(models.TextChoices):
        NPPES = "nppes", "NPPES registry file"
        ROSTER = "roster", "State board license roster"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    file = models.FileField(upload_to=_import_upload_to, max_length=200)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    options = models.JSONField(default=dict, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0, help_text="Problems reported (rows or fields not imported).")
    problems = models.TextField(blank=True, help_text="The first problems reported, with their line numbers.")
    summary = models.TextField(blank=True)
    error = models.TextField(blank=True, help_text="Why the run failed.")
    task_id = models.CharField(max_length=64, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "import"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["nppes", "roster"]), name="importrun_kind"),
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]), name="importrun_state"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["done", "failed"], finished_at__isnull=False)
                | (Q(state__in=["queued", "running"]) & Q(finished_at__isnull=True)),
                name="importrun_finished_at_iff_finished",
            ),
            models.CheckConstraint(condition=~Q(state="failed") | ~Q(error=""), name="importrun_failed_says_why"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name} ({self.get_state_display().lower()})"

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)
