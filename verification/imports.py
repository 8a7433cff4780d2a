"""The board roster cross-check as one function, for the admin's import task.

`roster_import_file` is the thin seam between the task and the roster importer: today it runs
`manage.py import_license_roster` on the file (problems go to the run's progress as they are
reported; the counts are read from the command's summary line at the end); when the importer
offers a pure `roster_cross_check(...) -> report`, only this function changes.
"""

import re
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from .management.commands import import_license_roster

# "CO roster x.csv: 12 rows read; 8 matched, 2 mismatched, 1 of ours unknown to the board, 3 board
# entries we do not list; skipped 1 malformed, 0 duplicate row(s); … 2 license(s) updated, 1 verified"
SUMMARY = re.compile(
    r"(?P<rows>\d+) rows read; (?P<matched>\d+) matched, (?P<mismatched>\d+) mismatched, .*?"
    r"skipped (?P<malformed>\d+) malformed, (?P<duplicates>\d+) duplicate(?:, (?P<other>\d+) other license types)?"
    r".*?(?:(?P<updated>\d+) license\(s\) (?:would be )?updated, (?P<verified>\d+) (?:would be )?verified from the roster)?\.$"
)


class _Command(import_license_roster.Command):
    """The command with its problems handed to the run's progress instead of only printed."""

    def __init__(self, report, **kwargs) -> None:
        super().__init__(**kwargs)
        self._progress_report = report

    def report(self, line: int | None, message: str) -> None:
        self._progress_report(line, message)
        super().report(line, message)


def roster_import_file(*, path: Path, options: dict, progress) -> str:
    """Cross-check (and with options["apply"], apply) the roster at `path`; returns the command's
    output. Raises CommandError for a file or option the command refuses (nothing written then)."""
    out = StringIO()
    call_command(
        _Command(progress.report),
        str(path),
        state=options["state"],
        preset=options.get("preset", "meridian"),
        columns=options.get("columns", ""),
        license_type=list(options.get("license_types", [])),
        apply=bool(options.get("apply")),
        progress=False,
        stdout=out,
        stderr=StringIO(),
    )
    output = out.getvalue().strip()
    found = SUMMARY.search(output.splitlines()[-1])
    if found:
        counts = {key: int(value or 0) for key, value in found.groupdict().items()}
        progress.rows_read = counts["rows"]
        progress.updated = counts["updated"] + counts["verified"]
        progress.unchanged = counts["matched"] + counts["mismatched"] - progress.updated
        progress.skipped = counts["malformed"] + counts["duplicates"] + counts["other"]
    return output
