"""Reviews of the owner's listing on the dashboard, with the reply box (reviews.services does the writing)."""

import pytest
from django.urls import reverse

from reviews.models import REPLY_MAX_LENGTH, ReviewReply
from tests.factories import ReviewFactory, ReviewReplyFactory

pytestmark = pytest.mark.django_db


def test_lists_published_reviews_of_the_listing_only(owner_client, listing, intruder_listing):
    ReviewFactory(practitioner=listing, state="published", title="Great for my neck")
    ReviewFactory(practitioner=listing, state="pending", title="Still in moderation")
    ReviewFactory(practitioner=intruder_listing, state="published", title="Someone else's")
    page = owner_client.get(reverse("dashboard:reviews")).text
    assert "Great for my neck" in page
    assert "Still in moderation" not in page
    assert "Someone else" not in page
    assert "Your public reply" in page  # labelled reply box


def test_reply_is_published_and_can_be_edited_then_deleted(owner_client, client, listing):
    review = ReviewFactory(practitioner=listing, state="published")
    url = reverse("dashboard:review_reply", args=[review.pk])
    assert owner_client.post(url, {f"r{review.pk}-text": "Thank you!"}).status_code == 302
    reply = ReviewReply.objects.get(review=review)
    assert (reply.text, reply.author) == ("Thank you!", listing.owner)
    owner_client.post(url, {f"r{review.pk}-text": "Thank you, and glad it helped."})
    assert ReviewReply.objects.get(review=review).text == "Thank you, and glad it helped."
    assert ReviewReply.objects.count() == 1  # one reply per review
    owner_client.post(reverse("dashboard:review_reply_delete", args=[review.pk]))
    assert not ReviewReply.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "This field is required."), ("x" * (REPLY_MAX_LENGTH + 1), f"at most {REPLY_MAX_LENGTH} characters")],
)
def test_bad_reply_is_refused_beside_the_box(owner_client, listing, text, message):
    review = ReviewFactory(practitioner=listing, state="published")
    response = owner_client.post(reverse("dashboard:review_reply", args=[review.pk]), {f"r{review.pk}-text": text})
    assert response.status_code == 400
    assert message in response.text
    assert not ReviewReply.objects.exists()


def test_cannot_reply_to_an_unpublished_review(owner_client, listing):
    review = ReviewFactory(practitioner=listing, state="pending")
    response = owner_client.post(reverse("dashboard:review_reply", args=[review.pk]), {f"r{review.pk}-text": "Hi"})
    assert response.status_code == 404
    assert not ReviewReply.objects.exists()


def test_home_counts_reviews_without_a_reply(owner_client, listing):
    ReviewFactory(practitioner=listing, state="published")
    ReviewReplyFactory(review=ReviewFactory(practitioner=listing, state="published"))
    page = owner_client.get(reverse("dashboard:home")).text
    assert "2 published reviews, 1 without your reply" in page
