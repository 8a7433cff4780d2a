"""Profiles in states that differ (issue 19): no-licensure states explained instead of a missing badge,
registrations worded as registrations, badges per state covered, and the state rules' source and date."""

import datetime
import html
import json
import re

import pytest
from django.utils.dateformat import format as date_format

from practitioners.models import StateBoard
from tests.factories import CertificationFactory, LicenseFactory, location_at_zip, searchable_practitioner

pytestmark = pytest.mark.django_db

OKLAHOMA_EXPLANATION = (
    "Oklahoma does not license acupuncturists. "
    "Meridian checked this practitioner's national NCCAOM certification instead."
)


def page_text(client, practitioner) -> str:
    response = client.get(practitioner.get_absolute_url())
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def badges(text: str) -> list[str]:
    block = re.search(r'<ul class="badges" aria-label="Checked credentials">(.*?)</ul>', text, re.S).group(1)
    return [re.sub(r"\s+", " ", b).strip() for b in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


def test_no_licensure_state_profile_explains_instead_of_a_license_badge(client):
    practitioner = searchable_practitioner(slug="tulsa", zip_code="74103", nccaom=True)  # Tulsa, OK
    text = page_text(client, practitioner)
    assert OKLAHOMA_EXPLANATION in text
    assert badges(text) == ["NCCAOM certified"]
    assert "Verified license" not in text


def test_state_rules_checked_date_and_source_link(client):
    practitioner = searchable_practitioner(slug="tulsa", zip_code="74103", nccaom=True)
    board = StateBoard.objects.get(state="OK")
    text = page_text(client, practitioner)
    assert f"State rules checked on {date_format(board.checked_on, 'N j, Y')}" in text
    assert f'<a href="{board.source_url}" rel="noopener">source</a>' in text


def test_two_state_listing_shows_a_badge_per_state_covered_and_says_which(client):
    practitioner = searchable_practitioner(slug="two", zip_code="94110", verified=True)  # CA, licensed there
    location_at_zip(practitioner, "10001")  # New York: no license on file
    location_at_zip(practitioner, "74103")  # Oklahoma: no NCCAOM certification on file
    text = page_text(client, practitioner)
    assert badges(text) == ["Verified license, California"]
    assert "States covered by a Meridian check: California. Not covered: New York, Oklahoma." in text
    LicenseFactory(practitioner=practitioner, state_id="NY")
    CertificationFactory(practitioner=practitioner)
    text = page_text(client, practitioner)
    assert badges(text) == ["Verified license, California", "Verified license, New York", "NCCAOM certified"]
    assert "States covered by a Meridian check: California, New York, Oklahoma." in text
    assert OKLAHOMA_EXPLANATION in text


def test_registration_is_worded_as_a_registration(client):
    StateBoard.objects.filter(state="CA").update(regulation="registration")  # as if California only registered
    practitioner = searchable_practitioner(slug="reg", zip_code="94110", verified=True)
    lic = practitioner.licenses.get()
    text = page_text(client, practitioner)
    assert badges(text) == ["Verified registration, California"]
    assert "Verified license" not in text
    assert f"registration #{lic.number}" in text
    assert "verified registration. Meridian staff checked a current state registration (not a license" in text


def test_number_in_a_no_licensure_state_is_not_called_a_license(client):
    practitioner = searchable_practitioner(slug="tulsa", zip_code="74103", nccaom=True)
    LicenseFactory(practitioner=practitioner, state_id="OK", number="OK123", expiry_date=datetime.date(2030, 1, 1))
    text = page_text(client, practitioner)
    assert "number #OK123 (Oklahoma issues no acupuncture license, so this is not one)" in text
    assert badges(text) == ["NCCAOM certified"]


def test_structured_data_names_a_registration_and_skips_non_credentials(client):
    StateBoard.objects.filter(state="CA").update(regulation="registration")
    practitioner = searchable_practitioner(slug="reg", zip_code="94110", verified=True)
    LicenseFactory(practitioner=practitioner, state_id="OK")
    text = page_text(client, practitioner)
    data = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', text, re.S).group(1))
    assert [c["credentialCategory"] for c in data["hasCredential"]] == ["registration"]


def test_guide_names_the_states_without_licensure_from_the_data(client):
    text = html.unescape(client.get("/guide/").content.decode())
    assert "Alabama, Oklahoma and South Dakota do not license acupuncturists at all." in re.sub(r"\s+", " ", text)
    StateBoard.objects.filter(state="AL").update(
        regulation="license", licensed_titles=["L.Ac."], renewal_cycle_years=2, exam="nccaom"
    )
    text = html.unescape(client.get("/guide/").content.decode())
    assert "Oklahoma and South Dakota do not license acupuncturists at all." in re.sub(r"\s+", " ", text)


def test_badge_legend_explains_the_verified_filter_in_states_without_licensure(client):
    for url in ("/", "/practitioners/"):
        text = html.unescape(client.get(url).content.decode())
        assert "guide/#states-without-license" in text, url
    search = re.sub(r"\s+", " ", html.unescape(client.get("/practitioners/").content.decode()))
    assert "“Verified license” counts licenses only." in search
