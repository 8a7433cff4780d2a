"""`practitioners.nppes.nppes_plan`: the NPPES import's rules, decided without the database.

No `django_db` mark: pytest-django fails any query here, so these tests also prove the plan is pure.
"""

import copy
import datetime
from dataclasses import replace

import pytest

from practitioners.importers.nppes import NppesLicense, NppesLocation, NppesRecord, with_check_digit
from practitioners.models import License, Practitioner
from practitioners.nppes import NppesKnown, nppes_plan

NOW = datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC)
NPI = with_check_digit("123456789")
PORTLAND = NppesLocation(
    street="1 Main St", city="Portland", state="OR", zip_code="97201", latitude=45.5, longitude=-122.7, phone=""
)


def record(**changes) -> NppesRecord:
    base = NppesRecord(
        line=2,
        npi=NPI,
        name="Alex Tester",
        display_credentials="L.Ac.",
        gender="",
        phone="(503) 555-0100",
        location=PORTLAND,
        licenses=(NppesLicense(state="OR", number="AC1234"),),
    )
    return replace(base, **changes)


def known(*, listings=(), locations=(), licenses=(), titles=None) -> NppesKnown:
    return NppesKnown(
        listings={p.npi: p for p in listings},
        primary_locations={loc.practitioner_id: loc for loc in locations},
        with_locations=frozenset(loc.practitioner_id for loc in locations),
        licenses={(lic.state_id, lic.number): lic for lic in licenses},
        titles=titles if titles is not None else {"OR": "L.Ac."},
    )


def imported(rec: NppesRecord | None = None, *, pk: int = 7, owner_id: int | None = None):
    """The listing and primary location a previous import of `rec` left (as the database would return them)."""
    plan = nppes_plan([rec or record()], known=known(), now=NOW)
    practitioner = plan.new_practitioners[0]
    practitioner.pk, practitioner.owner_id = pk, owner_id
    locations = []
    for _, location in plan.new_locations:
        location.pk, location.practitioner_id = 70, pk
        locations.append(location)
    licenses = []
    for _, lic in plan.new_licenses:
        lic.pk, lic.practitioner = 700, practitioner
        licenses.append(lic)
    return practitioner, locations, licenses


def counts(plan) -> tuple:
    r = plan.result
    return (r.created, r.updated, r.unchanged, r.claimed, r.licenses_created, len(r.problems))


def test_a_new_npi_creates_a_draft_unclaimed_listing_its_location_and_unverified_licenses():
    plan = nppes_plan([record()], known=known(titles={"OR": "Dipl. Ac."}), now=NOW)
    assert counts(plan) == (1, 0, 0, 0, 1, 0)
    (listing,) = plan.new_practitioners
    assert (listing.npi, listing.slug, listing.status, listing.owner_id) == (NPI, f"alex-tester-{NPI}", "draft", None)
    assert listing.nppes_snapshot["name"] == "Alex Tester"
    assert listing.search_document.startswith("Alex Tester")
    ((holder, location),) = plan.new_locations
    assert holder is listing and (location.zip_code, location.is_primary) == ("97201", True)
    ((holder, lic),) = plan.new_licenses
    assert holder is listing and (lic.number, lic.title, lic.verification_state) == (
        "AC1234",
        "Dipl. Ac.",
        "unverified",
    )
    assert not plan.changed_practitioners and not plan.changed_locations


def test_a_state_without_titles_gets_the_default_title():
    plan = nppes_plan([record()], known=known(titles={}), now=NOW)
    assert plan.new_licenses[0][1].title == "L.Ac."


