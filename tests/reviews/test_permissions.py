"""Every review URL for every role: anonymous, the review's author ("patient"), another patient,
the practitioner who owns the listing, and staff. Each case checks the response and the database."""

import pytest
from django.urls import reverse

from reviews import services
from reviews.models import HelpfulVote, Review, ReviewReply, ReviewReport
from tests.factories import PractitionerFactory, UserFactory, VerifiedUserFactory
from tests.reviews.test_services import content

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "patient", "other_patient", "owner", "staff"]


@pytest.fixture
def world():
    owner = VerifiedUserFactory(display_name="Owner")
    practitioner = PractitionerFactory(owner=owner)
    patient = VerifiedUserFactory(display_name="Patient")
    staff = VerifiedUserFactory(is_staff=True, is_superuser=True, display_name="Staff")
    review = services.review_create(author=patient, practitioner=practitioner, **content())
    review = services.review_publish(review=review, moderator=staff)
    users = {
        "anonymous": None,
        "patient": patient,
        "other_patient": VerifiedUserFactory(display_name="Other"),
        "owner": owner,
        "staff": staff,
    }
    return {"practitioner": practitioner, "review": review, "users": users}


def client_for(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    return client


def url(name: str, world, **extra) -> str:
    kwargs = {"slug": world["practitioner"].slug}
    if name != "create":
        kwargs["pk"] = world["review"].pk
    return reverse(f"reviews:{name}", kwargs=kwargs | extra)


def review_post_data(**overrides) -> dict:
    data = {
        "rating": "4",
        "bedside_rating": "5",
        "condition": str(content()["condition"].pk),
        "sessions": "6",
        "pain_before": "7",
        "pain_after": "2",
        "would_recommend": "yes",
        "title": "It helped",
        "text": "My neck pain is much better.",
        "visit_month": content()["visit_month"].strftime("%Y-%m"),
    }
    data.update(overrides)
    return data


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ROLES)
def test_create(client, world, role):
    client = client_for(client, world, role)
    before = Review.objects.count()
    get = client.get(url("create", world))
    post = client.post(url("create", world), review_post_data(title="Another one"))
    expected = {
        "anonymous": (None, None, 0),
        "patient": (302, 302, 0),  # already reviewed: sent to the edit page instead
        "other_patient": (200, 302, 1),
        "owner": (403, 403, 0),
        "staff": (200, 302, 1),
    }[role]
    if role == "anonymous":
        assert_login_redirect(get)
        assert_login_redirect(post)
    else:
        assert (get.status_code, post.status_code) == expected[:2]
    assert Review.objects.count() == before + expected[2]
    if role == "patient":
        assert get.url == url("edit", world)


@pytest.mark.parametrize("role", ROLES)
def test_edit(client, world, role):
    client = client_for(client, world, role)
    get = client.get(url("edit", world))
    post = client.post(url("edit", world), review_post_data(text="Forged or edited text."))
    text = Review.objects.get(pk=world["review"].pk).text
    if role == "anonymous":
        assert_login_redirect(get)
        assert_login_redirect(post)
    elif role == "patient":
        assert (get.status_code, post.status_code) == (200, 302)
        assert text == "Forged or edited text."
        return
    else:
        assert (get.status_code, post.status_code) == (404, 404)
    assert text == world["review"].text


@pytest.mark.parametrize("role", ROLES)
def test_delete(client, world, role):
    client = client_for(client, world, role)
    get = client.get(url("delete", world))
    post = client.post(url("delete", world))
    exists = Review.objects.filter(pk=world["review"].pk).exists()
    if role == "anonymous":
        assert_login_redirect(get)
        assert_login_redirect(post)
        assert exists
    elif role == "patient":
        assert (get.status_code, post.status_code) == (200, 302)
        assert not exists
    else:
        assert (get.status_code, post.status_code) == (404, 404)
        assert exists


@pytest.mark.parametrize("role", ROLES)
def test_helpful(client, world, role):
    client = client_for(client, world, role)
    assert client.get(url("helpful", world)).status_code in (302, 405)  # GET never changes anything
    response = client.post(url("helpful", world))
    votes = HelpfulVote.objects.filter(review=world["review"]).count()
    if role == "anonymous":
        assert_login_redirect(response)
        assert votes == 0
    else:
        assert response.status_code == 302
        assert votes == (1 if role in ("other_patient", "staff") else 0)
    assert Review.objects.get(pk=world["review"].pk).helpful_count == votes


