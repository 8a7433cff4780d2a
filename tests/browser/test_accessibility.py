"""Real headless Chromium: axe-core finds no violations, the CSP reports nothing, the search form
works from the keyboard, and no page scrolls sideways on a phone or a desktop."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practitioners.models import Condition
from tests.factories import LicenseFactory, LocationFactory, PractitionerFactory, ReviewerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
# Records every CSP violation the browser reports, before any page script runs.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture
def listing():
    prac = PractitionerFactory(name="Grace Lin", slug="grace-lin", bio="Neck and back pain.")
    LocationFactory(practitioner=prac, is_primary=True)
    LicenseFactory(practitioner=prac)
    prac.conditions.set(Condition.objects.filter(slug__in=["neck-pain", "sciatica"]))
    return prac


@pytest.fixture
def signed_in(page, live_server):
    """Sign a browser page in as a user by handing it a real session cookie."""

    def sign_in(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
        return user

    return sign_in


def page_urls(listing) -> dict[str, str]:
    return {
        "home": "/",
        "guide": "/guide/",
        "search": reverse("practitioners:list"),
        "search-filtered": reverse("practitioners:list")
        + "?location=94110&radius=50&condition=neck-pain&verified=true",
        "search-empty": reverse("practitioners:list") + "?location=99950&radius=5",
        "search-bad-input": reverse("practitioners:list") + "?location=ABCDE&radius=-5&min_rating=9",
        "profile": listing.get_absolute_url(),
        "sign-in": reverse("account_login"),
        "sign-up": reverse("account_signup"),
        "password-reset": reverse("account_reset_password"),
        "not-found": "/practitioners/no-such-person/",
    }


def check_page(page, url: str, name: str, status: int = 200) -> None:
    page.add_init_script(CSP_LISTENER)
    response = page.goto(url)
    assert response is not None and response.status == status, f"{name}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == [], f"{name}: CSP violations"
    # axe at both sizes: the phone layout (stacked cards, the summary card first) is a different page.
    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        results = Axe().run(page)
        assert results.violations_count == 0, f"{name} at {width}px: {results.generate_report()}"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{name} scrolls at {width}px"
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


def test_public_pages_have_no_axe_or_csp_violations_and_fit_a_phone(page, live_server, listing):
    for name, url in page_urls(listing).items():
        check_page(page, live_server.url + url, name, status=404 if name == "not-found" else 200)


def test_signed_in_pages_have_no_axe_or_csp_violations(page, live_server, listing, signed_in):
    patient = signed_in(UserFactory())
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=patient, email=patient.email, verified=True, primary=True)
    check_page(page, live_server.url + f"/practitioners/{listing.slug}/reviews/new/", "review-form")


def test_account_pages_and_admin_queue_have_no_axe_or_csp_violations(page, live_server, signed_in):
    reviewer = signed_in(ReviewerFactory())
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=reviewer, email=reviewer.email, verified=True, primary=True)
    for number in ("AC777001", "AC777002"):  # rows in the queue: its columns and Verify/Reject buttons
        LicenseFactory(number=number, verification_state="pending", verified_at=None, submitted_at=timezone.now())
    for name, url in (
        ("account-email", reverse("account_email")),
        ("account-password-change", reverse("account_change_password")),
        ("admin-queue", reverse("admin:practitioners_verificationqueue_changelist")),
    ):
        check_page(page, live_server.url + url, name)


def test_dashboard_has_no_axe_or_csp_violations(page, live_server, listing, signed_in):
    owner = signed_in(UserFactory())
    listing.owner = owner
    listing.save()
    check_page(page, live_server.url + "/dashboard/", "dashboard")


def test_search_form_works_from_the_keyboard(page, live_server, listing):
    page.goto(live_server.url + "/")
    focused = []
    for _ in range(25):
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate("document.activeElement.getAttribute('name') || document.activeElement.textContent.trim()")
        )
        if page.evaluate("document.activeElement.getAttribute('name')") == "location":
            break
    assert "location" in focused, f"never reached the location field: {focused}"
    # The skip link comes first so keyboard users can jump past the navigation.
    assert focused[0] == "Skip to main content"
    page.keyboard.type("94110")
    page.keyboard.press("Enter")
    page.wait_for_url("**/practitioners/?*location=94110*")
    assert "Grace Lin" in page.content()
