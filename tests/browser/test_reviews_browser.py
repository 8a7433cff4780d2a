"""The whole review journey in headless Chromium: sign up, verify the email from the link in the
message, write a review with pain before and after, a moderator publishes it in the admin, and the
profile shows the new rating summary and outcome figures."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practitioners.models import Practitioner
from reviews import services
from reviews.models import Review
from tests.factories import (
    LicenseFactory,
    LocationFactory,
    PractitionerFactory,
    UserFactory,
    VerifiedUserFactory,
    condition,
)
from tests.reviews.test_services import content

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "plum orchard sunrise 42"


@pytest.fixture
def listing():
    """A listing with two published neck-pain reviews that report outcomes (too few for figures yet)."""
    prac = PractitionerFactory(name="Grace Lin", slug="grace-lin")
    LocationFactory(practitioner=prac, is_primary=True)
    LicenseFactory(practitioner=prac)
    moderator = UserFactory(is_staff=True, is_superuser=True)
    for rating, before, after, sessions in [(5, 8, 2, 6), (3, 6, 4, 10)]:
        review = services.review_create(
            author=VerifiedUserFactory(),
            practitioner=prac,
            **content(rating=rating, pain_before=before, pain_after=after, sessions=sessions, condition=condition()),
        )
        services.review_publish(review=review, moderator=moderator)
    return prac


def assert_accessible(page, name: str) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"


def test_sign_up_verify_review_moderate_and_see_it_on_the_profile(page, browser, live_server, listing):
    base = live_server.url
    profile_url = base + listing.get_absolute_url()

    # The profile before: 2 reviews averaging 4.0, neck pain outcomes not shown (fewer than 3).
    page.goto(profile_url)
    reviews = page.locator("#reviews")
    assert "4.0 out of 5" in reviews.inner_text() and "from 2 reviews" in reviews.inner_text()
    assert "Neck pain (2 reports)" in page.locator(".outcomes").inner_text()

    # Sign up.
    page.get_by_role("link", name="Write a review").click()
    page.wait_for_url("**/accounts/login/**")
    page.goto(base + reverse("account_signup"))
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Display name").fill("Sam K.")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_load_state()
    assert "Verify Your Email Address" in page.content() or "verification" in page.content().lower()

    # Verify the email address with the link from the message.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body)[0]
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()

    # Write the review (signing in first if confirming did not already do so).
    page.goto(base + reverse("reviews:create", kwargs={"slug": listing.slug}))
    if "/accounts/login/" in page.url:
        page.get_by_label("Email").fill("sam@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url("**/reviews/new/")
    assert page.get_by_role("heading", name="Review Grace Lin").is_visible()
    assert_accessible(page, "review form")
    page.get_by_role("group", name="Overall rating").get_by_role("radio", name="5 stars – excellent").check()
    page.get_by_role("group", name="Bedside manner").get_by_role("radio", name="4 stars – very good").check()
    page.get_by_label("Condition treated").select_option(label="Neck pain")
    page.get_by_label("Number of sessions").fill("6")
    page.get_by_role("group", name="Pain before treatment (0–10)").get_by_role("radio", name="8", exact=True).check()
    page.get_by_role("group", name="Pain after treatment (0–10)").get_by_role("radio", name="3", exact=True).check()
    page.get_by_role("radio", name="Yes").check()
    page.get_by_label("Title").fill("My neck finally moves again")
    page.get_by_label("Your review").fill("Six sessions over two months. <b>Much</b> better, see https://example.com")
    last_month = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).strftime("%Y-%m")
    page.get_by_label("Month of your (last) visit").fill(last_month)
    page.get_by_role("button", name="Submit review").click()
    page.wait_for_url("**/accounts/reviews/")
    assert "once a moderator has checked it" in page.content()
    assert "Pending moderation" in page.locator("main").inner_text()
    review = Review.objects.get(author__email="sam@example.com")
    assert (review.state, review.pain_before, review.pain_after) == ("pending", 8, 3)

    # Not on the profile yet.
    page.goto(profile_url)
    assert "My neck finally moves again" not in page.locator(".review-list").inner_text()
    assert "your review is waiting for a moderator" in page.locator(".review-actions").inner_text()

    # A moderator publishes it with the admin's bulk action.
    moderator = UserFactory(is_staff=True, is_superuser=True)
    staff_client = Client()
    staff_client.force_login(moderator)
    staff_context = browser.new_context()
    staff_context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": staff_client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    staff_page = staff_context.new_page()
    staff_page.goto(base + reverse("admin:reviews_review_changelist") + "?state__exact=pending")
    staff_page.locator(f'input[name="_selected_action"][value="{review.pk}"]').check()
    staff_page.locator('select[name="action"]').select_option("publish_selected")
    staff_page.get_by_role("button", name="Run").click()
    staff_page.wait_for_load_state()
    assert "1 published." in staff_page.content()
    staff_context.close()

    # The profile now counts it: 3 reviews, (5 + 3 + 5) / 3 = 4.33, and neck pain outcomes appear:
    # reductions 6, 2, 5 -> median 5; sessions 6, 10, 6 -> median 6; before 8, 6, 8 -> 8; after 2, 4, 3 -> 3.
    page.goto(profile_url)
    summary = page.locator(".rating-summary").inner_text()
    assert "4.3 out of 5" in summary and "from 3 reviews" in summary
    assert re.search(r"5 stars\s+2 \(67%\)", summary)
    row = page.locator(".outcomes-table tbody tr", has_text="Neck pain").inner_text()
    assert re.split(r"\s*\t\s*|\s{2,}", row.strip()) == ["Neck pain", "3", "5 points", "8 → 3", "6"]
    card = page.locator(".review", has_text="My neck finally moves again")
    text = card.inner_text()
    assert "Sam K." in text and "sam@example.com" not in page.content()
    assert "pain 8 → 3 out of 10" in text
    assert "<b>Much</b>" in text  # shown as typed, not as markup
    assert card.locator("a[href='https://example.com']").count() == 0  # links are not clickable
    assert_accessible(page, "profile with reviews")
    stored = Practitioner.objects.get(pk=listing.pk)
    assert (stored.review_count, str(stored.rating_avg)) == (3, "4.33")
