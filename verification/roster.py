"""State board license rosters: column presets, row parsing and the comparison with our licenses.

Boards publish rosters with their own column names. A mapping says which file
column holds each of our fields; `PRESETS` holds the mappings of the formats we
know, and `--columns number=licensenumber,last_name=lastname,…` adjusts or
replaces one. Only `number` is required; a field without a column is simply not
compared.

Fields: number, last_name, first_name, name (a full name, when the board has no
separate columns), license_type, status, expiry_date, issue_date.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from practitioners.importers.csvfile import HeaderError
from practitioners.importers.fields import name_tokens, parse_date, too_long
from practitioners.models import LicenseBoardStatus, VerificationState

FIELDS = ("number", "last_name", "first_name", "name", "license_type", "status", "expiry_date", "issue_date")
REQUIRED_FIELDS = ("number",)
LIMITS = {"number": 40, "last_name": 200, "first_name": 200, "name": 300, "license_type": 100, "status": 100}


@dataclass(frozen=True)
class Preset:
    description: str
    columns: dict[str, str]


PRESETS: dict[str, Preset] = {
    "meridian": Preset(
        description="Our own column names: number, last_name, first_name, license_type, status, expiry_date, issue_date.",
        columns={name: name for name in FIELDS if name != "name"},
    ),
    "colorado": Preset(
        description=(
            "Colorado DORA open data (Professional and Occupational Licenses in Colorado): licensenumber, "
            "lastname, firstname, licensetype, licensestatusdescription, licenseexpirationdate, "
            "licensefirstissuedate. The file lists every profession: add --license-type for acupuncture."
        ),
        columns={
            "number": "licensenumber",
            "last_name": "lastname",
            "first_name": "firstname",
            "license_type": "licensetype",
            "status": "licensestatusdescription",
            "expiry_date": "licenseexpirationdate",
            "issue_date": "licensefirstissuedate",
        },
    ),
}

# Board wording → our board status. Checked in this order, so "Active - Probation" is probation
# and "Inactive" is not "active". Anything else is reported and the status is not compared.
STATUS_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("probation",), LicenseBoardStatus.PROBATION),
    (("suspend",), LicenseBoardStatus.SUSPENDED),
    (("revoke", "revocation"), LicenseBoardStatus.REVOKED),
    (("retire",), LicenseBoardStatus.RETIRED),
    (("delinquent", "grace"), LicenseBoardStatus.DELINQUENT),
    (("expire", "lapse"), LicenseBoardStatus.EXPIRED),
    (
        ("inactive", "surrender", "relinquish", "deceased", "cancel", "closed", "void", "denied"),
        LicenseBoardStatus.INACTIVE,
    ),
    (("active", "current", "clear", "valid", "good standing"), LicenseBoardStatus.ACTIVE),
)


def map_status(text: str) -> str | None:
    value = " ".join((text or "").lower().split())
    if not value:
        return None
    for words, status in STATUS_WORDS:
        if any(word in value for word in words):
            return status
    return None


def normalize_number(text: str) -> str:
    """How license numbers are compared: case and spaces ignored ("ac 0123" == "AC0123")."""
    return "".join((text or "").split()).upper()


def parse_mapping(text: str) -> dict[str, str]:
    """`number=licensenumber,last_name=lastname` → {"number": "licensenumber", …}; ValueError if malformed."""
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        ours, sep, theirs = part.partition("=")
        ours, theirs = ours.strip(), theirs.strip()
        if not sep or not ours or not theirs:
            raise ValueError(f"“{part.strip()}” is not field=column.")
        if ours not in FIELDS:
            raise ValueError(f"“{ours}” is not a roster field; use one of: {', '.join(FIELDS)}.")
        mapping[ours] = theirs
    return mapping


@dataclass(frozen=True)
class RosterColumns:
    index: dict[str, int]
    not_in_file: tuple[str, ...]  # optional preset fields the file lacks (not compared)
    width: int


def resolve_columns(header: list[str], mapping: dict[str, str], *, explicit: set[str]) -> RosterColumns:
    """Positions of the mapped columns. Required and explicitly mapped columns must exist."""
    positions = {name.strip().lower(): i for i, name in enumerate(header)}
    index: dict[str, int] = {}
    missing: list[str] = []
    absent: list[str] = []
    for ours, theirs in mapping.items():
        position = positions.get(theirs.strip().lower())
        if position is not None:
            index[ours] = position
        elif ours in REQUIRED_FIELDS or ours in explicit:
            missing.append(f"{ours} (column “{theirs}”)")
        else:
            absent.append(ours)
    if missing:
        found = ", ".join(f"“{name}”" for name in header[:8])
        raise HeaderError(
            f"The header has no column for: {', '.join(missing)}. The file's header starts with: {found}. "
            "Choose a --preset or map the columns with --columns field=column,…"
        )
    return RosterColumns(index=index, not_in_file=tuple(absent), width=len(header))


@dataclass(frozen=True)
class RosterEntry:
    line: int
    number: str  # normalized
    raw_number: str
    last_name: str = ""
    first_name: str = ""
    name: str = ""
    license_type: str = ""
    status: str | None = None
    status_text: str = ""
    expiry_date: datetime.date | None = None
    issue_date: datetime.date | None = None

    @property
    def display_name(self) -> str:
        return self.name or " ".join(part for part in (self.first_name, self.last_name) if part)


def parse_entry(row: list[str], columns: RosterColumns, *, line: int) -> tuple[RosterEntry | None, list[str]]:
    """(entry or None, problems). A missing number or a bad date skips the row."""
    values = {name: row[i].strip() for name, i in columns.index.items()}
    refused = too_long(values, LIMITS)
    if refused:
        return None, [f"{'; '.join(refused)}; row skipped."]
    raw_number = values.get("number", "")
    number = normalize_number(raw_number)
    if not number:
        return None, ["no license number; row skipped."]
    dates: dict[str, datetime.date | None] = {}
    for name in ("expiry_date", "issue_date"):
        try:
            dates[name] = parse_date(values.get(name, ""))
        except ValueError as exc:
            label = name.replace("_", " ")
            return None, [f"license {raw_number}: {label} — {exc}; row skipped."]
    problems = []
    status_text = values.get("status", "")
    status = map_status(status_text)
    if status_text and status is None:
        problems.append(f"license {raw_number}: board status “{status_text[:40]}” not recognised; status not compared.")
    return (
        RosterEntry(
            line=line,
            number=number,
            raw_number=raw_number,
            last_name=values.get("last_name", ""),
            first_name=values.get("first_name", ""),
            name=values.get("name", ""),
            license_type=values.get("license_type", ""),
            status=status,
            status_text=status_text,
            expiry_date=dates["expiry_date"],
            issue_date=dates["issue_date"],
        ),
        problems,
    )


def names_match(our_name: str, entry: RosterEntry, *, initials: bool = True) -> bool:
    """Does the board's name fit our listing's name? Every token of the board's last name must
    appear in ours; if the board gives a first name, its first token (or, with `initials`, its
    initial) must too."""
    ours = name_tokens(our_name)
    if entry.last_name or entry.first_name:
        last, first = name_tokens(entry.last_name), name_tokens(entry.first_name)
    else:
        tokens = name_tokens(entry.name)
        last, first = tokens[-1:], tokens[:1] if len(tokens) > 1 else []
    if not last or not all(token in ours for token in last):
        return False
    if not first:
        return True
    given = first[0]
    return any(token == given or (initials and len(given) == 1 and token.startswith(given)) for token in ours)


def exact_match(ours: "OurLicense", entry: RosterEntry) -> bool:
    """For a row `compare` found no difference in: does the board give the full name (a first name,
    not an initial)? Only then may `import_license_roster --apply` try to verify on it; the service
    also needs the board's status (active) and expiry, equal to ours. Anything less is a partial match."""
    has_first_name = (
        bool(entry.first_name) if (entry.last_name or entry.first_name) else len(name_tokens(entry.name)) > 1
    )
    # Status and expiry: `services.license_verify_from_roster` requires both, under its lock.
    return has_first_name and names_match(ours.practitioner_name, entry, initials=False)


