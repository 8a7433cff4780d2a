"""Each resource, read by id: valid FHIR R4 (schema), and what it says about the listing is what was recorded."""

import datetime

import pytest
from django.utils import timezone

from fhir import codes
from practitioners.models import Language, License, OpeningHours, StateBoard
from tests.factories import (
    CertificationFactory,
    DegreeFactory,
    LicenseFactory,
    PractitionerFactory,
    SchoolFactory,
    location_at_zip,
)
from tests.fhir.conftest import extension, sub

pytestmark = pytest.mark.django_db

VERIFIED_AT = datetime.datetime(2026, 3, 2, 15, 30, tzinfo=datetime.UTC)


@pytest.fixture
def listing():
    practitioner = PractitionerFactory(
        name="Mei Lin Chen",
        npi="1234567893",
        gender="nonbinary",
        display_credentials="L.Ac., Dipl. Ac.",
        accepting_new_patients=True,
        phone="212-555-0199",
        website="https://chen.example.com/",
    )
    practitioner.languages.set(Language.objects.filter(code__in=["en", "es", "asl"]))
    chelsea = location_at_zip(
        practitioner,
        "10001",
        name="Chelsea Acupuncture",
        street="200 W 26th St",
        is_primary=True,
        wheelchair_accessible=True,
        phone="212-555-0100",
    )
    brooklyn = location_at_zip(practitioner, "11201", name="", street="1 Court St", phone="")
    for weekday in (0, 2):
        OpeningHours.objects.create(location=chelsea, weekday=weekday, opens=datetime.time(9), closes=datetime.time(17))
    OpeningHours.objects.create(location=chelsea, weekday=5, opens=datetime.time(10), closes=datetime.time(14))
    ny = StateBoard.objects.get(state="NY")
    LicenseFactory(practitioner=practitioner, state=ny, number="NY-1001", verified_at=VERIFIED_AT)
    LicenseFactory(
        practitioner=practitioner,
        state=StateBoard.objects.get(state="CA"),
        number="CA-2002",
        verification_state="pending",
        verified_at=None,
        submitted_at=timezone.now(),
    )
    LicenseFactory(
        practitioner=practitioner,
        state=StateBoard.objects.get(state="NJ"),
        number="NJ-3003",
        expiry_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    CertificationFactory(practitioner=practitioner, number="N-42", verified_at=VERIFIED_AT)
    DegreeFactory(
        practitioner=practitioner,
        school=SchoolFactory(name="Pacific College", slug="pacific-college"),
        verification_state="unverified",
        verified_at=None,
    )
    return practitioner, chelsea, brooklyn


def qualification(practitioner_resource: dict, text_start: str) -> dict:
    return next(q for q in practitioner_resource["qualification"] if q["code"]["text"].startswith(text_start))


def verification(q: dict) -> tuple[list[str], str | None]:
    ext = extension(q, codes.verification_extension_url())
    status = sub(ext, "status")[0]["valueCodeableConcept"]
    dates = sub(ext, "date")
    return [c["code"] for c in status["coding"]], (dates[0]["valueDateTime"] if dates else None)


def plan_net(q: dict) -> tuple[str, list[str]] | None:
    ext = extension(q, codes.PRACTITIONER_QUALIFICATION_EXTENSION)
    if ext is None:
        return None
    where = [item["valueCodeableConcept"]["coding"][0]["code"] for item in sub(ext, "whereValid")]
    return sub(ext, "status")[0]["valueCode"], where


def test_practitioner_identity_name_gender_languages(fhir, listing):
    practitioner, *_ = listing
    resource = fhir.get(f"/fhir/Practitioner/{practitioner.pk}")
    assert resource["resourceType"] == "Practitioner" and resource["id"] == str(practitioner.pk)
    assert {"system": codes.NPI_SYSTEM, "value": "1234567893", "use": "official"} in resource["identifier"]
    assert resource["name"] == [
        {
            "use": "official",
            "text": "Mei Lin Chen",
            "family": "Chen",
            "given": ["Mei", "Lin"],
            "suffix": ["L.Ac.", "Dipl. Ac."],
        }
    ]
    assert resource["gender"] == "other"  # non-binary: FHIR R4's administrative gender has no closer code
    languages = [c["coding"][0] for c in resource["communication"]]
    assert {(c["system"], c["code"]) for c in languages} == {
        (codes.BCP47_SYSTEM, "en"),
        (codes.BCP47_SYSTEM, "es"),
        (codes.BCP47_SYSTEM, "ase"),  # stored as "asl", which BCP-47 reads as Asilulu
    }
    assert extension(resource, codes.verified_license_extension_url())["valueBoolean"] is True
    assert resource["meta"]["lastUpdated"].endswith("Z")


def test_verified_current_license_is_active_in_its_state_with_the_verification_date(fhir, listing):
    practitioner, *_ = listing
    resource = fhir.get(f"/fhir/Practitioner/{practitioner.pk}")
    ny = qualification(resource, "L.Ac. license, New York")
    assert plan_net(ny) == ("active", ["NY"])
    assert verification(ny) == (["complete", "verified"], "2026-03-02T15:30:00.000Z")
    assert ny["identifier"] == [{"system": codes.license_number_system("NY"), "value": "NY-1001"}]
    assert ny["issuer"]["reference"] == "Organization/board-NY"
    assert {"system": codes.NUCC_SYSTEM, "code": "171100000X", "display": "Acupuncturist"} in ny["code"]["coding"]
    assert ny["period"]["end"] == (timezone.localdate() + datetime.timedelta(days=365)).isoformat()


def test_pending_license_claims_no_status_and_no_verification(fhir, listing):
    practitioner, *_ = listing
    ca = qualification(fhir.get(f"/fhir/Practitioner/{practitioner.pk}"), "L.Ac. license, California")
    assert plan_net(ca) == ("unknown", ["CA"])  # the board status was typed in, not checked
    assert verification(ca) == (["incomplete", "pending"], None)


def test_verified_license_past_its_expiry_is_inactive(fhir, listing):
    practitioner, *_ = listing
    nj = qualification(fhir.get(f"/fhir/Practitioner/{practitioner.pk}"), "L.Ac. license, New Jersey")
    assert plan_net(nj)[0] == "inactive"


def test_certification_and_degree(fhir, listing):
    practitioner, *_ = listing
    resource = fhir.get(f"/fhir/Practitioner/{practitioner.pk}")
    nccaom = qualification(resource, "Dipl. Ac.")
    assert plan_net(nccaom) == ("active", [])
    assert nccaom["issuer"]["reference"] == "Organization/nccaom"
    assert verification(nccaom)[0] == ["complete", "verified"]
    degree = qualification(resource, "MSOM")
    assert plan_net(degree) is None  # a degree has no status to state
    assert verification(degree) == (["incomplete", "unverified"], None)
    assert degree["period"] == {"start": "2014"}


def test_practitioner_role(fhir, listing):
    practitioner, chelsea, _ = listing
    role = fhir.get(f"/fhir/PractitionerRole/{chelsea.pk}")
    assert role["practitioner"]["reference"] == f"Practitioner/{practitioner.pk}"
    assert role["location"][0]["reference"] == f"Location/{chelsea.pk}"
    assert role["specialty"][0]["coding"][0]["code"] == "171100000X"
    new_patients = extension(role, codes.NEW_PATIENTS_EXTENSION)
    assert sub(new_patients, "acceptingPatients")[0]["valueCodeableConcept"]["coding"][0]["code"] == "newpt"
    assert role["availableTime"] == [
        {"daysOfWeek": ["mon", "wed"], "availableStartTime": "09:00:00", "availableEndTime": "17:00:00"},
        {"daysOfWeek": ["sat"], "availableStartTime": "10:00:00", "availableEndTime": "14:00:00"},
    ]
    assert {"system": "phone", "value": "212-555-0100", "use": "work"} in role["telecom"]


def test_role_without_a_location_phone_uses_the_listings_and_says_not_accepting(fhir, listing):
    practitioner, _, brooklyn = listing
    practitioner.accepting_new_patients = False
    practitioner.save()
    role = fhir.get(f"/fhir/PractitionerRole/{brooklyn.pk}")
    assert {"system": "phone", "value": "212-555-0199", "use": "work"} in role["telecom"]
    coding = sub(extension(role, codes.NEW_PATIENTS_EXTENSION), "acceptingPatients")[0]["valueCodeableConcept"]
    assert coding["coding"][0]["code"] == "nopt"
    assert "availableTime" not in role


def test_location(fhir, listing):
    _, chelsea, brooklyn = listing
    location = fhir.get(f"/fhir/Location/{chelsea.pk}")
    assert location["address"] == {
        "use": "work",
        "type": "physical",
        "line": ["200 W 26th St"],
        "city": chelsea.city,
        "state": "NY",
        "postalCode": "10001",
        "country": "US",
    }
    assert location["position"] == {"longitude": chelsea.longitude, "latitude": chelsea.latitude}
    assert (
        extension(location, codes.ACCESSIBILITY_EXTENSION)["valueCodeableConcept"]["coding"][0]["code"] == "handiaccess"
    )
    assert location["hoursOfOperation"][0] == {
        "daysOfWeek": ["mon", "wed"],
        "openingTime": "09:00:00",
        "closingTime": "17:00:00",
    }
    other = fhir.get(f"/fhir/Location/{brooklyn.pk}")
    assert extension(other, codes.ACCESSIBILITY_EXTENSION) is None  # not recorded as accessible: nothing said
    assert other["name"] == f"Mei Lin Chen, {brooklyn.city}"


def test_organizations_are_the_credential_issuers(fhir, listing):
    board = fhir.get("/fhir/Organization/board-NY")
    assert board["name"] == StateBoard.objects.get(state="NY").board_name
    assert board["type"][0]["coding"][0]["code"] == "govt"
    assert fhir.get("/fhir/Organization/nccaom")["name"].endswith("(NCCAOM)")
    school = listing[0].degrees.get().school
    assert fhir.get(f"/fhir/Organization/school-{school.pk}")["name"] == "Pacific College"


@pytest.mark.parametrize(
    "url",
    [
        "/fhir/Practitioner/999999",
        "/fhir/Practitioner/abc",
        "/fhir/Practitioner/0",
        "/fhir/PractitionerRole/999999",
        "/fhir/Location/-1",
        "/fhir/Organization/board-ZZ",
        "/fhir/Organization/school-999999",
        "/fhir/Organization/something",
        "/fhir/Patient/1",
        "/fhir/Patient",
    ],
)
def test_unknown_ids_and_types_are_404_operation_outcomes(fhir, url):
    assert fhir.error(url, status=404)


def test_unpublished_listings_and_their_locations_are_not_there(fhir, listing):
    practitioner, chelsea, _ = listing
    practitioner.status = "draft"
    practitioner.save()
    fhir.error(f"/fhir/Practitioner/{practitioner.pk}", status=404)
    fhir.error(f"/fhir/PractitionerRole/{chelsea.pk}", status=404)
    fhir.error(f"/fhir/Location/{chelsea.pk}", status=404)
    assert fhir.search("/fhir/Practitioner")["total"] == 0
    assert fhir.search("/fhir/Location")["total"] == 0


def test_capability_statement_lists_what_the_search_accepts(fhir):
    from fhir.search import RESOURCES

    statement = fhir.get("/fhir/metadata")
    assert statement["resourceType"] == "CapabilityStatement" and statement["fhirVersion"] == "4.0.1"
    assert "application/fhir+json" in statement["format"]
    resources = {item["type"]: item for item in statement["rest"][0]["resource"]}
    assert set(resources) == {"Practitioner", "PractitionerRole", "Location", "Organization"}
    for resource_type, definition in RESOURCES.items():
        assert [p["name"] for p in resources[resource_type]["searchParam"]] == list(definition.params)
    assert resources["PractitionerRole"]["searchInclude"] == [
        "PractitionerRole:practitioner",
        "PractitionerRole:location",
    ]
    assert resources["Practitioner"]["searchRevInclude"] == ["PractitionerRole:practitioner"]
    verified = next(p for p in resources["Practitioner"]["searchParam"] if p["name"] == "verified")
    assert verified["definition"] == codes.search_parameter_url("verified")


def test_a_withdrawn_verification_claims_nothing_and_keeps_no_date(fhir, listing):
    practitioner, *_ = listing
    License.objects.filter(number="NY-1001").update(verification_state="revoked")  # verified_at stays recorded
    ny = qualification(fhir.get(f"/fhir/Practitioner/{practitioner.pk}"), "L.Ac. license, New York")
    assert verification(ny) == (["incomplete", "revoked"], None)
    assert plan_net(ny)[0] == "unknown"
