"""An empty search still helps (issue 13): the nearest matching practitioners beyond the radius,
with their distances, and the one filter whose removal gives the most results."""

import html
import re

import pytest
from django.urls import reverse

from tests.factories import searchable_practitioner

pytestmark = pytest.mark.django_db

URL = reverse("practitioners:list")
BACK = ("chronic-low-back-pain",)


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_nothing_within_the_radius_names_the_nearest_beyond_it(client):
    # From 10001 (Manhattan): Newark ~9 mi, Trenton ~55, Philadelphia ~81, Hartford ~100 (all beyond 5 miles).
    searchable_practitioner(slug="newark", name="Newark One", zip_code="07102", conditions=BACK)
    searchable_practitioner(slug="trenton", name="Trenton One", zip_code="08608", conditions=BACK)
    searchable_practitioner(slug="philly", name="Philly One", zip_code="19107", conditions=BACK)
    searchable_practitioner(slug="hartford", name="Hartford One", zip_code="06103", conditions=BACK)
    searchable_practitioner(slug="no-back", name="Near But Other", zip_code="07030")  # closer, other condition
    response = client.get(URL, {"location": "10001", "radius": "5", "condition": "chronic-low-back-pain"})
    page = text(response)
    found = re.search(
        r"None within 5 miles\. The nearest who treat chronic low back pain are (\d+), (\d+) and (\d+) miles away\.",
        page,
    )
    assert found, page
    miles = [int(n) for n in found.groups()]
    assert miles == sorted(miles) and miles[0] < 15 and miles[2] < 90
    listed = re.findall(r'class="beyond-list">(.*?)</ul>', response.content.decode(), re.S)[0]
    assert re.findall(r'href="/practitioners/([^/]+)/"', listed) == ["newark", "trenton", "philly"]


def test_an_empty_search_names_the_one_filter_to_drop_for_the_most_results(client):
    for n in range(3):
        searchable_practitioner(slug=f"back-{n}", conditions=BACK, insurance=("cigna",), verified=True)
    searchable_practitioner(slug="aetna-back", conditions=BACK, insurance=("aetna",))
    params = {"location": "94110", "condition": "chronic-low-back-pain", "insurance": "aetna", "verified": "true"}
    response = client.get(URL, params)
    page = text(response)
    assert "0 practitioners" in page
    # Without the insurance filter: 3 (verified, back pain); without "verified": 1.
    assert "Remove the insurance filter: 3 practitioners match without it." in page
    link = re.search(r'class="drop-advice"><a href="([^"]+)"', response.content.decode()).group(1)
    assert "insurance" not in html.unescape(link) and "verified=true" in html.unescape(link)
    assert len(re.findall(r'class="card"', client.get(html.unescape(link)).content.decode())) == 3