@dataclass(frozen=True)
class OurLicense:
    pk: int
    number: str
    practitioner_name: str
    board_status: str
    expiry_date: datetime.date | None
    verification_state: str


@dataclass(frozen=True)
class Difference:
    field: str
    ours: str
    board: str


def compare(ours: OurLicense, entry: RosterEntry) -> list[Difference]:
    differences = []
    if entry.display_name and not names_match(ours.practitioner_name, entry):
        differences.append(Difference("name", ours.practitioner_name, entry.display_name))
    if entry.status is not None and entry.status != ours.board_status:
        differences.append(Difference("board status", ours.board_status, entry.status))
    if entry.expiry_date is not None and entry.expiry_date != ours.expiry_date:
        differences.append(Difference("expiry", str(ours.expiry_date or "none"), str(entry.expiry_date)))
    return differences


# A roster can verify these; a rejection or revocation is a reviewer's decision, a verified one needs nothing.
ROSTER_VERIFIABLE_STATES = frozenset({VerificationState.UNVERIFIED, VerificationState.PENDING})


@dataclass(frozen=True)
class RosterAction:
    """A change `services.roster_apply` makes: "verify" an exact match, or "update" a verified license."""

    kind: str
    line: int
    license: OurLicense
    entry: RosterEntry


@dataclass(frozen=True)
class RosterMismatch:
    line: int
    license: OurLicense
    entry: RosterEntry
    differences: tuple[Difference, ...]

    @property
    def name_fits(self) -> bool:
        return all(d.field != "name" for d in self.differences)

    @property
    def updatable(self) -> bool:
        """A verified license whose name fits is brought in line with the roster; anything else needs a reviewer."""
        return self.name_fits and self.license.verification_state == VerificationState.VERIFIED


