"""import_license_roster --apply as a recorded check (issue 19): an exact match against the board's own
file (number, name, status, expiry) verifies the license, names the file in the verification log, and can
publish the listing; a partial match never verifies."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from practitioners.models import License, Practitioner, StateBoard, VerificationRecord
from tests.factories import LicenseFactory, LocationFactory, PractitionerFactory, UserFactory
from verification import services

pytestmark = pytest.mark.django_db

EXPIRY = datetime.date(2030, 10, 31)
HEADER = "number,last_name,first_name,license_type,status,expiry_date,issue_date\n"


def roster(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "co_roster_2026-12.csv"
    path.write_text(header + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command(
        "import_license_roster", str(path), "--state", "CO", "--no-progress", *args, stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


def claimed_license(name: str = "Linda Nguyen", number: str = "ACU.0000101", state: str = "pending") -> License:
    practitioner = PractitionerFactory(name=name, status="draft", owner=UserFactory())
    LocationFactory(practitioner=practitioner, state=StateBoard.objects.get(pk="CO"))
    return LicenseFactory(
        practitioner=practitioner,
        state=StateBoard.objects.get(pk="CO"),
        number=number,
        expiry_date=EXPIRY,
        verification_state=state,
        verified_at=None,
    )


def test_exact_match_verifies_records_the_roster_and_publishes(tmp_path):
    lic = claimed_license()
    path = roster(tmp_path, "ACU.0000101,Nguyen,Linda,ACU,Active,2030-10-31,2015-06-01")
    out = run(path, "--apply")
    lic.refresh_from_db()
    assert lic.verification_state == "verified" and lic.verified_by is None
    record = VerificationRecord.objects.get(credential_id=lic.pk)
    assert (record.old_state, record.new_state, record.actor) == ("pending", "verified", None)
    assert "co_roster_2026-12.csv, line 2" in record.source
    assert lic.verification_source == record.source
    assert "number, name, status and expiry" in record.note
    assert Practitioner.objects.get(pk=lic.practitioner_id).status == "published"
    assert "1 verified from the roster" in out


def test_exact_match_twice_records_once(tmp_path):
    claimed_license()
    path = roster(tmp_path, "ACU.0000101,Nguyen,Linda,ACU,Active,2030-10-31,2015-06-01")
    run(path, "--apply")
    run(path, "--apply")
    assert VerificationRecord.objects.count() == 1


@pytest.mark.parametrize(
    "row",
    [
        "ACU.0000101,Okafor,Grace,ACU,Active,2030-10-31,2015-06-01",  # someone else's name
        "ACU.0000101,Nguyen,L,ACU,Active,2030-10-31,2015-06-01",  # only an initial
        "ACU.0000101,Nguyen,,ACU,Active,2030-10-31,2015-06-01",  # no first name
        "ACU.0000101,Nguyen,Linda,ACU,Active,2031-10-31,2015-06-01",  # expiry differs
        "ACU.0000101,Nguyen,Linda,ACU,Active - Probation,2030-10-31,2015-06-01",  # status differs
        "ACU.0000101,Nguyen,Linda,ACU,,2030-10-31,2015-06-01",  # no status given
        "ACU.0000101,Nguyen,Linda,ACU,Active,,2015-06-01",  # no expiry given
        "ACU.0000101,,,ACU,Active,2030-10-31,2015-06-01",  # no name given
    ],
)
def test_partial_match_never_verifies_nor_rewrites_the_claim(tmp_path, row):
    lic = claimed_license()
    before = License.objects.values_list("board_status", "expiry_date").get(pk=lic.pk)
    run(roster(tmp_path, row), "--apply")
    lic.refresh_from_db()
    assert lic.verification_state == "pending"
    assert License.objects.values_list("board_status", "expiry_date").get(pk=lic.pk) == before
    assert VerificationRecord.objects.count() == 0
    assert Practitioner.objects.get(pk=lic.practitioner_id).status == "draft"
    # … so a second run cannot turn the partial match into an exact one.
    run(roster(tmp_path, row), "--apply")
    assert License.objects.get(pk=lic.pk).verification_state == "pending"


def test_a_file_without_a_status_or_expiry_column_cannot_verify(tmp_path):
    lic = claimed_license()
    path = roster(tmp_path, "ACU.0000101,Nguyen,Linda", header="number,last_name,first_name\n")
    out = run(path, "--apply")
    assert License.objects.get(pk=lic.pk).verification_state == "pending"
    assert "0 verified from the roster" in out


def test_rejected_and_revoked_are_left_for_a_reviewer(tmp_path):
    lic = claimed_license(state="rejected")
    run(roster(tmp_path, "ACU.0000101,Nguyen,Linda,ACU,Active,2030-10-31,2015-06-01"), "--apply")
    assert License.objects.get(pk=lic.pk).verification_state == "rejected"


def test_a_board_expired_license_matching_exactly_is_not_verified(tmp_path):
    lic = claimed_license()
    License.objects.filter(pk=lic.pk).update(board_status="expired", expiry_date=datetime.date(2024, 10, 31))
    run(roster(tmp_path, "ACU.0000101,Nguyen,Linda,ACU,Expired,2024-10-31,2015-06-01"), "--apply")
    assert License.objects.get(pk=lic.pk).verification_state == "pending"


def test_dry_run_verifies_nothing(tmp_path):
    lic = claimed_license()
    out = run(roster(tmp_path, "ACU.0000101,Nguyen,Linda,ACU,Active,2030-10-31,2015-06-01"), "--apply", "--dry-run")
    assert License.objects.get(pk=lic.pk).verification_state == "pending"
    assert VerificationRecord.objects.count() == 0
    assert "1 would be verified from the roster" in out


def test_report_only_verifies_nothing(tmp_path):
    lic = claimed_license()
    run(roster(tmp_path, "ACU.0000101,Nguyen,Linda,ACU,Active,2030-10-31,2015-06-01"))
    assert License.objects.get(pk=lic.pk).verification_state == "pending"


def test_a_state_without_licensure_has_no_roster_to_check():
    with pytest.raises(CommandError, match="Oklahoma does not license acupuncturists"):
        call_command("import_license_roster", __file__, "--state", "OK", "--no-progress", stdout=io.StringIO())


def test_a_stale_roster_showing_a_past_expiry_as_active_does_not_verify(tmp_path):
    lic = claimed_license()
    License.objects.filter(pk=lic.pk).update(expiry_date=datetime.date(2024, 10, 31))
    run(roster(tmp_path, "ACU.0000101,Nguyen,Linda,ACU,Active,2024-10-31,2015-06-01"), "--apply")
    assert License.objects.get(pk=lic.pk).verification_state == "pending"


def test_the_roster_update_service_never_rewrites_an_unchecked_claim():
    lic = claimed_license()
    record = services.license_apply_roster(
        license_id=lic.pk, board_status="expired", expiry_date=datetime.date(2024, 1, 1), source="roster.csv"
    )
    assert record is None
    assert License.objects.values_list("board_status", "expiry_date").get(pk=lic.pk) == ("active", EXPIRY)


def test_a_mismatch_on_an_unchecked_claim_is_left_for_a_reviewer(tmp_path):
    claimed_license()
    out = run(roster(tmp_path, "ACU.0000101,Nguyen,Linda,ACU,Active,2031-10-31,2015-06-01"), "--apply")
    assert "→ not updated: not verified yet, a reviewer should compare the claim with the board" in out
    assert "0 license(s) updated" in out


def test_an_inactive_license_matching_exactly_is_not_verified(tmp_path):
    lic = claimed_license()
    License.objects.filter(pk=lic.pk).update(board_status="inactive")
    run(roster(tmp_path, "ACU.0000101,Nguyen,Linda,ACU,Inactive,2030-10-31,2015-06-01"), "--apply")
    assert License.objects.get(pk=lic.pk).verification_state == "pending"
