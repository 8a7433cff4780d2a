"""With the search cache on, every write that changes what a search finds is visible in the next search.

Each test asks a search (so its count, facets and ids are cached), makes one write through its
service with the on-commit callbacks run, and asks again. Removing the service's
`search_rows_changed` (the listing's search row in the transaction, a new cache generation on
commit: practitioners.search_rows) makes its test fail (the second answer would be the cached
one). Review publication has its own test in test_search_cache.py; tests/practitioners/
test_search_rows.py checks each path's row against a fresh build.
"""

import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dashboard.services import claim_approve
from practitioners import services as listing_services
from practitioners.models import OpeningHours, Practitioner, StateBoard, VerificationState
from practitioners.tasks import repair_search_rows
from reviews.tasks import recompute_review_summary
from tests.factories import (
    ClaimFactory,
    LicenseFactory,
    ReviewFactory,
    UserFactory,
    location_at_zip,
    refresh_search_row,
    searchable_practitioner,
)
from verification.services import credential_refuse, credential_staff_delete, credential_verify

pytestmark = pytest.mark.django_db

API_URL = reverse("api:practitioner-list")
PAGE_URL = reverse("practitioners:list")
BOARD = "https://www.dca.ca.gov/lookup"


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.SEARCH_CACHE_SECONDS = 60
    cache.clear()


@pytest.fixture
def reviewer():
    return UserFactory(is_staff=True)


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


def found(client, **params) -> set[str]:
    """The slugs the API finds for a search (its count and ids come from the cache when cached)."""
    data = client.get(API_URL, params).json()
    slugs = {row["slug"] for row in data["results"]}
    assert data["count"] == len(slugs)
    return slugs


def page_total(client, **params) -> int:
    """The result count the search page shows (from its cached facet counts)."""
    text = client.get(PAGE_URL, params).content.decode()
    match = re.search(r"(\d+) (?:practitioner|result|listing)s?\b", text)
    assert match, "the page says how many results there are"
    return int(match[1])


def test_a_credential_decision_reaches_the_next_search(client, reviewer, django_capture_on_commit_callbacks):
    listing = searchable_practitioner(slug="pending-license")
    license_ = LicenseFactory(
        practitioner=listing,
        state=listing.locations.get().state,
        verification_state=VerificationState.PENDING,
        verified_at=None,
        submitted_at=timezone.now(),
    )
    assert found(client, verified="true") == set()
    with django_capture_on_commit_callbacks(execute=True):
        credential_verify(credential=license_, actor=reviewer, source=BOARD)
    assert found(client, verified="true") == {"pending-license"}


def test_a_refusal_reaches_the_next_search(client, reviewer, django_capture_on_commit_callbacks):
    listing = searchable_practitioner(slug="to-refuse", verified=True)
    assert found(client, verified="true") == {"to-refuse"}
    with django_capture_on_commit_callbacks(execute=True):
        credential_refuse(
            credential=listing.licenses.get(),
            actor=reviewer,
            new_state="revoked",
            reason="Not on the roster.",
            source=BOARD,
        )
    assert found(client, verified="true") == set()


def test_publication_reaches_the_next_search(client, django_capture_on_commit_callbacks):
    listing = searchable_practitioner(slug="draft", verified=True, owner=UserFactory())
    Practitioner.objects.filter(pk=listing.pk).update(status=Practitioner.Status.DRAFT)
    refresh_search_row(listing.pk)  # the draft written directly: no search row, as the services would leave it
    assert found(client) == set()
    with django_capture_on_commit_callbacks(execute=True):
        assert listing_services.practitioner_publish_if_verified(practitioner=listing) is True
    assert found(client) == {"draft"}


def test_suspension_by_staff_reaches_the_next_search(client, staff, django_capture_on_commit_callbacks):
    listing = searchable_practitioner(slug="to-suspend", verified=True)
    assert found(client) == {"to-suspend"}
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_set_status(practitioner=listing, actor=staff, status=Practitioner.Status.SUSPENDED)
    assert found(client) == set()


