"""The pure rules: freshness dates and labels, what a draft still needs, license matching, state warnings."""

import datetime

import pytest

from dashboard.rules import location_license_warning, missing_steps, normalize_license_number
from practitioners import freshness

NOW = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.UTC)


def days_ago(days: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def test_last_confirmed_is_the_oldest_and_none_when_any_fact_was_never_confirmed():
    assert freshness.last_confirmed([days_ago(3), days_ago(40), days_ago(1), days_ago(2)]) == days_ago(40)
    assert freshness.last_confirmed([days_ago(3), None, days_ago(1), days_ago(2)]) is None
    assert freshness.last_confirmed([]) is None


@pytest.mark.parametrize(
    ("age_days", "fresh"),
    [(0, True), (179, True), (180, True), (181, False), (400, False)],
)
def test_fresh_for_180_days(age_days, fresh):
    assert freshness.is_fresh(days_ago(age_days), NOW) is fresh


def test_never_confirmed_is_not_fresh():
    assert freshness.is_fresh(None, NOW) is False
    assert freshness.stale_label(None, NOW) == "Not yet confirmed by the practitioner"


@pytest.mark.parametrize(
    ("confirmed", "label"),
    [
        (datetime.datetime(2026, 4, 28, tzinfo=datetime.UTC), "Last confirmed by the practitioner 7 months ago"),
        (datetime.datetime(2026, 4, 29, tzinfo=datetime.UTC), "Last confirmed by the practitioner 6 months ago"),
        (datetime.datetime(2024, 11, 1, tzinfo=datetime.UTC), "Last confirmed by the practitioner 24 months ago"),
        (days_ago(30), ""),
    ],
)
def test_stale_label_counts_whole_months(confirmed, label):
    assert freshness.stale_label(confirmed, NOW) == label


def test_changed_facts_maps_fields_to_the_confirmation_they_renew():
    assert freshness.changed_facts(["bio", "name"]) == []
    assert freshness.changed_facts(["follow_up_fee"]) == ["fees_confirmed_at"]
    assert freshness.changed_facts(["phone", "insurance_carriers", "accepting_new_patients"]) == [
        "new_patients_confirmed_at",
        "insurance_confirmed_at",
        "phone_confirmed_at",
    ]


def test_license_numbers_compare_without_case_spaces_or_hash():
    assert normalize_license_number(" ac 012 345 ") == "AC012345"
    assert normalize_license_number("#AC-1") == "AC-1"


def test_missing_steps_for_a_new_listing():
    texts = [s.text for s in missing_steps(status="draft", license_states=[], location_count=0)]
    assert texts == ["Add a license", "Add a practice location"]
    texts = [s.text for s in missing_steps(status="draft", license_states=["pending"], location_count=1)]
    assert texts == ["License pending verification: staff check it with the state board"]
    texts = [s.text for s in missing_steps(status="draft", license_states=["rejected"], location_count=1)]
    assert texts[0].startswith("Add a license we can verify")
    texts = [s.text for s in missing_steps(status="draft", license_states=["verified"], location_count=1)]
    assert texts == ["Waiting for staff to publish your listing"]
    assert missing_steps(status="published", license_states=["verified", "pending"], location_count=2) == []
    assert "suspended" in missing_steps(status="suspended", license_states=["verified"], location_count=1)[0].text


def test_location_warning_only_without_a_license_in_that_state():
    assert location_license_warning(location_state="CA", license_states=["CA", "NY"]) == ""
    warning = location_license_warning(location_state="OR", license_states=["CA"])
    assert "no license in OR" in warning


def test_missing_steps_where_no_state_licenses_ask_for_nccaom_instead():
    def texts(**kwargs):
        base = {"status": "draft", "license_states": [], "location_count": 1, "unlicensed_states": ["Oklahoma"]}
        return [s.text for s in missing_steps(**{**base, **kwargs})]

    assert texts(all_locations_unlicensed=True) == [
        "Add your NCCAOM certification: Oklahoma does not license acupuncturists, "
        "so staff check your national certification instead"
    ]
    assert texts(all_locations_unlicensed=True, certification_states=["pending"])[0].startswith(
        "NCCAOM certification pending"
    )
    assert texts(all_locations_unlicensed=True, certification_states=["verified"]) == [
        "Waiting for staff to publish your listing"
    ]
    # One location in a licensing state: that state's license is still needed.
    assert texts(all_locations_unlicensed=False, location_count=2, certification_states=["verified"]) == [
        "Add a license"
    ]


def test_location_warning_in_a_state_without_licensure():
    warning = location_license_warning(location_state="OK", license_states=[], licenses_there=False)
    assert "OK does not license acupuncturists" in warning and "NCCAOM" in warning
