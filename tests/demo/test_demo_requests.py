"""Demo accounts from `seed_demo`: they sign in, the inbox has requests in every state (through the
contact services), the demo patient sees theirs and their review shows "Confirmed visit"; never
without DEBUG or `--demo-accounts`; run twice, nothing doubles."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from contact.models import ConfirmedVisit, ContactMessage, ContactRequest, RequestState
from dashboard.models import Claim, ClaimStatus
from demo.contact import DEMO_PASSWORD, DEMO_PATIENT_EMAIL, DEMO_PRACTITIONER_EMAIL, DEMO_STAFF_EMAIL
from reviews.models import Review, ReviewState

pytestmark = pytest.mark.django_db


def seed(*extra: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--practitioners", "12", "--batch-size", "6", *extra, stdout=out, verbosity=0)
    return out.getvalue()


def sign_in(client, email: str) -> None:
    """Through allauth's login form, so a missing confirmed email address would stop it."""
    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_debug_seed_makes_an_inbox_with_every_state(client, settings):
    settings.DEBUG = True
    out = seed()
    practitioner = User.objects.get(email=DEMO_PRACTITIONER_EMAIL)
    listing = practitioner.listing
    assert listing.is_demo and listing.status == "published"
    assert Claim.objects.get(user=practitioner, practitioner=listing).status == ClaimStatus.APPROVED
    for email in (DEMO_PRACTITIONER_EMAIL, DEMO_PATIENT_EMAIL, DEMO_STAFF_EMAIL):
        assert email in out
    assert DEMO_PASSWORD in out

    sign_in(client, DEMO_PRACTITIONER_EMAIL)
    page = client.get(reverse("contact:inbox"), {"show": "all"}).content.decode()
    shown = set(re.findall(r"contact-state contact-state-(\w+)", page))
    assert shown == {"sent", "answered", "confirmed", "declined", "closed"}
    assert ContactRequest.objects.filter(practitioner=listing).count() == 7
    declined = ContactRequest.objects.get(practitioner=listing, state=RequestState.DECLINED)
    assert declined.decline_reason == "no_times"
    closed = ContactRequest.objects.get(practitioner=listing, state=RequestState.CLOSED)
    assert closed.closed_by == "patient"
    # The thread was written by the services: each request opens with the patient's message.
    assert ContactMessage.objects.filter(request__practitioner=listing, kind="request").count() == 7


def test_demo_patient_sees_their_requests_and_confirmed_review(client, settings):
    settings.DEBUG = True
    seed()
    patient = User.objects.get(email=DEMO_PATIENT_EMAIL)
    listing = User.objects.get(email=DEMO_PRACTITIONER_EMAIL).listing
    theirs = ContactRequest.objects.filter(patient=patient)
    assert sorted(theirs.values_list("state", flat=True)) == ["answered", "confirmed"]
    assert theirs.get(state="answered").messages.filter(kind="proposal").exists()
    assert ConfirmedVisit.objects.filter(practitioner=listing, patient=patient).exists()
    review = Review.objects.get(author=patient, practitioner=listing)
    assert review.state == ReviewState.PUBLISHED
    assert review.moderated_by.email == DEMO_STAFF_EMAIL

    sign_in(client, DEMO_PATIENT_EMAIL)
    mine = client.get(reverse("contact:my_requests")).content.decode()
    assert listing.name in mine
    assert len(re.findall(r"contact-state contact-state-(\w+)", mine)) == 2
    profile = client.get(reverse("practitioners:detail", args=[listing.slug])).content.decode()
    assert "Confirmed visit" in profile
    assert review.title in profile


def test_demo_staff_is_a_credential_reviewer(client, settings):
    settings.DEBUG = True
    seed()
    staff = User.objects.get(email=DEMO_STAFF_EMAIL)
    assert staff.is_staff and not staff.is_superuser
    assert list(staff.groups.values_list("name", flat=True)) == ["Credential reviewers"]
    sign_in(client, DEMO_STAFF_EMAIL)
    assert client.get("/admin/").status_code == 200


def test_no_demo_accounts_without_debug_or_the_flag(settings):
    settings.DEBUG = False
    out = seed()
    assert not User.objects.filter(email__in=[DEMO_PRACTITIONER_EMAIL, DEMO_PATIENT_EMAIL, DEMO_STAFF_EMAIL]).exists()
    assert not ContactRequest.objects.exists()
    assert DEMO_PASSWORD not in out


def test_the_flag_creates_them_and_a_second_run_adds_nothing(settings):
    settings.DEBUG = False
    seed("--demo-accounts")
    call_command("seed_demo", "--practitioners", "0", "--demo-accounts", stdout=StringIO(), verbosity=0)
    assert User.objects.filter(email__in=[DEMO_PRACTITIONER_EMAIL, DEMO_PATIENT_EMAIL, DEMO_STAFF_EMAIL]).count() == 3
    assert ContactRequest.objects.count() == 7
    assert Review.objects.filter(author__email=DEMO_PATIENT_EMAIL).count() == 1


def test_if_empty_on_a_seeded_database_creates_no_accounts(settings):
    seed()
    settings.DEBUG = True
    assert "nothing seeded" in seed("--if-empty")
    assert not User.objects.filter(email=DEMO_PRACTITIONER_EMAIL).exists()


@pytest.mark.django_db(transaction=True)  # seed_bench runs VACUUM on PostgreSQL, outside any transaction
def test_seed_bench_never_creates_demo_accounts(settings):
    settings.DEBUG = True
    call_command("seed_bench", "--practitioners", "12", "--heavy-listing-reviews", "0", stdout=StringIO(), verbosity=0)
    assert not User.objects.filter(email=DEMO_PRACTITIONER_EMAIL).exists()
