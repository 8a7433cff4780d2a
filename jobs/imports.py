"""How an import task records its progress on its `ImportRun`, for the admin page to show.

The task calls `import_run_begin` (queued or failed → running; a finished run is not run again),
then `ImportProgress.save` now and then (each write is its own autocommit UPDATE, outside the
import's batch transactions, so the admin sees the counts while the import goes on), and finally
`finish` or `fail`. Only the first `PROBLEMS_KEPT` problem lines are kept (all are counted), so a
file full of bad rows cannot fill memory or the row.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .models import ImportRun

PROBLEMS_KEPT = 200


@dataclass
class ImportProgress:
    run_id: int
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: int = 0
    problems: list[str] = field(default_factory=list)

    def report(self, line: int | None, message: str) -> None:
        """A problem with a row or field (the importers' `report` callback)."""
        self.errors += 1
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(f"line {line}: {message}" if line else message)

    def _counts(self) -> dict:
        return {
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": self.errors,
            "problems": "\n".join(self.problems),
        }

    def save(self) -> None:
        ImportRun.objects.filter(pk=self.run_id).update(**self._counts())

    def finish(self, *, summary: str) -> None:
        ImportRun.objects.filter(pk=self.run_id).update(
            **self._counts(), state=ImportRun.State.DONE, summary=summary, finished_at=timezone.now()
        )

    def fail(self, *, error: str) -> None:
        """The counts say what was written before the failure (each batch is its own transaction)."""
        ImportRun.objects.filter(pk=self.run_id).update(
            **self._counts(), state=ImportRun.State.FAILED, error=error or "failed", finished_at=timezone.now()
        )


def import_run_begin(*, run_id: int) -> ImportRun | None:
    """Mark the run running and return it; None if it is running elsewhere or already done (a task
    run twice imports once). A failed run may begin again (staff retried its task): the imports are
    idempotent, so the rows written before the failure are not written twice."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run_id)
        if run.state not in (ImportRun.State.QUEUED, ImportRun.State.FAILED):
            return None
        run.state = ImportRun.State.RUNNING
        run.started_at = timezone.now()
        run.finished_at = None
        run.error = ""
        run.full_clean()
        run.save()
    return run
