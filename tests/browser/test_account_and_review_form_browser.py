"""Real headless Chromium: the account pages and the review form with their errors showing, and the
admin queue, have no axe violations at phone and desktop sizes; the stars and the pain scale work
from the keyboard and show the choice."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone

from practitioners.models import VerificationState
from tests.browser.test_accessibility import check_page, listing, signed_in  # noqa: F401
from tests.factories import LicenseFactory, PractitionerFactory, ReviewerFactory, UserFactory
from tests.reviews.test_admin import pending as pending_reviews

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AMBER = "rgb(168, 107, 0)"  # site.css: a chosen star


def axe_clean_here(page, name: str) -> None:
    """axe on the page as it is now (after a POST, errors showing) at phone and desktop sizes."""
    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        results = Axe().run(page)
        assert results.violations_count == 0, f"{name} at {width}px: {results.generate_report()}"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} at {width}px"


def without_browser_checks(page) -> None:
    """Drop `required` so the server's messages (what a browser without validation sees) are tested."""
    page.evaluate("document.querySelectorAll('[required]').forEach((e) => e.removeAttribute('required'))")


def test_account_pages_with_errors_have_no_axe_violations(page, live_server):
    base = live_server.url
    check_page(page, base + reverse("account_reset_password"), "password-reset")
    check_page(page, base + reverse("account_email_verification_sent"), "verification-sent")
    for name, url in (("sign-up-errors", "account_signup"), ("sign-in-errors", "account_login")):
        page.goto(base + reverse(url))
        without_browser_checks(page)
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator(".field-has-error, .form-errors").count() >= 1, name
        axe_clean_here(page, name)


@pytest.fixture
def review_form(page, live_server, listing, signed_in):  # noqa: F811
    """The review form of `listing`, open in the browser for a signed-in patient with a confirmed email."""
    patient = signed_in(UserFactory())
    EmailAddress.objects.create(user=patient, email=patient.email, verified=True, primary=True)
    page.goto(live_server.url + reverse("reviews:create", kwargs={"slug": listing.slug}))
    return page


def test_review_form_with_errors_is_accessible_and_its_summary_links_to_the_fields(review_form):
    page = review_form
    page.get_by_role("button", name="Submit review").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    summary.get_by_role("link", name="Overall rating: Choose an overall rating from 1 to 5.").click()
    assert page.evaluate("location.hash") == "#id_rating_0"
    axe_clean_here(page, "review-form-errors")


def test_stars_and_pain_scale_are_chosen_from_the_keyboard(review_form):
    page = review_form
    rating = page.get_by_role("group", name="Overall rating")
    rating.get_by_role("radio", name="1 star – poor").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert rating.get_by_role("radio", name="3 stars – good").is_checked()
    colours = rating.locator(".star-glyph").evaluate_all("(stars) => stars.map((s) => getComputedStyle(s).color)")
    assert colours[:3] == [AMBER] * 3 and AMBER not in colours[3:]
    # The focused star shows where the keyboard is.
    outline = rating.locator(".star-option").nth(2).evaluate("(label) => getComputedStyle(label).outlineStyle")
    assert outline == "solid"

    pain = page.get_by_role("group", name="Pain before treatment (0–10)")
    assert pain.get_by_role("radio", name="Not scored").is_checked()
    pain.get_by_role("radio", name="5 (moderate pain)").check()
    page.keyboard.press("ArrowRight")
    assert pain.get_by_role("radio", name="6", exact=True).is_checked()
    chosen = pain.locator(".pain-option").nth(6).evaluate("(label) => getComputedStyle(label).backgroundColor")
    assert chosen == "rgb(31, 95, 91)"  # --accent
    # Eleven choices fit a phone without scrolling sideways.
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_admin_queue_and_moderation_have_no_axe_violations_on_a_phone_a_tablet_and_a_desktop(
    page,
    live_server,
    signed_in,  # noqa: F811
):
    reviewer = signed_in(ReviewerFactory())
    EmailAddress.objects.create(user=reviewer, email=reviewer.email, verified=True, primary=True)
    LicenseFactory(
        verification_state=VerificationState.PENDING,
        verified_at=None,
        submitted_at=timezone.now() - datetime.timedelta(days=3),
    )
    check_page(page, live_server.url + "/admin/practitioners/verificationqueue/", "admin-queue")
    page.set_viewport_size({"width": 820, "height": 1180})
    assert page.locator(".state-badge").first.is_visible()
    pending_reviews(PractitionerFactory())
    check_page(page, live_server.url + reverse("admin:reviews_review_changelist"), "admin-moderation")
