"""The NPPES import as one function over a stream, for the admin's import task.

`nppes_import_stream` is the thin seam between the task and the importer: it drives the importer's
pieces the way `manage.py import_nppes` does — stream the rows, skip what is not an active individual
acupuncturist, parse, and write each batch with `services.nppes_import_batch` (the reads, the pure
`nppes.nppes_plan` and the bulk `nppes_apply` in one transaction). It reads the file line by line and
writes one transaction per batch, so memory stays flat however large the file, and hands the counts
to `on_progress` as it goes.
"""

from collections import Counter
from collections.abc import Callable
from typing import BinaryIO, Protocol

from . import services
from .importers.csvfile import StreamingCsv
from .importers.nppes import parse_record, resolve_columns, skip_reason
from .models import StateBoard

# Progress is handed on after every batch and at least every this many rows read.
PROGRESS_EVERY_ROWS = 10_000


class Progress(Protocol):
    rows_read: int
    created: int
    updated: int
    unchanged: int
    skipped: int

    def report(self, line: int | None, message: str) -> None: ...


def nppes_import_stream(
    *, stream: BinaryIO, progress: Progress, on_progress: Callable[[], None], batch_size: int = 500
) -> str:
    """Import an npidata_pfile CSV from `stream` (binary); returns the summary line.

    Raises csvfile.HeaderError if the header is not an NPPES one (nothing is written then).
    Each batch is its own transaction: an exception part-way leaves the batches before it
    written — and counted in `progress` — and nothing of the batch it interrupted.
    """
    states = frozenset(StateBoard.objects.values_list("state", flat=True))
    skipped: Counter[str] = Counter()
    seen: dict[str, int] = {}
    batch: list = []
    total = services.NppesBatchResult()

    def flush() -> None:
        if batch:
            result = services.nppes_import_batch(records=batch, dry_run=False)
            for line, message in result.problems:
                progress.report(line, message)
            result.problems = []
            total.add(result)
            batch.clear()
        progress.created, progress.updated, progress.unchanged = total.created, total.updated, total.unchanged
        progress.skipped = skipped.total()
        on_progress()

    reader = StreamingCsv(stream, report=progress.report)
    columns = resolve_columns(reader.header)
    for line, row in reader.rows():
        progress.rows_read += 1
        if progress.rows_read % PROGRESS_EVERY_ROWS == 0:
            progress.skipped = skipped.total()
            on_progress()
        reason = skip_reason(row, columns)
        if reason is None:
            record, problems, reason = parse_record(row, columns, line=line, states=states)
            for problem in problems:
                progress.report(line, problem)
            if reason is None and record is None:
                reason = "malformed"
            elif reason is None and record.npi in seen:
                progress.report(line, f"NPI {record.npi} already appeared on line {seen[record.npi]}; skipped.")
                reason = "duplicate"
        if reason:
            skipped[reason] += 1
            continue
        seen[record.npi] = line
        batch.append(record)
        if len(batch) >= batch_size:
            flush()
    skipped["malformed"] += reader.skipped_rows
    flush()
    described = ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items()) if count) or "none"
    return (
        f"{progress.rows_read} rows read; {len(seen)} acupuncturists: {total.created} created, "
        f"{total.updated} updated, {total.unchanged} unchanged, {total.claimed} claimed listings left alone; "
        f"{total.licenses_created} licenses added (unverified); skipped: {described}."
    )
