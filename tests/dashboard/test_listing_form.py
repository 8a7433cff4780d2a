"""Editing the listing: every field saves, bad input is refused beside its field with nothing saved,
posted fields outside the form are ignored, and editing a freshness fact reconfirms it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from practitioners.models import (
    ComplementaryService,
    Condition,
    InsuranceCarrier,
    Language,
    License,
    Practitioner,
    Technique,
)

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:listing_edit")


def valid_data(**overrides) -> dict:
    data = {
        "name": "Mei Chen",
        "display_credentials": "L.Ac., Dipl. Ac.",
        "gender": "female",
        "gender_self_description": "",
        "bio": "I treat neck and back pain.",
        "practice_started_year": "2010",
        "languages": [Language.objects.get(code="en").pk],
        "conditions": [Condition.objects.get(slug="neck-pain").pk],
        "techniques": [Technique.objects.first().pk],
        "services": [ComplementaryService.objects.first().pk],
        "accepting_new_patients": "on",
        "first_visit_fee": "120",
        "follow_up_fee": "90",
        "insurance_carriers": [],
        "first_session_text": "We talk first.",
        "course_of_treatment_text": "Six weekly sessions.",
        "phone": "(415) 555-0123",
        "website": "https://meichen.example",
        "contact_email": "mei@clinic.example",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def snapshot(listing: Practitioner) -> dict:
    row = Practitioner.objects.values().get(pk=listing.pk)
    row.pop("updated_at")
    row["conditions"] = set(listing.conditions.values_list("pk", flat=True))
    row["insurance"] = set(listing.insurance_carriers.values_list("pk", flat=True))
    return row


def test_the_form_shows_every_field_with_a_label(owner_client):
    page = owner_client.get(URL).text
    for label in [
        "Name",
        "Display credentials",
        "Gender",
        "About you",
        "Year you started practising",
        "Languages you treat patients in",
        "Conditions you treat",
        "Techniques you use",
        "Complementary services",
        "Accepting new patients",
        "First visit fee",
        "Follow-up visit fee",
        "Sliding scale",
        "Payment plans",
        "Insurance accepted",
        "Enrolled with Medicare",
        "What a first session is like",
        "A typical course of treatment",
        "Phone",
        "Website",
        "Contact email (kept private)",
    ]:
        assert label in page, label
    for field in ("owner", "status", "slug", "verification_state", "last_confirmed_at", "npi"):
        assert f'name="{field}"' not in page


def test_saving_every_field(owner_client, listing):
    carrier = InsuranceCarrier.objects.first()
    response = owner_client.post(
        URL,
        valid_data(
            name="Mei Chen-Li",
            sliding_scale="on",
            payment_plans="on",
            medicare_enrolled="on",
            insurance_carriers=[carrier.pk],
            gender="self",
            gender_self_description="Two-spirit",
        ),
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.name == "Mei Chen-Li"
    assert listing.display_credentials == "L.Ac., Dipl. Ac."
    assert (listing.gender, listing.gender_self_description) == ("self", "Two-spirit")
    assert listing.practice_started_year == 2010
    assert (listing.first_visit_fee, listing.follow_up_fee) == (Decimal("120.00"), Decimal("90.00"))
    assert listing.sliding_scale and listing.payment_plans and listing.medicare_enrolled
    assert list(listing.insurance_carriers.all()) == [carrier]
    assert list(listing.conditions.values_list("slug", flat=True)) == ["neck-pain"]
    assert listing.languages.get().code == "en"
    assert listing.website == "https://meichen.example"
    assert listing.contact_email == "mei@clinic.example"
    assert "Mei Chen-Li" in listing.search_document and "Neck pain" in listing.search_document
    # The private contact email never reaches the profile.
    assert "mei@clinic.example" not in owner_client.get(listing.get_absolute_url()).text


def test_gender_description_is_cleared_unless_self_described(owner_client, listing):
    owner_client.post(URL, valid_data(gender="male", gender_self_description="ignored"))
    listing.refresh_from_db()
    assert listing.gender_self_description == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_visit_fee", "-10", "A fee cannot be negative."),
        ("follow_up_fee", "1e9", "Fees above $10,000 are not accepted."),
        ("first_visit_fee", "abc", "Enter an amount in dollars"),
        ("first_visit_fee", "NaN", "Enter an amount in dollars"),
        ("practice_started_year", str(datetime.date.today().year + 1), "cannot be in the future"),
        ("practice_started_year", "1850", "Enter a year from 1900 on."),
        ("website", "ftp://meichen.example", "starts with http:// or https://"),
        ("website", "javascript:alert(1)", "Enter a full website address"),
        ("bio", "x" * 100_000, "at most 5000 characters"),
        ("conditions", ["999999"], "Select a valid choice. 999999 is not one of the available choices."),
        ("conditions", ["neck"], "is not a valid value"),
        ("phone", "call me maybe", "Enter a phone number"),
        ("name", "", "This field is required."),
        ("gender", "robot", "Select a valid choice."),
        ("contact_email", "not-an-email", "Enter a valid email address."),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_saved(owner_client, listing, field, value, message):
    before = snapshot(listing)
    # Every other field changes too, so "nothing saved" also covers the valid fields of the same form.
    response = owner_client.post(URL, valid_data(**{"name": "Changed Name", field: value}))
    assert response.status_code == 200
    assert message in response.text
    assert "Nothing was saved." in response.text
    assert response.context["form"].errors.keys() == {field}
    assert snapshot(listing) == before


def test_the_form_keeps_what_was_typed_after_an_error(owner_client):
    response = owner_client.post(URL, valid_data(first_visit_fee="-10", bio="Kept text"))
    assert "Kept text" in response.text


def test_posted_fields_outside_the_form_are_ignored(owner_client, listing, intruder_listing):
    owner = listing.owner
    owner_client.post(
        URL,
        valid_data(
            owner=intruder_listing.owner.pk,
            status="suspended",
            slug="hijack",
            npi="9999999999",
            verification_state="verified",
            review_count="99",
            last_confirmed_at="2099-01-01T00:00",
            is_demo="on",
        ),
    )
    listing.refresh_from_db()
    assert (listing.owner, listing.status, listing.slug, listing.npi) == (owner, "published", "mei-chen", None)
    assert (listing.review_count, listing.is_demo) == (0, False)
    assert License.objects.filter(practitioner=listing, verification_state="verified").count() == 1


# ---------------------------------------------------------------- freshness through editing


def test_editing_a_fact_reconfirms_only_that_fact(owner_client, listing):
    long_ago = timezone.now() - datetime.timedelta(days=300)
    facts = ("new_patients_confirmed_at", "insurance_confirmed_at", "fees_confirmed_at", "phone_confirmed_at")
    Practitioner.objects.filter(pk=listing.pk).update(**dict.fromkeys((*facts, "last_confirmed_at"), long_ago))
    # The factory's listing: accepting, no insurance, no phone, fees 120/90. Only the fee changes here.
    owner_client.post(URL, valid_data(first_visit_fee="150", phone=""))
    listing.refresh_from_db()
    assert listing.fees_confirmed_at > long_ago
    assert (listing.new_patients_confirmed_at, listing.insurance_confirmed_at, listing.phone_confirmed_at) == (
        long_ago,
        long_ago,
        long_ago,
    )
    assert listing.last_confirmed_at == long_ago  # still the oldest of the four

    owner_client.post(
        URL,
        valid_data(
            first_visit_fee="150",
            phone="415 555 0100",
            accepting_new_patients=None,
            insurance_carriers=[InsuranceCarrier.objects.first().pk],
        ),
    )
    listing.refresh_from_db()
    assert all(getattr(listing, fact) > long_ago for fact in facts)
    assert listing.last_confirmed_at == min(getattr(listing, fact) for fact in facts)


def test_saving_without_changes_confirms_nothing(owner_client, listing):
    owner_client.post(URL, valid_data(phone="", first_visit_fee="120", follow_up_fee="90"))
    listing.refresh_from_db()
    assert listing.fees_confirmed_at is None and listing.phone_confirmed_at is None
