"""Cross-check our licenses for one state against the board's published roster (CSV).

    manage.py import_license_roster roster.csv --state CO --preset colorado --license-type ACU
    manage.py import_license_roster roster.csv --state CA --columns number=lic_no,name=licensee,status=status
    … --apply            verify exact matches, update board status and expiry of verified licenses
                         (one VerificationRecord each, naming the roster file and line)
    … --apply --dry-run  show what --apply would change, store nothing

Reports, per license: matched (same number, the name fits, status and expiry agree),
mismatched (which field differs, ours against the board's), ours but unknown to the
board, and the board's entries we do not list. Without --apply nothing is written.

With --apply, one transaction per batch:
- an unverified or pending license the roster shows *exactly* as claimed — number, full
  name, board status active and the same expiry date, not yet past, all four given by the
  file — is verified as the system (`services.license_verify_from_roster`), the roster file
  and line recorded as the evidence; that can publish the listing. Anything less (a
  missing column, an initial for a first name, a differing field) is a partial match and
  never verifies;
- a *verified* license whose name fits but whose status or expiry differs is brought in line
  with the roster (a name mismatch needs a reviewer); an unverified or pending one is not
  rewritten: the difference is reported for a reviewer, so the next run cannot turn a partial
  match into an exact one.
A re-run changes nothing.

Malformed rows (no number, a bad date, a broken line) are reported with their line
number and skipped. The file is streamed (constant memory) with a progress bar on a
terminal and a summary at the end.
"""

import sys
from itertools import batched
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from practitioners.importers.csvfile import HeaderError, StreamingCsv
from practitioners.models import StateBoard
from verification import services
from verification.roster import PRESETS, RosterReport, parse_mapping, resolve_columns, roster_cross_check
from verification.selectors import roster_licenses

BOARD_ONLY_SHOWN = 20


