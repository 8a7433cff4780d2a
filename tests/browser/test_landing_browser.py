"""The landing pages and the home page in real headless Chromium: axe-core finds no violations, the
CSP reports nothing, nothing scrolls sideways on a phone or a desktop, the JSON-LD parses, and
the pages list the right practitioners and lead into the matching search."""

import json

import pytest

from practitioners.models import Practitioner
from tests.browser.test_accessibility import check_page
from tests.factories import searchable_practitioner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listings():
    searchable_practitioner(
        name="Ana Austin", slug="ana-austin", zip_code="78701", conditions=("sciatica",), verified=True
    )
    searchable_practitioner(name="Ben Austin", slug="ben-austin", zip_code="78704", conditions=("neck-pain",))
    searchable_practitioner(name="Cara Dallas", slug="cara-dallas", zip_code="75201", conditions=("sciatica",))
    searchable_practitioner(
        name="Dan Draft", slug="dan-draft", zip_code="78701", conditions=("sciatica",), status=Practitioner.Status.DRAFT
    )


@pytest.mark.usefixtures("listings")
def test_home_and_landing_pages_have_no_axe_or_csp_violations_and_fit_a_phone(page, live_server):
    for name, path in (
        ("landing-home", "/"),
        ("landing-condition", "/conditions/sciatica/"),
        ("landing-condition-empty", "/conditions/scoliosis-related-pain/"),
        ("landing-city", "/acupuncturists/tx/austin/"),
    ):
        check_page(page, live_server.url + path, name)


@pytest.mark.usefixtures("listings")
def test_landing_pages_list_the_right_practitioners_and_lead_into_search(page, live_server):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sciatica", exact=True).click()
    page.wait_for_url("**/conditions/sciatica/")
    names = page.locator(".card-title a").all_inner_texts()
    assert sorted(names) == ["Ana Austin", "Cara Dallas"]
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert [item["item"]["name"] for item in data["itemListElement"]] == names

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Austin, TX").click()
    page.wait_for_url("**/acupuncturists/tx/austin/")
    assert sorted(page.locator(".card-title a").all_inner_texts()) == ["Ana Austin", "Ben Austin"]
    page.get_by_role("link", name="Sciatica").click()
    page.wait_for_url("**/practitioners/?location=Austin*condition=sciatica")
    assert page.locator(".card-title a").all_inner_texts() == ["Ana Austin"]
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex, follow"
