"""The review form over HTTP: every bad input is refused with a message beside the field and
nothing is saved; plain text stays plain; edits and deletes by the author."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from practitioners.models import Practitioner
from reviews import services
from reviews.models import HelpfulVote, Review, ReviewReply, ReviewReport
from tests.factories import PractitionerFactory, ReviewFactory, UserFactory, VerifiedUserFactory
from tests.reviews.test_permissions import review_post_data
from tests.reviews.test_services import content

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {
        "reviews": Review.objects.count(),
        "replies": ReviewReply.objects.count(),
        "reports": ReviewReport.objects.count(),
        "votes": HelpfulVote.objects.count(),
    }


@pytest.fixture
def practitioner():
    return PractitionerFactory(owner=VerifiedUserFactory())


@pytest.fixture
def patient(client):
    user = VerifiedUserFactory(display_name="Sam K.")
    client.force_login(user)
    return user


def create_url(practitioner: Practitioner) -> str:
    return reverse("reviews:create", kwargs={"slug": practitioner.slug})


NEXT_MONTH = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).strftime("%Y-%m")

BAD_INPUT = [
    ({"rating": "0"}, "rating", "Choose an overall rating from 1 to 5."),
    ({"rating": "6"}, "rating", "from 1 to 5"),
    ({"rating": "five"}, "rating", "from 1 to 5"),
    ({"bedside_rating": "6"}, "bedside_rating", "Rate the bedside manner from 1 to 5."),
    ({"pain_before": "11"}, "pain_before", "0 (no pain) to 10"),
    ({"pain_after": "-1"}, "pain_after", "0 (no pain) to 10"),
    ({"pain_after": ""}, "pain_after", "both before and after"),
    ({"pain_before": ""}, "pain_before", "both before and after"),
    ({"sessions": "0"}, "sessions", "at least 1"),
    ({"sessions": "10000"}, "sessions", "at most 200"),
    ({"sessions": "1e3"}, "sessions", "whole number"),
    ({"visit_month": NEXT_MONTH}, "visit_month", "can&#x27;t be in the future"),
    ({"visit_month": "2024-13"}, "visit_month", "real month"),
    ({"visit_month": "March 2024"}, "visit_month", "YYYY-MM"),
    ({"text": "x" * 50_000}, "text", "at most 5000 characters"),
    ({"text": ""}, "text", "Write a few words"),
    ({"title": "t" * 500}, "title", "at most 120 characters"),
    ({"condition": "99999"}, "condition", "Choose a condition from the list."),
    ({"condition": "neck-pain"}, "condition", "Choose a condition from the list."),
    ({"would_recommend": "maybe"}, "would_recommend", "Select a valid choice"),
]


@pytest.mark.parametrize(
    ("overrides", "field", "message"), BAD_INPUT, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD_INPUT)]
)
def test_bad_input_is_refused_beside_the_field(client, patient, practitioner, overrides, field, message):
    before = row_counts()
    response = client.post(create_url(practitioner), review_post_data(**overrides))
    assert response.status_code == 200
    html = response.text
    assert message in html
    # The message sits in the field's own wrapper, and the field is marked invalid.
    assert 'aria-invalid="true"' in html
    wrapper = html[html.index(f'name="{field}"') - 2000 : html.index(f'name="{field}"')]
    assert "field-has-error" in wrapper
    assert row_counts() == before


def test_valid_review_is_saved_pending_and_author_sees_it(client, patient, practitioner):
    response = client.post(create_url(practitioner), review_post_data())
    assert response.status_code == 302 and response.url == reverse("my_reviews")
    review = Review.objects.get()
    assert (review.author, review.state, review.pain_before, review.pain_after) == (patient, "pending", 7, 2)
    mine = client.get(reverse("my_reviews")).text
    assert "Pending moderation" in mine and review.title in mine


def test_pain_is_optional_when_both_are_empty(client, patient, practitioner):
    client.post(create_url(practitioner), review_post_data(pain_before="", pain_after=""))
    review = Review.objects.get()
    assert review.pain_before is None and review.pain_after is None


def test_duplicate_post_is_refused(client, patient, practitioner):
    services.review_create(author=patient, practitioner=practitioner, **content())
    response = client.post(create_url(practitioner), review_post_data(title="Again"))
    assert response.status_code == 302  # straight to the edit page of the existing review
    assert Review.objects.count() == 1
    follow = client.get(response.url)
    assert "already reviewed" in follow.text


def test_daily_limit_message_over_http(client, patient):
    for _ in range(services.DAILY_REVIEW_LIMIT):
        services.review_create(author=patient, practitioner=PractitionerFactory(), **content())
    before = row_counts()
    response = client.post(create_url(PractitionerFactory()), review_post_data())
    assert response.status_code == 200
    assert "at most 3 reviews in 24 hours" in response.text
    assert row_counts() == before


def test_review_text_is_escaped_and_links_are_not_clickable(client, patient, practitioner):
    staff = UserFactory(is_staff=True, is_superuser=True)
    review = services.review_create(
        author=patient,
        practitioner=practitioner,
        **content(
            title="<script>alert(1)</script>",
            text='Great! <a href="https://spam.example">click</a>\nSee https://spam.example/buy now.',
        ),
    )
    services.review_publish(review=review, moderator=staff)
    html = client.get(practitioner.get_absolute_url()).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://spam.example' not in html
    assert "&lt;a href=&quot;https://spam.example&quot;&gt;click&lt;/a&gt;<br>See https://spam.example/buy now." in html


def test_forged_post_for_another_users_review_changes_nothing(client, practitioner):
    author = VerifiedUserFactory()
    review = services.review_create(author=author, practitioner=practitioner, **content())
    client.force_login(VerifiedUserFactory())
    before = row_counts()
    edit = reverse("reviews:edit", kwargs={"slug": practitioner.slug, "pk": review.pk})
    delete = reverse("reviews:delete", kwargs={"slug": practitioner.slug, "pk": review.pk})
    assert client.post(edit, review_post_data(text="Forged")).status_code == 404
    assert client.post(delete).status_code == 404
    assert row_counts() == before
    assert Review.objects.get(pk=review.pk).text == review.text


def test_author_edit_of_published_text_goes_back_to_moderation(client, patient, practitioner):
    staff = UserFactory(is_staff=True, is_superuser=True)
    review = services.review_publish(
        review=services.review_create(author=patient, practitioner=practitioner, **content()), moderator=staff
    )
    edit = reverse("reviews:edit", kwargs={"slug": practitioner.slug, "pk": review.pk})
    form = client.get(edit).text
    assert 'value="It helped"' in form and "checked by a moderator again" in form
    response = client.post(edit, review_post_data(text="New words entirely."), follow=True)
    assert "checked by a moderator again" in response.text
    assert Review.objects.get(pk=review.pk).state == "pending"
    assert Practitioner.objects.get(pk=practitioner.pk).review_count == 0


def test_rejected_review_shows_the_reason_to_its_author(client, patient, practitioner):
    staff = UserFactory(is_staff=True, is_superuser=True)
    review = services.review_create(author=patient, practitioner=practitioner, **content())
    services.review_reject(review=review, moderator=staff, reason="Please describe the treatment itself.")
    assert "Please describe the treatment itself." in client.get(reverse("my_reviews")).text
    edit = reverse("reviews:edit", kwargs={"slug": practitioner.slug, "pk": review.pk})
    assert "Please describe the treatment itself." in client.get(edit).text


def test_removed_review_cannot_be_edited_over_http(client, patient, practitioner):
    staff = UserFactory(is_staff=True, is_superuser=True)
    review = services.review_create(author=patient, practitioner=practitioner, **content())
    services.review_remove(review=review, moderator=staff, reason="Spam")
    edit = reverse("reviews:edit", kwargs={"slug": practitioner.slug, "pk": review.pk})
    assert client.post(edit, review_post_data(text="Back")).status_code == 403
    assert Review.objects.get(pk=review.pk).text == review.text


def test_helpful_redirects_only_to_same_site_next(client, practitioner):
    staff = UserFactory(is_staff=True, is_superuser=True)
    review = services.review_publish(
        review=services.review_create(author=VerifiedUserFactory(), practitioner=practitioner, **content()),
        moderator=staff,
    )
    client.force_login(VerifiedUserFactory())
    helpful = reverse("reviews:helpful", kwargs={"slug": practitioner.slug, "pk": review.pk})
    response = client.post(helpful, {"next": "https://evil.example/"})
    assert response.url == f"{practitioner.get_absolute_url()}#review-{review.pk}"
    response = client.post(helpful, {"next": f"{practitioner.get_absolute_url()}?sort=helpful#review-{review.pk}"})
    assert response.url == f"{practitioner.get_absolute_url()}?sort=helpful#review-{review.pk}"
    assert HelpfulVote.objects.count() == 0  # toggled on, then off


def test_report_twice_shows_a_message(client, practitioner):
    staff = UserFactory(is_staff=True, is_superuser=True)
    review = services.review_publish(
        review=services.review_create(author=VerifiedUserFactory(), practitioner=practitioner, **content()),
        moderator=staff,
    )
    client.force_login(UserFactory())
    report = reverse("reviews:report", kwargs={"slug": practitioner.slug, "pk": review.pk})
    assert client.post(report, {"reason": "fake"}).status_code == 302
    again = client.post(report, {"reason": "other"})
    assert again.status_code == 200 and "already reported" in again.text
    bad = client.post(report, {"reason": "not-a-reason"})
    assert "Choose one of the reasons listed." in bad.text
    assert ReviewReport.objects.count() == 1


def test_reply_too_long_or_empty_is_refused(client, practitioner):
    staff = UserFactory(is_staff=True, is_superuser=True)
    review = services.review_publish(
        review=services.review_create(author=VerifiedUserFactory(), practitioner=practitioner, **content()),
        moderator=staff,
    )
    client.force_login(practitioner.owner)
    reply = reverse("reviews:reply", kwargs={"slug": practitioner.slug, "pk": review.pk})
    assert "Write your reply." in client.post(reply, {"text": ""}).text
    assert "at most 3000 characters" in client.post(reply, {"text": "x" * 3001}).text
    assert ReviewReply.objects.count() == 0
    assert client.post(reply, {"text": "Thank you!", "next": "/dashboard/"}).url == "/dashboard/"


@pytest.mark.parametrize("reviews", [1, 20])
def test_my_reviews_query_count(client, patient, reviews, django_assert_num_queries):
    for _ in range(reviews):
        ReviewFactory(practitioner=PractitionerFactory(), author=patient, state="published", title="Helped my neck")
    with django_assert_num_queries(
        4
    ):  # session, user, their own listing (menu), the reviews with listing and condition
        page = client.get(reverse("my_reviews"))
    assert page.status_code == 200 and page.text.count("Helped my neck") == reviews
