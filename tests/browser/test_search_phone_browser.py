"""The results page on a phone (390×844) and from the keyboard, in real headless Chromium (issue 13):
the first result is on screen after a search, the filters disclosure opens and applies without
JavaScript, a live update never drops focus to <body> and renews the heading, the count and the
title, axe finds nothing, and on a desktop the skip link reaches the first result in a few key presses.
Screenshots land in test-results/screenshots/ (search-phone-*.png, search-desktop-*.png)."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_accessibility import CSP_LISTENER, SCREENSHOTS
from tests.factories import searchable_practitioner
from tests.search.test_search_filters import rate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
BACK_PAIN = "chronic-low-back-pain"
# Manhattan, Brooklyn and Jersey City ZIPs around 10001 (the offline ZIP centroids give the distances).
ZIPS = ("10001", "10011", "10003", "10016", "10019", "11201", "07302", "10025")
SEARCH = f"/practitioners/?location=10001&condition={BACK_PAIN}"
# axe's WCAG 2.2 target-size rule (24×24 px, or spaced so) is off by default: switch it on here.
WITH_TARGET_SIZE = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


@pytest.fixture
def near_10001():
    """24 listings treating chronic low back pain around 10001 (two pages), 10 with a verified license."""
    for n in range(24):
        practitioner = searchable_practitioner(
            slug=f"back-{n:02d}",
            name=f"Practitioner {chr(65 + n)}. Example",
            display_credentials="L.Ac.",
            zip_code=ZIPS[n % len(ZIPS)],
            conditions=(BACK_PAIN, "neck-pain", "sciatica"),
            insurance=("aetna", "cigna") if n % 3 == 0 else (),
            verified=n < 10,
            first_visit_fee=90 + 5 * (n % 6),
            sliding_scale=n % 4 == 0,
            phone=f"(212) 555-01{n:02d}",
            # One listing not confirmed for 200 days (its card says so); the rest confirmed this week.
            last_confirmed_at=timezone.now() - datetime.timedelta(days=200 if n == 1 else 3),
        )
        if n % 2 == 0:
            rate(practitioner, 5, 4, 5, 4)


def phone_page(browser, *, javascript: bool = True):
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript, has_touch=True)
    page = context.new_page()
    if javascript:
        page.add_init_script(CSP_LISTENER)
    return context, page


def screenshot(page, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


@pytest.mark.usefixtures("near_10001")
def test_on_a_phone_the_first_result_is_on_screen_after_a_search(browser, live_server):
    context, page = phone_page(browser)
    page.goto(live_server.url + "/")
    page.get_by_label("ZIP code or city, state").fill("10001")
    page.get_by_label("Your pain").select_option(BACK_PAIN)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#result-count")).to_contain_text("24 practitioners")
    assert page.evaluate("window.scrollY") == 0
    first = page.locator("#results .card").first
    expect(first).to_be_in_viewport()
    box = page.locator("#results .card-title").first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    # Results first: the filters are a closed disclosure above them.
    expect(page.locator("#filters-disclosure summary")).to_have_text(re.compile(r"Filters \(2 active\)"))
    expect(page.get_by_label(re.compile(r"^Verified license"))).to_be_hidden()
    screenshot(page, "search-phone-10001")
    screenshot(page, "search-phone-10001-full", full_page=True)
    assert page.evaluate("window.__cspViolations") == []
    context.close()


@pytest.mark.usefixtures("near_10001")
def test_on_a_phone_without_javascript_the_filters_open_apply_and_the_sort_has_its_own_button(browser, live_server):
    context, page = phone_page(browser, javascript=False)
    page.goto(live_server.url + SEARCH)
    expect(page.locator("#result-count")).to_contain_text("24 practitioners")
    verified = page.get_by_label(re.compile(r"^Verified license"))
    expect(verified).to_be_hidden()
    page.locator("#filters-disclosure summary").click()
    expect(verified).to_be_visible()
    screenshot(page, "search-phone-filters-open")
    verified.check()
    page.get_by_role("button", name="Update results").click()
    expect(page.locator("#result-count")).to_contain_text("10 practitioners")
    expect(page.locator("#filters-disclosure summary")).to_have_text(re.compile(r"Filters \(3 active\)"))
    # The form sent every field; the page redirected to an address without the blank ones.
    assert re.search(r"verified=true", page.url)
    assert not re.search(r"=(&|$)", page.url), page.url
    assert "radius=" not in page.url  # the default radius is left out too

    page.get_by_label("Sort by").select_option("rating")
    expect(page.locator("#result-count")).to_contain_text("10 practitioners")  # nothing happens without a submit…
    assert "sort=" not in page.url
    page.get_by_role("button", name="Sort", exact=True).click()  # …until its own button
    expect(page).to_have_url(re.compile(r"sort=rating"))
    expect(page.get_by_label("Sort by")).to_have_value("rating")
    assert not re.search(r"=(&|$)", page.url), page.url
    context.close()


@pytest.mark.usefixtures("near_10001")
def test_on_a_phone_a_live_update_keeps_focus_and_renews_heading_count_and_title(browser, live_server):
    context, page = phone_page(browser)
    page.goto(live_server.url + SEARCH)
    h1, count, status = page.locator("h1"), page.locator("#result-count"), page.locator("#search-status")
    expect(h1).to_have_text("Acupuncturists for chronic low back pain near 10001 (New York, NY)")
    expect(page.locator(".sort-apply")).to_be_hidden()  # with htmx the select applies itself
    page.evaluate("window.__noReload = 1")

    # Remove the condition chip from the keyboard: the chip is gone, so focus goes to the results heading.
    page.locator(".chip", has_text="Chronic low back pain").focus()
    page.keyboard.press("Enter")
    expect(h1).to_have_text("Acupuncturists near 10001 (New York, NY)")
    expect(page).to_have_title("Acupuncturists near 10001 (New York, NY) · Meridian")
    expect(status).to_have_text("24 practitioners found, page 1 of 2.")
    expect(page.locator("#filters-disclosure summary")).to_have_text(re.compile(r"Filters \(1 active\)"))
    expect(page.locator("#result-count")).to_be_focused()  # not <body>

    # Next page: the link is swapped away with the results; focus follows to the heading, the page is announced.
    page.get_by_role("link", name="Next page").focus()
    page.keyboard.press("Enter")
    expect(count).to_contain_text("page 2 of 2")
    expect(status).to_have_text("24 practitioners found, page 2 of 2.")
    expect(page.locator("#results .card")).to_have_count(4)
    expect(page.locator("#result-count")).to_be_focused()  # not <body>

    # A filter changed from the keyboard: the same checkbox is still there, so focus stays on it.
    page.locator("#filters-disclosure summary").click()
    page.get_by_label(re.compile(r"^Verified license")).focus()
    page.keyboard.press("Space")
    expect(count).to_have_text("10 practitioners")
    expect(status).to_have_text("10 practitioners found.")
    expect(page.locator("#filters-disclosure summary")).to_have_text(re.compile(r"Filters \(2 active\)"))
    expect(page.locator("#f-verified")).to_be_focused()  # not <body>
    expect(page.get_by_label(re.compile(r"^Verified license"))).to_be_checked()

    # The sort, focused and changed: the select survives the swap and keeps focus.
    page.get_by_label("Sort by").focus()
    page.get_by_label("Sort by").select_option("distance")
    expect(page).to_have_url(re.compile(r"sort=distance"))
    expect(page.locator("#f-sort")).to_be_focused()  # not <body>
    assert page.evaluate("window.__noReload") == 1
    assert page.evaluate("window.__cspViolations") == []
    context.close()


@pytest.mark.usefixtures("near_10001")
def test_the_phone_layout_has_no_axe_violations_with_the_filters_closed_or_open(browser, live_server):
    context, page = phone_page(browser)
    page.goto(live_server.url + SEARCH + "&insurance=aetna")
    page.wait_for_load_state("networkidle")
    closed = Axe().run(page, options=WITH_TARGET_SIZE)
    assert closed.violations_count == 0, closed.generate_report()
    page.locator("#filters-disclosure summary").click()
    opened = Axe().run(page, options=WITH_TARGET_SIZE)
    assert opened.violations_count == 0, opened.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


@pytest.mark.usefixtures("near_10001")
def test_on_a_desktop_the_skip_link_reaches_the_first_result_in_a_few_key_presses(browser, live_server):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(live_server.url + SEARCH)
    expect(page.locator("#filters-disclosure")).to_have_attribute("open", "")  # beside the results on a wide screen
    first_result = page.locator("#results .card-title a").first
    presses = []
    page.keyboard.press("Tab")
    presses.append("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Tab")
    presses.append("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to results")
    expect(skip).to_be_in_viewport()  # visible when focused, on a desktop too
    screenshot(page, "search-desktop-skip-link")
    page.keyboard.press("Enter")
    presses.append("Enter")
    expect(page.locator("#result-count")).to_be_focused()  # not <body>
    while not first_result.evaluate("e => e === document.activeElement") and len(presses) < 12:
        page.keyboard.press("Tab")
        presses.append("Tab")
    assert first_result.evaluate("e => e === document.activeElement"), presses
    assert len(presses) <= 8, presses  # was 51 Tab presses before issue 13
    screenshot(page, "search-desktop-10001")
    context.close()
