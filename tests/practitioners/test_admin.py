"""The listing admin is one more door to the listing services: staff edits refresh free-text
search and the search cache, geocode ZIP codes and obey the publication rule."""

import re
from html.parser import HTMLParser

import pytest
from django.test import TestCase
from django.urls import reverse

from practitioners.models import OpeningHours, PracticeLocation, Practitioner
from tests.factories import LicenseFactory, UserFactory, searchable_practitioner

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("practitioners:list")


class _FormFields(HTMLParser):
    """What a browser would submit for the admin's change form, as the page renders it."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(
                attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else "")
            )
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def form_data(page: str) -> dict[str, list[str]]:
    parser = _FormFields()
    parser.feed(page)
    data = parser.data
    if "csrfmiddlewaretoken" in data:
        del data["csrfmiddlewaretoken"]
    for textarea in data.values():
        if textarea and textarea[0].startswith("\n"):
            textarea[0] = textarea[0][1:]  # the newline a browser drops after <textarea>
    return data


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def edit(client, obj, **changes) -> object:
    """Submit the object's admin change form as rendered, with `changes` applied."""
    url = reverse(f"admin:practitioners_{obj._meta.model_name}_change", args=[obj.pk])
    data = form_data(client.get(url).content.decode())
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    with TestCase.captureOnCommitCallbacks(execute=True):  # on-commit work (cache invalidation) runs
        return client.post(url, data)


def found(client, q: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="/practitioners/([^/]+)/', client.get(SEARCH_URL, {"q": q}).text)


def test_a_staff_edit_of_the_bio_is_found_by_free_text_search_at_once(staff_client, settings):
    settings.SEARCH_CACHE_SECONDS = 60
    listing = searchable_practitioner(slug="mei-chen", name="Mei Chen", bio="Gentle needling.", verified=True)
    assert found(staff_client, "moxibustion") == []  # fills the cache with the empty result
    response = edit(staff_client, listing, bio="Gentle needling and moxibustion for stiff necks.")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert found(staff_client, "moxibustion") == ["mei-chen"]
    listing.refresh_from_db()
    history = listing.history.first()
    assert history.history_change_reason == "Edited by staff" and history.history_user.is_superuser


def test_a_staff_edit_of_a_fee_reconfirms_it(staff_client):
    listing = searchable_practitioner(slug="fees", name="Fee Person", verified=True)
    assert listing.fees_confirmed_at is None
    assert edit(staff_client, listing, first_visit_fee="140").status_code == 302
    listing.refresh_from_db()
    assert listing.first_visit_fee == 140 and listing.fees_confirmed_at is not None


def test_publishing_an_unverified_listing_from_the_admin_is_refused_with_a_message(staff_client):
    listing = searchable_practitioner(slug="draft", name="Draft Listing", status=Practitioner.Status.DRAFT)
    response = edit(staff_client, listing, status="published")
    assert response.status_code == 200
    assert "This listing cannot be published" in response.content.decode()
    listing.refresh_from_db()
    assert listing.status == Practitioner.Status.DRAFT


def test_publishing_a_verified_listing_and_suspending_it_from_the_admin(staff_client, settings):
    settings.SEARCH_CACHE_SECONDS = 60
    listing = searchable_practitioner(slug="ok", name="Verified Draft", status="draft", verified=True)
    assert found(staff_client, "Verified") == []
    assert edit(staff_client, listing, status="published").status_code == 302
    assert found(staff_client, "Verified") == ["ok"]  # the cache was invalidated
    assert edit(staff_client, listing, status="suspended").status_code == 302
    listing.refresh_from_db()
    assert listing.status == Practitioner.Status.SUSPENDED
    assert found(staff_client, "Verified") == []


def test_an_expired_license_does_not_let_staff_publish(staff_client):
    listing = searchable_practitioner(slug="expired", name="Expired", status="draft")
    LicenseFactory(practitioner=listing, expiry_date="2020-01-01", issue_date="2015-01-01")
    response = edit(staff_client, listing, status="published")
    assert "This listing cannot be published" in response.content.decode()


def test_an_admin_location_zip_change_fills_coordinates(staff_client):
    listing = searchable_practitioner(slug="zip", name="Zip Person", zip_code="94110")
    location = listing.locations.get()
    response = edit(staff_client, location, zip_code="90012", city="Los Angeles")
    assert response.status_code == 302, response.content.decode()[:2000]
    location.refresh_from_db()
    assert location.zip_code == "90012"
    assert (round(location.latitude, 1), round(location.longitude, 1)) == (34.1, -118.2)


def test_an_inline_location_zip_change_fills_coordinates(staff_client):
    listing = searchable_practitioner(slug="inline", name="Inline Person", zip_code="94110")
    response = edit(staff_client, listing, **{"locations-0-zip_code": "90012"})
    assert response.status_code == 302, response.content.decode()[:2000]
    location = listing.locations.get()
    assert (round(location.latitude, 1), round(location.longitude, 1)) == (34.1, -118.2)


def test_an_admin_zip_in_another_state_is_refused_beside_the_field(staff_client):
    listing = searchable_practitioner(slug="wrong", name="Wrong Zip", zip_code="94110")
    location = listing.locations.get()
    response = edit(staff_client, location, zip_code="10001")
    assert response.status_code == 200 and "ZIP 10001 is in NY, not CA." in response.content.decode()
    location.refresh_from_db()
    assert location.zip_code == "94110"


def test_an_admin_location_name_change_is_found_by_free_text_search(staff_client):
    listing = searchable_practitioner(slug="clinic", name="Clinic Person", practice_name="Old Clinic")
    assert edit(staff_client, listing.locations.get(), name="Lotus Wellness").status_code == 302
    assert found(staff_client, "Lotus") == ["clinic"]


def test_staff_deleting_a_location_in_the_admin_keeps_one_main_location(staff_client):
    listing = searchable_practitioner(slug="two", name="Two Places", zip_code="94110")
    second = PracticeLocation.objects.create(
        practitioner=listing, name="Second", street="2 Main", city="San Francisco", state_id="CA", zip_code="94110"
    )
    OpeningHours.objects.create(
        location=listing.locations.get(is_primary=True), weekday=0, opens="09:00", closes="17:00"
    )
    url = reverse("admin:practitioners_practicelocation_delete", args=[listing.locations.get(is_primary=True).pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert staff_client.post(url, {"post": "yes"}).status_code == 302
    second.refresh_from_db()
    assert second.is_primary


def test_the_staff_services_refuse_anyone_without_the_admin_permission():
    from django.core.exceptions import PermissionDenied, ValidationError

    from practitioners import services
    from tests.factories import ReviewerFactory, owned_listing

    listing = owned_listing(status="draft")
    for actor in (listing.owner, ReviewerFactory(), UserFactory(is_staff=True)):
        with pytest.raises(PermissionDenied):
            services.listing_staff_update(practitioner=listing, actor=actor, changes={"bio": "x"})
        with pytest.raises(PermissionDenied):
            services.listing_set_status(practitioner=listing, actor=actor, status="suspended")
        with pytest.raises(PermissionDenied):
            services.location_staff_save(location=listing.locations.get(), actor=actor)
    listing.licenses.update(board_status="probation")
    with pytest.raises(ValidationError, match="cannot be published"):
        services.listing_set_status(
            practitioner=listing, actor=UserFactory(is_staff=True, is_superuser=True), status="published"
        )
    listing.refresh_from_db()
    assert listing.status == "draft" and listing.bio == ""