def test_a_listing_edit_reaches_the_next_search_and_its_facets(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    listing = searchable_practitioner(slug="edited", owner=owner, accepting_new_patients=False)
    assert found(client, new_patients="true") == set()
    assert page_total(client, new_patients="true") == 0
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_update(practitioner=listing, actor=owner, changes={"accepting_new_patients": True})
    assert found(client, new_patients="true") == {"edited"}
    assert page_total(client, new_patients="true") == 1


def test_a_staff_edit_reaches_the_next_search(client, staff, django_capture_on_commit_callbacks):
    listing = searchable_practitioner(slug="staff-edited", sliding_scale=False)
    assert found(client, sliding_scale="true") == set()
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_staff_update(practitioner=listing, actor=staff, changes={"sliding_scale": True})
    assert found(client, sliding_scale="true") == {"staff-edited"}


def test_a_location_edit_reaches_the_next_search(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    listing = searchable_practitioner(slug="moved", owner=owner, zip_code="94110")
    assert found(client, location="90210", radius="5") == set()
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.location_update(
            location=listing.locations.get(), actor=owner, fields={"zip_code": "90210", "city": "Beverly Hills"}
        )
    assert found(client, location="90210", radius="5") == {"moved"}


def test_a_search_text_refresh_reaches_the_next_search(client, django_capture_on_commit_callbacks):
    listing = searchable_practitioner(slug="renamed-practice", practice_name="Plain Clinic")
    assert found(client, q="Zephyrine") == set()
    listing.locations.update(name="Zephyrine Wellness")
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.refresh_search_document(listing.pk)
    assert found(client, q="Zephyrine") == {"renamed-practice"}


def test_the_expiry_job_starts_a_new_cache_generation(client, django_capture_on_commit_callbacks):
    """The day after expiry a search already drops the badge by date (no job needed); the job's state
    change must still reach cached searches, e.g. the profile's and the facets' next reads."""
    today = timezone.localdate()
    listing = searchable_practitioner(slug="expiring", verified=True)
    listing.licenses.update(expiry_date=today - datetime.timedelta(days=1))
    refresh_search_row(listing.pk)  # as a roster update would leave it: verified until yesterday
    assert found(client, verified="true") == set()
    generation = cache.get("search:generation", 0)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_credentials", verbosity=0, stdout=io.StringIO())
    assert listing.licenses.get().verification_state == VerificationState.EXPIRED
    assert cache.get("search:generation", 0) == generation + 1
    assert found(client, verified="true") == set()


def ordered(client, **params) -> list[str]:
    """The slugs the API finds, in its order (cached with the ids)."""
    return [row["slug"] for row in client.get(API_URL, params).json()["results"]]


def generation() -> int:
    return cache.get("search:generation", 0)


def test_everything_is_still_correct_reaches_the_best_match_order(client, django_capture_on_commit_callbacks):
    """Today a page's rows are re-ordered live, so within one page this passes even without the
    invalidation; the row itself (which the projection orders by) is checked in
    tests/practitioners/test_search_rows.py, where removing the refresh fails."""
    owner = UserFactory()
    stale = searchable_practitioner(slug="a-stale", name="A Stale", owner=owner)
    fresh = searchable_practitioner(slug="b-fresh", name="B Fresh")
    Practitioner.objects.filter(pk=stale.pk).update(last_confirmed_at=timezone.now() - datetime.timedelta(days=400))
    Practitioner.objects.filter(pk=fresh.pk).update(last_confirmed_at=timezone.now() - datetime.timedelta(days=1))
    refresh_search_row(stale.pk)
    refresh_search_row(fresh.pk)
    assert ordered(client) == ["b-fresh", "a-stale"]  # stale listings below fresh ones
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_confirm_facts(practitioner=stale, actor=owner)
    assert ordered(client) == ["a-stale", "b-fresh"]


def test_publication_by_a_claim_approval_reaches_the_next_search(client, django_capture_on_commit_callbacks):
    listing = searchable_practitioner(slug="claimed", verified=True, owner=None, status=Practitioner.Status.DRAFT)
    claim = ClaimFactory(practitioner=listing, license_number=listing.licenses.get().number, proven=True)
    assert found(client) == set()
    with django_capture_on_commit_callbacks(execute=True):
        claim_approve(claim=claim, actor=UserFactory(is_staff=True, is_superuser=True))
    assert found(client) == {"claimed"}


def test_a_staff_deletion_of_a_listing_reaches_the_next_search(client, staff, django_capture_on_commit_callbacks):
    listing = searchable_practitioner(slug="to-delete")
    assert found(client) == {"to-delete"}
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_staff_delete(practitioner=listing, actor=staff)
    assert found(client) == set()


def test_deleting_the_location_in_the_licenses_state_reaches_the_next_search(
    client, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    listing = searchable_practitioner(slug="two-places", owner=owner, verified=True)
    location_at_zip(listing, "10001", name="East")
    assert found(client, verified="true") == {"two-places"}
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.location_delete(location=listing.locations.get(state="CA"), actor=owner)
    assert found(client, verified="true") == set()


def test_staff_opening_hours_start_a_new_cache_generation(staff, django_capture_on_commit_callbacks):
    listing = searchable_practitioner(slug="hours")
    before = generation()
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.opening_hours_staff_save(
            slot=OpeningHours(location=listing.locations.get(), weekday=0, opens="09:00", closes="17:00"), actor=staff
        )
    assert generation() == before + 1


def test_a_staff_deletion_of_a_license_reaches_the_next_search(client, staff, django_capture_on_commit_callbacks):
    listing = searchable_practitioner(slug="license-deleted", verified=True)
    assert found(client, verified="true") == {"license-deleted"}
    with django_capture_on_commit_callbacks(execute=True):
        credential_staff_delete(credential=listing.licenses.get(), actor=staff)
    assert found(client, verified="true") == set()


def test_a_states_new_rule_reaches_the_next_search(client, staff, django_capture_on_commit_callbacks):
    searchable_practitioner(slug="in-california", verified=True)
    assert found(client, verified="true") == {"in-california"}
    board = StateBoard.objects.get(state="CA")
    board.regulation = "registration"
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.state_board_staff_save(board=board, actor=staff)
    assert found(client, verified="true") == set()


def test_a_schools_lost_accreditation_reaches_the_next_search(client, staff, django_capture_on_commit_callbacks):
    listing = searchable_practitioner(slug="medicare", medicare=True)
    assert found(client, medicare="true") == {"medicare"}
    school = listing.degrees.get().school
    school.accreditation = "candidate"
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.school_staff_save(school=school, actor=staff)
    assert found(client, medicare="true") == set()


def test_load_reference_reaches_the_next_search(client, django_capture_on_commit_callbacks):
    listing = searchable_practitioner(slug="rule-restored", verified=True)
    StateBoard.objects.filter(state="CA").update(regulation="registration")
    refresh_search_row(listing.pk)
    assert found(client, verified="true") == set()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_reference", stdout=io.StringIO())
    assert found(client, verified="true") == {"rule-restored"}


def test_the_summary_recompute_task_reaches_the_next_search(client, django_capture_on_commit_callbacks):
    listing = searchable_practitioner(slug="drifted")
    ReviewFactory(practitioner=listing, state="published", rating=5)  # not counted in the stored summary
    assert found(client, min_rating="4") == set()
    with django_capture_on_commit_callbacks(execute=True):
        recompute_review_summary.call(practitioner_id=listing.pk)
    assert found(client, min_rating="4") == {"drifted"}


def test_an_nppes_reimport_reaches_the_next_search(client, tmp_path, django_capture_on_commit_callbacks):
    from practitioners.importers.nppes import with_check_digit
    from tests.practitioners.test_import_nppes import acupuncturist, run, write

    run(write(tmp_path, [acupuncturist("555000021")], name="first.csv"))
    listing = Practitioner.objects.get(npi=with_check_digit("555000021"))
    listing.licenses.update(verification_state=VerificationState.VERIFIED, verified_at=timezone.now())
    Practitioner.objects.filter(pk=listing.pk).update(status=Practitioner.Status.PUBLISHED)
    refresh_search_row(listing.pk)
    assert found(client, q="Alexandra") == set()
    with django_capture_on_commit_callbacks(execute=True):
        run(write(tmp_path, [acupuncturist("555000021", **{"Provider First Name": "ALEXANDRA"})], name="second.csv"))
    assert found(client, q="Alexandra") == {listing.slug}


def test_the_daily_repair_reaches_the_next_search_when_it_fixes_a_row(client, django_capture_on_commit_callbacks):
    listing = searchable_practitioner(slug="edited-in-a-shell", sliding_scale=False)
    assert found(client, sliding_scale="true") == set()
    Practitioner.objects.filter(pk=listing.pk).update(sliding_scale=True)  # outside the services
    before = generation()
    with django_capture_on_commit_callbacks(execute=True):
        assert repair_search_rows.call() == "Search rows: 1 fixed; 0 logged changes older than a day forgotten."
    assert generation() == before + 1
    assert found(client, sliding_scale="true") == {"edited-in-a-shell"}
    with django_capture_on_commit_callbacks(execute=True):
        assert repair_search_rows.call() == "Search rows: 0 fixed; 0 logged changes older than a day forgotten."
    assert generation() == before + 1  # nothing fixed: the cache stays
