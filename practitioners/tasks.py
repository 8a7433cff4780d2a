"""The registry import started from the admin (jobs.ImportRun), run by a worker; the daily check of the
search projection (settings.DAILY_TASKS)."""

from django.core.files.storage import default_storage
from django.tasks import task

from jobs.imports import ImportProgress, import_run_begin

from . import search_rows
from .importers.csvfile import HeaderError
from .imports import nppes_import_stream


@task
def import_nppes(*, run_id: int) -> str:
    """Import the run's file from the default storage, recording progress on the run.

    A failure marks the run failed with its error (the batches written before it stay, and are
    counted) and then fails the task, so it is also listed among the failed tasks.
    """
    run = import_run_begin(run_id=run_id)
    if run is None:
        return "already done or running"
    progress = ImportProgress(run_id=run_id)
    try:
        with default_storage.open(run.file.name, "rb") as stream:
            summary = nppes_import_stream(
                stream=stream,
                progress=progress,
                on_progress=progress.save,
                batch_size=int(run.options.get("batch_size", 500)),
            )
    except HeaderError as exc:
        progress.fail(error=f"{run.original_name}: {exc} Is this an NPPES npidata_pfile CSV?")
        return "failed: not an NPPES file"
    except BaseException as exc:
        progress.fail(error=f"{type(exc).__name__}: {exc}")
        raise
    progress.finish(summary=summary)
    return summary


@task
def repair_search_rows() -> str:
    """The daily check of the search projection (settings.DAILY_TASKS): rows that drifted from
    the source tables (a change made outside the services) are rebuilt; the count is the result."""
    fixed = search_rows.repair_search_rows()
    pruned = search_rows.prune_search_row_changes()
    return f"Search rows: {fixed} fixed; {pruned} logged changes older than a day forgotten."
