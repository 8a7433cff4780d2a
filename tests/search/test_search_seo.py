"""sitemap.xml lists published listings and the public pages; robots.txt points to it."""

import re

import pytest

from practitioners.models import Practitioner
from tests.factories import searchable_practitioner

pytestmark = pytest.mark.django_db


def locations(xml: str) -> list[str]:
    return re.findall(r"<loc>([^<]+)</loc>", xml)


def test_sitemap_index_lists_its_sections(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert locations(response.content.decode()) == [
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-practitioners.xml",
        "http://testserver/sitemap-conditions.xml",
        "http://testserver/sitemap-cities.xml",
    ]


def test_sitemap_lists_published_listings_only(client):
    shown = searchable_practitioner(slug="shown")
    searchable_practitioner(slug="draft", status=Practitioner.Status.DRAFT)
    searchable_practitioner(slug="suspended", status=Practitioner.Status.SUSPENDED)
    xml = client.get("/sitemap-practitioners.xml").content.decode()
    assert locations(xml) == [f"http://testserver{shown.get_absolute_url()}"]
    assert "<lastmod>" in xml


def test_sitemap_lists_the_public_pages(client):
    xml = client.get("/sitemap-pages.xml").content.decode()
    assert locations(xml) == ["http://testserver/", "http://testserver/guide/", "http://testserver/practitioners/"]


def test_robots_txt_points_to_the_sitemap_and_keeps_private_areas_out(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    for private in ("/admin/", "/dashboard/", "/accounts/", "/api/", "/fhir/"):
        assert f"Disallow: {private}" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_filtered_search_pages_ask_not_to_be_indexed(client):
    assert 'name="robots"' not in client.get("/practitioners/").content.decode()
    assert (
        '<meta name="robots" content="noindex, follow">'
        in client.get("/practitioners/", {"condition": "neck-pain"}).content.decode()
    )