@pytest.mark.parametrize("role", ROLES)
def test_report(client, world, role):
    client = client_for(client, world, role)
    get = client.get(url("report", world))
    post = client.post(url("report", world), {"reason": "fake", "details": "I doubt it."})
    reports = ReviewReport.objects.count()
    if role == "anonymous":
        assert_login_redirect(get)
        assert_login_redirect(post)
        assert reports == 0
    elif role == "patient":
        assert (get.status_code, post.status_code) == (403, 403)
        assert reports == 0
    else:
        assert (get.status_code, post.status_code) == (200, 302)
        assert reports == 1


@pytest.mark.parametrize("role", ROLES)
def test_reply(client, world, role):
    client = client_for(client, world, role)
    get = client.get(url("reply", world))
    post = client.post(url("reply", world), {"text": "Thank you for your review."})
    replies = ReviewReply.objects.count()
    if role == "anonymous":
        assert_login_redirect(get)
        assert_login_redirect(post)
    elif role == "owner":
        assert (get.status_code, post.status_code) == (200, 302)
        assert replies == 1
        return
    else:
        assert (get.status_code, post.status_code) == (403, 403)
    assert replies == 0


@pytest.mark.parametrize("role", ROLES)
def test_reply_delete(client, world, role):
    services.review_reply_save(review=world["review"], actor=world["users"]["owner"], text="Thanks!")
    client = client_for(client, world, role)
    assert client.get(url("reply_delete", world)).status_code in (302, 405)
    response = client.post(url("reply_delete", world))
    replies = ReviewReply.objects.count()
    if role == "anonymous":
        assert_login_redirect(response)
        assert replies == 1
    elif role == "owner":
        assert response.status_code == 302
        assert replies == 0
    else:
        assert response.status_code == 403
        assert replies == 1


@pytest.mark.parametrize("role", ROLES)
def test_my_reviews(client, world, role):
    client = client_for(client, world, role)
    response = client.get(reverse("my_reviews"))
    if role == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == 200
        assert (world["review"].title in response.text) == (role == "patient")


def test_unverified_member_cannot_open_the_review_form(client, world):
    client.force_login(UserFactory())
    response = client.get(url("create", world))
    assert response.status_code == 403
    assert "Confirm your email address" in response.text
    assert client.post(url("create", world), review_post_data()).status_code == 403
    assert Review.objects.count() == 1


@pytest.mark.parametrize("status", ["draft", "suspended"])
def test_unpublished_or_unknown_practitioner_is_404(client, world, status):
    client.force_login(world["users"]["other_patient"])
    hidden = PractitionerFactory(status=status)
    assert client.get(reverse("reviews:create", kwargs={"slug": hidden.slug})).status_code == 404
    assert client.post(reverse("reviews:create", kwargs={"slug": hidden.slug}), review_post_data()).status_code == 404
    assert (
        client.post(reverse("reviews:create", kwargs={"slug": "no-such-person"}), review_post_data()).status_code == 404
    )
    assert Review.objects.count() == 1


def test_review_of_another_slug_is_404(client, world):
    """A real review id under another practitioner's address is not found (no cross-listing forgery)."""
    client.force_login(world["users"]["patient"])
    other = PractitionerFactory()
    assert client.get(reverse("reviews:edit", kwargs={"slug": other.slug, "pk": world["review"].pk})).status_code == 404


def test_unpublished_reviews_cannot_be_voted_reported_or_replied_to(client, world):
    staff = world["users"]["staff"]
    services.review_reject(review=world["review"], moderator=staff, reason="Off topic.")
    client.force_login(world["users"]["other_patient"])
    assert client.post(url("helpful", world)).status_code == 404
    assert client.post(url("report", world), {"reason": "fake"}).status_code == 404
    client.force_login(world["users"]["owner"])
    assert client.post(url("reply", world), {"text": "Hi"}).status_code == 404
    assert not HelpfulVote.objects.exists() and not ReviewReport.objects.exists() and not ReviewReply.objects.exists()
