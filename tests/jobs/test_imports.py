"""Imports started from the admin: the upload is checked and stored, a task imports it, and the
run's page shows its progress; a failure part-way leaves the run failed with what was written."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from jobs.models import ImportRun
from jobs.services import import_run_start
from practitioners import services as listing_services
from practitioners.models import License, Practitioner, VerificationRecord
from tests.factories import UserFactory
from tests.verification.test_import_license_roster import co_license

from .conftest import run_worker

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NPPES_SAMPLE = FIXTURES / "nppes" / "npidata_pfile_sample.csv"
ROSTER_SAMPLE = FIXTURES / "rosters" / "colorado_sample.csv"
COLORADO = {"state": "CO", "preset": "colorado", "columns": "", "license_types": ["ACU"], "apply": False}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def importer():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_importrun", content_type__app_label="jobs"))
    return user


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="text/csv")


@pytest.fixture
def start(importer, django_capture_on_commit_callbacks):
    """Start an import as `importer`; its task is enqueued on commit (and, with the immediate
    backend of tests, run at once)."""

    def start(kind: str, path: Path, options: dict | None = None) -> ImportRun:
        with django_capture_on_commit_callbacks(execute=True):
            run = import_run_start(kind=kind, upload=upload(path), options=options or {}, actor=importer)
        run.refresh_from_db()
        return run

    return start


def test_nppes_import_as_a_task_records_its_counts(start):
    run = start("nppes", NPPES_SAMPLE)
    assert run.state == "done" and run.started_at and run.finished_at and run.task_id
    # fixtures/nppes/README.md: nine rows, six acupuncturists, three rows skipped.
    assert (run.rows_read, run.created, run.updated, run.skipped) == (9, 6, 0, 3)
    assert Practitioner.objects.count() == 6
    assert "9 rows read; 6 acupuncturists: 6 created" in run.summary
    # The stored file is a name of our own in the default storage, not the uploader's.
    assert run.file.name.startswith("imports/") and run.file.name.endswith(".csv")
    assert default_storage.exists(run.file.name) and run.original_name == NPPES_SAMPLE.name


def test_a_second_run_of_the_task_imports_nothing_again(importer, start, queue):
    run = start("nppes", NPPES_SAMPLE)
    from practitioners.tasks import import_nppes

    import_nppes.call(run_id=run.pk)
    assert import_nppes.call(run_id=run.pk) == "already done or running"
    run.refresh_from_db()
    assert run.created == 6 and Practitioner.objects.count() == 6


# A worker in this process commits and closes connections (as tests/jobs/test_email.py).
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_queued_import_and_the_page_shows_progress(importer, start, queue, client):
    client.force_login(importer)
    run = start("nppes", NPPES_SAMPLE)
    assert run.state == "queued"
    page = client.get(reverse("admin:jobs_importrun_change", args=[run.pk]))
    assert page.status_code == 200
    assert '<meta http-equiv="refresh" content="5">' in page.text  # reloads itself while queued
    assert f'href="{reverse("admin:jobs_importrun_change", args=[run.pk])}">Refresh</a>' in page.text
    run_worker()
    run.refresh_from_db()
    assert run.state == "done" and run.created == 6
    page = client.get(reverse("admin:jobs_importrun_change", args=[run.pk]))
    assert 'http-equiv="refresh"' not in page.text
    assert "Done" in page.text and "6 created" in page.text


def test_a_file_that_is_not_nppes_fails_the_run_with_a_clear_error(importer, start, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("name,city\nJane,Portland\n")
    run = start("nppes", other)
    run.refresh_from_db()
    assert run.state == "failed"
    assert "other.csv: The header is missing" in run.error and "Is this an NPPES npidata_pfile CSV?" in run.error
    assert Practitioner.objects.count() == 0


def test_a_failure_mid_import_leaves_the_run_failed_with_what_was_written(importer, start, monkeypatch):
    """Each batch is its own transaction: the batches before the failure are written and counted,
    the interrupted one leaves nothing, and the run says why it failed."""
    real = listing_services.nppes_import_batch
    calls = []

    def fail_on_third_batch(**kwargs):
        calls.append(1)
        with transaction.atomic():  # as a failure inside the batch's transaction: its writes roll back
            result = real(**kwargs)
            if len(calls) == 3:
                raise RuntimeError("database went away")
        return result

    monkeypatch.setattr(listing_services, "nppes_import_batch", fail_on_third_batch)
    start("nppes", NPPES_SAMPLE, {"batch_size": 2})
    run = ImportRun.objects.get()
    assert run.state == "failed" and run.error == "RuntimeError: database went away" and run.finished_at
    # Two batches of two were written before the failure; the run reports exactly those.
    assert run.created == 4 == Practitioner.objects.count()
    # The task failed too, so it is listed among the failed tasks (with its retry action).
    assert run.task_id
    # Retrying the failed run (staff's retry of its task) finishes it without writing anything twice.
    monkeypatch.setattr(listing_services, "nppes_import_batch", real)
    from practitioners.tasks import import_nppes

    import_nppes.call(run_id=run.pk)
    run.refresh_from_db()
    assert run.state == "done" and run.error == ""
    assert (run.created, run.unchanged) == (2, 4) and Practitioner.objects.count() == 6


@pytest.fixture
def colorado():
    """As in tests/verification/test_import_license_roster.py, against fixtures/rosters/colorado_sample.csv."""
    co_license("Linda Nguyen", "ACU.0000101")
    co_license("Marco Rivera", "ACU.0000102")
    co_license("Samuel Baker", "acu.0000103")
    co_license("Mei Chen", "ACU.0000104")
    co_license("Jörg Müller", "ACU.0000555", verification_state="unverified", verified_at=None)


def test_roster_report_as_a_task_changes_nothing_and_keeps_the_report(importer, start, colorado):
    before = sorted(License.objects.values_list("number", "board_status", "expiry_date", "verification_state"))
    run = start("roster", ROSTER_SAMPLE, COLORADO)
    run.refresh_from_db()
    assert run.state == "done", run.error
    # The command's own figures (tests/verification/test_import_license_roster.py): 9 rows, 1 matched,
    # 3 mismatched; 2 malformed, 1 duplicate and 1 of another type skipped; 3 problems reported.
    assert (run.rows_read, run.updated, run.unchanged, run.skipped, run.errors) == (9, 0, 4, 4, 3)
    assert "line 8: no license number; row skipped." in run.problems
    assert "line 5: CO #ACU.0000104 (Mei Chen): name: ours Mei Chen, board Grace Okafor" in run.summary
    assert sorted(License.objects.values_list("number", "board_status", "expiry_date", "verification_state")) == before


def test_roster_apply_as_a_task_names_the_uploaded_file_as_evidence(importer, start, colorado):
    run = start("roster", ROSTER_SAMPLE, {**COLORADO, "apply": True})
    run.refresh_from_db()
    assert run.state == "done", run.error
    assert run.updated == 2  # the expired and the probation licenses are brought in line with the board
    assert License.objects.get(number="ACU.0000102").board_status == "expired"
    sources = set(VerificationRecord.objects.values_list("source", flat=True))
    assert any(f"roster {ROSTER_SAMPLE.name}, line 3" in source for source in sources), sources


def test_a_roster_for_a_state_the_command_refuses_fails_the_run_with_its_reason(start):
    run = start("roster", ROSTER_SAMPLE, {**COLORADO, "columns": "number=nonexistent"})
    run.refresh_from_db()
    assert run.state == "failed" and "nonexistent" in run.error


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roster.xlsx", b"a,b\n1,2\n", "is not a .csv file"),
        ("roster.csv", b"", "The submitted file is empty."),
        ("roster.csv", b"PK\x03\x04\x00\x00binary", "contains binary data"),
    ],
)
def test_the_upload_form_refuses_what_it_cannot_import(importer, start, client, name, content, message):
    client.force_login(importer)
    response = client.post(
        reverse("admin:jobs_importrun_add"),
        {"kind": "nppes", "file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )
    assert response.status_code == 200
    assert message in response.text
    assert not ImportRun.objects.exists()


def test_the_upload_form_refuses_a_file_over_the_limit(importer, start, client, settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(importer)
    big = SimpleUploadedFile("big.csv", b"a,b\n" + b"1,2\n" * 300_000, content_type="text/csv")
    response = client.post(reverse("admin:jobs_importrun_add"), {"kind": "nppes", "file": big})
    assert response.status_code == 200
    assert "uploads may be at most 1 MB" in response.text
    assert not ImportRun.objects.exists()


def test_a_roster_upload_needs_a_state_and_valid_columns(importer, start, client):
    client.force_login(importer)
    url = reverse("admin:jobs_importrun_add")
    response = client.post(url, {"kind": "roster", "file": upload(ROSTER_SAMPLE), "columns": "number"})
    assert "A roster import needs the board&#x27;s state." in response.text
    assert "“number” is not field=column." in response.text
    assert not ImportRun.objects.exists()


# A worker in this process commits and closes connections (as tests/jobs/test_email.py).
@pytest.mark.django_db(transaction=True)
def test_the_upload_form_starts_the_import_and_goes_to_its_page(
    importer, client, queue, django_capture_on_commit_callbacks
):
    client.force_login(importer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:jobs_importrun_add"), {"kind": "nppes", "file": upload(NPPES_SAMPLE)})
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("admin:jobs_importrun_change", args=[run.pk])
    assert (run.state, run.kind, run.started_by) == ("queued", "nppes", importer)
    run_worker()
    run.refresh_from_db()
    assert run.state == "done"


def test_the_command_line_keeps_its_progress_bar(tmp_path, capsys):
    call_command("import_nppes", str(NPPES_SAMPLE), "--progress")
    assert "NPPES: 100%" in capsys.readouterr().err


def test_the_import_page_alone_takes_bodies_over_the_request_cap(importer, client, settings):
    """RequestBodyLimitMiddleware lets the import upload exceed REQUEST_BODY_MAX_BYTES by
    IMPORT_UPLOAD_MAX_BYTES; every other URL, and anything larger, still gets a 413 unread."""
    client.force_login(importer)
    body = {"kind": "nppes", "file": SimpleUploadedFile("big.txt", b"x" * (7 * 1024 * 1024))}
    response = client.post(reverse("admin:jobs_importrun_add"), body)
    assert response.status_code == 200 and "is not a .csv file" in response.text
    body["file"].seek(0)
    assert client.post(reverse("admin:jobs_importrun_changelist"), body).status_code == 413
    declared = settings.REQUEST_BODY_MAX_BYTES + settings.IMPORT_UPLOAD_MAX_BYTES + 1
    response = client.generic(
        "POST",
        reverse("admin:jobs_importrun_add"),
        CONTENT_TYPE="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(declared),
    )
    assert response.status_code == 413


def test_only_staff_with_the_permission_may_start_an_import(start):
    staff = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        import_run_start(kind="nppes", upload=upload(NPPES_SAMPLE), options={}, actor=staff)
    with pytest.raises(ValidationError, match="Unknown import"):
        start("registry", NPPES_SAMPLE)
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"state": "failed", "error": "", "finished_at": timezone.now()},  # a failure always says why
        {"state": "done"},  # finished runs have a finish time
        {"state": "running", "finished_at": timezone.now()},  # and only they do
        {"kind": "other"},
        {"state": "paused"},
    ],
)
def test_the_database_refuses_an_inconsistent_run(importer, change):
    run = ImportRun.objects.create(
        kind="nppes", file="imports/x.csv", original_name="x.csv", size=1, started_by=importer
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportRun.objects.filter(pk=run.pk).update(**change)