class Command(BaseCommand):
    help = "Compare a state board's license roster (CSV) with our licenses for that state; --apply to update them."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--state", required=True, help="Two-letter state code of the board, e.g. CO.")
        parser.add_argument(
            "--preset",
            choices=sorted(PRESETS),
            default="meridian",
            help="Known column layouts: "
            + " ".join(f"{name}: {preset.description}" for name, preset in sorted(PRESETS.items())),
        )
        parser.add_argument(
            "--columns",
            default="",
            help="field=column pairs overriding the preset, e.g. number=licensenumber,last_name=lastname. "
            "Fields: number, last_name, first_name, name, license_type, status, expiry_date, issue_date.",
        )
        parser.add_argument(
            "--license-type",
            action="append",
            default=[],
            help="Only rows whose license type is this (repeatable; case-insensitive).",
        )
        parser.add_argument("--apply", action="store_true", help="Update board status and expiry of matched licenses.")
        parser.add_argument("--dry-run", action="store_true", help="With --apply: show the changes, store nothing.")
        parser.add_argument("--batch-size", type=int, default=500, help="Roster rows per transaction with --apply.")
        parser.add_argument("--progress", action="store_true", default=None, help="Always show the progress bar.")
        parser.add_argument("--no-progress", dest="progress", action="store_false", help="Never show it.")
        parser.add_argument("--show-problems", type=int, default=1000, help="Print at most this many problem lines.")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        state_code = options["state"].strip().upper()
        board = StateBoard.objects.filter(pk=state_code).first()
        if board is None:
            raise CommandError(f"Unknown state “{options['state']}”: use a two-letter code such as CO.")
        if not board.issues_credentials:
            raise CommandError(
                f"{board.state_name} does not license acupuncturists: there is no board roster of acupuncture "
                "licenses to check (StateBoard.regulation is “none”)."
            )
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            overrides = parse_mapping(options["columns"])
        except ValueError as exc:
            raise CommandError(f"--columns: {exc}") from exc
        mapping = {**PRESETS[options["preset"]].columns, **overrides}
        license_types = frozenset(t.strip().lower() for t in options["license_type"] if t.strip())
        if license_types and "license_type" not in mapping:
            raise CommandError("--license-type needs a license_type column (see --columns).")
        apply, dry_run, verbosity = options["apply"], options["dry_run"], options["verbosity"]

        ours = roster_licenses(state=board.state)
        problems: list[tuple[int | None, str]] = []  # the reader's, then the cross-check's and the apply's
        with (
            path.open("rb") as stream,
            tqdm(
                total=path.stat().st_size,
                unit="B",
                unit_scale=True,
                desc=f"{state_code} roster",
                disable=None if options["progress"] is None else not options["progress"],
                file=sys.stderr,
            ) as bar,
        ):
            try:
                reader = StreamingCsv(
                    stream, report=lambda line, message: problems.append((line, message)), on_bytes=bar.update
                )
                columns = resolve_columns(reader.header, mapping, explicit=set(overrides))
            except HeaderError as exc:
                raise CommandError(f"{path.name}: {exc}") from exc
            if columns.not_in_file:
                self.stdout.write(f"Not in this file, so not compared: {', '.join(columns.not_in_file)}.")
            report = roster_cross_check(reader.rows(), columns=columns, ours=ours, license_types=license_types)
        malformed = report.malformed + reader.skipped_rows
        problems.extend(report.problems)

        updated = verified = 0
        if apply:
            for batch in batched(report.actions, options["batch_size"]):
                result = services.roster_apply(
                    actions=batch,
                    board_name=board.board_name,
                    source_prefix=f"{board.board_name} roster {path.name}"[:250],
                    dry_run=dry_run,
                )
                updated += result.updated
                verified += result.verified
                problems.extend(result.problems)

        for _line, text in sorted(self._findings(report, state_code, apply=apply, verbosity=verbosity)):
            self.stdout.write(text)
        for our in report.unknown:
            self.stdout.write(
                f"{state_code} #{our.number} ({our.practitioner_name}, {our.verification_state}): not on the board's roster."
            )
        board_only = len(report.board_only)
        if board_only > BOARD_ONLY_SHOWN and verbosity < 2:
            self.stdout.write(
                f"… and {board_only - BOARD_ONLY_SHOWN} more board entries we do not list (-v 2 lists all)."
            )
        problems.sort(key=lambda problem: problem[0] or 0)
        for line, message in problems[: options["show_problems"]]:
            self.stderr.write(f"line {line}: {message}" if line else message)

        if apply:
            would = "would be " if dry_run else ""
            applied_text = f"{updated} license(s) {would}updated, {verified} {would}verified from the roster"
        else:
            applied_text = "nothing changed (report only; --apply to update)"
        summary = (
            f"{'Dry run (nothing stored): ' if dry_run else ''}{state_code} roster {path.name}: "
            f"{report.rows} rows read; {report.matched} matched, {len(report.mismatches)} mismatched, "
            f"{len(report.unknown)} of ours unknown to the board, {board_only} board entries we do not list; "
            f"skipped {malformed} malformed, {report.duplicates} duplicate"
            + (f", {report.other_types} other license types" if license_types else "")
            + f" row(s); {len(problems)} problem(s) reported; {applied_text}."
        )
        self.stdout.write(self.style.SUCCESS(summary))

    def _findings(self, report: RosterReport, state_code: str, *, apply: bool, verbosity: int):
        """(line, text) for each row worth a line of output, in any order (the caller sorts by line)."""
        for mismatch in report.mismatches:
            our = mismatch.license
            described = "; ".join(f"{d.field}: ours {d.ours}, board {d.board}" for d in mismatch.differences)
            action = ""
            if apply:
                if mismatch.updatable:
                    action = " → will update"
                elif not mismatch.name_fits:
                    action = " → not updated: the name differs, a reviewer should check"
                else:
                    action = " → not updated: not verified yet, a reviewer should compare the claim with the board"
            yield (
                mismatch.line,
                f"line {mismatch.line}: {state_code} #{our.number} ({our.practitioner_name}): {described}{action}",
            )
        for shown, entry in enumerate(report.board_only):
            if verbosity >= 2 or shown < BOARD_ONLY_SHOWN:
                yield (
                    entry.line,
                    f"line {entry.line}: board lists {entry.raw_number} ({entry.display_name or 'no name'}, "
                    f"{entry.status_text or 'no status'}); we do not.",
                )
        if apply and verbosity >= 1:
            for line, our in report.partial:
                yield (
                    line,
                    f"line {line}: {state_code} #{our.number} ({our.practitioner_name}): matches as far as the "
                    "file goes, but not on all of number, full name, status and expiry → not verified",
                )
