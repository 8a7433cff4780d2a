"""Change history: what changed on a listing, when and by whom, visible to staff only."""

import pytest
from django.test import Client
from django.urls import reverse

from practitioners.models import PracticeLocation, Practitioner
from tests.dashboard.test_listing_form import valid_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(db):
    staff = Client()  # its own session: `owner_client` stays signed in as the practitioner
    staff.force_login(UserFactory(is_staff=True, is_superuser=True, email="staff@example.com"))
    return staff


def test_an_edit_is_one_history_record_with_the_actor_and_the_m2m_change(owner_client, listing):
    before = listing.history.count()
    owner_client.post(reverse("dashboard:listing_edit"), valid_data(first_visit_fee="150"))
    assert listing.history.count() == before + 1
    record = listing.history.first()
    assert record.history_user == listing.owner
    assert record.history_change_reason == "Edited by the practitioner"
    changed = set(record.diff_against(record.prev_record).changed_fields)
    assert {"first_visit_fee", "conditions", "bio"} <= changed


def test_staff_timeline_covers_listing_locations_hours_and_credentials(owner_client, staff_client, listing):
    owner_client.post(reverse("dashboard:listing_edit"), valid_data(first_visit_fee="150"))
    owner_client.post(
        reverse("dashboard:location_add"),
        {
            "loc-name": "Gone Soon",
            "loc-city": "San Francisco",
            "loc-state": "CA",
            "loc-zip_code": "94110",
            "hours-opens_2": "09:00",
            "hours-closes_2": "12:00",
        },
    )
    gone = PracticeLocation.objects.get(name="Gone Soon")
    owner_client.post(reverse("dashboard:location_delete", args=[gone.pk]))
    license_ = listing.licenses.get()
    owner_client.post(
        reverse("dashboard:credential_edit", args=["license", license_.pk]),
        {"state": "CA", "number": "AC424242", "title": "L.Ac.", "expiry_date": license_.expiry_date.isoformat()},
    )
    page = staff_client.get(reverse("dashboard:history", args=[listing.pk])).text
    assert "First visit fee" in page or "first visit fee" in page
    assert "120.00 → 150.00" in page or "120 → 150" in page
    assert "Location: Gone Soon, San Francisco, CA" in page
    assert "Deleted" in page
    assert "Opening hours: Wednesday" in page
    assert "AC424242" in page
    assert "mei@example.com" in page  # who


def test_history_is_staff_only(owner_client, listing):
    response = owner_client.get(reverse("dashboard:history", args=[listing.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_shows_the_listing_history(staff_client, owner_client, listing):
    owner_client.post(reverse("dashboard:listing_edit"), valid_data(name="Mei Chen-Li"))
    page = staff_client.get(reverse("admin:practitioners_practitioner_history", args=[listing.pk]))
    assert page.status_code == 200
    assert "Mei Chen-Li" in page.text
    assert Practitioner.history.filter(id=listing.pk, name="Mei Chen-Li").exists()


def _edit_history(owner_client, n: int) -> None:
    """n edits by the practitioner, each changing a field and a many-to-many set."""
    for i in range(n):
        owner_client.post(
            reverse("dashboard:listing_edit"), valid_data(first_visit_fee=str(100 + i), bio=f"Edit number {i}")
        )


@pytest.mark.parametrize("edits", [1, 2, 20])
def test_history_page_query_count_does_not_grow_with_history(
    owner_client, staff_client, listing, edits, django_assert_num_queries
):
    _edit_history(owner_client, edits)
    url = reverse("dashboard:history", args=[listing.pk])
    # The request's own (session, user, listing), six history tables, the five many-to-many
    # history tables one query each: 15 however long the history (it was 28 for 1 edit, 218 for 20).
    with django_assert_num_queries(15):
        page = staff_client.get(url)
    assert page.status_code == 200 and f"Edit number {edits - 1}" in page.text
