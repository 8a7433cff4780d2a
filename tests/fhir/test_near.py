"""`near` (Location) and `location.near` (PractitionerRole) in miles and kilometres, against known distances.

Published great-circle distances between city centres (as in tests/practitioners/test_search_distance.py);
ZIP centroids sit within 1% of them.
"""

import pytest

from fhir import codes
from practitioners import geo
from practitioners.models import Practitioner
from tests.factories import searchable_practitioner
from tests.fhir.conftest import extension, ids

pytestmark = pytest.mark.django_db

SEATTLE, PORTLAND = "98101", "97204"  # 145 miles (233 km)
NEW_YORK, PHILADELPHIA = "10001", "19103"  # 81 miles (130 km)


def point(zip_code: str) -> str:
    place = geo.zip_place(zip_code)
    return f"{place.latitude}|{place.longitude}"


@pytest.fixture
def portland():
    return searchable_practitioner(name="Paula Portland", zip_code=PORTLAND, verified=True).locations.get()


@pytest.mark.parametrize(
    ("distance", "found"),
    [
        ("150|mi", True),
        ("140|mi", False),
        ("150|[mi_i]", True),
        ("240|km", True),
        ("225|km", False),
        ("240", True),  # no unit: kilometres, as FHIR says
        ("150", False),  # 150 km is 93 miles
        ("240|", True),
    ],
)
def test_seattle_portland_in_both_units(fhir, portland, distance, found):
    bundle = fhir.search(f"/fhir/Location?near={point(SEATTLE)}|{distance}")
    assert ids(bundle) == ([str(portland.pk)] if found else [])


def test_the_distance_is_reported_in_miles_and_within_one_percent_of_the_published_one(fhir, portland):
    bundle = fhir.search(f"/fhir/Location?near={point(SEATTLE)}|200|mi")
    distance = extension(bundle["entry"][0]["search"], codes.LOCATION_DISTANCE_EXTENSION)["valueDistance"]
    assert distance["code"] == "[mi_i]" and distance["system"] == codes.UCUM_SYSTEM
    assert abs(distance["value"] - 145) / 145 < 0.01


def test_nearest_first_and_the_default_distance_is_the_directorys_25_miles(fhir):
    chelsea = searchable_practitioner(name="A", zip_code=NEW_YORK).locations.get()
    hoboken = searchable_practitioner(name="B", zip_code="07030").locations.get()  # ~3 miles
    philadelphia = searchable_practitioner(name="C", zip_code=PHILADELPHIA).locations.get()
    assert ids(fhir.search(f"/fhir/Location?near={point(NEW_YORK)}|100|mi")) == [
        str(chelsea.pk),
        str(hoboken.pk),
        str(philadelphia.pk),
    ]
    assert ids(fhir.search(f"/fhir/Location?near={point(PHILADELPHIA)}|100|mi")) == [
        str(philadelphia.pk),
        str(hoboken.pk),
        str(chelsea.pk),
    ]
    assert ids(fhir.search(f"/fhir/Location?near={point(NEW_YORK)}")) == [str(chelsea.pk), str(hoboken.pk)]
    assert ids(fhir.search(f"/fhir/Location?near={point(NEW_YORK)}|135|km")) == [
        str(chelsea.pk),
        str(hoboken.pk),
        str(philadelphia.pk),
    ]
    assert ids(fhir.search(f"/fhir/Location?near={point(NEW_YORK)}|125|km")) == [str(chelsea.pk), str(hoboken.pk)]


def test_near_combines_with_the_address_parameters(fhir):
    chelsea = searchable_practitioner(name="A", zip_code=NEW_YORK).locations.get()
    searchable_practitioner(name="B", zip_code="07030")
    bundle = fhir.search(f"/fhir/Location?near={point(NEW_YORK)}|10|mi&address-state=NY")
    assert ids(bundle) == [str(chelsea.pk)]


def test_roles_near_a_point_verified_and_accepting_new_patients(fhir):
    """The client example's question: verified acupuncturists within 10 miles of 10001 who accept new patients."""
    wanted = searchable_practitioner(name="Wanted", zip_code=NEW_YORK, verified=True, accepting_new_patients=True)
    searchable_practitioner(name="Unverified", zip_code=NEW_YORK, accepting_new_patients=True)
    searchable_practitioner(name="Full", zip_code=NEW_YORK, verified=True, accepting_new_patients=False)
    searchable_practitioner(name="Far", zip_code=PHILADELPHIA, verified=True, accepting_new_patients=True)
    bundle = fhir.search(
        f"/fhir/PractitionerRole?location.near={point(NEW_YORK)}|10|mi&verified=true&new-patient=newpt"
        "&_include=PractitionerRole:practitioner&_include=PractitionerRole:location"
    )
    assert ids(bundle) == [str(wanted.locations.get().pk)]
    assert bundle["total"] == 1
    assert {(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"][1:]} == {
        ("Practitioner", str(wanted.pk)),
        ("Location", str(wanted.locations.get().pk)),
    }
    full = Practitioner.objects.get(name="Full")
    far = Practitioner.objects.get(name="Far")
    roles = ids(fhir.search(f"/fhir/PractitionerRole?location.near={point(NEW_YORK)}|100|mi&verified=true"))
    assert roles == [str(p.locations.get().pk) for p in (wanted, full, far)]  # nearest first, then id
