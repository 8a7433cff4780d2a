"""With the search cache on, every write that changes what a search finds is visible in the next search.

Each test asks a search (so its count, facets and ids are cached), makes one write through its
service with the on-commit callbacks run, and asks again. Removing the service's
`transaction.on_commit(invalidate_search_cache)` makes its test fail (the second answer would
be the cached one). Review publication has its own test in test_search_cache.py.
"""

import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from practitioners import services as listing_services
from practitioners.models import Practitioner, VerificationState
from tests.factories import LicenseFactory, UserFactory, searchable_practitioner
from verification.services import credential_refuse, credential_verify

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
    assert found(client, verified="true") == set()
    generation = cache.get("search:generation", 0)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_credentials", verbosity=0, stdout=io.StringIO())
    assert listing.licenses.get().verification_state == VerificationState.EXPIRED
    assert cache.get("search:generation", 0) == generation + 1
    assert found(client, verified="true") == set()
