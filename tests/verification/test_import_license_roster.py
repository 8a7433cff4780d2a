"""manage.py import_license_roster: report, --apply, --dry-run, column mapping and broken files."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from practitioners.models import License, StateBoard, VerificationRecord
from tests.factories import LicenseFactory, PractitionerFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "rosters" / "colorado_sample.csv"
COLORADO = ("--state", "CO", "--preset", "colorado", "--license-type", "ACU")


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_license_roster", str(path), "--no-progress", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def co_license(name: str, number: str, **kwargs) -> License:
    kwargs.setdefault("expiry_date", datetime.date(2027, 10, 31))
    kwargs.setdefault("issue_date", datetime.date(2010, 1, 1))
    return LicenseFactory(
        practitioner=PractitionerFactory(name=name), state=StateBoard.objects.get(pk="CO"), number=number, **kwargs
    )


@pytest.fixture
def colorado():
    """Our Colorado licenses, against fixtures/rosters/colorado_sample.csv."""
    return {
        "matched": co_license("Linda Nguyen", "ACU.0000101"),
        "expired": co_license("Marco Rivera", "ACU.0000102"),  # board: expired 10/31/2024
        "probation": co_license("Samuel Baker", "acu.0000103"),  # board: Active - Probation
        "other_name": co_license("Mei Chen", "ACU.0000104"),  # board: Grace Okafor
        "not_on_roster": co_license("Jörg Müller", "ACU.0000555", verification_state="unverified", verified_at=None),
    }


def stored() -> list[tuple]:
    return sorted(
        License.objects.values_list("number", "board_status", "expiry_date", "verification_state", "restricted")
    )


def test_report_only_changes_nothing(colorado):
    before = stored()
    out, err = run(SAMPLE, *COLORADO)
    assert (
        "9 rows read; 1 matched, 3 mismatched, 1 of ours unknown to the board, 1 board entries we do not list; "
        "skipped 2 malformed, 1 duplicate, 1 other license types row(s)"
    ) in out
    assert "nothing changed (report only; --apply to update)" in out
    assert (
        "line 3: CO #ACU.0000102 (Marco Rivera): board status: ours active, board expired; expiry: ours 2027-10-31, board 2024-10-31"
        in out
    )
    assert "line 4: CO #acu.0000103 (Samuel Baker): board status: ours active, board probation" in out
    assert "line 5: CO #ACU.0000104 (Mei Chen): name: ours Mei Chen, board Grace Okafor" in out
    assert "line 6: board lists ACU.0000199 (Tom Whitfield, Active); we do not." in out
    assert "CO #ACU.0000555 (Jörg Müller, unverified): not on the board's roster." in out
    assert "line 8: no license number; row skipped." in err
    assert "line 9: license ACU.0000106: expiry date" in err and "“31/31/2027” is not in a known format" in err
    assert "line 10: license ACU.0000101 already appeared on line 2; skipped." in err
    assert stored() == before
    assert VerificationRecord.objects.count() == 0


def test_apply_updates_matched_licenses_with_one_record_each(colorado):
    out, _ = run(SAMPLE, *COLORADO, "--apply")
    assert "2 license(s) updated" in out
    expired = License.objects.get(pk=colorado["expired"].pk)
    assert (expired.board_status, expired.expiry_date) == ("expired", datetime.date(2024, 10, 31))
    assert expired.verification_state == "verified"  # kept, but no longer current
    assert not expired.is_current()
    probation = License.objects.get(pk=colorado["probation"].pk)
    assert probation.board_status == "probation"
    other_name = License.objects.get(pk=colorado["other_name"].pk)
    assert (other_name.board_status, other_name.expiry_date) == ("active", datetime.date(2027, 10, 31))
    records = list(VerificationRecord.objects.order_by("pk"))
    assert [r.credential_id for r in records] == [colorado["expired"].pk, colorado["probation"].pk]
    assert all(r.actor is None and r.old_state == r.new_state == "verified" for r in records)
    assert records[0].source.endswith("roster colorado_sample.csv, line 3")
    assert "board status active → expired; expiry 2027-10-31 → 2024-10-31" in records[0].note


def test_apply_twice_changes_nothing_the_second_time(colorado):
    run(SAMPLE, *COLORADO, "--apply")
    before, records = stored(), VerificationRecord.objects.count()
    out, _ = run(SAMPLE, *COLORADO, "--apply")
    assert "3 matched, 1 mismatched" in out
    assert "0 license(s) updated" in out
    assert stored() == before
    assert VerificationRecord.objects.count() == records


def test_apply_dry_run_changes_nothing(colorado):
    before = stored()
    out, _ = run(SAMPLE, *COLORADO, "--apply", "--dry-run")
    assert out.splitlines()[-1].startswith("Dry run (nothing stored)")
    assert "2 license(s) would be updated" in out
    assert stored() == before
    assert VerificationRecord.objects.count() == 0


def test_a_change_the_license_cannot_take_is_reported_and_the_batch_goes_on(colorado):
    License.objects.filter(pk=colorado["expired"].pk).update(issue_date=datetime.date(2025, 1, 1))
    out, err = run(SAMPLE, *COLORADO, "--apply", "--batch-size=10")
    assert "line 3: license ACU.0000102 not updated" in err
    assert "1 license(s) updated" in out
    assert License.objects.get(pk=colorado["probation"].pk).board_status == "probation"
    assert License.objects.get(pk=colorado["expired"].pk).board_status == "active"


def test_column_mapping_for_another_board(tmp_path):
    co_license("Linda Nguyen", "AC-1")
    path = tmp_path / "roster.csv"
    path.write_text(
        "Lic No,Licensee,Status,Expires\nAC-1,Linda Nguyen,Active,2027-10-31\nAC-2,Tom Lee,Active,2027-01-01\n"
    )
    out, _ = run(path, "--state", "co", "--columns", "number=Lic No,name=Licensee,status=Status,expiry_date=Expires")
    assert "2 rows read; 1 matched, 0 mismatched, 0 of ours unknown to the board, 1 board entries we do not list" in out


def test_mapped_column_missing_from_the_file_is_a_clear_error(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("Lic No,Licensee\nAC-1,Linda Nguyen\n")
    with pytest.raises(CommandError, match=r"no column for: .*status \(column “Board Status”\)"):
        run(path, "--state", "CO", "--columns", "number=Lic No,status=Board Status")


def test_wrong_header_is_refused_and_nothing_changes(colorado):
    before = stored()
    nppes = Path(__file__).resolve().parents[2] / "fixtures" / "nppes" / "npidata_pfile_sample.csv"
    with pytest.raises(CommandError, match=r"no column for: number \(column “licensenumber”\)"):
        run(nppes, *COLORADO, "--apply")
    assert stored() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--state", "XX"), "Unknown state"),
        (("--state", "CO", "--columns", "licence=number"), "not a roster field"),
        (
            ("--state", "CO", "--preset", "meridian", "--columns", "license_type=", "--license-type", "ACU"),
            "not field=column",
        ),
    ],
)
def test_bad_options(args, message):
    with pytest.raises(CommandError, match=message):
        run(SAMPLE, *args)


def test_encoding_truncation_and_long_names(tmp_path):
    co_license("José Peña", "ACU.1")
    co_license("Ana Ruiz", "ACU.2")
    lines = [
        b"licensenumber,lastname,firstname,licensetype,licensestatusdescription,licenseexpirationdate",
        "ACU.1,Peña,José,ACU,Active,10/31/2027".encode("cp1252"),
        ("ACU.3," + "X" * 10_000 + ",Long,ACU,Active,10/31/2027").encode(),
        b"ACU.2,Ruiz,Ana,ACU,Active,10/31/2027",
        b"ACU.4,Trunc,Ated,ACU",
    ]
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\r\n".join(lines))
    out, err = run(path, "--state", "CO", "--preset", "colorado")
    assert "line 2: not valid UTF-8; read as Windows-1252" in err
    assert "line 3: last_name is 10,000 characters long (at most 200 accepted); row skipped." in err
    assert "line 5: has 4 fields, expected 6 (truncated?); skipped." in err
    assert "2 matched" in out and "skipped 2 malformed" in out
    assert "Not in this file, so not compared: issue_date." in out
