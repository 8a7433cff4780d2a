"""Practice locations: add, edit, remove, opening hours, coordinates from the ZIP, the state warning."""

import datetime

import pytest
from django.urls import reverse

from practitioners.models import OpeningHours, PracticeLocation
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

ADD = reverse("dashboard:location_add")


def location_data(**overrides) -> dict:
    data = {
        "loc-name": "Sunset Acupuncture",
        "loc-street": "1200 Irving St",
        "loc-city": "San Francisco",
        "loc-state": "CA",
        "loc-zip_code": "94122",
        "loc-phone": "415-555-0199",
        "loc-wheelchair_accessible": "on",
        "hours-opens_0": "09:00",
        "hours-closes_0": "17:00",
        "hours-opens_5": "10:00",
        "hours-closes_5": "14:00",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def rows() -> tuple:
    return (
        list(PracticeLocation.objects.order_by("pk").values()),
        list(OpeningHours.objects.order_by("pk").values()),
    )


def test_add_location_fills_coordinates_from_the_zip_and_saves_hours(owner_client, listing):
    response = owner_client.post(ADD, location_data())
    assert response.status_code == 302
    location = listing.locations.get(name="Sunset Acupuncture")
    assert location.latitude == pytest.approx(37.76, abs=0.05)
    assert location.longitude == pytest.approx(-122.48, abs=0.05)
    assert location.is_primary is False  # the listing already has a main location
    hours = [(h.weekday, h.opens, h.closes) for h in location.hours.all()]
    assert hours == [(0, datetime.time(9), datetime.time(17)), (5, datetime.time(10), datetime.time(14))]
    listing.refresh_from_db()
    assert "Sunset Acupuncture" in listing.search_document


def test_location_in_a_state_without_a_license_is_saved_with_a_warning(owner_client, listing):
    response = owner_client.post(
        ADD, location_data(**{"loc-city": "Portland", "loc-state": "OR", "loc-zip_code": "97201"}), follow=True
    )
    assert listing.locations.filter(state_id="OR").exists()
    assert "You hold no license in OR" in response.text
    assert "You hold no license in OR" in owner_client.get(reverse("dashboard:home")).text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"loc-zip_code": "00000"}, "zip_code", "is not a US ZIP code we know"),
        ({"loc-zip_code": "9412"}, "zip_code", "Enter a 5-digit ZIP code."),
        ({"loc-zip_code": "abcde"}, "zip_code", "Enter a 5-digit ZIP code."),
        ({"loc-zip_code": "10001"}, "zip_code", "ZIP 10001 is in NY, not CA."),
        ({"loc-state": "XX"}, "state", "Select a valid choice."),
        ({"loc-city": ""}, "city", "This field is required."),
        ({"loc-phone": "<script>"}, "phone", "Enter a phone number"),
        ({"hours-closes_0": ""}, "closes_0", "Give both times for Monday"),
        ({"hours-closes_0": "08:00"}, "closes_0", "closing time must be after the opening time"),
        ({"hours-opens_0": "25:99"}, "opens_0", "Enter a valid time."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(owner_client, listing, overrides, field, message):
    before = rows()
    response = owner_client.post(ADD, location_data(**overrides))
    assert response.status_code == 200
    assert message in response.text
    assert "Nothing was saved." in response.text
    form = response.context["form"] if field in response.context["form"].fields else response.context["hours_form"]
    assert field in form.errors
    assert rows() == before


def test_edit_location_and_hours(owner_client, listing):
    location = listing.locations.get()
    OpeningHours.objects.create(location=location, weekday=1, opens="08:00", closes="12:00")
    OpeningHours.objects.create(location=location, weekday=2, opens="08:00", closes="12:00")
    url = reverse("dashboard:location_edit", args=[location.pk])
    page = owner_client.get(url).text
    assert 'value="08:00"' in page
    response = owner_client.post(
        url,
        location_data(
            **{"loc-name": "Renamed", "loc-is_primary": "on", "hours-opens_1": "08:00", "hours-closes_1": "13:00"}
        ),
    )
    assert response.status_code == 302
    location.refresh_from_db()
    assert location.name == "Renamed"
    assert [(h.weekday, h.closes) for h in location.hours.all()] == [
        (0, datetime.time(17)),
        (1, datetime.time(13)),
        (5, datetime.time(14)),
    ]


def test_a_new_main_location_takes_over_from_the_old_one(owner_client, listing):
    old = listing.locations.get()
    owner_client.post(ADD, location_data(**{"loc-is_primary": "on"}))
    new = listing.locations.get(name="Sunset Acupuncture")
    old.refresh_from_db()
    assert (new.is_primary, old.is_primary) == (True, False)


def test_remove_location_asks_first_then_deletes_on_post(owner_client, listing):
    second = LocationFactory(practitioner=listing, name="Second")
    main = listing.locations.get(is_primary=True)
    url = reverse("dashboard:location_delete", args=[main.pk])
    assert "Remove" in owner_client.get(url).text
    assert listing.locations.count() == 2
    assert owner_client.post(url).status_code == 302
    assert list(listing.locations.all()) == [second]
    second.refresh_from_db()
    assert second.is_primary  # someone has to be the main location


def test_the_first_location_of_a_listing_becomes_the_main_one(owner_client, listing):
    listing.locations.all().delete()
    owner_client.post(ADD, location_data())
    assert listing.locations.get().is_primary


def _loaded(page: str) -> str:
    import re

    return re.search(r'name="loc-loaded" value="([0-9a-f]{64})"', page).group(1)


@pytest.mark.parametrize(
    "elsewhere",
    [
        {"loc-name": "Renamed in the other tab"},
        {"loc-phone": "415-555-0000"},
        {"hours-opens_3": "07:00", "hours-closes_3": "09:00"},  # only the opening hours changed
    ],
)
def test_an_edit_saved_in_another_tab_is_not_overwritten_silently(owner_client, listing, elsewhere):
    location = listing.locations.get()
    url = reverse("dashboard:location_edit", args=[location.pk])
    assert owner_client.post(url, location_data()).status_code == 302  # both tabs start from these values
    first_tab = _loaded(owner_client.get(url).text)
    second_tab = _loaded(owner_client.get(url).text)
    assert first_tab == second_tab
    assert owner_client.post(url, location_data(**{"loc-loaded": second_tab, **elsewhere})).status_code == 302
    saved = rows()

    mine = location_data(**{"loc-name": "Mine", "loc-loaded": first_tab})
    response = owner_client.post(url, mine)
    assert response.status_code == 409
    assert "changed in another tab or on another device" in response.text
    assert "Saved in the meantime" in response.text
    assert rows() == saved  # nothing of this edit was written
    assert 'value="Mine"' in response.text  # the edit is kept in the form

    # Saving again (the form now carries the new fingerprint) is a deliberate choice: it goes through.
    again = owner_client.post(url, {**mine, "loc-loaded": _loaded(response.text)})
    assert again.status_code == 302
    location.refresh_from_db()
    assert location.name == "Mine"


def test_an_edit_without_or_with_a_forged_fingerprint(owner_client, listing):
    location = listing.locations.get()
    url = reverse("dashboard:location_edit", args=[location.pk])
    forged = owner_client.post(url, location_data(**{"loc-loaded": "x" * 64}))
    assert forged.status_code == 409 and "changed in another tab" in forged.text
    too_long = owner_client.post(url, location_data(**{"loc-loaded": "f" * 65}))
    assert too_long.status_code == 200 and "loaded" in too_long.context["form"].errors
    assert owner_client.post(url, location_data(**{"loc-name": "No fingerprint"})).status_code == 302
    location.refresh_from_db()
    assert location.name == "No fingerprint"
