"""manage.py import_nppes on the synthetic sample and on broken files."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from practitioners.importers.nppes import NPPES_COLUMNS, build_row, with_check_digit
from practitioners.models import License, PracticeLocation, Practitioner, VerificationRecord
from tests.factories import LicenseFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "nppes" / "npidata_pfile_sample.csv"
ACU = "171100000X"


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_nppes", str(path), "--no-progress", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def acupuncturist(stem: str, **overrides: str) -> dict[str, str]:
    values = {
        "NPI": with_check_digit(stem),
        "Entity Type Code": "1",
        "Provider Last Name (Legal Name)": "TESTER",
        "Provider First Name": "ALEX",
        "Provider Credential Text": "L.AC.",
        "Provider First Line Business Practice Location Address": "1 MAIN ST",
        "Provider Business Practice Location Address City Name": "PORTLAND",
        "Provider Business Practice Location Address State Name": "OR",
        "Provider Business Practice Location Address Postal Code": "97201",
        "Provider Business Practice Location Address Telephone Number": "5035550100",
        "Provider Sex Code": "X",
        "Healthcare Provider Taxonomy Code_1": ACU,
        "Provider License Number_1": f"AC{stem[-4:]}",
        "Provider License Number State Code_1": "OR",
    }
    values.update(overrides)
    return values


def write(tmp_path: Path, rows: list[dict[str, str]], *, name: str = "npidata.csv", encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(NPPES_COLUMNS)
    for row in rows:
        writer.writerow(build_row(row))
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def snapshot() -> dict:
    """Row counts and the stored fields, to prove a run changed nothing."""
    return {
        "practitioners": sorted(
            Practitioner.objects.values_list("npi", "name", "slug", "phone", "display_credentials", "status")
        ),
        "licenses": sorted(
            License.objects.values_list("state_id", "number", "verification_state", "practitioner__npi")
        ),
        "locations": sorted(
            PracticeLocation.objects.values_list("practitioner__npi", "street", "zip_code", "latitude")
        ),
        "records": VerificationRecord.objects.count(),
    }


# ---------------------------------------------------------------- the sample file


def test_sample_creates_unclaimed_unpublished_listings():
    out, err = run(SAMPLE)
    assert err == ""
    assert "9 rows read; 6 acupuncturists: 6 created, 0 updated, 0 unchanged" in out
    assert "6 licenses added (unverified)" in out
    assert "skipped: 1 organisations, 1 other professions, 1 deactivated NPIs" in out
    assert Practitioner.objects.count() == 6
    assert set(Practitioner.objects.values_list("status", flat=True)) == {"draft"}
    assert not Practitioner.objects.filter(owner__isnull=False).exists()
    assert set(License.objects.values_list("verification_state", flat=True)) == {"unverified"}
    assert VerificationRecord.objects.count() == 0


def test_sample_fields():
    run(SAMPLE)
    linda = Practitioner.objects.get(npi=with_check_digit("123450001"))
    assert linda.name == "Linda Nguyen"
    assert linda.slug == f"linda-nguyen-{linda.npi}"
    assert (linda.display_credentials, linda.gender, linda.phone) == ("L.AC.", "female", "(503) 555-0101")
    location = linda.locations.get()
    assert (location.street, location.city, location.state_id, location.zip_code) == (
        "1234 SW Main St",
        "Portland",
        "OR",
        "97201",
    )
    assert location.is_primary
    assert location.latitude == pytest.approx(45.5, abs=0.1)
    assert location.longitude == pytest.approx(-122.7, abs=0.1)
    assert list(linda.licenses.values_list("state_id", "number", "title")) == [("OR", "AC00123", "L.Ac.")]
    marco = Practitioner.objects.get(npi=with_check_digit("123450002"))
    assert sorted(marco.licenses.values_list("state_id", "number")) == [("CA", "AC 98765"), ("OR", "AC00991")]
    samuel = Practitioner.objects.get(npi=with_check_digit("123450003"))
    assert list(samuel.licenses.values_list("number", flat=True)) == ["008811"]  # not the chiropractic license
    assert Practitioner.objects.filter(npi=with_check_digit("123450007")).exists()  # reactivated
    assert not Practitioner.objects.filter(npi=with_check_digit("123450006")).exists()  # deactivated
    assert Practitioner.objects.get(npi=with_check_digit("123450008")).licenses.count() == 0
    assert linda.search_document.startswith("Linda Nguyen")


def test_rerun_is_idempotent():
    run(SAMPLE)
    before = snapshot()
    out, _ = run(SAMPLE)
    assert "0 created, 0 updated, 6 unchanged" in out
    assert "0 licenses added" in out
    assert snapshot() == before


def test_dry_run_stores_nothing(tmp_path):
    out, _ = run(SAMPLE, "--dry-run")
    assert out.startswith("Dry run (nothing stored)")
    assert "6 created" in out
    assert Practitioner.objects.count() == License.objects.count() == PracticeLocation.objects.count() == 0
    run(SAMPLE)
    before = snapshot()
    changed = write(tmp_path, [acupuncturist("123450001", **{"Provider Last Name (Legal Name)": "NGUYEN-HALE"})])
    out, _ = run(changed, "--dry-run")
    assert "1 updated" in out
    assert snapshot() == before


def test_small_batches_give_the_same_result():
    out, _ = run(SAMPLE, "--batch-size=1")
    assert "6 created" in out
    assert Practitioner.objects.count() == 6


# ---------------------------------------------------------------- updates never overwrite people's work


def test_update_changes_only_what_nobody_edited(tmp_path):
    npi = with_check_digit("555000001")
    run(write(tmp_path, [acupuncturist("555000001")], name="first.csv"))
    listing = Practitioner.objects.get(npi=npi)
    # A reviewer corrects the phone; the practice location's street is fixed too.
    listing.phone = "(503) 555-9999"
    listing.save()
    PracticeLocation.objects.filter(practitioner=listing).update(street="1 Main Street, Suite 4")
    second = acupuncturist(
        "555000001",
        **{
            "Provider First Name": "ALEXANDRA",
            "Provider Business Practice Location Address Telephone Number": "5035550111",
            "Provider First Line Business Practice Location Address": "2 MAIN ST",
            "Provider Business Practice Location Address Postal Code": "97205",
        },
    )
    out, _ = run(write(tmp_path, [second], name="second.csv"))
    assert "1 updated" in out
    listing.refresh_from_db()
    assert listing.name == "Alexandra Tester"  # untouched field follows the registry
    assert listing.phone == "(503) 555-9999"  # the reviewer's value stays
    location = listing.locations.get()
    assert location.street == "1 Main Street, Suite 4"  # edited: kept
    assert location.zip_code == "97205"  # not edited: follows the registry
    assert listing.search_document.startswith("Alexandra Tester")
    out, _ = run(write(tmp_path, [second], name="second.csv"))
    assert "1 unchanged" in out


def test_claimed_listing_is_left_alone(tmp_path):
    npi = with_check_digit("555000002")
    PractitionerFactory(npi=npi, name="Dr. Alex Tester", owner=UserFactory(), phone="(503) 000-0000")
    out, _ = run(write(tmp_path, [acupuncturist("555000002")]))
    assert "1 claimed listings left alone" in out
    listing = Practitioner.objects.get(npi=npi)
    assert (listing.name, listing.phone) == ("Dr. Alex Tester", "(503) 000-0000")
    assert listing.licenses.count() == 0


def test_a_license_already_on_another_listing_is_reported_not_moved(tmp_path):
    other = LicenseFactory(state_id="OR", number="AC0003")
    _, err = run(write(tmp_path, [acupuncturist("555000003")]))
    assert "is already on" in err and "line 2" in err
    assert License.objects.get(state_id="OR", number="AC0003").practitioner == other.practitioner
    assert Practitioner.objects.filter(npi=with_check_digit("555000003")).exists()


def test_verified_license_keeps_its_state_on_reimport(tmp_path):
    path = write(tmp_path, [acupuncturist("555000004")])
    run(path)
    License.objects.update(verification_state="verified", verification_source="board", verified_at="2026-01-01T00:00Z")
    run(path)
    assert set(License.objects.values_list("verification_state", flat=True)) == {"verified"}
    assert License.objects.count() == 1


# ---------------------------------------------------------------- bad input


def test_wrong_header_is_refused_and_nothing_is_stored(tmp_path):
    PractitionerFactory(npi=with_check_digit("555000005"))
    before = snapshot()
    path = tmp_path / "roster.csv"
    path.write_text("licensenumber,lastname,firstname\nAC1,Doe,Jane\n")
    with pytest.raises(CommandError, match=r"missing \d+ required column.*“NPI”"):
        run(path)
    assert snapshot() == before


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        run(path)


def test_windows_1252_is_read_and_reported(tmp_path):
    rows = [acupuncturist("555000006", **{"Provider First Name": "JOSÉ", "Provider Last Name (Legal Name)": "PEÑA"})]
    out, err = run(write(tmp_path, rows, encoding="cp1252"))
    assert "line 2: not valid UTF-8; read as Windows-1252" in err
    assert "1 line(s) were not UTF-8" in out
    assert Practitioner.objects.get(npi=with_check_digit("555000006")).name == "José Peña"


def test_truncated_last_line_is_reported_and_the_rest_imported(tmp_path):
    path = write(tmp_path, [acupuncturist("555000007"), acupuncturist("555000008")])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 400])  # cut the last row short
    out, err = run(path)
    assert "line 3: has" in err and "expected 330 (truncated?); skipped." in err
    assert "1 created" in out and "1 malformed rows" in out
    assert Practitioner.objects.filter(npi=with_check_digit("555000007")).exists()
    assert not Practitioner.objects.filter(npi=with_check_digit("555000008")).exists()


def test_duplicated_rows_are_reported(tmp_path):
    row = acupuncturist("555000009")
    out, err = run(write(tmp_path, [row, row]))
    assert f"line 3: NPI {row['NPI']} already appeared on line 2; skipped." in err
    assert "1 duplicate NPIs" in out
    assert Practitioner.objects.count() == 1


def test_other_date_formats_and_unreadable_dates(tmp_path):
    rows = [
        # ISO dates are understood: deactivated in 2024, never reactivated → skipped
        acupuncturist("555000010", **{"NPI Deactivation Date": "2024-03-15"}),
        # reactivated after deactivation, in another format → kept
        acupuncturist("555000011", **{"NPI Deactivation Date": "15-Mar-2020", "NPI Reactivation Date": "20200601"}),
        acupuncturist("555000012", **{"NPI Deactivation Date": "15/15/2024"}),
        acupuncturist("555000013"),
    ]
    out, err = run(write(tmp_path, rows))
    assert "line 4: NPI" in err and "“15/15/2024” is not in a known format" in err
    assert "1 deactivated NPIs" in out and "1 malformed rows" in out
    assert set(Practitioner.objects.values_list("npi", flat=True)) == {
        with_check_digit("555000011"),
        with_check_digit("555000013"),
    }


def test_zip_that_does_not_exist_keeps_the_listing_without_a_map_position(tmp_path):
    rows = [
        acupuncturist("555000014", **{"Provider Business Practice Location Address Postal Code": "00000"}),
        acupuncturist("555000015", **{"Provider Business Practice Location Address Postal Code": "ABCDE"}),
        acupuncturist("555000016", **{"Provider Business Practice Location Address State Name": "ZZ"}),
    ]
    out, err = run(write(tmp_path, rows))
    assert "line 2: NPI" in err and "ZIP 00000 does not exist" in err
    assert "line 3: NPI" in err and "is not a US ZIP; location not imported" in err
    assert "line 4: NPI" in err and "“ZZ” is not a US state we list" in err
    assert "3 created" in out
    location = PracticeLocation.objects.get(practitioner__npi=with_check_digit("555000014"))
    assert (location.zip_code, location.latitude, location.longitude) == ("00000", None, None)
    assert not PracticeLocation.objects.filter(practitioner__npi=with_check_digit("555000015")).exists()


def test_ten_thousand_character_name_is_refused_and_others_imported(tmp_path):
    rows = [
        acupuncturist("555000017", **{"Provider Last Name (Legal Name)": "X" * 10_000}),
        acupuncturist("555000018", **{"Provider First Name": "A\x00B"}),
        acupuncturist("555000019"),
    ]
    out, err = run(write(tmp_path, rows))
    assert "line 2: NPI" in err and "is 10,000 characters long (at most 100 accepted); row skipped." in err
    assert "line 3: NPI" in err and "contains a NUL byte" in err
    assert "2 malformed rows" in out
    assert list(Practitioner.objects.values_list("npi", flat=True)) == [with_check_digit("555000019")]


def test_invalid_npi_is_reported(tmp_path):
    _, err = run(write(tmp_path, [acupuncturist("555000020", NPI="1234567890"), acupuncturist("555000021")]))
    assert "line 2: NPI “1234567890” is not a valid 10-digit NPI" in err
    assert Practitioner.objects.count() == 1


def test_constraint_failure_skips_only_that_record(tmp_path):
    npi = with_check_digit("555000022")
    PractitionerFactory(slug=f"alex-tester-{npi}", npi=None)  # takes the slug the import would use
    before_names = set(Practitioner.objects.values_list("name", flat=True))
    rows = [acupuncturist("555000021"), acupuncturist("555000022"), acupuncturist("555000023")]
    out, err = run(write(tmp_path, rows))
    assert f"line 3: NPI {npi}: not imported" in err
    assert "2 created" in out
    assert set(Practitioner.objects.values_list("name", flat=True)) >= before_names
    assert not Practitioner.objects.filter(npi=npi).exists()
    assert Practitioner.objects.filter(npi__isnull=False).count() == 2


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "nope.csv")
