"""The dashboard pages render with a constant number of queries and say what is missing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practitioners.models import OpeningHours
from tests.factories import CertificationFactory, DegreeFactory, LicenseFactory, LocationFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def grow(listing, n: int) -> None:
    for i in range(n):
        location = LocationFactory(practitioner=listing, name=f"Clinic {i}")
        OpeningHours.objects.create(location=location, weekday=i % 7, opens="09:00", closes="17:00")
        LicenseFactory(practitioner=listing, state_id="NY")
        CertificationFactory(practitioner=listing)
        DegreeFactory(practitioner=listing)
        ReviewFactory(practitioner=listing, state="published")


@pytest.mark.parametrize("name", ["dashboard:home", "dashboard:reviews"])
def test_query_count_does_not_grow_with_the_listing(owner_client, listing, name):
    url = reverse(name)
    grow(listing, 1)
    small = queries_for(owner_client, url)
    grow(listing, 5)
    assert queries_for(owner_client, url) == small


def test_home_query_count(owner_client, listing, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        owner_client.get(reverse("dashboard:home"))


def test_home_shows_every_section(owner_client, listing):
    page = owner_client.get(reverse("dashboard:home")).text
    for text in [
        "Mei Chen",
        "See your public profile",
        "Is your listing still correct?",
        "Everything is still correct",
        "Edit your listing",
        "Upload a photo",
        "Practice locations",
        "Add a location",
        "State licenses",
        "Add an NCCAOM certification",
        "Add a degree",
        "Read and reply to your reviews",
    ]:
        assert text in page, text
    assert "Change history (staff)" not in page


def test_nav_links_the_dashboard_for_practitioners(owner_client):
    assert 'href="/dashboard/"' in owner_client.get("/").text


def test_home_in_a_state_without_licensure_asks_for_nccaom(owner_client, listing):
    from practitioners.models import StateBoard

    listing.status = "draft"
    listing.save(update_fields=["status"])
    listing.licenses.all().delete()
    listing.certifications.all().delete()
    listing.locations.update(state=StateBoard.objects.get(state="OK"))
    text = owner_client.get("/dashboard/").content.decode()
    assert "Add your NCCAOM certification: Oklahoma does not license acupuncturists" in text
    assert "Add a license" not in text
