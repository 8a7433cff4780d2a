"""The search projection (`SearchRow`) after every write: each write path, through its real service,
admin page, task or command, leaves the listing's row equal to a freshly built one
(`build_search_rows`) — and the row really changed, so removing the refresh from the path fails
its test. The factories refresh rows when they create objects, so every write here comes after
the data is built. With the search cache on, tests/search/test_search_invalidation.py shows
the same writes reaching the next search.
"""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboard import services as dashboard_services
from practitioners import services as listing_services
from practitioners.models import (
    Condition,
    License,
    Practitioner,
    School,
    SearchRow,
    StateBoard,
    VerificationState,
)
from practitioners.search_rows import (
    UPDATED_FIELDS,
    build_search_rows,
    rebuild_search_rows,
    refresh_search_rows,
    repair_search_rows,
)
from practitioners.tasks import repair_search_rows as repair_task
from reviews import services as review_services
from reviews.tasks import recompute_review_summary
from tests.factories import (
    CertificationFactory,
    ClaimFactory,
    DegreeFactory,
    LicenseFactory,
    ReviewFactory,
    SchoolFactory,
    UserFactory,
    VerifiedUserFactory,
    location_at_zip,
    refresh_search_row,
    searchable_practitioner,
)
from verification import services as credential_services

pytestmark = pytest.mark.django_db

BOARD = "https://www.dca.ca.gov/lookup"


def _values(row: SearchRow) -> dict:
    return {name: getattr(row, name) for name in UPDATED_FIELDS}


def in_step(practitioner_id: int) -> dict | None:
    """The listing's stored row (None: it has none), asserted equal to the one built from the source tables now."""
    stored = SearchRow.objects.filter(pk=practitioner_id).first()
    built = build_search_rows([practitioner_id])
    assert (None if stored is None else _values(stored)) == (_values(built[0]) if built else None)
    return None if stored is None else _values(stored)


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def reviewer():
    return UserFactory(is_staff=True, is_superuser=True)


def verified_listing(**fields) -> Practitioner:
    """Published, kept by a practitioner, a verified California license and a San Francisco location."""
    return searchable_practitioner(verified=True, owner=fields.pop("owner", None) or VerifiedUserFactory(), **fields)


# ---------------------------------------------------------------- the listing


def test_the_factories_leave_rows_in_step():
    # The vocabulary is set after the listing's own factory ran: the helper refreshes at its end.
    listing = searchable_practitioner(conditions=("neck-pain",), languages=("es",))
    assert in_step(listing.pk)["condition_ids"] == [Condition.objects.get(slug="neck-pain").pk]
    # Each credential factory refreshes its listing's row.
    trusted = searchable_practitioner(verified=True, medicare=True)
    row = in_step(trusted.pk)
    assert row["verified_until"] is not None and row["medicare_until"] is not None


def test_a_listing_edit_by_its_practitioner_rebuilds_the_row(django_capture_on_commit_callbacks):
    listing = verified_listing(accepting_new_patients=False)
    assert in_step(listing.pk)["accepting_new_patients"] is False
    neck = Condition.objects.get(slug="neck-pain")
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_update(
            practitioner=listing, actor=listing.owner, changes={"accepting_new_patients": True}
        )
    assert in_step(listing.pk)["accepting_new_patients"] is True
    # A vocabulary change goes through the search document's refresh, which rebuilds the row too.
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_update(practitioner=listing, actor=listing.owner, changes={"conditions": [neck]})
    assert in_step(listing.pk)["condition_ids"] == [neck.pk]


def test_a_staff_edit_rebuilds_the_row(staff):
    listing = verified_listing(sliding_scale=False, name="Before Name")
    listing_services.listing_staff_update(
        practitioner=listing, actor=staff, changes={"sliding_scale": True, "name": "After Name"}
    )
    row = in_step(listing.pk)
    assert row["sliding_scale"] is True and row["name"] == "After Name"


def test_everything_is_still_correct_moves_the_rows_freshness_date():
    listing = verified_listing()
    Practitioner.objects.filter(pk=listing.pk).update(last_confirmed_at=None)
    refresh_search_row(listing.pk)
    assert in_step(listing.pk)["last_confirmed_at"] is None
    listing_services.listing_confirm_facts(practitioner=listing, actor=listing.owner)
    assert in_step(listing.pk)["last_confirmed_at"] is not None


