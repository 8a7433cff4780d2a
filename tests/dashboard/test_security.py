"""Every dashboard URL acts only on the signed-in practitioner's own listing.

A second practitioner ("intruder") tries each URL with the owner's ids in the URL and
in hidden form fields: 404 (or their own listing is what changes), and the owner's
listing is exactly as it was. Anonymous visitors are sent to sign in; changes need POST
and a CSRF token; a suspended listing cannot be changed.
"""

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.models import Claim
from practitioners.models import OpeningHours, Practitioner
from reviews.models import ReviewReply
from tests.dashboard.test_listing_form import valid_data
from tests.factories import (
    CertificationFactory,
    ClaimFactory,
    DegreeFactory,
    ReviewFactory,
    ReviewReplyFactory,
    UserFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(listing):
    """The owner's listing with one of everything a URL can point at."""
    location = listing.locations.get()
    OpeningHours.objects.create(location=location, weekday=0, opens="09:00", closes="17:00")
    review = ReviewFactory(practitioner=listing, state="published")
    ReviewReplyFactory(review=review, text="Owner's reply")
    return {
        "listing": listing,
        "location": location,
        "license": listing.licenses.get(),
        "certification": CertificationFactory(practitioner=listing),
        "degree": DegreeFactory(practitioner=listing),
        "review": review,
    }


def state_of(listing: Practitioner) -> dict:
    """Everything a dashboard URL could change about a listing."""
    return {
        "listing": Practitioner.objects.filter(pk=listing.pk).values().get(),
        "m2m": [sorted(getattr(listing, f).values_list("pk", flat=True)) for f in ("conditions", "insurance_carriers")],
        "locations": list(listing.locations.order_by("pk").values()),
        "hours": list(OpeningHours.objects.filter(location__practitioner=listing).order_by("pk").values()),
        "licenses": list(listing.licenses.order_by("pk").values()),
        "certifications": list(listing.certifications.order_by("pk").values()),
        "degrees": list(listing.degrees.order_by("pk").values()),
        "replies": list(ReviewReply.objects.filter(review__practitioner=listing).values()),
    }


@pytest.fixture
def intruder_client(intruder, intruder_listing):
    other = Client()
    other.force_login(intruder)
    return other


def object_urls(owned: dict) -> list[tuple[str, dict]]:
    """URLs naming one of the owner's objects, with a plausible POST body for each."""
    location_post = {"loc-name": "Hijacked", "loc-city": "Oakland", "loc-state": "CA", "loc-zip_code": "94607"}
    return [
        (reverse("dashboard:location_edit", args=[owned["location"].pk]), location_post),
        (reverse("dashboard:location_delete", args=[owned["location"].pk]), {}),
        (
            reverse("dashboard:credential_edit", args=["license", owned["license"].pk]),
            {"state": "CA", "number": "HIJACK1", "title": "L.Ac."},
        ),
        (
            reverse("dashboard:credential_edit", args=["certification", owned["certification"].pk]),
            {"cert_type": "dipl_om", "number": "HIJACK2"},
        ),
        (
            reverse("dashboard:credential_edit", args=["degree", owned["degree"].pk]),
            {"school": owned["degree"].school_id, "degree": "DAOM", "graduation_year": "2001"},
        ),
        (reverse("dashboard:review_reply", args=[owned["review"].pk]), {f"r{owned['review'].pk}-text": "Hijacked"}),
        (reverse("dashboard:review_reply_delete", args=[owned["review"].pk]), {}),
    ]


def test_another_practitioner_gets_404_for_every_object_url(intruder_client, owned):
    before = state_of(owned["listing"])
    for url, body in object_urls(owned):
        if "reply" not in url:
            assert intruder_client.get(url).status_code == 404, url
        assert intruder_client.post(url, body).status_code == 404, url
    assert state_of(owned["listing"]) == before


def test_hidden_ids_in_listing_wide_forms_only_reach_the_intruders_own_listing(
    intruder_client, owned, intruder_listing
):
    listing = owned["listing"]
    before = state_of(listing)
    hidden = {"practitioner": listing.pk, "practitioner_id": listing.pk, "owner": listing.owner_id, "pk": listing.pk}
    hidden |= {"id": listing.pk, "slug": listing.slug, "listing": listing.pk}
    posts = [
        (reverse("dashboard:listing_edit"), valid_data(name="Hijacked Name") | hidden),
        (reverse("dashboard:confirm"), hidden),
        (
            reverse("dashboard:location_add"),
            {"loc-name": "Hijack", "loc-city": "San Francisco", "loc-state": "CA", "loc-zip_code": "94110"} | hidden,
        ),
        (
            reverse("dashboard:credential_add", args=["license"]),
            {"state": "NV", "number": "NV-HIJACK", "title": "L.Ac."} | hidden,
        ),
        (reverse("dashboard:photo_remove"), hidden),
    ]
    for url, body in posts:
        assert intruder_client.post(url, body).status_code == 302, url
    assert state_of(listing) == before
    intruder_listing.refresh_from_db()
    assert intruder_listing.name == "Hijacked Name"  # the intruder only changed their own listing
    assert intruder_listing.locations.filter(name="Hijack").exists()
    assert intruder_listing.licenses.filter(number="NV-HIJACK").exists()


def test_a_claim_cannot_be_withdrawn_by_someone_else(intruder_client):
    claim = ClaimFactory()
    assert intruder_client.post(reverse("dashboard:claim_withdraw", args=[claim.pk])).status_code == 404
    assert Claim.objects.get(pk=claim.pk).status == "pending"


def all_urls(owned: dict) -> list[str]:
    static = [
        reverse("dashboard:home"),
        reverse("dashboard:claim_search"),
        reverse("dashboard:claim_new", args=["anything"]),
        reverse("dashboard:claim_withdraw", args=[1]),
        reverse("dashboard:create"),
        reverse("dashboard:listing_edit"),
        reverse("dashboard:confirm"),
        reverse("dashboard:location_add"),
        reverse("dashboard:credential_add", args=["license"]),
        reverse("dashboard:photo"),
        reverse("dashboard:photo_remove"),
        reverse("dashboard:reviews"),
    ]
    return static + [url for url, _ in object_urls(owned)]


def test_anonymous_visitors_are_sent_to_sign_in(client, owned):
    before = state_of(owned["listing"])
    for url in all_urls(owned):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (302, 405), url
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("account_login")), url
    assert state_of(owned["listing"]) == before


