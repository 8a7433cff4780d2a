"""`verification.roster.roster_cross_check`: the roster's matching rules, pure (no database, no output)."""

import datetime

import pytest

from verification.roster import PRESETS, OurLicense, resolve_columns, roster_cross_check

HEADER = ["number", "last_name", "first_name", "license_type", "status", "expiry_date"]
COLUMNS = resolve_columns(HEADER, PRESETS["meridian"].columns, explicit=set())
EXPIRY = datetime.date(2027, 10, 31)


def ours(state="unverified", *, name="Linda Nguyen", number="AC 101", status="active", expiry=EXPIRY, pk=1):
    return OurLicense(
        pk=pk,
        number=number,
        practitioner_name=name,
        board_status=status,
        expiry_date=expiry,
        verification_state=state,
    )


def row(number="ac101", last="Nguyen", first="Linda", kind="ACU", status="Active", expiry="10/31/2027"):
    return [number, last, first, kind, status, expiry]


def check(licenses, rows, **kwargs):
    keyed = {lic.number.replace(" ", "").upper(): lic for lic in licenses}
    return roster_cross_check(list(enumerate(rows, start=2)), columns=COLUMNS, ours=keyed, **kwargs)


def outcome(report) -> tuple:
    """(matched, mismatched, partial, board only, unknown, action kinds)."""
    return (
        report.matched,
        len(report.mismatches),
        len(report.partial),
        len(report.board_only),
        len(report.unknown),
        tuple(action.kind for action in report.actions),
    )


@pytest.mark.parametrize(
    ("case", "license", "roster_row", "expected"),
    [
        ("exact, unverified → verify", ours("unverified"), row(), (1, 0, 0, 0, 0, ("verify",))),
        ("exact, pending → verify", ours("pending"), row(), (1, 0, 0, 0, 0, ("verify",))),
        ("exact, already verified → nothing", ours("verified"), row(), (1, 0, 0, 0, 0, ())),
        ("exact, rejected → a reviewer's call", ours("rejected"), row(), (1, 0, 0, 0, 0, ())),
        ("exact, revoked → a reviewer's call", ours("revoked"), row(), (1, 0, 0, 0, 0, ())),
        ("initial only → partial", ours("unverified"), row(first="L"), (1, 0, 1, 0, 0, ())),
        ("no first name → partial", ours("unverified"), row(first=""), (1, 0, 1, 0, 0, ())),
        (
            "blank status → verify proposed (the service needs one)",
            ours("unverified"),
            row(status=""),
            (1, 0, 0, 0, 0, ("verify",)),
        ),
        (
            "verified, board expiry differs → update",
            ours("verified"),
            row(expiry="10/31/2029"),
            (0, 1, 0, 0, 0, ("update",)),
        ),
        (
            "verified, board status differs → update",
            ours("verified"),
            row(status="Suspended"),
            (0, 1, 0, 0, 0, ("update",)),
        ),
        ("verified, name differs → reviewer", ours("verified"), row(last="Okafor", first="Grace"), (0, 1, 0, 0, 0, ())),
        ("unverified, expiry differs → reviewer", ours("unverified"), row(expiry="10/31/2029"), (0, 1, 0, 0, 0, ())),
        ("board only, ours unknown", ours("verified", number="AC 999"), row(), (0, 0, 0, 1, 1, ())),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_rules(case, license, roster_row, expected):
    report = check([license], [roster_row])
    assert outcome(report) == expected, case
    assert report.rows == 1
    for action in report.actions:
        assert (action.line, action.license) == (2, license)


def test_a_blank_status_is_not_compared_but_an_exact_match_still_needs_the_service():
    # The cross-check proposes it; `services.license_verify_from_roster` refuses without a board status.
    report = check([ours("unverified")], [row(status="")])
    assert report.actions[0].entry.status is None


def test_differences_name_each_field_ours_against_the_board():
    report = check([ours("verified")], [row(status="Expired", expiry="10/31/2024")])
    (mismatch,) = report.mismatches
    assert [(d.field, d.ours, d.board) for d in mismatch.differences] == [
        ("board status", "active", "expired"),
        ("expiry", "2027-10-31", "2024-10-31"),
    ]
    assert mismatch.name_fits and mismatch.updatable


def test_skipped_rows_are_counted_and_reported_by_line():
    report = check(
        [ours("unverified")],
        [row(), row(number=" "), row(expiry="31.31.2027"), row(kind="MT", number="x1"), row(number="AC 101")],
        license_types=frozenset({"acu"}),
    )
    assert (report.rows, report.matched, report.malformed, report.other_types, report.duplicates) == (5, 1, 2, 1, 1)
    lines = [line for line, _ in report.problems]
    assert lines == [3, 4, 6]
    assert "already appeared on line 2" in report.problems[-1][1]


def test_an_unknown_board_status_is_reported_and_not_compared():
    report = check([ours("verified", status="active")], [row(status="Pending board review")])
    assert report.matched == 1 and not report.mismatches
    assert report.problems == [
        (2, "license ac101: board status “Pending board review” not recognised; status not compared.")
    ]


def test_only_the_license_types_asked_for_are_compared():
    report = check([ours("unverified")], [row(kind="Massage")], license_types=frozenset({"acu"}))
    assert (report.other_types, report.matched, len(report.unknown)) == (1, 0, 1)
    assert check([ours("unverified")], [row(kind="Massage")]).matched == 1


def test_ours_not_on_the_roster_keep_our_order():
    licenses = [ours(number="AC 3", pk=3), ours(number="AC 1", pk=1), ours(number="AC 101", pk=2)]
    report = check(licenses, [row()])
    assert [lic.pk for lic in report.unknown] == [3, 1]