def test_suspending_deletes_the_row_and_publishing_creates_it(staff):
    listing = verified_listing()
    assert in_step(listing.pk) is not None
    listing_services.listing_set_status(practitioner=listing, actor=staff, status=Practitioner.Status.SUSPENDED)
    assert in_step(listing.pk) is None
    listing_services.listing_set_status(practitioner=listing, actor=staff, status=Practitioner.Status.PUBLISHED)
    assert in_step(listing.pk) is not None


def test_publication_when_a_license_is_verified_creates_the_row(reviewer):
    listing = searchable_practitioner(owner=VerifiedUserFactory(), status=Practitioner.Status.DRAFT)
    license_ = LicenseFactory(practitioner=listing, verification_state=VerificationState.PENDING, verified_at=None)
    assert in_step(listing.pk) is None
    credential_services.credential_verify(credential=license_, actor=reviewer, source=BOARD)
    listing.refresh_from_db()
    assert listing.status == Practitioner.Status.PUBLISHED
    assert in_step(listing.pk)["verified_until"] == license_.expiry_date


def test_a_claim_approval_that_publishes_creates_the_row(staff):
    listing = searchable_practitioner(verified=True, owner=None, status=Practitioner.Status.DRAFT)
    claim = ClaimFactory(practitioner=listing, license_number=listing.licenses.get().number, proven=True)
    assert in_step(listing.pk) is None
    dashboard_services.claim_approve(claim=claim, actor=staff)
    assert in_step(listing.pk) is not None


def test_deleting_a_listing_removes_its_row(staff):
    listing = searchable_practitioner()
    assert in_step(listing.pk) is not None
    listing_services.listing_staff_delete(practitioner=listing, actor=staff)
    assert not SearchRow.objects.filter(pk=listing.pk).exists()


# ---------------------------------------------------------------- locations (verified_until reads their states)


def test_a_location_moved_to_another_state_changes_verified_until():
    listing = verified_listing()
    assert in_step(listing.pk)["verified_until"] is not None
    listing_services.location_update(
        location=listing.locations.get(),
        actor=listing.owner,
        fields={"state": StateBoard.objects.get(state="NY"), "zip_code": "10001", "city": "New York"},
    )
    assert in_step(listing.pk)["verified_until"] is None


def test_a_location_added_in_the_licenses_state_sets_verified_until():
    owner = VerifiedUserFactory()
    listing = searchable_practitioner(owner=owner, zip_code="10001")  # New York
    LicenseFactory(practitioner=listing)  # California
    assert in_step(listing.pk)["verified_until"] is None
    listing_services.location_create(
        practitioner=listing,
        actor=owner,
        fields={
            "name": "West",
            "street": "1 Mission St",
            "city": "San Francisco",
            "state": StateBoard.objects.get(state="CA"),
            "zip_code": "94110",
        },
    )
    assert in_step(listing.pk)["verified_until"] is not None


def test_deleting_the_location_in_the_licenses_state_clears_verified_until(staff):
    listing = verified_listing()
    location_at_zip(listing, "10001", name="East")
    assert in_step(listing.pk)["verified_until"] is not None
    listing_services.location_staff_delete(location=listing.locations.get(state="CA"), actor=staff)
    assert in_step(listing.pk)["verified_until"] is None
    listing_services.location_delete(location=listing.locations.get(), actor=listing.owner)
    assert in_step(listing.pk)["verified_until"] is None


def test_a_staff_location_save_rebuilds_the_row(staff):
    listing = verified_listing()
    location = listing.locations.get()
    location.state, location.zip_code, location.city = StateBoard.objects.get(state="NY"), "10001", "New York"
    listing_services.location_staff_save(location=location, actor=staff)
    assert in_step(listing.pk)["verified_until"] is None


# ---------------------------------------------------------------- credentials


def test_verifying_refusing_and_restricting_a_license_rebuild_the_row(reviewer):
    listing = searchable_practitioner()
    license_ = LicenseFactory(practitioner=listing, verification_state=VerificationState.PENDING, verified_at=None)
    assert in_step(listing.pk)["verified_until"] is None
    credential_services.credential_verify(credential=license_, actor=reviewer, source=BOARD)
    assert in_step(listing.pk)["verified_until"] == license_.expiry_date
    credential_services.credential_mark_restricted(credential=license_, actor=reviewer, source=BOARD)
    assert in_step(listing.pk)["verified_until"] is None
    credential_services.credential_mark_restricted(credential=license_, actor=reviewer, source=BOARD, restricted=False)
    assert in_step(listing.pk)["verified_until"] == license_.expiry_date
    credential_services.credential_refuse(
        credential=license_, actor=reviewer, new_state="revoked", reason="Not on the roster.", source=BOARD
    )
    assert in_step(listing.pk)["verified_until"] is None


