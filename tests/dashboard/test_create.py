"""Creating a new listing: a draft with a pending license, published only after staff verify it."""

import pytest
from django.urls import reverse

from dashboard import services
from practitioners.models import License, Practitioner, StateBoard, VerificationRecord
from tests.factories import LicenseFactory, PractitionerFactory, UserFactory, VerifiedUserFactory
from verification.services import credential_verify

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Jo Park",
    "display_credentials": "L.Ac.",
    "license_state": "CA",
    "license_number": "AC555001",
    "license_title": "L.Ac.",
    "license_expiry_date": "2099-06-30",
}


@pytest.fixture
def newcomer(client):
    user = VerifiedUserFactory(email="jo@example.com")
    client.force_login(user)
    return user


def test_create_makes_a_draft_with_a_pending_license(client, newcomer):
    response = client.post(reverse("dashboard:create"), FORM)
    assert response.status_code == 302
    listing = Practitioner.objects.get(owner=newcomer)
    assert (listing.name, listing.slug, listing.status) == ("Jo Park", "jo-park", "draft")
    license_ = listing.licenses.get()
    assert (license_.number, license_.verification_state) == ("AC555001", "pending")
    assert VerificationRecord.objects.filter(credential_id=license_.pk, new_state="pending").count() == 1
    home = client.get(reverse("dashboard:home")).text
    assert "License pending verification" in home
    assert "Add a practice location" in home
    # Not public while a draft.
    assert client.get(listing.get_absolute_url()).status_code == 404


def test_slug_is_made_unique(newcomer):
    PractitionerFactory(slug="jo-park")
    listing = services.listing_create(
        user=newcomer,
        name="Jo Park",
        display_credentials="",
        license_state=StateBoard.objects.get(state="CA"),
        license_number="AC1",
        license_title="L.Ac.",
    )
    assert listing.slug == "jo-park-2"


def test_published_once_a_license_is_verified_and_a_location_is_in_that_state(client, newcomer):
    client.post(reverse("dashboard:create"), FORM)
    listing = Practitioner.objects.get(owner=newcomer)
    staff = UserFactory(is_staff=True)
    license_ = listing.licenses.get()
    credential_verify(credential=license_, actor=staff, source="https://search.dca.ca.gov/")
    listing.refresh_from_db()
    assert listing.status == "draft"  # no location yet
    client.post(
        reverse("dashboard:location_add"),
        {"loc-name": "Clinic", "loc-city": "San Francisco", "loc-state": "CA", "loc-zip_code": "94110"},
    )
    listing.refresh_from_db()
    assert listing.status == "published"


def test_a_license_already_listed_points_to_claiming(client, newcomer):
    LicenseFactory(number="AC555001")
    response = client.post(reverse("dashboard:create"), {**FORM, "license_number": "ac555001"})
    assert response.status_code == 200
    assert "claim it instead" in response.text
    assert not Practitioner.objects.filter(owner=newcomer).exists()


def test_an_unverified_listing_with_the_same_license_does_not_block_the_holder(client, newcomer):
    """Squatting (issue 11, item 4): only a verified license locks its number."""
    LicenseFactory(number="AC555001", verification_state="unverified", verified_at=None)
    response = client.post(reverse("dashboard:create"), {**FORM, "license_number": "ac555001"})
    assert response.status_code == 302
    assert Practitioner.objects.get(owner=newcomer).licenses.get().verification_state == "pending"
    assert License.objects.filter(number__iexact="AC555001").count() == 2


def test_title_must_be_one_the_state_licenses(client, newcomer):
    response = client.post(reverse("dashboard:create"), {**FORM, "license_title": "AP"})
    assert "California licenses: L.Ac." in response.text
    assert not Practitioner.objects.filter(owner=newcomer).exists()


def test_expiry_date_must_be_ahead(client, newcomer):
    response = client.post(reverse("dashboard:create"), {**FORM, "license_expiry_date": "2001-01-01"})
    assert "This date has passed" in response.text
    assert not Practitioner.objects.filter(owner=newcomer).exists()


def test_one_listing_per_account(client, newcomer):
    PractitionerFactory(owner=newcomer)
    before = Practitioner.objects.count()
    response = client.post(reverse("dashboard:create"), FORM)
    assert response.status_code == 302
    assert Practitioner.objects.count() == before
    assert not License.objects.filter(number="AC555001").exists()


def test_unconfirmed_email_is_told_to_confirm(client):
    client.force_login(UserFactory())
    page = client.get(reverse("dashboard:home")).text
    assert "Confirm your email address first" in page
    response = client.post(reverse("dashboard:create"), FORM)
    assert response.status_code == 200
    assert "Confirm your email address first" in response.text
    assert not Practitioner.objects.filter(name="Jo Park").exists()
