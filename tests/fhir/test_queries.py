"""SQL queries per page: the same for a page of 1 and a page of 20, includes and revincludes too."""

import datetime

import pytest

from practitioners.models import OpeningHours
from tests.factories import CertificationFactory, DegreeFactory, location_at_zip, searchable_practitioner
from tests.fhir.conftest import included, matches

pytestmark = pytest.mark.django_db

NEAR = "40.7506|-73.9972|50|mi"

# (url, queries): count + rows + prefetches (see fhir/selectors.py).
CASES = [
    ("/fhir/Practitioner?", 6),
    ("/fhir/Practitioner?verified=true&name=pat&_lastUpdated=ge2020", 6),
    ("/fhir/Practitioner?_revinclude=PractitionerRole:practitioner", 8),
    ("/fhir/PractitionerRole?", 3),
    (f"/fhir/PractitionerRole?location.near={NEAR}&verified=true&new-patient=newpt", 3),
    ("/fhir/PractitionerRole?_include=PractitionerRole:location", 3),
    ("/fhir/PractitionerRole?_include=PractitionerRole:practitioner&_include=PractitionerRole:location", 8),
    ("/fhir/Location?", 3),
    (f"/fhir/Location?near={NEAR}&address-state=NY", 3),
    ("/fhir/Organization?", 2),
]


def rich_listing(n: int):
    practitioner = searchable_practitioner(
        name=f"Pat {n:02d} Lee", zip_code="10001", verified=True, accepting_new_patients=True, languages=("en", "es")
    )
    CertificationFactory(practitioner=practitioner)
    DegreeFactory(practitioner=practitioner)
    second = location_at_zip(practitioner, "11201")
    for location in (practitioner.locations.first(), second):
        OpeningHours.objects.create(location=location, weekday=1, opens=datetime.time(9), closes=datetime.time(17))
    return practitioner


@pytest.mark.parametrize(("url", "queries"), CASES)
def test_queries_do_not_grow_with_the_page(fhir, django_assert_num_queries, url, queries):
    for n in range(20):
        rich_listing(n)
    with django_assert_num_queries(queries):
        one = fhir.search(f"{url}&_count=1")
    with django_assert_num_queries(queries):
        twenty = fhir.search(f"{url}&_count=20")
    assert len(matches(one)) == 1 and len(matches(twenty)) == 20
    if "include" in url:
        assert len(included(twenty)) > len(included(one)) > 0


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/fhir/Practitioner/{practitioner}", 5),
        ("/fhir/PractitionerRole/{location}", 2),
        ("/fhir/Location/{location}", 2),
        ("/fhir/Organization/board-NY", 1),
        ("/fhir/metadata", 0),
    ],
)
def test_reads(fhir, django_assert_num_queries, url, queries):
    practitioner = rich_listing(1)
    url = url.format(practitioner=practitioner.pk, location=practitioner.locations.first().pk)
    with django_assert_num_queries(queries):
        fhir.get(url)