def test_a_practitioners_edit_of_a_verified_license_clears_the_fact():
    listing = verified_listing()
    license_ = listing.licenses.get()
    assert in_step(listing.pk)["verified_until"] == license_.expiry_date
    dashboard_services.credential_edit(
        credential=license_,
        actor=listing.owner,
        changes={"expiry_date": license_.expiry_date + datetime.timedelta(days=30)},
    )
    assert in_step(listing.pk)["verified_until"] is None  # back in the queue


def test_a_board_roster_update_moves_verified_until():
    listing = verified_listing()
    license_ = listing.licenses.get()
    later = license_.expiry_date + datetime.timedelta(days=700)
    credential_services.license_apply_roster(
        license_id=license_.pk, board_status=None, expiry_date=later, source="roster.csv, line 2"
    )
    assert in_step(listing.pk)["verified_until"] == later


def test_expiry_by_date_needs_no_refresh_and_the_expiry_job_keeps_the_row_in_step():
    """verified_until is the last day the fact holds: the day after, `verified_until < today` says
    "not verified" with nothing run at midnight. The job's state change then rebuilds the row."""
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    listing = searchable_practitioner()
    LicenseFactory(practitioner=listing, expiry_date=yesterday)
    row = in_step(listing.pk)
    assert row["verified_until"] == yesterday and row["verified_until"] < today
    assert not Practitioner.objects.filter(pk=listing.pk).verified().exists()  # the plain definition agrees
    call_command("expire_credentials", verbosity=0, stdout=io.StringIO())
    assert listing.licenses.get().verification_state == VerificationState.EXPIRED
    assert in_step(listing.pk)["verified_until"] is None


def test_an_nccaom_certification_decision_rebuilds_nccaom_until(reviewer):
    listing = searchable_practitioner()
    certification = CertificationFactory(
        practitioner=listing, verification_state=VerificationState.PENDING, verified_at=None
    )
    assert in_step(listing.pk)["nccaom_until"] is None
    credential_services.credential_verify(credential=certification, actor=reviewer, source="NCCAOM lookup")
    assert in_step(listing.pk)["nccaom_until"] == certification.expiry_date


def test_a_degree_decision_rebuilds_medicare_until(reviewer):
    listing = verified_listing()
    degree = DegreeFactory(practitioner=listing, verification_state=VerificationState.PENDING, verified_at=None)
    assert in_step(listing.pk)["medicare_until"] is None
    credential_services.credential_verify(credential=degree, actor=reviewer, source="School registrar")
    assert in_step(listing.pk)["medicare_until"] == listing.licenses.get().expiry_date


