"""The board roster cross-check as one function, for the admin's import task.

`roster_import_file` is the thin seam between the task and the roster importer: it runs
`manage.py import_license_roster` on the file and reads the counts from the command's summary line
(its documented output, the same before and after the importer's split into `roster_cross_check` and
`roster_apply`); the problems are the command's problem lines. Rosters are small (one state's
licenses), so the output is kept whole.
"""

import re
from io import StringIO
from pathlib import Path

from django.core.management import call_command

# "CO roster x.csv: 9 rows read; 1 matched, 3 mismatched, 1 of ours unknown to the board, 1 board entries
# we do not list; skipped 2 malformed, 1 duplicate, 1 other license types row(s); 3 problem(s) reported;
# 2 license(s) updated, 0 verified from the roster."
SUMMARY = re.compile(
    r"(?P<rows>\d+) rows read; (?P<matched>\d+) matched, (?P<mismatched>\d+) mismatched, .*?"
    r"skipped (?P<malformed>\d+) malformed, (?P<duplicates>\d+) duplicate(?:, (?P<other>\d+) other license types)?"
    r" row\(s\); (?P<problems>\d+) problem\(s\) reported; "
    r"(?:(?P<updated>\d+) license\(s\) (?:would be )?updated, (?P<verified>\d+) (?:would be )?verified from the roster"
    r"|nothing changed.*)\.$"
)


class SummaryNotFound(RuntimeError):
    """The command's output did not end with the summary line this function reads."""


def roster_import_file(*, path: Path, options: dict, progress) -> str:
    """Cross-check (and with options["apply"], apply) the roster at `path`, setting the counts and
    problems on `progress`; returns the command's report. Raises CommandError for a file or option
    the command refuses (nothing written then)."""
    out, err = StringIO(), StringIO()
    call_command(
        "import_license_roster",
        str(path),
        state=options["state"],
        preset=options.get("preset", "meridian"),
        columns=options.get("columns", ""),
        license_type=list(options.get("license_types", [])),
        apply=bool(options.get("apply")),
        progress=False,
        stdout=out,
        stderr=err,
    )
    output = out.getvalue().strip()
    found = SUMMARY.search(output.splitlines()[-1] if output else "")
    if found is None:
        raise SummaryNotFound(f"import_license_roster printed no summary line: {output[-300:]!r}")
    counts = {key: int(value or 0) for key, value in found.groupdict().items()}
    progress.rows_read = counts["rows"]
    progress.updated = counts["updated"] + counts["verified"]
    progress.unchanged = counts["matched"] + counts["mismatched"] - progress.updated
    progress.skipped = counts["malformed"] + counts["duplicates"] + counts["other"]
    for line in err.getvalue().splitlines():
        progress.report(None, line)
    progress.errors = counts["problems"]
    return output
