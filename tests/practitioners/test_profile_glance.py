"""The profile at a glance (issue 17): the summary card says who, whether the license was checked,
how patients rated them and what it costs, before any section; each location is drawn on its
state's outline with a directions link; the page's query count stays fixed."""

import datetime
import html
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practitioners.models import InsuranceCarrier, Practitioner
from reviews.services import practitioner_summary_recompute
from tests.factories import (
    CertificationFactory,
    DegreeFactory,
    LicenseFactory,
    ReviewFactory,
    condition,
    location_at_zip,
    searchable_practitioner,
)

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def glance_of(response) -> str:
    """The summary card's markup."""
    match = re.search(r'<header class="glance".*?</header>', response.content.decode(), re.S)
    assert match, "no summary card"
    return match.group(0)


def verified_listing() -> Practitioner:
    prac = searchable_practitioner(
        slug="mei-chen",
        name="Mei Chen",
        display_credentials="L.Ac., Dipl. Ac.",
        zip_code="08540",
        practice_name="Princeton Acupuncture",
        medicare=True,
        nccaom=True,
        insurance=("aetna", "cigna", "blue-cross-blue-shield", "unitedhealthcare"),
        first_visit_fee=135,
        sliding_scale=True,
        accepting_new_patients=True,
        new_patients_confirmed_at=datetime.datetime(2026, 5, 12, 15, tzinfo=datetime.UTC),
        phone="(609) 555-0142",
        website="https://example.com/mei",
    )
    prac.licenses.update(verified_at=datetime.datetime(2026, 5, 4, 12, tzinfo=datetime.UTC))
    for rating, slug in [(5, "sciatica"), (4, "sciatica"), (5, "sciatica"), (3, "neck-pain")]:
        ReviewFactory(practitioner=prac, state="published", rating=rating, condition=condition(slug))
    practitioner_summary_recompute(practitioner=prac)
    prac.refresh_from_db()  # the stored rating summary, so a later save() keeps it
    return prac


def test_the_card_of_a_verified_listing_says_who_checked_what_and_what_it_costs(client):
    prac = verified_listing()
    card = glance_of(client.get(prac.get_absolute_url()))
    text = text_of(card)
    assert "<h1>Mei Chen, " in card and "L.Ac., Dipl. Ac." in text
    # The result card's sentence (one definition), with the state the license covers.
    assert "License verified by Meridian, May 2026, New Jersey" in text
    assert "Verified license, New Jersey" in text and "NCCAOM certified" in text and "Meets Medicare criteria" in text
    assert "4.3 out of 5 from 4 reviews" in text  # 17 / 4 = 4.25
    assert 'href="#rating-histogram"' in card
    # The most-reported condition's outcome line (3 sciatica reports reach MIN_REPORTS).
    assert "Sciatica: 3 patient reports, median pain 7 → 3 (0–10), median 6 sessions" in text
    assert "First visit $135 · sliding-scale fees" in text
    assert "Insurance Aetna, Blue Cross Blue Shield, Cigna and 1 more" in text
    assert "New patients Accepting, confirmed May 12, 2026" in text
    location = prac.locations.get()
    assert f'href="#location-{location.pk}">Princeton, NJ</a>' in card
    assert 'href="tel:+16095550142">Call (609) 555-0142</a>' in card
    assert 'href="https://example.com/mei"' in card


def test_the_card_of_an_unverified_listing_says_so_plainly(client):
    prac = searchable_practitioner(
        slug="new-listing", first_visit_fee=None, accepting_new_patients=False, phone="", website=""
    )
    LicenseFactory(practitioner=prac, verification_state="pending", verified_at=None)
    card = glance_of(client.get(prac.get_absolute_url()))
    text = text_of(card)
    assert "License not yet checked by Meridian" in text
    assert "badge-verified" not in card and "NCCAOM certified" not in text and "Medicare" not in text
    assert "No reviews yet" in text and "rating-histogram" not in card
    assert "Outcomes" not in text
    assert "First visit Ask the practice" in text and "sliding-scale" not in text
    assert "Insurance None listed (self-pay)" in text
    assert "New patients Not accepting, not confirmed yet" in text
    assert "tel:" not in card and "Website" not in text


def test_the_card_of_a_listing_in_a_state_without_licensure_names_the_state_and_the_nccaom_check(client):
    prac = searchable_practitioner(slug="in-alabama", zip_code="35203")
    CertificationFactory(practitioner=prac, verified_at=datetime.datetime(2026, 5, 4, tzinfo=datetime.UTC))
    text = text_of(glance_of(client.get(prac.get_absolute_url())))
    assert (
        "Alabama does not license or register acupuncturists; NCCAOM national certification verified by Meridian,"
        " May 2026" in text
    )
    assert "License not yet checked" not in text


