"""The dashboard pages render with a constant number of queries and say what is missing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practitioners.models import OpeningHours
from tests.factories import (
    CertificationFactory,
    DegreeFactory,
    LicenseFactory,
    LocationFactory,
    ReviewFactory,
    ReviewReplyFactory,
)

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


@pytest.mark.parametrize(
    ("license_change", "expected"),
    [
        ({"expiry_date": datetime.date(2020, 3, 1)}, "Your CA license expired on March 1, 2020"),
        ({"state_id": "NY"}, "Your verified license is for NY, but your practice locations are in CA"),
    ],
)
def test_home_says_what_stops_a_draft_with_a_verified_license_that_does_not_count(
    owner_client, listing, license_change, expected
):
    """Publication needs Practitioner.objects.verified(); a license merely in state "verified" is not enough."""
    listing.status = "draft"
    listing.save(update_fields=["status"])
    listing.licenses.update(**license_change)
    page = owner_client.get(reverse("dashboard:home")).text
    assert expected in page
    assert "Waiting for staff to publish your listing" not in page


def test_home_of_a_verified_draft_waits_for_publication(owner_client, listing):
    listing.status = "draft"
    listing.save(update_fields=["status"])
    assert "Waiting for staff to publish your listing" in owner_client.get(reverse("dashboard:home")).text


@pytest.mark.parametrize("reviews", [1, 20])
def test_dashboard_reviews_query_count(owner_client, listing, reviews, django_assert_num_queries):
    for i in range(reviews):
        review = ReviewFactory(practitioner=listing, state="published")
        if i % 2 == 0:
            ReviewReplyFactory(review=review, text=f"Thank you, reviewer {i}")
    # the same 5 queries for 1 review or 20, replies included (the rows are fetched with their relations)
    with django_assert_num_queries(5):
        page = owner_client.get(reverse("dashboard:reviews"))
    assert page.status_code == 200
    assert all(f"Thank you, reviewer {i}<" in page.text for i in range(0, reviews, 2))
