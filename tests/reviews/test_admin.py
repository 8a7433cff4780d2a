"""Moderation in the admin: bulk publish / reject (with a reason) / remove, report resolution;
every action goes through the services, so the stored summary follows."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.urls import reverse

from practitioners.models import Practitioner
from reviews import services
from reviews.models import Review, ReviewReport
from tests.factories import PractitionerFactory, UserFactory, VerifiedUserFactory
from tests.reviews.test_services import content

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:reviews_review_changelist"


@pytest.fixture
def moderator(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Credential reviewers"))
    client.force_login(user)
    return user


@pytest.fixture
def practitioner():
    return PractitionerFactory()


def pending(practitioner, n: int = 1, **overrides) -> list[Review]:
    return [
        services.review_create(author=VerifiedUserFactory(), practitioner=practitioner, **content(**overrides))
        for _ in range(n)
    ]


def action(client, name: str, reviews: list[Review], **extra):
    data = {"action": name, ACTION_CHECKBOX_NAME: [r.pk for r in reviews], **extra}
    return client.post(reverse(CHANGELIST), data)


def test_moderation_queue_lists_pending_reviews(client, moderator, practitioner):
    reviews = pending(practitioner, 2)
    response = client.get(reverse(CHANGELIST), {"state__exact": "pending"})
    assert response.status_code == 200
    for review in reviews:
        assert review.title in response.text
    assert client.get(reverse("admin:reviews_review_change", args=[reviews[0].pk])).status_code == 200


def test_bulk_publish_updates_the_summary(client, moderator, practitioner):
    reviews = pending(practitioner, 3, rating=5)
    response = action(client, "publish_selected", reviews)
    assert response.status_code == 302
    assert set(Review.objects.values_list("state", flat=True)) == {"published"}
    stored = Practitioner.objects.get(pk=practitioner.pk)
    assert (stored.review_count, stored.rating_5, str(stored.rating_avg)) == (3, 3, "5.00")


def test_reject_asks_for_a_reason_first(client, moderator, practitioner):
    reviews = pending(practitioner, 2)
    page = action(client, "reject_selected", reviews)
    assert page.status_code == 200 and "Reason shown to the author" in page.text
    assert set(Review.objects.values_list("state", flat=True)) == {"pending"}
    empty = action(client, "reject_selected", reviews, apply="1", reason="  ")
    assert "Give the author a reason" in empty.text
    assert set(Review.objects.values_list("state", flat=True)) == {"pending"}
    done = action(client, "reject_selected", reviews, apply="1", reason="Please describe your treatment.")
    assert done.status_code == 302
    assert set(Review.objects.values_list("state", "rejection_reason")) == {
        ("rejected", "Please describe your treatment.")
    }


def test_remove_published_reviews_in_bulk(client, moderator, practitioner):
    reviews = pending(practitioner, 2)
    action(client, "publish_selected", reviews)
    assert Practitioner.objects.get(pk=practitioner.pk).review_count == 2
    action(client, "remove_selected", reviews, apply="1", reason="")
    assert set(Review.objects.values_list("state", flat=True)) == {"removed"}
    assert Practitioner.objects.get(pk=practitioner.pk).review_count == 0


def test_admin_cannot_add_or_delete_reviews(client, moderator, practitioner):
    review = pending(practitioner)[0]
    assert client.get(reverse("admin:reviews_review_add")).status_code == 403
    assert client.post(reverse("admin:reviews_review_delete", args=[review.pk]), {"post": "yes"}).status_code == 403
    assert Review.objects.filter(pk=review.pk).exists()


def test_staff_without_the_permission_cannot_moderate(client, practitioner):
    client.force_login(UserFactory(is_staff=True))
    review = pending(practitioner)[0]
    response = action(client, "publish_selected", [review])
    assert response.status_code == 403
    assert Review.objects.get(pk=review.pk).state == "pending"


def test_patients_cannot_reach_the_admin(client, practitioner):
    client.force_login(VerifiedUserFactory())
    review = pending(practitioner)[0]
    assert action(client, "publish_selected", [review]).status_code == 302  # to the admin login
    assert Review.objects.get(pk=review.pk).state == "pending"


def test_reported_reviews_show_up_and_are_resolved(client, moderator, practitioner):
    review = pending(practitioner)[0]
    services.review_publish(review=review, moderator=moderator)
    report = services.review_report_create(review=review, reporter=UserFactory(), reason="fake", details="Bot text")
    reported = client.get(reverse(CHANGELIST), {"reported": "open"})
    assert review.title in reported.text
    reports = client.get(reverse("admin:reviews_reviewreport_changelist"), {"state": "open"})
    assert "Bot text" not in reports.text and review.title in reports.text
    client.post(
        reverse("admin:reviews_reviewreport_changelist"),
        {"action": "resolve_remove", ACTION_CHECKBOX_NAME: [report.pk]},
    )
    report.refresh_from_db()
    assert report.resolution == "removed" and report.resolved_by == moderator
    assert Review.objects.get(pk=review.pk).state == "removed"
    assert Practitioner.objects.get(pk=practitioner.pk).review_count == 0
    assert ReviewReport.objects.open().count() == 0