def test_an_account_without_a_listing_is_sent_to_the_start_page(client, owned):
    client.force_login(VerifiedUserFactory())
    before = state_of(owned["listing"])
    for url in all_urls(owned):
        if any(part in url for part in ("/claim", "/create/")) or url == reverse("dashboard:home"):
            continue
        response = client.post(url)
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response["Location"] == reverse("dashboard:home"), url
    assert state_of(owned["listing"]) == before


def test_state_changes_need_post(owner_client, owned):
    for url in (
        reverse("dashboard:confirm"),
        reverse("dashboard:photo_remove"),
        reverse("dashboard:claim_withdraw", args=[1]),
        reverse("dashboard:review_reply", args=[owned["review"].pk]),
        reverse("dashboard:review_reply_delete", args=[owned["review"].pk]),
    ):
        assert owner_client.get(url).status_code == 405, url


def test_posts_without_a_csrf_token_are_refused(owned):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owned["listing"].owner)
    before = state_of(owned["listing"])
    for url, body in [
        (reverse("dashboard:listing_edit"), valid_data(name="No Token")),
        (reverse("dashboard:confirm"), {}),
        *object_urls(owned),
    ]:
        assert strict.post(url, body).status_code == 403, url
    assert state_of(owned["listing"]) == before


def test_a_suspended_listing_can_be_seen_but_not_changed(owner_client, owned):
    listing = owned["listing"]
    Practitioner.objects.filter(pk=listing.pk).update(status="suspended")
    before = state_of(listing)
    assert "suspended" in owner_client.get(reverse("dashboard:home")).text
    for url, body in [(reverse("dashboard:listing_edit"), valid_data(name="Changed")), *object_urls(owned)]:
        assert owner_client.post(url, body).status_code == 403, url
    assert state_of(listing) == before


def test_staff_history_is_not_for_practitioners(owner_client, owned):
    response = owner_client.get(reverse("dashboard:history", args=[owned["listing"].pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    other = UserFactory()
    c = Client()
    c.force_login(other)
    assert c.get(reverse("dashboard:history", args=[owned["listing"].pk])).status_code == 302
