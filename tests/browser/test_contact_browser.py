"""The contact journey in headless Chromium: a patient sends a request from a profile, the practitioner
proposes a time and confirms the visit from the dashboard, the patient writes a review, and once it is
published the profile shows it with "confirmed visit". axe-core finds nothing on the form, inbox and thread."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contact.models import ContactRequest
from reviews import services as review_services
from reviews.models import Review
from tests.browser.test_accessibility import check_page
from tests.factories import UserFactory, VerifiedUserFactory, condition, owned_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}])


def test_request_answer_confirm_and_a_confirmed_review(page, live_server):
    base = live_server.url
    listing = owned_listing(name="Grace Lin", slug="grace-lin")
    listing.conditions.add(condition(), condition("sciatica"))
    patient = VerifiedUserFactory(display_name="Sam K.")

    # The patient sends a request from the profile.
    sign_in(page, base, patient)
    page.goto(base + listing.get_absolute_url())
    page.get_by_role("link", name="Request an appointment").click()
    page.wait_for_url("**/request/")
    check_page(page, page.url, "contact-request-form")
    page.get_by_label("What would you like help with?").select_option(label="Sciatica")
    page.get_by_role("radio", name="New patient").check()
    page.get_by_role("checkbox", name="Tue").check()
    page.get_by_role("checkbox", name="Evening").check()
    page.get_by_label("How will you pay?").select_option(label="Paying myself")
    page.get_by_role("radio", name="Email, through Meridian").check()
    page.get_by_label("Your message").fill("Sciatica down my left leg for a month.")
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url("**/accounts/requests/*/")
    assert "Your request was sent" in page.content()
    check_page(page, page.url, "contact-thread-patient")
    request = ContactRequest.objects.get()

    # The practitioner proposes a time, then marks the visit as happened.
    sign_in(page, base, listing.owner)
    check_page(page, base + reverse("contact:inbox"), "contact-inbox")
    page.get_by_role("link", name=f"Request {request.pk}").click()
    page.wait_for_url(f"**/dashboard/requests/{request.pk}/")
    check_page(page, page.url, "contact-thread-practitioner")
    assert "Sciatica down my left leg" in page.content()
    page.get_by_role("radio", name="Propose a time").check()
    when = timezone.localtime() + datetime.timedelta(days=2)
    page.get_by_label("Proposed time").fill(when.strftime("%Y-%m-%dT10:30"))
    page.get_by_role("textbox", name="Message").fill("Thursday at 10:30?")
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_load_state()
    assert "Answered" in page.locator("main").inner_text()
    page.get_by_role("radio", name="Mark “visit happened”").check()
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_load_state()
    assert "Visit confirmed" in page.locator("main").inner_text()

    # The patient sees the answer and writes a review.
    sign_in(page, base, patient)
    page.goto(base + reverse("contact:my_thread", kwargs={"pk": request.pk}))
    assert "Thursday at 10:30?" in page.content() and "Visit confirmed" in page.locator("main").inner_text()
    page.goto(base + reverse("reviews:create", kwargs={"slug": listing.slug}))
    page.locator("#id_rating_0").check()
    page.locator("#id_bedside_rating_0").check()
    page.get_by_label("Condition treated").select_option(label="Sciatica")
    page.get_by_label("Number of sessions").fill("1")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_label("Title").fill("Helpful first session")
    page.get_by_label("Your review").fill("Calm, careful and clear about what to expect.")
    page.get_by_label("Month of your (last) visit").fill(timezone.localdate().strftime("%Y-%m"))
    page.get_by_role("button", name="Submit review").click()
    page.wait_for_load_state()
    review_services.review_publish(review=Review.objects.get(), moderator=UserFactory(is_staff=True, is_superuser=True))

    page.goto(base + listing.get_absolute_url())
    card = page.locator("#reviews .review").first
    assert "Helpful first session" in card.inner_text()
    assert "Confirmed visit" in card.inner_text()
