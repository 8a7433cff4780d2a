"""What a result card says (issue 13): the license state in words on every card (the one trust
definition), accepted carriers with the filtered one first, the outcome line for a condition
search, the stale label, and how to act (call, profile)."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from practitioners.models import Practitioner, StateBoard
from tests.factories import (
    CertificationFactory,
    LicenseFactory,
    ReviewFactory,
    location_at_zip,
    refresh_search_row,
    searchable_practitioner,
)

pytestmark = pytest.mark.django_db

URL = reverse("practitioners:list")


def card_of(response, slug: str) -> str:
    """The text of one result card, tags removed and whitespace collapsed."""
    page = response.content.decode()
    for card in re.findall(r'<article class="card">(.*?)</article>', page, re.S):
        if f"/practitioners/{slug}/" in card:
            return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", card)).split())
    raise AssertionError(f"no card for {slug}")


def test_every_card_states_the_license_in_words(client):
    verified = searchable_practitioner(slug="verified", verified=True)
    Practitioner.objects.get(pk=verified.pk).licenses.update(
        verified_at=datetime.datetime(2026, 5, 4, tzinfo=datetime.UTC)
    )
    searchable_practitioner(slug="unchecked")
    expired = searchable_practitioner(slug="expired")
    LicenseFactory(
        practitioner=expired,
        state=expired.locations.get().state,
        issue_date=datetime.date(2015, 1, 1),
        expiry_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    pending = searchable_practitioner(slug="pending")
    LicenseFactory(
        practitioner=pending, state=pending.locations.get().state, verification_state="pending", verified_at=None
    )
    response = client.get(URL)
    assert "License verified by Meridian, May 2026" in card_of(response, "verified")
    assert "License not yet checked by Meridian" in card_of(response, "unchecked")
    assert "License expired" in card_of(response, "expired")
    assert "License not yet checked by Meridian" in card_of(response, "pending")  # submitted, not yet decided


MAY_2026 = datetime.datetime(2026, 5, 4, tzinfo=datetime.UTC)


def test_cards_in_a_registration_state_say_registration(client):
    """A state that registers rather than licenses (none does in today's reference data, so Oregon
    is made one here): the card names a registration, never a license."""
    StateBoard.objects.filter(state="OR").update(regulation="registration")
    oregon = StateBoard.objects.get(state="OR")
    registered = searchable_practitioner(slug="registered", zip_code="97201")
    LicenseFactory(practitioner=registered, state=oregon, verified_at=MAY_2026)
    lapsed = searchable_practitioner(slug="lapsed", zip_code="97201")
    LicenseFactory(
        practitioner=lapsed,
        state=oregon,
        issue_date=datetime.date(2015, 1, 1),
        expiry_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    searchable_practitioner(slug="unregistered", zip_code="97201")
    response = client.get(URL)
    assert (
        "State registration verified by Meridian, May 2026 (Oregon registers acupuncturists rather than licensing them)"
        in card_of(response, "registered")
    )
    assert "Registration expired" in card_of(response, "lapsed")
    assert "Registration not yet checked by Meridian" in card_of(response, "unregistered")
    for slug in ("registered", "lapsed", "unregistered"):
        assert "License" not in card_of(response, slug), slug


def test_cards_in_a_state_without_licensure_name_the_state_and_the_nccaom_check(client):
    """Alabama neither licenses nor registers acupuncturists (fixtures/reference/state_boards.json):
    its listings are published on a checked NCCAOM certification, and the card says so."""
    certified = searchable_practitioner(slug="certified", zip_code="35203")
    CertificationFactory(practitioner=certified, verified_at=MAY_2026)
    searchable_practitioner(slug="uncertified", zip_code="35203")
    # A license in a licensing state elsewhere does not count where the listing practises.
    elsewhere = searchable_practitioner(slug="elsewhere", zip_code="35203")
    LicenseFactory(practitioner=elsewhere, state=StateBoard.objects.get(state="CA"), verified_at=MAY_2026)
    CertificationFactory(practitioner=elsewhere, verified_at=MAY_2026)
    response = client.get(URL)
    assert (
        "Alabama does not license or register acupuncturists; NCCAOM national certification verified by Meridian,"
        " May 2026" in card_of(response, "certified")
    )
    assert (
        "Alabama does not license or register acupuncturists; no current NCCAOM national certification checked"
        " by Meridian" in card_of(response, "uncertified")
    )
    assert "Alabama does not license or register acupuncturists; NCCAOM national certification verified" in card_of(
        response, "elsewhere"
    )
    for slug in ("certified", "uncertified", "elsewhere"):
        assert "License" not in card_of(response, slug), slug


def test_a_listing_licensed_in_one_state_and_practising_in_another_without_licensure_shows_the_license(client):
    mixed = searchable_practitioner(slug="mixed", zip_code="94110", verified=True)
    Practitioner.objects.get(pk=mixed.pk).licenses.update(verified_at=MAY_2026)
    location_at_zip(mixed, "35203")
    assert "License verified by Meridian, May 2026" in card_of(client.get(URL), "mixed")


def test_cards_name_accepted_carriers_with_the_filtered_one_first(client):
    searchable_practitioner(slug="insured", insurance=("aetna", "blue-cross-blue-shield", "cigna"))
    searchable_practitioner(slug="self-pay")
    assert "Accepts Aetna, Blue Cross Blue Shield and 1 more insurer" in card_of(client.get(URL), "insured")
    assert "Accepts Cigna, Aetna and 1 more insurer" in card_of(client.get(URL, {"insurance": "cigna"}), "insured")
    assert "No insurance listed (self-pay)" in card_of(client.get(URL), "self-pay")


def test_insurance_filter_empty_choice_says_any(client):
    page = client.get(URL).content.decode()
    select = re.search(r'<select id="f-insurance".*?</select>', page, re.S).group(0)
    assert '<option value="">Any</option>' in select


def publish_reviews(practitioner, n: int, *, condition: str = "chronic-low-back-pain", **fields) -> None:
    from practitioners.models import Condition

    for _ in range(n):
        ReviewFactory(
            practitioner=practitioner, state="published", condition=Condition.objects.get(slug=condition), **fields
        )


def test_condition_search_cards_show_that_conditions_outcomes(client):
    many = searchable_practitioner(slug="many", conditions=("chronic-low-back-pain",))
    publish_reviews(many, 3, pain_before=8, pain_after=3, sessions=6)
    publish_reviews(many, 2, condition="neck-pain", pain_before=9, pain_after=9)  # another condition: not counted
    few = searchable_practitioner(slug="few", conditions=("chronic-low-back-pain",))
    publish_reviews(few, 2)
    searchable_practitioner(slug="none", conditions=("chronic-low-back-pain",))
    response = client.get(URL, {"condition": "chronic-low-back-pain"})
    assert "Chronic low back pain: 3 patient reports, median pain 8 → 3 (0–10), median 6 sessions" in card_of(
        response, "many"
    )
    assert "Chronic low back pain: 2 patient reports so far (figures are shown from 3)" in card_of(response, "few")
    assert "Chronic low back pain: no patient outcome reports yet" in card_of(response, "none")
    assert "patient report" not in card_of(client.get(URL), "many")  # no condition filter: no outcome line


def test_stale_cards_say_so_and_fresh_ones_do_not(client):
    stale = searchable_practitioner(slug="stale")
    Practitioner.objects.filter(pk=stale.pk).update(last_confirmed_at=timezone.now() - datetime.timedelta(days=400))
    fresh = searchable_practitioner(slug="fresh")
    Practitioner.objects.filter(pk=fresh.pk).update(last_confirmed_at=timezone.now() - datetime.timedelta(days=3))
    refresh_search_row(stale.pk)
    refresh_search_row(fresh.pk)
    response = client.get(URL)
    assert "Last confirmed by the practitioner 13 months ago" in card_of(response, "stale")
    assert "Last confirmed" not in card_of(response, "fresh")


def test_cards_offer_a_call_link_and_the_profile(client):
    searchable_practitioner(slug="callable", phone="(512) 555-0100")
    response = client.get(URL)
    page = response.content.decode()
    assert 'href="tel:+15125550100"' in page
    assert "Call (512) 555-0100" in card_of(response, "callable")
    assert "View profile" in card_of(response, "callable")


def test_after_a_search_by_place_the_profile_links_carry_it(client):
    searchable_practitioner(slug="near", zip_code="10001")
    page = client.get(URL, {"location": "New York, NY"}).content.decode()
    card = re.search(r'<article class="card">.*?</article>', page, re.S).group(0)
    assert card.count('href="/practitioners/near/?location=New+York%2C+NY"') == 2  # the name and "View profile"
    plain = client.get(URL).content.decode()
    assert 'href="/practitioners/near/"' in plain and "?location=" not in plain
