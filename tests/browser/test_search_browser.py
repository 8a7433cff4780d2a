"""The search in real headless Chromium: search by ZIP and condition, add a filter and see the
results change without a page load (htmx from our static files), page forward, open a profile.
Also: the same search works with JavaScript off, and the API docs page renders under the CSP."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import searchable_practitioner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records every CSP violation the browser reports, before any page script runs.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture
def listings():
    """25 listings near the Mission treating neck pain (two pages), 8 of them verified; others elsewhere."""
    for n in range(25):
        searchable_practitioner(
            slug=f"neck-{n:02d}",
            name=f"Neck Practitioner {n:02d}",
            zip_code="94110" if n % 2 else "94103",
            conditions=("neck-pain",),
            verified=n < 8,
        )
    searchable_practitioner(slug="sciatica-only", zip_code="94110", conditions=("sciatica",))
    searchable_practitioner(slug="far-away", zip_code="10001", conditions=("neck-pain",))


@pytest.mark.usefixtures("listings")
def test_search_filter_page_and_open_a_profile(page, live_server):
    page.add_init_script(CSP_LISTENER)
    page.goto(live_server.url + "/")
    page.get_by_label("ZIP code or city, state").fill("94110")
    page.get_by_label("Your pain").select_option("neck-pain")
    page.get_by_role("button", name="Search").click()

    count = page.locator("#result-count")
    expect(count).to_contain_text("25 practitioners")
    assert page.locator("#results .card").count() == 20
    expect(page.get_by_label("Neck pain (25)")).to_be_checked()

    # From here on, any full page load would wipe this marker.
    page.evaluate("window.__noReload = 'still here'")

    page.get_by_label(re.compile(r"^Verified license \(8\)")).check()
    expect(count).to_contain_text("8 practitioners")
    assert page.evaluate("window.__noReload") == "still here"
    expect(page).to_have_url(re.compile(r"verified=true"))
    expect(page).to_have_url(re.compile(r"condition=neck-pain"))
    expect(page.locator(".chips")).to_contain_text("Verified license")
    assert page.locator("#results .card").count() == 8

    # Remove the filter again with its chip, still without a reload.
    page.locator(".chip", has_text="Verified license").click()
    expect(count).to_contain_text("25 practitioners")
    assert page.evaluate("window.__noReload") == "still here"

    # Page forward: the query is kept, the page is swapped in place.
    page.get_by_role("link", name="Next page").click()
    expect(count).to_contain_text("page 2 of 2")
    assert page.locator("#results .card").count() == 5
    assert page.evaluate("window.__noReload") == "still here"
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page).to_have_url(re.compile(r"location=94110"))

    # Open a profile from the results.
    first = page.locator("#results .card-title a").first
    name = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_contain_text(name)
    assert page.evaluate("window.__cspViolations") == []


@pytest.mark.usefixtures("listings")
def test_the_shared_address_reproduces_the_search(page, live_server):
    page.goto(live_server.url + "/practitioners/?location=94110&condition=neck-pain&verified=true&sort=rating")
    expect(page.locator("#result-count")).to_contain_text("8 practitioners")
    expect(page.get_by_label("Sort by")).to_have_value("rating")
    expect(page.get_by_label(re.compile(r"^Verified license"))).to_be_checked()


@pytest.mark.usefixtures("listings")
def test_search_works_with_javascript_off(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/practitioners/?location=94110&condition=neck-pain")
    expect(page.locator("#result-count")).to_contain_text("25 practitioners")
    page.locator("#filters-disclosure summary").click()  # the filters sit in a <details> disclosure
    page.get_by_label(re.compile(r"^Verified license")).check()
    page.get_by_role("button", name="Update results").click()
    expect(page.locator("#result-count")).to_contain_text("8 practitioners")
    expect(page).to_have_url(re.compile(r"verified=true"))
    context.close()


@pytest.mark.usefixtures("listings")
def test_bad_input_is_shown_in_the_page(page, live_server):
    page.goto(live_server.url + "/practitioners/?location=ABCDE")
    expect(page.get_by_role("alert")).to_contain_text("We couldn't find a place called “ABCDE”")
    page.evaluate("window.__noReload = 1")
    page.get_by_label("ZIP code or city, state").fill("94110")
    page.get_by_label("ZIP code or city, state").press("Enter")
    expect(page.locator("#result-count")).to_contain_text("26 practitioners")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert page.evaluate("window.__noReload") == 1


def test_api_docs_page_renders_from_local_files(page, live_server):
    page.add_init_script(CSP_LISTENER)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator("#swagger-ui")).to_contain_text("/api/v1/practitioners/")
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), requested
    assert page.evaluate("window.__cspViolations") == []
