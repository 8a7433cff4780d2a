"""Import acupuncturists from the NPPES monthly file (npidata_pfile_*.csv) as unclaimed listings.

    manage.py import_nppes npidata_pfile_20260101-20260111.csv [--dry-run] [--batch-size 500]

Keeps individual providers with taxonomy 171100000X (Acupuncturist), skips
deactivated NPIs, and creates or updates draft, unclaimed listings keyed by NPI
(see `services.nppes_import_batch` for what a re-run may change: never what a
practitioner or reviewer set). Licenses arrive unverified; a listing is published
only once a reviewer verifies a license.

The file is streamed line by line (memory stays flat for a multi-gigabyte file),
written one transaction per batch, with a progress bar on a terminal and a
summary at the end. Every skipped row or field is reported with its line number.
Safe to re-run: a second run of the same file changes nothing.
"""

import sys
import time
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from practitioners import services
from practitioners.importers.csvfile import HeaderError, StreamingCsv
from practitioners.importers.nppes import parse_record, resolve_columns, skip_reason
from practitioners.models import StateBoard
from practitioners.nppes import NppesBatchResult

SKIP_LABELS = {
    "not an individual": "organisations",
    "not an acupuncturist": "other professions",
    "deactivated": "deactivated NPIs",
    "duplicate": "duplicate NPIs",
    "malformed": "malformed rows",
}


class Command(BaseCommand):
    help = "Create or update unclaimed acupuncturist listings from the NPPES npidata_pfile CSV."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The npidata_pfile CSV (the monthly full file or a weekly one).")
        parser.add_argument("--dry-run", action="store_true", help="Read and check everything; store nothing.")
        parser.add_argument("--batch-size", type=int, default=500, help="Listings written per transaction.")
        parser.add_argument(
            "--progress",
            action="store_true",
            default=None,
            help="Always show the progress bar (default: only on a terminal).",
        )
        parser.add_argument("--no-progress", dest="progress", action="store_false", help="Never show it.")
        parser.add_argument(
            "--show-problems", type=int, default=1000, help="Print at most this many problem lines (all are counted)."
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.dry_run = options["dry_run"]
        self.show_problems = options["show_problems"]
        self.problem_count = 0
        self.bar: tqdm | None = None
        started = time.monotonic()

        states = frozenset(StateBoard.objects.values_list("state", flat=True))
        skipped: Counter[str] = Counter()
        total = NppesBatchResult()
        seen: dict[str, int] = {}
        batch: list = []
        rows = 0

        with (
            path.open("rb") as stream,
            tqdm(
                total=path.stat().st_size,
                unit="B",
                unit_scale=True,
                desc="NPPES",
                disable=self._progress_disabled(options["progress"]),
                file=sys.stderr,
            ) as self.bar,
        ):
            try:
                reader = StreamingCsv(stream, report=self.report, on_bytes=self.bar.update)
                columns = resolve_columns(reader.header)
            except HeaderError as exc:
                raise CommandError(f"{path.name}: {exc} Is this an NPPES npidata_pfile CSV?") from exc
            for line, row in reader.rows():
                rows += 1
                reason = skip_reason(row, columns)
                if reason:
                    skipped[reason] += 1
                    continue
                record, problems, reason = parse_record(row, columns, line=line, states=states)
                for problem in problems:
                    self.report(line, problem)
                if reason:
                    skipped[reason] += 1
                    continue
                if record is None:
                    skipped["malformed"] += 1
                    continue
                if record.npi in seen:
                    self.report(line, f"NPI {record.npi} already appeared on line {seen[record.npi]}; skipped.")
                    skipped["duplicate"] += 1
                    continue
                seen[record.npi] = line
                batch.append(record)
                if len(batch) >= options["batch_size"]:
                    self._flush(batch, total)
                    batch = []
            self._flush(batch, total)
            skipped["malformed"] += reader.skipped_rows
        self.bar = None

        elapsed = time.monotonic() - started
        skipped_text = (
            ", ".join(f"{skipped[key]} {label}" for key, label in SKIP_LABELS.items() if skipped[key]) or "none"
        )
        fallback = reader.decode.fallback_lines
        summary = (
            f"{'Dry run (nothing stored): ' if self.dry_run else ''}NPPES import of {path.name}: {rows} rows read; "
            f"{len(seen)} acupuncturists: {total.created} created, {total.updated} updated, "
            f"{total.unchanged} unchanged, {total.claimed} claimed listings left alone; "
            f"{total.licenses_created} licenses added (unverified); skipped: {skipped_text}; "
            f"{self.problem_count} problem(s) reported"
            + (f"; {fallback} line(s) were not UTF-8 and were read as Windows-1252" if fallback else "")
            + f". {elapsed:.1f} s."
        )
        self.stdout.write(self.style.SUCCESS(summary))

    def _progress_disabled(self, progress: bool | None) -> bool | None:
        return None if progress is None else not progress  # None: tqdm decides (off when not a terminal)

    def _flush(self, batch: list, total: NppesBatchResult) -> None:
        if not batch:
            return
        result = services.nppes_import_batch(records=batch, dry_run=self.dry_run)
        for line, message in result.problems:
            self.report(line, message)
        result.problems = []
        total.add(result)

    def report(self, line: int | None, message: str) -> None:
        self.problem_count += 1
        if self.problem_count > self.show_problems:
            return
        where = f"line {line}: " if line else ""
        if self.bar is not None:
            self.bar.clear()
        self.stderr.write(f"{where}{message}")
        if self.problem_count == self.show_problems:
            self.stderr.write(f"(only the first {self.show_problems} problems are shown; the rest are counted)")
        if self.bar is not None:
            self.bar.refresh()