def test_the_card_shows_the_location_nearest_the_searched_place(client):
    prac = verified_listing()  # primary location: Princeton, NJ
    second = location_at_zip(prac, "10001", name="Chelsea studio", is_primary=False)
    url = prac.get_absolute_url()
    assert "Location Princeton, NJ (+1 more)" in text_of(glance_of(client.get(url)))
    near = text_of(glance_of(client.get(url, {"location": "10002"})))
    assert f"Nearest location {second.city}, NY" in near
    assert re.search(r"· \d+\.\d mi from 10002", near)
    unknown = text_of(glance_of(client.get(url, {"location": "Nowhere, ZZ"})))
    assert "Location Princeton, NJ" in unknown and "Showing the primary location." in unknown


def test_a_stale_listing_says_so_on_the_card(client):
    prac = searchable_practitioner(slug="stale")
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Practitioner.objects.filter(pk=prac.pk).update(
        new_patients_confirmed_at=long_ago,
        insurance_confirmed_at=long_ago,
        fees_confirmed_at=long_ago,
        phone_confirmed_at=long_ago,
        last_confirmed_at=long_ago,
    )
    assert "call to check fees, insurance and availability" in text_of(glance_of(client.get(prac.get_absolute_url())))


def test_the_card_comes_first_and_the_sections_follow_a_table_of_contents(client):
    prac = verified_listing()
    prac.first_session_text = "An hour."
    prac.save()
    page = client.get(prac.get_absolute_url()).content.decode()
    toc = re.search(r'<nav class="toc".*?</nav>', page, re.S).group(0)
    targets = re.findall(r'href="#([\w-]+)"', toc)
    assert [text_of(a) for a in re.findall(r"<a [^>]*>(.*?)</a>", toc)] == [
        "About",
        "Credentials",
        "Treats",
        "Fees and insurance",
        "What to expect",
        "Locations",
        "Outcomes",
        "Reviews",
    ]
    for target in targets:
        assert f'id="{target}"' in page, target
    assert page.index('class="glance"') < page.index('class="toc"') < page.index('id="about-h"')


def location_svgs(response) -> list[ET.Element]:
    """Every location map on the page, parsed as XML (so a malformed one fails here)."""
    svgs = re.findall(r"<svg .*?</svg>", response.content.decode(), re.S)
    return [ET.fromstring(svg) for svg in svgs]  # noqa: S314 -- our own page, in a test


def test_each_location_has_a_well_formed_accessible_map_and_directions(client):
    prac = verified_listing()
    location_at_zip(prac, "99501", name="Anchorage rooms", street="")
    response = client.get(prac.get_absolute_url())
    svgs = location_svgs(response)
    assert [svg.get("aria-label") for svg in svgs] == [
        "Map of New Jersey showing the practice in Princeton",
        "Map of Alaska showing the practice in Anchorage",
    ]
    for svg in svgs:
        assert svg.get("role") == "img"
        assert svg.find(f"{SVG}path").get("d").startswith("M")
        assert len(svg.findall(f"{SVG}circle")) == 2
        assert all("style" not in element.attrib for element in svg.iter())  # strict CSP: no inline styles
    page = response.content.decode()
    assert "https://www.google.com/maps/search/?api=1&amp;query=1+Main+St%2C+Princeton%2C+NJ+08540" in page
    assert "query=Anchorage%2C+AK+99501" in page  # no street: city, state and ZIP


def test_a_location_without_coordinates_gets_the_outline_without_a_point(client):
    prac = searchable_practitioner(slug="no-coordinates", zip_code=None)
    location_at_zip(prac, "08540", latitude=None, longitude=None, is_primary=True)
    (svg,) = location_svgs(client.get(prac.get_absolute_url()))
    assert svg.get("aria-label") == "Map of New Jersey (the practice in Princeton has no map position yet)"
    assert svg.findall(f"{SVG}circle") == []


def test_the_profile_query_count_does_not_grow_with_locations_maps_or_a_searched_place(
    client, django_assert_num_queries
):
    prac = verified_listing()
    client.get(
        prac.get_absolute_url()
    )  # the connection's first profile prepares its statement (practitioners.prepared): not counted
    with CaptureQueriesContext(connection) as baseline:
        client.get(prac.get_absolute_url())
    for zip_code in ("10001", "99501", "96813", "33101"):
        location_at_zip(prac, zip_code)
    CertificationFactory(practitioner=prac)
    DegreeFactory(practitioner=prac)
    prac.insurance_carriers.set(InsuranceCarrier.objects.all())
    with django_assert_num_queries(len(baseline)):
        response = client.get(prac.get_absolute_url(), {"location": "Austin, TX"})
    assert len(location_svgs(response)) == 5
