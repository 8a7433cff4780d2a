"""The review form's controls: star ratings and the 0–10 pain scale are radio groups (no JavaScript
needed), the practitioner's conditions come first, and every error is summarised at the top with a
link to its field as well as shown beside it."""

import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from practitioners.models import Condition
from tests.factories import PractitionerFactory, ReviewFactory, VerifiedUserFactory
from tests.reviews.test_permissions import review_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def practitioner():
    prac = PractitionerFactory(owner=VerifiedUserFactory())
    prac.conditions.set(Condition.objects.filter(slug__in=["sciatica", "neck-pain"]))
    return prac


@pytest.fixture
def patient(client):
    user = VerifiedUserFactory(display_name="Sam K.")
    client.force_login(user)
    return user


def form_page(client, practitioner, data=None) -> BeautifulSoup:
    url = reverse("reviews:create", kwargs={"slug": practitioner.slug})
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def group(soup: BeautifulSoup, legend: str):
    for fieldset in soup.select("form.review-form fieldset"):
        if fieldset.legend and fieldset.legend.get_text(strip=True).rstrip(":") == legend:
            return fieldset
    raise AssertionError(f"no radio group {legend!r}")


def radio_labels(fieldset) -> list[tuple[str, str]]:
    return [
        (radio["value"], label.get_text(" ", strip=True))
        for label in fieldset.find_all("label")
        for radio in label.find_all("input", type="radio")
    ]


def test_ratings_are_one_row_of_five_stars_read_from_one_to_five(client, patient, practitioner):
    soup = form_page(client, practitioner)
    for legend in ("Overall rating", "Bedside manner"):
        fieldset = group(soup, legend)
        assert fieldset.select_one(".star-rating")
        labels = radio_labels(fieldset)
        assert [value for value, _ in labels] == ["1", "2", "3", "4", "5"]
        assert labels[0][1] == "★ 1 star – poor" and labels[4][1] == "★ 5 stars – excellent"
        # The glyph is decoration; the words are what a screen reader says.
        assert all(glyph["aria-hidden"] == "true" for glyph in fieldset.select(".star-glyph"))


def test_pain_is_a_labelled_zero_to_ten_scale_with_not_scored(client, patient, practitioner):
    soup = form_page(client, practitioner)
    for legend in ("Pain before treatment (0–10)", "Pain after treatment (0–10)"):
        fieldset = group(soup, legend)
        labels = dict(radio_labels(fieldset))
        assert list(labels) == [str(n) for n in range(11)] + [""]
        assert labels["0"].endswith("0 (no pain)") and labels["10"].endswith("10 (worst pain imaginable)")
        assert labels["7"] == "7 7"  # the visible digit and the spoken one
        assert labels[""] == "Not scored"
        # Optional: a new review starts at "not scored".
        assert fieldset.find("input", value="", checked=True)
        assert "0: no pain" in fieldset.select_one(".pain-scale-anchors").get_text()


def test_the_practitioners_conditions_come_first_and_something_else_stays_possible(client, patient, practitioner):
    soup = form_page(client, practitioner)
    groups = soup.select("#id_condition optgroup")
    assert [g["label"] for g in groups] == ["Conditions this practitioner treats", "Something else"]
    assert [o.get_text() for o in groups[0].find_all("option")] == ["Neck pain", "Sciatica"]
    others = [o.get_text() for o in groups[1].find_all("option")]
    assert "Whiplash" in others and "Neck pain" not in others
    # A condition outside the practitioner's list is still accepted.
    whiplash = Condition.objects.get(slug="whiplash")
    client.post(
        reverse("reviews:create", kwargs={"slug": practitioner.slug}), review_post_data(condition=str(whiplash.pk))
    )
    assert practitioner.reviews.get().condition == whiplash


def test_errors_are_summarised_at_the_top_with_links_and_shown_beside_each_field(client, patient, practitioner):
    soup = form_page(
        client, practitioner, review_post_data(rating="", pain_before="11", sessions="0", title="", condition="")
    )
    assert soup.title.get_text().startswith("Error: ")
    summary = soup.select_one(".error-summary[role=alert]")
    links = {a["href"]: a.get_text(" ", strip=True) for a in summary.find_all("a")}
    assert links == {
        "#id_rating_0": "Overall rating: Choose an overall rating from 1 to 5.",
        "#id_condition": "Condition treated: Choose the condition you were treated for.",
        "#id_sessions": "Number of sessions: Enter at least 1 session.",
        "#id_pain_before_0": "Pain before treatment (0–10): Pain is scored from 0 (no pain) to 10 (worst pain "
        "imaginable).",
        "#id_title": "Title: Give your review a short title.",
    }
    # Every link leads somewhere, and each message is also beside its field, tied to its inputs.
    for href in links:
        assert soup.find(id=href[1:]), href
    for name in ("rating", "condition", "sessions", "pain_before", "title"):
        field = soup.select_one(f".field-{name}")
        assert "field-has-error" in field["class"]
        error_id = f"id_{name}_error"
        assert field.find(id=error_id)
        inputs = field.find_all(["input", "select"])
        assert inputs and all(i.get("aria-invalid") == "true" for i in inputs), name
        # A radio group is described as a whole (its fieldset); a single control by itself.
        described = [field.fieldset] if field.fieldset else inputs
        assert all(error_id in element.get("aria-describedby", "") for element in described), name
    assert not practitioner.reviews.exists()


def test_a_valid_star_and_scale_choice_is_saved(client, patient, practitioner):
    client.post(
        reverse("reviews:create", kwargs={"slug": practitioner.slug}),
        review_post_data(rating="5", bedside_rating="3", pain_before="10", pain_after="0"),
    )
    review = practitioner.reviews.get()
    assert (review.rating, review.bedside_rating, review.pain_before, review.pain_after) == (5, 3, 10, 0)


def test_not_scored_saves_no_pain_and_the_edit_form_shows_it_checked(client, patient, practitioner):
    client.post(
        reverse("reviews:create", kwargs={"slug": practitioner.slug}), review_post_data(pain_before="", pain_after="")
    )
    review = practitioner.reviews.get()
    assert (review.pain_before, review.pain_after) == (None, None)
    page = client.get(reverse("reviews:edit", kwargs={"slug": practitioner.slug, "pk": review.pk})).content.decode()
    assert re.search(r'<input type="radio" name="pain_before" value=""[^>]*checked', page)
    assert re.search(r'<input type="radio" name="rating" value="4"[^>]*checked', page)


def test_editing_keeps_the_chosen_pain_score_checked(client, patient, practitioner):
    review = ReviewFactory(practitioner=practitioner, author=patient, pain_before=6, pain_after=2)
    page = client.get(reverse("reviews:edit", kwargs={"slug": practitioner.slug, "pk": review.pk})).content.decode()
    assert re.search(r'<input type="radio" name="pain_before" value="6"[^>]*checked', page)
    assert re.search(r'<input type="radio" name="pain_after" value="2"[^>]*checked', page)
    assert not re.search(r'<input type="radio" name="pain_after" value=""[^>]*checked', page)
