"""The pages: the profile's request button, the form with every field's message, both sides of the
thread, a stale second tab, the notices' content, and nothing of requests in the public APIs."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from contact import services
from contact.models import ContactMessage, ContactRequest
from practitioners.models import InsuranceCarrier
from reviews.services import review_publish
from tests.factories import (
    PractitionerFactory,
    ReviewerFactory,
    ReviewFactory,
    UserFactory,
    VerifiedUserFactory,
    condition,
    contact_request,
    owned_listing,
)

pytestmark = pytest.mark.django_db
SECRET_MESSAGE = "My sciatica flares when I sit; I take gabapentin."


@pytest.fixture
def listing():
    listing = owned_listing(phone="(415) 555-0100")
    listing.conditions.add(condition(), condition("sciatica"))
    listing.owner.email = "private.owner@clinic.example"
    listing.owner.save()
    return listing


@pytest.fixture
def patient(client):
    user = VerifiedUserFactory(email="patient@example.com")
    client.force_login(user)
    return user


def form_data(**fields) -> dict:
    data = {
        "condition": str(condition("sciatica").pk),
        "patient_status": "new",
        "preferred_days": ["1", "4"],
        "preferred_times": ["2"],
        "insurance": "self",
        "channel": "email",
        "phone": "",
        "message": SECRET_MESSAGE,
        "website": "",
    }
    return {**data, **fields}


# ---------------------------------------------------------------- profile


def test_the_profile_offers_the_request_and_an_unclaimed_one_its_phone(client, listing, patient):
    html = client.get(listing.get_absolute_url()).text
    assert reverse("contact:new", kwargs={"slug": listing.slug}) in html
    unclaimed = PractitionerFactory(owner=None, phone="(415) 555-0199")
    html = client.get(unclaimed.get_absolute_url()).text
    assert "Online requests start once the practitioner claims this listing." in html
    assert 'href="tel:+14155550199"' in html  # the summary card's Call button
    assert reverse("contact:new", kwargs={"slug": unclaimed.slug}) not in html


def test_the_profile_shows_response_figures_from_five_requests(client, settings, listing):
    settings.CONTACT_STATS_MIN_REQUESTS = 5
    for n in range(5):
        request = contact_request(listing, VerifiedUserFactory())
        if n < 4:
            services.contact_request_act(request=request, actor=listing.owner, action="message", text="Yes")
    html = client.get(listing.get_absolute_url()).text
    assert "Usually answers requests within an hour" in html
    assert "answered 80% of 5 requests in the last 90 days" in html
    ContactRequest.objects.first().delete()
    assert "Usually answers" not in client.get(listing.get_absolute_url()).text


def test_a_review_carries_confirmed_visit_only_after_the_practitioner_confirmed(client, listing):
    confirmed, other = VerifiedUserFactory(), VerifiedUserFactory()
    moderator = ReviewerFactory()
    for author in (confirmed, other):
        review_publish(review=ReviewFactory(practitioner=listing, author=author, state="pending"), moderator=moderator)
    request = contact_request(listing, confirmed)
    services.contact_request_act(request=request, actor=listing.owner, action="message", text="Tuesday?")
    html = client.get(listing.get_absolute_url()).text
    assert "Confirmed visit:" not in html and html.count("Visit not confirmed") == 2
    services.contact_request_act(request=request, actor=listing.owner, action="visit")
    html = client.get(listing.get_absolute_url()).text
    assert html.count("Confirmed visit:") == 1 and html.count("Visit not confirmed") == 1


def test_a_visit_confirmed_by_another_listing_does_not_mark_reviews_here(client, listing):
    patient, moderator = VerifiedUserFactory(), ReviewerFactory()
    elsewhere = owned_listing()
    review_publish(review=ReviewFactory(practitioner=listing, author=patient, state="pending"), moderator=moderator)
    request = contact_request(elsewhere, patient)
    services.contact_request_act(request=request, actor=elsewhere.owner, action="message", text="Tuesday?")
    services.contact_request_act(request=request, actor=elsewhere.owner, action="visit")
    html = client.get(listing.get_absolute_url()).text
    assert "Confirmed visit:" not in html and html.count("Visit not confirmed") == 1


# ---------------------------------------------------------------- the form


def test_a_patient_sends_a_request_and_the_practitioner_gets_a_link_only(
    client, listing, patient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contact:new", kwargs={"slug": listing.slug}), form_data())
    request = ContactRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "contact:my_thread", kwargs={"pk": request.pk}
    )
    assert (request.preferred_days, request.preferred_times, request.insurance) == (1 | 4, 2, None)
    (notice,) = mail.outbox
    assert notice.to == ["private.owner@clinic.example"]
    assert notice.subject == "You have a new request on Meridian"
    assert f"/dashboard/requests/{request.pk}/" in notice.body
    for secret in ("sciatica", "Sciatica", "gabapentin", "patient@example.com", patient.display_name, listing.name):
        assert secret not in notice.body and secret not in notice.subject


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"condition": ""}, "condition", "Choose what you would like help with."),
        ({"condition": "999999"}, "condition", "Choose one of the conditions this practitioner treats"),
        ({"patient_status": "vip"}, "patient_status", "new or a returning patient"),
        ({"preferred_days": []}, "preferred_days", "Tick at least one day"),
        ({"preferred_days": ["3"]}, "preferred_days", "Tick days from the list."),
        ({"preferred_times": []}, "preferred_times", "Tick at least one time of day"),
        ({"insurance": "12345"}, "insurance", "Choose one of the insurers this practitioner takes"),
        ({"channel": "fax"}, "channel", "Choose email or phone."),
        ({"channel": "phone"}, "phone", "Give a phone number, or choose email."),
        ({"channel": "phone", "phone": "call me maybe"}, "phone", "Enter a phone number with digits"),
        ({"message": ""}, "message", "Write a message."),
        ({"message": "x" * 1001}, "message", "Keep your message to 1000 characters (it has 1001)."),
    ],
)
def test_every_field_says_what_is_wrong_and_nothing_is_sent(client, listing, patient, fields, field, message):
    response = client.post(reverse("contact:new", kwargs={"slug": listing.slug}), form_data(**fields))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not ContactRequest.objects.exists()


def test_the_honeypot_refuses_bots(client, listing, patient):
    response = client.post(reverse("contact:new", kwargs={"slug": listing.slug}), form_data(website="http://spam"))
    assert response.status_code == 400 and "looks automated" in response.text
    assert not ContactRequest.objects.exists()


def test_the_insurance_choices_are_the_listings_carriers(client, listing, patient):
    carrier = InsuranceCarrier.objects.first()
    listing.insurance_carriers.add(carrier)
    response = client.post(
        reverse("contact:new", kwargs={"slug": listing.slug}), form_data(insurance=str(carrier.pk), condition="other")
    )
    assert response.status_code == 302
    assert ContactRequest.objects.values_list("insurance", "condition").get() == (carrier.pk, None)


def test_the_rate_limit_message_is_shown_beside_the_form(client, settings, patient):
    settings.CONTACT_REQUESTS_PER_PATIENT_PER_DAY = 1
    contact_request(owned_listing(), patient)
    other = owned_listing()
    other.conditions.add(condition("sciatica"))
    response = client.post(reverse("contact:new", kwargs={"slug": other.slug}), form_data())
    assert response.status_code == 400 and "at most 1 requests in 24 hours" in response.text


def test_a_blocked_patient_is_told_to_call(client, listing, patient):
    services.contact_patient_block(request=contact_request(listing, patient), actor=listing.owner)
    response = client.get(reverse("contact:new", kwargs={"slug": listing.slug}))
    assert response.status_code == 403 and "Call the practice instead" in response.text


# ---------------------------------------------------------------- the thread


def test_both_sides_see_one_thread_and_contact_details_follow_the_channel(client, listing, patient):
    request = contact_request(listing, patient, channel="phone", phone="(415) 555-0142")
    services.contact_request_act(request=request, actor=listing.owner, action="message", text="Call you Monday.")
    html = client.get(reverse("contact:my_thread", kwargs={"pk": request.pk})).text
    assert "Call you Monday." in html and "I have had neck pain" in html
    assert "private.owner@clinic.example" not in html
    client.force_login(listing.owner)
    html = client.get(reverse("contact:inbox_thread", kwargs={"pk": request.pk})).text
    assert "Call you Monday." in html and "(415) 555-0142" in html and patient.email not in html
    email_request = contact_request(owned_listing(), VerifiedUserFactory(email="shares.email@example.com"))
    client.force_login(email_request.practitioner.owner)
    html = client.get(reverse("contact:inbox_thread", kwargs={"pk": email_request.pk})).text
    assert "shares.email@example.com" in html


def test_the_practitioner_answers_proposes_and_confirms_from_the_dashboard(
    client, listing, patient, django_capture_on_commit_callbacks
):
    request = contact_request(listing, patient)
    client.force_login(listing.owner)
    url = reverse("contact:inbox_thread", kwargs={"pk": request.pk})
    when = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "propose", "proposed_time": when, "text": "Thursday?", "state": "sent"})
    assert response.status_code == 302
    (notice,) = mail.outbox
    assert notice.to == [patient.email] and f"/accounts/requests/{request.pk}/" in notice.body
    assert "Thursday" not in notice.body
    client.post(url, {"action": "visit", "state": "answered"})
    request.refresh_from_db()
    assert request.state == "confirmed"
    assert (
        reverse("contact:inbox_thread", kwargs={"pk": request.pk})
        in client.get(reverse("contact:inbox") + "?show=ended").text
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"action": "message", "text": ""}, "text", "Write a message."),
        ({"action": "propose", "proposed_time": ""}, "proposed_time", "Give the date and time you propose."),
        ({"action": "propose", "proposed_time": "tomorrow-ish"}, "proposed_time", "Enter a date and time"),
        ({"action": "propose", "proposed_time": "2001-01-01T10:00"}, "proposed_time", "Propose a time in the future."),
        ({"action": "decline", "decline_reason": ""}, "decline_reason", "Choose a reason for declining."),
        ({"action": "decline", "decline_reason": "bored"}, "decline_reason", "Choose a reason from the list."),
        ({"action": "teleport"}, "action", "Choose an action from the list."),
        ({"action": "visit", "state": "sent"}, None, "before you have answered it"),
    ],
)
def test_each_answer_field_says_what_is_wrong(client, listing, patient, data, field, message):
    request = contact_request(listing, patient)
    client.force_login(listing.owner)
    response = client.post(reverse("contact:inbox_thread", kwargs={"pk": request.pk}), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors[field] if field else errors["__all__"])
    assert ContactMessage.objects.filter(request=request).count() == 1


def test_a_stale_form_from_a_second_tab_is_refused_with_a_message(client, listing, patient):
    request = contact_request(listing, patient)
    client.force_login(listing.owner)
    url = reverse("contact:inbox_thread", kwargs={"pk": request.pk})
    assert client.post(url, {"action": "decline", "decline_reason": "no_times", "state": "sent"}).status_code == 302
    response = client.post(url, {"action": "message", "text": "Tuesday at 10?", "state": "sent"})
    assert response.status_code == 400
    assert "it is now “Declined”" in response.text
    assert not ContactMessage.objects.filter(text="Tuesday at 10?").exists()
    # The patient's stale close after the decline is refused too, with a message, not a 500.
    client.force_login(patient)
    response = client.post(reverse("contact:my_close", kwargs={"pk": request.pk}), {"state": "sent"}, follow=True)
    assert "it is now “Declined”" in response.text


def test_the_patient_writes_closes_and_deletes(client, listing, patient):
    request = contact_request(listing, patient)
    thread = reverse("contact:my_thread", kwargs={"pk": request.pk})
    assert client.post(thread, {"text": "Also Saturdays.", "state": "sent"}).status_code == 302
    assert client.post(reverse("contact:my_close", kwargs={"pk": request.pk}), {"state": "sent"}).status_code == 302
    request.refresh_from_db()
    assert request.state == "closed" and request.closed_by == "patient"
    assert client.post(reverse("contact:my_delete", kwargs={"pk": request.pk})).status_code == 302
    assert not ContactRequest.objects.exists()


def test_block_and_report_from_the_thread(client, listing, patient):
    request = contact_request(listing, patient)
    client.force_login(listing.owner)
    client.post(reverse("contact:inbox_report", kwargs={"pk": request.pk}))
    again = client.post(reverse("contact:inbox_report", kwargs={"pk": request.pk}), follow=True)
    assert "already reported" in again.text
    assert "You have blocked this patient" in again.text


def test_an_unknown_inbox_filter_says_so(client, listing):
    client.force_login(listing.owner)
    response = client.get(reverse("contact:inbox") + "?show=<script>")
    assert response.status_code == 400 and "is not a list of requests" in response.text


# ---------------------------------------------------------------- the public APIs


def test_nothing_of_requests_is_in_the_api_or_fhir(client, listing, patient):
    request = contact_request(listing, patient, message="Unique-marker-7f3a in the message")
    services.contact_request_act(request=request, actor=listing.owner, action="message", text="Reply-marker-19c2")
    services.contact_request_act(request=request, actor=listing.owner, action="visit")
    bodies = [
        client.get(reverse("api:practitioner-detail", kwargs={"slug": listing.slug})).text,
        client.get(reverse("api:practitioner-list")).text,
        client.get(reverse("api:schema")).text,
        client.get(f"/fhir/Practitioner/{listing.slug}").text,
        client.get("/fhir/Practitioner").text,
        client.get("/fhir/metadata").text,
    ]
    for body in bodies:
        for marker in ("Unique-marker-7f3a", "Reply-marker-19c2", "contact", "confirmed_visit", "response_rate"):
            assert marker not in body


def test_staff_see_spam_reports_in_the_admin_but_not_requests_they_are_party_to(client, listing, patient):
    services.contact_request_report_spam(
        request=contact_request(listing, patient, message="Cheap pills"), actor=listing.owner
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "Cheap pills" in client.get(reverse("admin:contact_spamreport_changelist")).text
