"""Home, the plain list and the profile: content and a query count that does not grow."""

import re

import pytest
from django.urls import reverse

from practitioners.models import Condition, InsuranceCarrier, Practitioner, Technique
from tests.factories import (
    CertificationFactory,
    DegreeFactory,
    LicenseFactory,
    LocationFactory,
    PractitionerFactory,
)

pytestmark = pytest.mark.django_db


def rich_practitioner(n_locations: int = 1, n_licenses: int = 1) -> Practitioner:
    prac = PractitionerFactory(
        name="Mei Chen",
        display_credentials="L.Ac., Dipl. Ac.",
        bio="Treats <b>neck</b> pain.",
        first_session_text="We talk, then treat.",
        course_of_treatment_text="Six weekly sessions.",
        contact_email="private@example.com",
    )
    for _ in range(n_locations):
        LocationFactory(practitioner=prac)
    for i in range(n_licenses):
        LicenseFactory(practitioner=prac, number=f"LIC{prac.pk}-{i}")
    CertificationFactory(practitioner=prac)
    DegreeFactory(practitioner=prac)
    prac.conditions.set(Condition.objects.filter(slug__in=["neck-pain", "sciatica"]))
    prac.techniques.set(Technique.objects.filter(slug="cupping"))
    prac.insurance_carriers.set(InsuranceCarrier.objects.filter(slug="aetna"))
    return prac


def test_home_and_guide_render(client):
    assert "Find a licensed acupuncturist" in client.get("/").text
    guide = client.get("/guide/").text
    assert "?verified=true" in guide and "?medicare=true" in guide


def test_profile_shows_every_section(client):
    prac = rich_practitioner()
    html = client.get(prac.get_absolute_url()).text
    for expected in [
        "Mei Chen",
        "Verified license",
        "NCCAOM certified",
        "Meets Medicare criteria",
        "auxiliary personnel",
        "Verified by Meridian on",
        "First visit",
        "We talk, then treat.",
        "Six weekly sessions.",
        "Test Clinic",
        "California Acupuncture Board",
    ]:
        assert expected in html, expected
    assert "private@example.com" not in html  # contact email is kept private
    assert "<b>neck</b>" not in html  # bio is escaped


def test_unpublished_and_unknown_profiles_are_friendly_404s(client):
    draft = PractitionerFactory(status=Practitioner.Status.DRAFT)
    for url in (draft.get_absolute_url(), "/practitioners/no-such-person/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "couldn" in response.text


def test_demo_listing_says_so(client):
    prac = PractitionerFactory(is_demo=True)
    assert "Demo data" in client.get(prac.get_absolute_url()).text


def test_profile_query_count_does_not_grow(client, django_assert_max_num_queries):
    small = rich_practitioner(n_locations=1, n_licenses=1)
    big = rich_practitioner(n_locations=4, n_licenses=4)
    client.get(
        small.get_absolute_url()
    )  # the connection's first profile prepares its statement (practitioners.prepared): not counted
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(small.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as big_queries:
        assert client.get(big.get_absolute_url()).status_code == 200
    assert len(big_queries) == len(small_queries)
    with django_assert_max_num_queries(25):
        client.get(big.get_absolute_url())


def test_list_paginates_published_only(client):
    for _ in range(25):
        PractitionerFactory()
    PractitionerFactory(status=Practitioner.Status.SUSPENDED, name="Hidden Person")
    first = client.get(reverse("practitioners:list")).text
    assert "Hidden Person" not in first
    assert len(re.findall(r'class="card"', first)) == 20
    second = client.get(reverse("practitioners:list"), {"page": 2}).text
    assert len(re.findall(r'class="card"', second)) == 5
