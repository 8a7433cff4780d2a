"""The daily credential upkeep as a task, for the scheduler (`manage.py run_scheduler`), and the
board roster import started from the admin (jobs.ImportRun)."""

import shutil
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.tasks import task
from django.utils.text import get_valid_filename

from jobs.imports import ImportProgress, import_run_begin

from .imports import roster_import_file


@task
def expire_credentials() -> str:
    """`manage.py expire_credentials` for today; its summary line is the task's result."""
    out = StringIO()
    call_command("expire_credentials", stdout=out)
    return out.getvalue().strip()


@task
def import_roster(*, run_id: int) -> str:
    """Cross-check the run's roster file (from the default storage) with our licenses, recording
    the counts and the report on the run. A failure marks the run failed with its error; with
    "apply", the batches applied before it stay (each is its own transaction) and are reported."""
    run = import_run_begin(run_id=run_id)
    if run is None:
        return "already done or running"
    progress = ImportProgress(run_id=run_id)
    try:
        with TemporaryDirectory() as folder:
            # The command reads a local file; its name is the evidence recorded for each verification.
            path = Path(folder) / get_valid_filename(run.original_name)
            with default_storage.open(run.file.name, "rb") as source, path.open("wb") as copy:
                shutil.copyfileobj(source, copy)
            output = roster_import_file(path=path, options=run.options, progress=progress)
    except CommandError as exc:
        progress.fail(error=str(exc))
        return f"failed: {exc}"
    except BaseException as exc:
        progress.fail(error=f"{type(exc).__name__}: {exc}")
        raise
    progress.finish(summary=output[-20_000:])
    return output.splitlines()[-1]
