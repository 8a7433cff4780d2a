"""Time the registry import as a task: a synthetic NPPES file, started as the admin starts one
(`jobs.services.import_run_start`: the file copied into the default storage, the task enqueued),
then run by one `manage.py db_worker --batch` under GNU time; reports rows/s and peak memory.

    .venv/bin/python -m bench.import_task --rows 1000000

Production settings, PostgreSQL at BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432), a
fresh database BENCH_IMPORT_DB (default meridian_bench_import, dropped and created again), the
sample at /tmp/npidata_<rows>.csv (written by bench/make_nppes_sample.py if missing).
"""

import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def env_for(database: str, media: str) -> dict[str, str]:
    base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "directory.settings.prod",
        "DATABASE_URL": f"{base}/{database}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "MEDIA_ROOT": media,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "IMPORT_UPLOAD_MAX_BYTES": str(4 * 1024**3),  # the benchmark's file is larger than an upload may be
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }


def enqueue(path: Path) -> None:
    """(In a Django process.) Start the import as staff would, and say which run it is."""
    import django

    django.setup()
    from django.core.files import File
    from django.db import transaction

    from accounts.models import User
    from jobs.services import import_run_start

    actor = User.objects.create_superuser(email="bench@example.com", password=secrets.token_urlsafe(20))
    with path.open("rb") as handle, transaction.atomic():
        run = import_run_start(kind="nppes", upload=File(handle, name=path.name), options={}, actor=actor)
    print(run.pk)


def report(run_id: int) -> None:
    import django

    django.setup()
    from jobs.models import ImportRun

    run = ImportRun.objects.get(pk=run_id)
    seconds = (run.finished_at - run.started_at).total_seconds()
    print(f"state {run.state}; {run.rows_read} rows in {seconds:.1f} s = {run.rows_read / seconds:,.0f} rows/s")
    print(
        f"created {run.created}, updated {run.updated}, unchanged {run.unchanged}, skipped {run.skipped}, errors {run.errors}"
    )
    print(run.summary or run.error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--step", choices=["enqueue", "report"], help=argparse.SUPPRESS)
    parser.add_argument("--arg", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "enqueue":
        return enqueue(Path(args.arg))
    if args.step == "report":
        return report(int(args.arg))

    sample = Path(tempfile.gettempdir()) / f"npidata_{args.rows}.csv"
    if not sample.exists():
        subprocess.run(
            [PYTHON, "bench/make_nppes_sample.py", "--rows", str(args.rows), "--out", str(sample)], cwd=ROOT, check=True
        )
    database = os.environ.get("BENCH_IMPORT_DB", "meridian_bench_import")
    with tempfile.TemporaryDirectory(prefix="bench-import-media-") as media:
        env = env_for(database, media)
        psql = ["psql", "-q", "-d", env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", "-c"]
        subprocess.run([*psql, f"DROP DATABASE IF EXISTS {database}"], check=True)
        subprocess.run([*psql, f"CREATE DATABASE {database}"], check=True)
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        me = [PYTHON, "-m", "bench.import_task", "--step"]
        run_id = subprocess.run(
            [*me, "enqueue", "--arg", str(sample)], env=env, cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()
        worker = [
            "/usr/bin/time",
            "-v",
            PYTHON,
            "manage.py",
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
        ]
        timed = subprocess.run(worker, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
        peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timed.stderr).group(1)
        wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", timed.stderr).group(1)
        cpu = re.search(r"Percent of CPU this job got: (\S+)", timed.stderr).group(1)
        print(f"{sample.name}: {sample.stat().st_size / 1e6:,.0f} MB")
        print(f"worker: wall clock {wall}, CPU {cpu}, peak RSS {int(peak) / 1024:,.0f} MB")
        subprocess.run([*me, "report", "--arg", run_id], env=env, cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
