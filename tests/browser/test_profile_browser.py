"""The profile at a glance in real Chromium (issue 17): axe finds nothing and the CSP reports
nothing at a phone and a desktop size; the summary card, down to its actions, is on the first
screen (the side column on a desktop, the top on a phone); without JavaScript the card, the maps
and the contents still work."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_accessibility import CSP_LISTENER
from tests.factories import location_at_zip
from tests.practitioners.test_profile_glance import verified_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}


@pytest.fixture
def listing():
    prac = verified_listing()
    prac.bio = "Neck and back pain, mostly."
    prac.first_session_text = "Plan on an hour."
    prac.save()
    location_at_zip(prac, "10001", name="Chelsea studio")
    return prac


def box(page, selector: str) -> dict:
    return page.evaluate(
        "(s) => { const r = document.querySelector(s).getBoundingClientRect();"
        " return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right}; }",
        selector,
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_profile_is_axe_and_csp_clean_with_the_card_on_the_first_screen(browser, live_server, listing, viewport):
    page = browser.new_page(viewport=viewport)
    page.add_init_script(CSP_LISTENER)
    page.goto(live_server.url + listing.get_absolute_url())
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("window.__cspViolations") == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for fact in ("h1", ".glance-license", "#glance-rating", "#glance-fee", ".glance-actions"):
        assert box(page, fact)["bottom"] <= viewport["height"], f"{fact} is below the first screen"
    card, contents = box(page, ".glance"), box(page, ".toc")
    if viewport is DESKTOP:
        assert card["right"] <= contents["left"] and contents["top"] < card["bottom"]  # side by side
    else:
        assert card["bottom"] <= contents["top"]  # the card first, then the contents
    page.close()


def test_the_profile_works_without_javascript(browser, live_server, listing):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + listing.get_absolute_url())
    assert page.locator(".glance h1").inner_text().startswith("Mei Chen")
    assert page.get_by_role("img", name="Map of New Jersey showing the practice in Princeton").is_visible()
    assert page.get_by_role("img", name="Map of New York showing the practice in New York").is_visible()
    page.locator(".toc").get_by_role("link", name="Locations").click()
    assert page.url.endswith("#loc-h")
    assert page.locator("#loc-h").evaluate("e => e.getBoundingClientRect().top") < PHONE["height"]
    page.get_by_role("link", name="4 reviews").click()
    assert page.url.endswith("#rating-histogram")
    context.close()
