"""Issue 11, item 8: two tabs edit the same listing. The second save must not silently restore a
field the first tab changed; a field changed differently in both is shown with both values and
the practitioner chooses."""

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from dashboard.forms import ListingForm
from practitioners.models import Condition, Practitioner
from practitioners.services import ListingEditConflict, listing_snapshot, listing_update

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:listing_edit")


def open_tab(listing: Practitioner) -> dict:
    """The POST a browser tab would send back unchanged: the form as loaded now."""
    form = ListingForm(instance=Practitioner.objects.get(pk=listing.pk))
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [getattr(item, "pk", item) for item in value]
        else:
            data[name] = "" if value is None else value
    return data


def fresh(listing: Practitioner) -> Practitioner:
    return Practitioner.objects.get(pk=listing.pk)


# ---------------------------------------------------------------- service


def test_a_field_changed_elsewhere_and_untouched_here_keeps_the_saved_value(listing, owner):
    loaded = listing_snapshot(fresh(listing))
    as_loaded = fresh(listing).first_visit_fee
    listing_update(practitioner=listing, actor=owner, changes={"first_visit_fee": Decimal("150")})  # tab A
    # Tab B sends the fee as it was loaded, and a new bio.
    listing_update(
        practitioner=listing, actor=owner, changes={"first_visit_fee": as_loaded, "bio": "New bio"}, loaded=loaded
    )
    saved = fresh(listing)
    assert (saved.first_visit_fee, saved.bio) == (Decimal("150.00"), "New bio")


def test_a_field_changed_differently_in_both_is_a_conflict_and_nothing_is_written(listing, owner):
    loaded = listing_snapshot(fresh(listing))
    listing_update(practitioner=listing, actor=owner, changes={"first_visit_fee": Decimal("150")})
    with pytest.raises(ListingEditConflict) as conflict:
        listing_update(
            practitioner=listing,
            actor=owner,
            changes={"first_visit_fee": Decimal("99"), "bio": "Other bio"},
            loaded=loaded,
        )
    assert conflict.value.conflicts == {"first_visit_fee": ("99.00", "150.00")}
    assert isinstance(conflict.value, ValidationError)
    saved = fresh(listing)
    assert saved.first_visit_fee == Decimal("150.00") and saved.bio != "Other bio"


def test_the_same_change_in_both_tabs_is_no_conflict(listing, owner):
    loaded = listing_snapshot(fresh(listing))
    listing_update(practitioner=listing, actor=owner, changes={"first_visit_fee": Decimal("150")})
    listing_update(practitioner=listing, actor=owner, changes={"first_visit_fee": Decimal("150.0")}, loaded=loaded)
    assert fresh(listing).first_visit_fee == Decimal("150.00")


def test_many_to_many_fields_merge_too(listing, owner):
    neck, sciatica = Condition.objects.get(slug="neck-pain"), Condition.objects.get(slug="sciatica")
    listing.conditions.set([neck])
    loaded = listing_snapshot(fresh(listing))
    listing_update(practitioner=listing, actor=owner, changes={"conditions": [neck, sciatica]})  # tab A
    listing_update(practitioner=listing, actor=owner, changes={"conditions": [neck], "bio": "B"}, loaded=loaded)
    assert set(fresh(listing).conditions.all()) == {neck, sciatica}


# ---------------------------------------------------------------- view: two tabs


def test_the_second_tab_does_not_restore_the_first_tabs_field(owner_client, listing):
    tab_a, tab_b = open_tab(listing), open_tab(listing)
    assert owner_client.post(URL, {**tab_a, "first_visit_fee": "150"}).status_code == 302
    assert owner_client.post(URL, {**tab_b, "bio": "Written in tab B."}).status_code == 302
    saved = fresh(listing)
    assert (saved.first_visit_fee, saved.bio) == (Decimal("150.00"), "Written in tab B.")


def test_a_conflict_shows_both_values_and_keep_the_saved_one(owner_client, listing):
    tab_a, tab_b = open_tab(listing), open_tab(listing)
    owner_client.post(URL, {**tab_a, "first_visit_fee": "150"})
    response = owner_client.post(URL, {**tab_b, "first_visit_fee": "99", "bio": "Tab B bio."})
    assert response.status_code == 409
    assert "Changed in another tab" in response.text
    assert "Keep mine: 99.00" in response.text and "Keep the saved one: 150.00" in response.text
    assert fresh(listing).first_visit_fee == Decimal("150.00")  # nothing written yet
    # The re-rendered form carries the saved values as "loaded" and asks for a choice.
    again = {**open_tab_from(response), "resolve_first_visit_fee": "saved"}
    assert owner_client.post(URL, again).status_code == 302
    saved = fresh(listing)
    assert (saved.first_visit_fee, saved.bio) == (Decimal("150.00"), "Tab B bio.")


def test_a_conflict_resolved_with_keep_mine(owner_client, listing):
    tab_a, tab_b = open_tab(listing), open_tab(listing)
    owner_client.post(URL, {**tab_a, "first_visit_fee": "150"})
    response = owner_client.post(URL, {**tab_b, "first_visit_fee": "99"})
    assert owner_client.post(URL, {**open_tab_from(response), "resolve_first_visit_fee": "mine"}).status_code == 302
    assert fresh(listing).first_visit_fee == Decimal("99.00")


def test_a_conflict_needs_a_choice(owner_client, listing):
    tab_a, tab_b = open_tab(listing), open_tab(listing)
    owner_client.post(URL, {**tab_a, "first_visit_fee": "150"})
    response = owner_client.post(URL, {**tab_b, "first_visit_fee": "99"})
    unchosen = owner_client.post(URL, open_tab_from(response))
    assert unchosen.status_code == 400 and "Choose which value to keep" in unchosen.text
    assert fresh(listing).first_visit_fee == Decimal("150.00")


def test_an_altered_loaded_token_is_refused(owner_client, listing):
    data = open_tab(listing)
    response = owner_client.post(URL, {**data, "loaded": data["loaded"][:-2] + "xx", "bio": "Changed"})
    assert response.status_code == 200 and "Reload the page" in response.text
    assert fresh(listing).bio != "Changed"


def open_tab_from(response) -> dict:
    """The conflict page's form as posted back: the user's values and the new loaded token."""
    form = response.context["form"]
    data = {key: form.data.getlist(key) for key in form.data if key != "csrfmiddlewaretoken"}
    return {key: values if len(values) != 1 else values[0] for key, values in data.items()} | {
        "loaded": form.data["loaded"]
    }