def test_staff_deleting_a_verified_license_in_the_admin_clears_verified_until(client, staff):
    listing = verified_listing()
    license_ = listing.licenses.get()
    assert in_step(listing.pk)["verified_until"] is not None
    client.force_login(staff)
    response = client.post(reverse("admin:practitioners_license_delete", args=[license_.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not License.objects.filter(pk=license_.pk).exists()
    assert in_step(listing.pk)["verified_until"] is None


def test_the_credential_delete_service_is_for_staff_with_the_delete_permission_only():
    from django.core.exceptions import PermissionDenied

    from tests.factories import ReviewerFactory

    listing = verified_listing()
    license_ = listing.licenses.get()
    for actor in (listing.owner, ReviewerFactory(), UserFactory(is_staff=True)):
        with pytest.raises(PermissionDenied):
            credential_services.credential_staff_delete(credential=license_, actor=actor)
    assert License.objects.filter(pk=license_.pk).exists()


# ---------------------------------------------------------------- reference data (a state's rule, a school's accreditation)


def test_a_state_changing_to_registration_clears_verified_until(client, staff):
    listing = verified_listing()
    elsewhere = searchable_practitioner(zip_code="10001")
    LicenseFactory(practitioner=elsewhere, state=StateBoard.objects.get(state="NY"))
    assert in_step(listing.pk)["verified_until"] is not None
    untouched = in_step(elsewhere.pk)
    board = StateBoard.objects.get(state="CA")
    board.regulation = "registration"
    listing_services.state_board_staff_save(board=board, actor=staff)
    assert in_step(listing.pk)["verified_until"] is None
    assert in_step(elsewhere.pk) == untouched


def test_a_state_changing_to_registration_in_the_admin_clears_verified_until(client, staff):
    from tests.practitioners.test_admin import edit

    listing = verified_listing()
    assert in_step(listing.pk)["verified_until"] is not None
    client.force_login(staff)
    response = edit(client, StateBoard.objects.get(state="CA"), regulation="registration")
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert StateBoard.objects.get(state="CA").regulation == "registration"
    assert in_step(listing.pk)["verified_until"] is None


def test_a_school_losing_accreditation_in_the_admin_clears_medicare_until(client, staff):
    from tests.practitioners.test_admin import edit

    listing = verified_listing(medicare=True)
    school = listing.degrees.get().school
    assert in_step(listing.pk)["medicare_until"] is not None
    client.force_login(staff)
    response = edit(client, school, accreditation="candidate")
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert School.objects.get(pk=school.pk).accreditation == "candidate"
    assert in_step(listing.pk)["medicare_until"] is None


def test_the_reference_services_are_for_staff_only():
    from django.core.exceptions import PermissionDenied

    from tests.factories import ReviewerFactory

    board = StateBoard.objects.get(state="CA")
    school = SchoolFactory()
    for actor in (VerifiedUserFactory(), ReviewerFactory(), UserFactory(is_staff=True)):
        board.regulation = "none"
        with pytest.raises(PermissionDenied):
            listing_services.state_board_staff_save(board=board, actor=actor)
        school.accreditation = "none"
        with pytest.raises(PermissionDenied):
            listing_services.school_staff_save(school=school, actor=actor)
    assert StateBoard.objects.get(state="CA").regulation == "license"
    assert School.objects.get(pk=school.pk).accreditation == "accredited"


def test_load_reference_puts_back_a_states_rule_and_rebuilds_the_rows():
    listing = verified_listing()
    StateBoard.objects.filter(state="CA").update(regulation="registration")
    refresh_search_row(listing.pk)
    assert in_step(listing.pk)["verified_until"] is None
    call_command("load_reference", stdout=io.StringIO())
    assert StateBoard.objects.get(state="CA").regulation == "license"
    assert in_step(listing.pk)["verified_until"] is not None


def test_vocabulary_deletion_leaves_an_id_that_nothing_reads_and_the_repair_drops_it():
    """No refresh when a vocabulary item is deleted (practitioners/admin.py says why); the stale id
    is harmless and the daily repair removes it."""
    item = Condition.objects.create(name="Short-lived", slug="short-lived")
    listing = searchable_practitioner(conditions=("short-lived", "neck-pain"))
    assert item.pk in in_step(listing.pk)["condition_ids"]
    item_id = item.pk
    item.delete()
    assert item_id in SearchRow.objects.get(pk=listing.pk).condition_ids
    assert repair_search_rows() == 1
    assert in_step(listing.pk)["condition_ids"] == [Condition.objects.get(slug="neck-pain").pk]


# ---------------------------------------------------------------- reviews


def test_review_publication_removal_and_edit_rebuild_the_rating_columns(staff, django_capture_on_commit_callbacks):
    listing = verified_listing()
    author = VerifiedUserFactory()
    review = ReviewFactory(practitioner=listing, author=author, rating=4, state="pending")
    assert in_step(listing.pk)["review_count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_publish(review=review, moderator=staff)
    row = in_step(listing.pk)
    assert (row["review_count"], row["rating_sum"]) == (1, 4)
    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_remove(review=review, moderator=staff, reason="Spam")
    assert in_step(listing.pk)["review_count"] == 0


def test_the_summary_recompute_task_corrects_the_row_with_the_summary():
    listing = verified_listing()
    ReviewFactory(practitioner=listing, state="published", rating=3)  # not counted in the stored summary
    assert in_step(listing.pk)["review_count"] == 0
    assert recompute_review_summary.call(practitioner_id=listing.pk).startswith("corrected")
    row = in_step(listing.pk)
    assert (row["review_count"], row["rating_sum"]) == (1, 3)


# ---------------------------------------------------------------- bulk paths


def test_an_nppes_reimport_rebuilds_the_rows_of_the_listings_it_updates(tmp_path):
    from practitioners.importers.nppes import with_check_digit
    from tests.practitioners.test_import_nppes import acupuncturist, run, write

    run(write(tmp_path, [acupuncturist("555000011")], name="first.csv"))
    listing = Practitioner.objects.get(npi=with_check_digit("555000011"))
    assert in_step(listing.pk) is None  # a draft
    listing.licenses.update(verification_state=VerificationState.VERIFIED, verified_at=timezone.now())
    Practitioner.objects.filter(pk=listing.pk).update(status=Practitioner.Status.PUBLISHED)
    refresh_search_row(listing.pk)
    assert in_step(listing.pk)["name"] == "Alex Tester"
    run(write(tmp_path, [acupuncturist("555000011", **{"Provider First Name": "ALEXANDRA"})], name="second.csv"))
    assert in_step(listing.pk)["name"] == "Alexandra Tester"


def test_seed_demo_leaves_a_row_for_every_published_listing():
    call_command("seed_demo", "--practitioners", "12", "--reviews-per-listing", "2", verbosity=0, stdout=io.StringIO())
    published = set(Practitioner.objects.published().values_list("pk", flat=True))
    assert published and set(SearchRow.objects.values_list("pk", flat=True)) == published
    assert repair_search_rows() == 0


# ---------------------------------------------------------------- the daily repair and the command


def test_the_daily_repair_fixes_rows_changed_outside_the_services():
    edited, unpublished, missing, fine = (searchable_practitioner() for _ in range(4))
    Practitioner.objects.filter(pk=edited.pk).update(name="Changed In A Shell")
    Practitioner.objects.filter(pk=unpublished.pk).update(status=Practitioner.Status.DRAFT)
    SearchRow.objects.filter(pk=missing.pk).delete()
    untouched = in_step(fine.pk)
    assert repair_task.call() == "Search rows: 3 fixed; 0 logged changes older than a day forgotten."
    assert in_step(edited.pk)["name"] == "Changed In A Shell"
    assert in_step(unpublished.pk) is None
    assert in_step(missing.pk) is not None
    assert in_step(fine.pk) == untouched
    assert repair_task.call() == "Search rows: 0 fixed; 0 logged changes older than a day forgotten."


def test_the_daily_repair_is_a_daily_job():
    from jobs.schedule import daily_jobs

    assert "repair_search_rows" in daily_jobs()


def test_manage_py_rebuild_search_rows_prints_the_count():
    listings = [searchable_practitioner() for _ in range(3)]
    searchable_practitioner(status=Practitioner.Status.DRAFT)
    SearchRow.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_search_rows", stdout=out)
    assert "3 published listings" in out.getvalue()
    assert all(in_step(listing.pk) is not None for listing in listings)
    Practitioner.objects.filter(pk=listings[0].pk).update(sliding_scale=True)
    out = io.StringIO()
    call_command("rebuild_search_rows", "--repair", stdout=out)
    assert "1 fixed" in out.getvalue()
    assert rebuild_search_rows() == 3


# ---------------------------------------------------------------- the lock


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks (SELECT … FOR UPDATE).")
def test_a_refresh_locks_the_listings_in_pk_order():
    first, second = searchable_practitioner(), searchable_practitioner()
    with CaptureQueriesContext(connection) as queries:
        refresh_search_rows([second.pk, first.pk])
    locks = [query["sql"] for query in queries.captured_queries if "FOR NO KEY UPDATE" in query["sql"]]
    assert len(locks) == 1
    # The only selected column is the pk: "ORDER BY 1" is pk order (ascending), so two refreshes
    # of overlapping listings take their locks in the same order and cannot deadlock.
    assert re.search(r'ORDER BY (1|"practitioners_practitioner"\."id") ASC FOR NO KEY UPDATE$', locks[0]), locks[0]
    assert f"IN ({first.pk}, {second.pk})" in locks[0]


def test_a_refresh_rewrites_every_column_of_the_row():
    """A row is rebuilt whole: every column but the key is among those a refresh writes."""
    assert set(UPDATED_FIELDS) | {"practitioner"} == {field.name for field in SearchRow._meta.concrete_fields}