@pytest.mark.parametrize(
    ("case", "edit", "new", "expected_counts", "expected"),
    [
        ("same record → unchanged", {}, {}, (0, 0, 1, 0, 0, 0), None),
        (
            "registry changed the phone → taken",
            {},
            {"phone": "(503) 555-0199"},
            (0, 1, 0, 0, 0, 0),
            {"phone": "(503) 555-0199"},
        ),
        (
            "practitioner edited the phone → kept",
            {"phone": "(503) 555-0111"},
            {"phone": "(503) 555-0199"},
            (0, 0, 1, 0, 0, 0),  # counted unchanged; only the snapshot is brought up to date
            {"phone": "(503) 555-0111"},
        ),
        (
            "registry renamed → name and search text",
            {},
            {"name": "Alex Tester-Ng"},
            (0, 1, 0, 0, 0, 0),
            {"name": "Alex Tester-Ng"},
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_an_unclaimed_listing_takes_only_what_still_holds_the_last_import(case, edit, new, expected_counts, expected):
    practitioner, locations, licenses = imported()
    for name, value in edit.items():
        setattr(practitioner, name, value)
    practitioner.search_document = "Alex Tester\nacupuncture for pain"
    plan = nppes_plan(
        [record(**new)], known=known(listings=[practitioner], locations=locations, licenses=licenses), now=NOW
    )
    assert counts(plan) == expected_counts, case
    if expected is None:
        assert not plan.changed_practitioners, case
        return
    (changed,) = plan.changed_practitioners
    for name, value in expected.items():
        assert getattr(changed, name) == value, case
    assert changed.nppes_snapshot["phone"] == new.get("phone", "(503) 555-0100")
    assert changed.updated_at == NOW
    assert changed.search_document == f"{changed.name}\nacupuncture for pain"


def test_a_claimed_listing_is_left_alone():
    practitioner, locations, licenses = imported(owner_id=3)
    plan = nppes_plan(
        [record(phone="(503) 555-0199", licenses=(NppesLicense("OR", "AC9999"),))],
        known=known(listings=[practitioner], locations=locations, licenses=licenses),
        now=NOW,
    )
    assert counts(plan) == (0, 0, 0, 1, 0, 0)
    assert not (plan.new_practitioners or plan.changed_practitioners or plan.new_licenses or plan.new_locations)


def test_the_location_follows_the_registry_unless_someone_edited_it():
    practitioner, locations, licenses = imported()
    moved = replace(PORTLAND, street="9 Oak Ave", zip_code="97202")
    plan = nppes_plan(
        [record(location=moved)], known=known(listings=[practitioner], locations=locations, licenses=licenses), now=NOW
    )
    (location,) = plan.changed_locations
    assert (location.street, location.zip_code) == ("9 Oak Ave", "97202")

    locations[0].street = "12 Elm St"  # staff corrected the street; the ZIP still follows the registry
    plan = nppes_plan(
        [record(location=moved)], known=known(listings=[practitioner], locations=locations, licenses=licenses), now=NOW
    )
    (location,) = plan.changed_locations
    assert (location.street, location.zip_code) == ("12 Elm St", "97202")


def test_a_first_usable_address_adds_a_location_only_if_nobody_added_one():
    practitioner, _, licenses = imported(record(location=None))
    plan = nppes_plan([record()], known=known(listings=[practitioner], licenses=licenses), now=NOW)
    assert counts(plan)[:3] == (0, 1, 0)
    ((holder, location),) = plan.new_locations
    assert holder.pk == practitioner.pk and location.city == "Portland"

    with_other = replace(known(listings=[practitioner], licenses=licenses), with_locations=frozenset({practitioner.pk}))
    assert not nppes_plan([record()], known=with_other, now=NOW).new_locations  # a secondary location exists


def test_licenses_are_added_once_and_never_moved_between_listings():
    practitioner, locations, licenses = imported()
    someone = Practitioner(pk=8, name="Sam Other")
    theirs = License(pk=800, state_id="OR", number="AC5555", practitioner=someone)
    rec = record(licenses=(NppesLicense("OR", "AC1234"), NppesLicense("OR", "AC5555"), NppesLicense("OR", "AC6666")))
    plan = nppes_plan(
        [rec], known=known(listings=[practitioner], locations=locations, licenses=[*licenses, theirs]), now=NOW
    )
    assert counts(plan) == (0, 1, 0, 0, 1, 1)
    assert [lic.number for _, lic in plan.new_licenses] == ["AC6666"]
    assert plan.result.problems == [(2, f"NPI {NPI}: license OR #AC5555 is already on Sam Other; not added.")]


def test_one_license_claimed_by_two_new_records_in_a_batch_goes_to_the_first():
    second = record(line=3, npi=with_check_digit("987654321"), name="Bo Second")
    plan = nppes_plan([record(), second], known=known(), now=NOW)
    assert counts(plan) == (2, 0, 0, 0, 1, 1)
    assert plan.result.problems[0][1].endswith(
        "license OR #AC1234 is already on another listing in this file; not added."
    )


def test_the_plan_does_not_change_what_it_was_given():
    practitioner, locations, licenses = imported()
    given = known(listings=[practitioner], locations=locations, licenses=licenses)
    before = (copy.copy(practitioner.__dict__), copy.copy(locations[0].__dict__), dict(given.licenses))
    nppes_plan(
        [
            record(
                name="New Name", location=replace(PORTLAND, street="9 Oak Ave"), licenses=(NppesLicense("OR", "AC2"),)
            )
        ],
        known=given,
        now=NOW,
    )
    assert (practitioner.__dict__, locations[0].__dict__, given.licenses) == before
