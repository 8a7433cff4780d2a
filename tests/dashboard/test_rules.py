"""The pure rules: freshness dates and labels, what a draft still needs, license matching, state warnings."""

import datetime

import pytest

from dashboard.rules import LicenseFacts, location_license_warning, missing_steps, normalize_license_number
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


TODAY = NOW.date()


def lic(verification_state="verified", *, state="CA", board_status="active", restricted=False, expires_in=365):
    expiry = None if expires_in is None else TODAY + datetime.timedelta(days=expires_in)
    return LicenseFacts(
        state=state,
        verification_state=verification_state,
        board_status=board_status,
        restricted=restricted,
        expiry_date=expiry,
    )


def steps(*, status="draft", is_verified=False, licenses=(), location_states=("CA",)) -> list[str]:
    found = missing_steps(
        status=status, requirement_met=is_verified, licenses=licenses, location_states=location_states, today=TODAY
    )
    return [step.text for step in found]


def test_missing_steps_for_a_new_listing():
    assert steps(location_states=()) == ["Add a license", "Add a practice location"]
    assert steps(licenses=[lic("pending")]) == ["License pending verification: staff check it with the state board"]
    assert steps(licenses=[lic("rejected")])[0].startswith("Add a license we can verify")
    assert steps(is_verified=True, licenses=[lic()]) == ["Waiting for staff to publish your listing"]
    assert steps(status="published", is_verified=True, licenses=[lic(), lic("pending")]) == []
    assert "suspended" in steps(status="suspended", is_verified=True, licenses=[lic()])[0]


def test_a_verified_but_expired_license_is_not_waiting_for_staff():
    texts = steps(licenses=[lic(expires_in=-1)])
    assert texts == [
        f"Your CA license expired on {TODAY - datetime.timedelta(days=1):%B} {(TODAY - datetime.timedelta(days=1)).day}, "
        f"{(TODAY - datetime.timedelta(days=1)).year}: renew it with the board and submit the new expiry date"
    ]
    assert "only an active license counts" in steps(licenses=[lic(board_status="probation")])[0]
    assert "only an unrestricted license counts" in steps(licenses=[lic(restricted=True)])[0]
    assert "Add the expiry date" in steps(licenses=[lic(expires_in=None)])[0]


def test_a_verified_license_outside_every_location_state_says_so():
    texts = steps(licenses=[lic(state="CA")], location_states=["OR"])
    assert texts == [
        "Your verified license is for CA, but your practice locations are in OR: "
        "add a license for a state you practise in, or a location in CA"
    ]
    assert "Waiting for staff" not in " ".join(texts)


def test_location_warning_only_without_a_license_in_that_state():
    assert location_license_warning(location_state="CA", license_states=["CA", "NY"]) == ""
    warning = location_license_warning(location_state="OR", license_states=["CA"])
    assert "no license in OR" in warning


def test_missing_steps_where_no_state_licenses_ask_for_nccaom_instead():
    def texts(**kwargs):
        base = {
            "status": "draft",
            "requirement_met": False,
            "licenses": [],
            "location_states": ["OK"],
            "today": TODAY,
            "unlicensed_states": ["Oklahoma"],
        }
        return [s.text for s in missing_steps(**{**base, **kwargs})]

    assert texts(all_locations_unlicensed=True) == [
        "Add your NCCAOM certification: Oklahoma does not license acupuncturists, "
        "so staff check your national certification instead"
    ]
    assert texts(all_locations_unlicensed=True, certification_states=["pending"])[0].startswith(
        "NCCAOM certification pending"
    )
    # A verified, current certification meets Oklahoma's rule (trust.state_requirement_met).
    assert texts(all_locations_unlicensed=True, requirement_met=True, certification_states=["verified"]) == [
        "Waiting for staff to publish your listing"
    ]
    # One location in a licensing state: that state's license is still needed.
    assert texts(all_locations_unlicensed=False, location_states=["OK", "TX"], certification_states=["verified"]) == [
        "Add a license"
    ]
