"""The profile page (issue 3): credentials with board lookup links, badges in words, locations and hours,
fees, structured data, canonical URL, friendly 404s, and a query count that does not grow."""

import datetime
import html
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateformat import format as date_format

from practitioners.models import ComplementaryService, OpeningHours, Practitioner, StateBoard
from tests.factories import (
    CertificationFactory,
    LicenseFactory,
    location_at_zip,
    searchable_practitioner,
)

pytestmark = pytest.mark.django_db


def full_listing(n_related: int = 1) -> Practitioner:
    practitioner = searchable_practitioner(
        slug="mei-chen",
        name="Mei Chen",
        display_credentials="L.Ac., Dipl. Ac.",
        bio="Neck and back pain for office workers.",
        conditions=("neck-pain", "sciatica"),
        techniques=("cupping",),
        insurance=("aetna",),
        languages=("es",),
        verified=True,
        nccaom=True,
        medicare=True,
        first_visit_fee=120,
        follow_up_fee=85,
        sliding_scale=True,
        first_session_text="We talk first.",
        course_of_treatment_text="Weekly for six weeks.",
        is_demo=True,
    )
    practitioner.services.set(ComplementaryService.objects.filter(slug="exercise-guidance"))
    location = practitioner.locations.get()
    OpeningHours.objects.create(location=location, weekday=0, opens=datetime.time(9), closes=datetime.time(17))
    for i in range(n_related - 1):
        extra = location_at_zip(practitioner, "94103", name=f"Second office {i}")
        OpeningHours.objects.create(location=extra, weekday=2, opens=datetime.time(10), closes=datetime.time(14))
        LicenseFactory(practitioner=practitioner)
        CertificationFactory(practitioner=practitioner)
    return practitioner


def page_text(client, practitioner) -> str:
    response = client.get(practitioner.get_absolute_url())
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def json_ld(client, practitioner) -> dict:
    body = client.get(practitioner.get_absolute_url()).content.decode()
    match = re.search(r'<script type="application/ld\+json" nonce="[^"]+">(.*?)</script>', body, re.S)
    assert match, "no JSON-LD block with a CSP nonce"
    return json.loads(match.group(1))


def test_profile_shows_credentials_with_state_board_lookup(client):
    practitioner = full_listing()
    license_ = practitioner.licenses.get()
    text = page_text(client, practitioner)
    board = StateBoard.objects.get(state="CA")
    assert f"license #{license_.number}" in text
    assert "California" in text and "board status: Active" in text
    assert f"expires {date_format(license_.expiry_date, 'N j, Y')}" in text
    assert f"Verified by Meridian on {date_format(timezone.localtime(license_.verified_at), 'N j, Y')}" in text
    assert f'href="{board.lookup_url}"' in text
    assert f"Check with the {board.board_name}" in text


def test_pending_and_rejected_credentials_say_so(client):
    practitioner = searchable_practitioner(slug="pending")
    LicenseFactory(practitioner=practitioner, verification_state="pending", verified_at=None)
    LicenseFactory(practitioner=practitioner, verification_state="rejected", verified_at=None)
    text = page_text(client, practitioner)
    assert "Verification pending" in text
    assert "Could not be verified" in text
    assert "no current license checked by Meridian yet" in text


def test_profile_explains_badges_and_lists_every_section(client):
    text = page_text(client, full_listing())
    for expected in (
        "Verified license",
        "checked an active, unrestricted license",
        "NCCAOM certified",
        "Meets Medicare criteria",
        "auxiliary personnel",
        "Neck pain",
        "Cupping",
        "Exercise guidance",
        "Aetna",
        "Spanish",
        "$120.00",
        "$85.00",
        "Sliding-scale fees",
        "We talk first.",
        "Weekly for six weeks.",
        "Test Clinic",
        "San Francisco, CA 94110",
        "Monday",
        "9:00 AM",
        "Demo data",
    ):
        assert expected in text, expected


def test_profile_has_a_canonical_url(client):
    practitioner = full_listing()
    body = client.get(practitioner.get_absolute_url() + "?utm_source=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/practitioners/mei-chen/">' in body


def test_profile_structured_data(client):
    data = json_ld(client, full_listing())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Person"
    assert data["name"] == "Mei Chen"
    assert data["url"] == "http://testserver/practitioners/mei-chen/"
    (place,) = data["worksFor"]
    assert place["@type"] == "MedicalBusiness"
    assert place["address"]["postalCode"] == "94110"
    assert place["address"]["addressRegion"] == "CA"
    assert place["openingHoursSpecification"][0]["dayOfWeek"] == "https://schema.org/Monday"
    categories = sorted(c["credentialCategory"] for c in data["hasCredential"])
    assert categories == ["certification", "license"]
    assert "Neck pain" in data["knowsAbout"]


def test_structured_data_states_only_current_verified_credentials(client):
    practitioner = searchable_practitioner(slug="pending")
    LicenseFactory(practitioner=practitioner, verification_state="pending", verified_at=None)
    assert "hasCredential" not in json_ld(client, practitioner)


def test_structured_data_cannot_break_out_of_its_script_element(client):
    practitioner = searchable_practitioner(slug="evil", name="</script><script>alert(1)</script> & Co")
    body = client.get(practitioner.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S).group(1)
    assert "<" not in block and ">" not in block
    assert json.loads(block)["name"] == "</script><script>alert(1)</script> & Co"


@pytest.mark.parametrize("status", [Practitioner.Status.DRAFT, Practitioner.Status.SUSPENDED])
def test_unpublished_profiles_are_friendly_404s(client, status):
    practitioner = searchable_practitioner(slug="hidden", status=status)
    response = client.get(practitioner.get_absolute_url())
    assert response.status_code == 404
    assert "Search the directory" in response.content.decode()


def test_unknown_profile_is_a_friendly_404(client):
    response = client.get("/practitioners/no-such-person/")
    assert response.status_code == 404
    assert "couldn" in response.content.decode()


def test_profile_query_count_does_not_grow_with_related_rows(client, django_assert_num_queries):
    small = full_listing(n_related=1)
    client.get(
        small.get_absolute_url()
    )  # the connection's first profile prepares its statement (practitioners.prepared): not counted
    with CaptureQueriesContext(connection) as baseline:
        client.get(small.get_absolute_url())
    Practitioner.objects.all().delete()
    big = full_listing(n_related=5)
    assert big.locations.count() == 5 and big.licenses.count() == 5
    with django_assert_num_queries(len(baseline)):
        client.get(big.get_absolute_url())
    # Issue 14's bar for a profile: at most 8 queries (a claimed listing adds its response figures).
    assert len(baseline) <= 8