@dataclass
class RosterReport:
    """What a roster says about our licenses of one state. `actions` are what `--apply` would do."""

    rows: int = 0
    matched: int = 0
    malformed: int = 0
    duplicates: int = 0
    other_types: int = 0
    mismatches: list[RosterMismatch] = field(default_factory=list)
    board_only: list[RosterEntry] = field(default_factory=list)
    partial: list[tuple[int, OurLicense]] = field(default_factory=list)  # matched, verifiable, not exact
    unknown: list[OurLicense] = field(default_factory=list)  # ours, not on the roster
    actions: list[RosterAction] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def roster_cross_check(
    rows: Iterable[tuple[int, list[str]]],
    *,
    columns: RosterColumns,
    ours: Mapping[str, OurLicense],
    license_types: frozenset[str] = frozenset(),
) -> RosterReport:
    """Compare the roster's rows (line, fields) with our licenses (by normalized number).

    Pure: no database, no output. Rows are parsed with `parse_entry`; a malformed row, a
    license type not in `license_types` (when given, lower-case) and a number seen before
    are counted and skipped. Each remaining row is ours and matched (an exact match of a
    verifiable license becomes a "verify" action), ours and mismatched (a verified license
    whose name fits becomes an "update" action), or the board's only.
    """
    report = RosterReport()
    seen: dict[str, int] = {}  # normalized number → first line
    for line, row in rows:
        report.rows += 1
        entry, problems = parse_entry(row, columns, line=line)
        report.problems.extend((line, problem) for problem in problems)
        if entry is None:
            report.malformed += 1
            continue
        if license_types and entry.license_type.lower() not in license_types:
            report.other_types += 1
            continue
        if entry.number in seen:
            report.problems.append(
                (line, f"license {entry.raw_number} already appeared on line {seen[entry.number]}; skipped.")
            )
            report.duplicates += 1
            continue
        seen[entry.number] = line
        our = ours.get(entry.number)
        if our is None:
            report.board_only.append(entry)
            continue
        differences = compare(our, entry)
        if not differences:
            report.matched += 1
            if our.verification_state in ROSTER_VERIFIABLE_STATES:
                if exact_match(our, entry):
                    report.actions.append(RosterAction("verify", line, our, entry))
                else:
                    report.partial.append((line, our))
            continue
        mismatch = RosterMismatch(line, our, entry, tuple(differences))
        report.mismatches.append(mismatch)
        if mismatch.updatable:
            report.actions.append(RosterAction("update", line, our, entry))
    report.unknown = [our for key, our in ours.items() if key not in seen]
    return report
