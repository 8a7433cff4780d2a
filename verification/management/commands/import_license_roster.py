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
from collections import Counter
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from practitioners.importers.csvfile import HeaderError, StreamingCsv
from practitioners.models import License, StateBoard
from verification import services
from verification.roster import (
    PRESETS,
    OurLicense,
    compare,
    exact_match,
    normalize_number,
    parse_entry,
    parse_mapping,
    resolve_columns,
)

BOARD_ONLY_SHOWN = 20
# A roster can verify these; a rejection or revocation is a reviewer's decision, a verified one needs nothing.
VERIFIABLE = frozenset({"unverified", "pending"})


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
        license_types = {t.strip().lower() for t in options["license_type"] if t.strip()}
        if license_types and "license_type" not in mapping:
            raise CommandError("--license-type needs a license_type column (see --columns).")

        self.apply = options["apply"]
        self.dry_run = options["dry_run"]
        self.show_problems = options["show_problems"]
        self.verbosity = options["verbosity"]
        self.problem_count = 0
        self.bar: tqdm | None = None
        self.source_prefix = f"{board.board_name} roster {path.name}"[:250]
        self.board_name = board.board_name

        ours = {
            normalize_number(lic.number): OurLicense(
                pk=lic.pk,
                number=lic.number,
                practitioner_name=lic.practitioner.name,
                board_status=lic.board_status,
                expiry_date=lic.expiry_date,
                verification_state=lic.verification_state,
            )
            for lic in License.objects.filter(state=board).select_related("practitioner").order_by("pk")
        }
        counts: Counter[str] = Counter()
        seen: dict[str, int] = {}
        pending: list[tuple[int, OurLicense, object]] = []

        with (
            path.open("rb") as stream,
            tqdm(
                total=path.stat().st_size,
                unit="B",
                unit_scale=True,
                desc=f"{state_code} roster",
                disable=None if options["progress"] is None else not options["progress"],
                file=sys.stderr,
            ) as self.bar,
        ):
            try:
                reader = StreamingCsv(stream, report=self.report, on_bytes=self.bar.update)
                columns = resolve_columns(reader.header, mapping, explicit=set(overrides))
            except HeaderError as exc:
                raise CommandError(f"{path.name}: {exc}") from exc
            if columns.not_in_file:
                self.stdout.write(f"Not in this file, so not compared: {', '.join(columns.not_in_file)}.")
            for line, row in reader.rows():
                counts["rows"] += 1
                entry, problems = parse_entry(row, columns, line=line)
                for problem in problems:
                    self.report(line, problem)
                if entry is None:
                    counts["malformed"] += 1
                    continue
                if license_types and entry.license_type.lower() not in license_types:
                    counts["other types"] += 1
                    continue
                if entry.number in seen:
                    self.report(
                        line, f"license {entry.raw_number} already appeared on line {seen[entry.number]}; skipped."
                    )
                    counts["duplicates"] += 1
                    continue
                seen[entry.number] = line
                our = ours.get(entry.number)
                if our is None:
                    counts["board only"] += 1
                    if self.verbosity >= 2 or counts["board only"] <= BOARD_ONLY_SHOWN:
                        self.stdout.write(
                            f"line {line}: board lists {entry.raw_number} ({entry.display_name or 'no name'}, "
                            f"{entry.status_text or 'no status'}); we do not."
                        )
                    continue
                differences = compare(our, entry)
                if not differences:
                    counts["matched"] += 1
                    if self.apply and our.verification_state in VERIFIABLE and exact_match(our, entry):
                        pending.append(("verify", line, our, entry))
                    elif self.apply and our.verification_state in VERIFIABLE and self.verbosity >= 1:
                        self.stdout.write(
                            f"line {line}: {state_code} #{our.number} ({our.practitioner_name}): matches as far as the "
                            "file goes, but not on all of number, full name, status and expiry → not verified"
                        )
                    if len(pending) >= options["batch_size"]:
                        self._apply_counted(pending, counts)
                        pending = []
                    continue
                counts["mismatched"] += 1
                described = "; ".join(f"{d.field}: ours {d.ours}, board {d.board}" for d in differences)
                name_fits = all(d.field != "name" for d in differences)
                action = ""
                updatable = name_fits and our.verification_state == "verified"
                if self.apply:
                    if updatable:
                        action = " → will update"
                    elif not name_fits:
                        action = " → not updated: the name differs, a reviewer should check"
                    else:
                        action = " → not updated: not verified yet, a reviewer should compare the claim with the board"
                self.stdout.write(
                    f"line {line}: {state_code} #{our.number} ({our.practitioner_name}): {described}{action}"
                )
                if self.apply and updatable:
                    pending.append(("update", line, our, entry))
                    if len(pending) >= options["batch_size"]:
                        self._apply_counted(pending, counts)
                        pending = []
            if self.apply:
                self._apply_counted(pending, counts)
            counts["malformed"] += reader.skipped_rows
        self.bar = None

        unknown = [our for key, our in ours.items() if key not in seen]
        for our in unknown:
            self.stdout.write(
                f"{state_code} #{our.number} ({our.practitioner_name}, {our.verification_state}): not on the board's roster."
            )
        if counts["board only"] > BOARD_ONLY_SHOWN and self.verbosity < 2:
            self.stdout.write(
                f"… and {counts['board only'] - BOARD_ONLY_SHOWN} more board entries we do not list (-v 2 lists all)."
            )

        applied = counts["applied"]
        if self.apply:
            would = "would be " if self.dry_run else ""
            applied_text = f"{applied} license(s) {would}updated, {counts['verified']} {would}verified from the roster"
        else:
            applied_text = "nothing changed (report only; --apply to update)"
        summary = (
            f"{'Dry run (nothing stored): ' if self.dry_run else ''}{state_code} roster {path.name}: "
            f"{counts['rows']} rows read; {counts['matched']} matched, {counts['mismatched']} mismatched, "
            f"{len(unknown)} of ours unknown to the board, {counts['board only']} board entries we do not list; "
            f"skipped {counts['malformed']} malformed, {counts['duplicates']} duplicate"
            + (f", {counts['other types']} other license types" if license_types else "")
            + f" row(s); {self.problem_count} problem(s) reported; {applied_text}."
        )
        self.stdout.write(self.style.SUCCESS(summary))

    def _apply_counted(self, pending: list, counts: Counter) -> None:
        updated, verified = self._apply(pending)
        counts["applied"] += updated
        counts["verified"] += verified

    def _apply(self, pending: list) -> tuple[int, int]:
        """One transaction for the batch; a license that cannot take the change is reported and skipped.
        Returns (updated, verified)."""
        updated = verified = 0
        if not pending:
            return updated, verified
        with transaction.atomic():
            for kind, line, our, entry in pending:
                source = f"{self.source_prefix}, line {line}"
                try:
                    if kind == "verify":
                        record = services.license_verify_from_roster(
                            license_id=our.pk,
                            board_name=self.board_name,
                            board_status=entry.status,
                            expiry_date=entry.expiry_date,
                            source=source,
                        )
                    else:
                        record = services.license_apply_roster(
                            license_id=our.pk, board_status=entry.status, expiry_date=entry.expiry_date, source=source
                        )
                except ValidationError as exc:
                    done = "verified" if kind == "verify" else "updated"
                    self.report(line, f"license {our.number} not {done}: {'; '.join(exc.messages)}")
                    continue
                if record is not None:
                    if kind == "verify":
                        verified += 1
                    else:
                        updated += 1
            if self.dry_run:
                transaction.set_rollback(True)
        return updated, verified

    def report(self, line: int | None, message: str) -> None:
        self.problem_count += 1
        if self.problem_count > self.show_problems:
            return
        if self.bar is not None:
            self.bar.clear()
        self.stderr.write(f"line {line}: {message}" if line else message)
        if self.bar is not None:
            self.bar.refresh()
