"""Each search parameter alone, then combined with others; only published listings are ever found."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from fhir import codes
from practitioners.models import Certification, Degree, License, PracticeLocation, Practitioner, School, StateBoard
from tests.factories import (
    CertificationFactory,
    DegreeFactory,
    LicenseFactory,
    SchoolFactory,
    searchable_practitioner,
)
from tests.fhir.conftest import ids

pytestmark = pytest.mark.django_db


@dataclass
class Directory:
    mei: Practitioner  # NY 10001, female, verified NY license, NCCAOM, MSOM, accepting
    robert: Practitioner  # Philadelphia, male, pending PA license, not accepting
    ana: Practitioner  # Los Angeles, non-binary, verified CA license, DAOM, accepting
    hidden: Practitioner  # a draft at 10001: never found

    def role(self, practitioner: Practitioner) -> str:
        return str(practitioner.locations.get().pk)


@pytest.fixture
def directory() -> Directory:
    mei = searchable_practitioner(
        name="Mei Lin Chen", zip_code="10001", gender="female", verified=True, accepting_new_patients=True
    )
    CertificationFactory(practitioner=mei, cert_type="dipl_ac")
    DegreeFactory(practitioner=mei, degree="MSOM", school=SchoolFactory(name="Quillback Institute", slug="quillback"))
    robert = searchable_practitioner(
        name="Robert Chen", zip_code="19103", gender="male", accepting_new_patients=False, practice_name="Court Clinic"
    )
    LicenseFactory(
        practitioner=robert, state=StateBoard.objects.get(state="PA"), verification_state="pending", verified_at=None
    )
    ana = searchable_practitioner(name="Ana Lopez", zip_code="90012", gender="nonbinary", verified=True)
    DegreeFactory(practitioner=ana, degree="DAOM", school=SchoolFactory(name="Five Branches", slug="five-branches"))
    hidden = searchable_practitioner(
        name="Hidden Chen", zip_code="10001", gender="female", verified=True, status="draft"
    )
    return Directory(mei=mei, robert=robert, ana=ana, hidden=hidden)


def pks(*practitioners: Practitioner) -> list[str]:
    return [str(p.pk) for p in sorted(practitioners, key=lambda p: (p.name, p.pk))]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name=chen", ("mei", "robert")),
        ("name=CHEN", ("mei", "robert")),
        ("name=mei", ("mei",)),
        ("name=Mei Lin", ("mei",)),
        ("name=lin", ("mei",)),
        ("name=he", ()),  # the start of a word, not any part of it
        ("name:contains=he", ("mei", "robert")),
        ("name:exact=Chen", ("mei", "robert")),
        ("name:exact=chen", ()),
        ("name=mei,ana", ("ana", "mei")),
        ("name=mei&name=chen", ("mei",)),
        ("family=chen", ("mei", "robert")),
        ("family=lin", ()),
        ("family:exact=Lopez", ("ana",)),
        ("given=mei", ("mei",)),
        ("given=lin", ("mei",)),
        ("given=chen", ()),
        ("given:contains=ober", ("robert",)),
        ("gender=female", ("mei",)),
        ("gender=male", ("robert",)),
        ("gender=other", ("ana",)),
        ("gender=unknown", ()),
        ("gender=male,female", ("mei", "robert")),
        (f"gender={codes.GENDER_SYSTEM}|female", ("mei",)),
        ("qualification-code=171100000X", ("ana", "mei", "robert")),
        (f"qualification-code={codes.NUCC_SYSTEM}|171100000X", ("ana", "mei", "robert")),
        ("qualification-code=state-license", ("ana", "mei", "robert")),
        ("qualification-code=dipl_ac", ("mei",)),
        ("qualification-code=MSOM,DAOM", ("ana", "mei")),
        ("qualification-code=http://example.org/other|dipl_ac", ()),
        ("qualification-code=207Q00000X", ()),
        ("qualification-issuer=Organization/board-NY", ("mei",)),
        ("qualification-issuer=board-PA", ("robert",)),
        ("qualification-issuer=Organization/nccaom", ("mei",)),
        ("qualification-issuer=Organization/board-ZZ", ()),
        ("verified=true", ("ana", "mei")),
        ("verified=false", ("robert",)),
        ("verified=true,false", ("ana", "mei", "robert")),
        ("name=chen&verified=true", ("mei",)),
        ("family=chen&gender=male", ("robert",)),
        ("qualification-code=171100000X&verified=false&gender=male", ("robert",)),
        ("qualification-issuer=board-NY&qualification-code=dipl_ac&name=mei", ("mei",)),
    ],
)
def test_practitioner_search(fhir, directory, query, expected):
    bundle = fhir.search(f"/fhir/Practitioner?{query}")
    want = pks(*(getattr(directory, name) for name in expected))
    assert ids(bundle) == want
    assert bundle["total"] == len(want)


def test_practitioner_search_by_id_and_school(fhir, directory):
    assert ids(fhir.search(f"/fhir/Practitioner?_id={directory.ana.pk},{directory.mei.pk}")) == pks(
        directory.ana, directory.mei
    )
    assert ids(fhir.search(f"/fhir/Practitioner?_id={directory.hidden.pk}")) == []
    assert ids(fhir.search("/fhir/Practitioner?_id=abc")) == []
    school = directory.ana.degrees.get().school
    assert ids(fhir.search(f"/fhir/Practitioner?qualification-issuer=Organization/school-{school.pk}")) == pks(
        directory.ana
    )


def _set_updated(practitioner: Practitioner, moment: datetime.datetime) -> None:
    Practitioner.objects.filter(pk=practitioner.pk).update(updated_at=moment)
    for model in (License, Certification, Degree):
        model.objects.filter(practitioner=practitioner).update(updated_at=moment)


def test_last_updated_counts_the_listing_and_its_credentials(fhir, directory):
    tz = datetime.UTC
    _set_updated(directory.mei, datetime.datetime(2026, 1, 15, 12, tzinfo=tz))
    _set_updated(directory.robert, datetime.datetime(2026, 6, 1, 12, tzinfo=tz))
    _set_updated(directory.ana, datetime.datetime(2026, 3, 10, 12, tzinfo=tz))
    search = lambda q: ids(fhir.search(f"/fhir/Practitioner?{q}"))  # noqa: E731
    assert search("_lastUpdated=2026-01-15") == pks(directory.mei)
    assert search("_lastUpdated=eq2026-03") == pks(directory.ana)
    assert search("_lastUpdated=ne2026-03") == pks(directory.mei, directory.robert)
    assert search("_lastUpdated=gt2026-01-15") == pks(directory.ana, directory.robert)
    assert search("_lastUpdated=ge2026-06-01T12:00:00Z") == pks(directory.robert)
    assert search("_lastUpdated=gt2026-06-01T12:00:00Z") == []
    assert search("_lastUpdated=ge2026-06-01T07:00:00-05:00") == pks(directory.robert)
    assert search("_lastUpdated=ge2026-06-01T17:00:01+05:00") == []  # "+" unencoded: read as an offset
    assert search("_lastUpdated=ge2026-06-01T17:00:00%2B05:00") == pks(directory.robert)
    assert search("_lastUpdated=lt2026-03-10") == pks(directory.mei)
    assert search("_lastUpdated=le2026-03") == pks(directory.ana, directory.mei)
    assert search("_lastUpdated=sa2026-03-31&_lastUpdated=eb2027") == pks(directory.robert)
    assert search("_lastUpdated=ge2026-01&_lastUpdated=lt2026-04&name=chen") == pks(directory.mei)
    # A staff decision on a credential is a change of the Practitioner resource.
    License.objects.filter(practitioner=directory.mei).update(updated_at=datetime.datetime(2026, 7, 2, tzinfo=tz))
    assert search("_lastUpdated=ge2026-07") == pks(directory.mei)
    resource = fhir.get(f"/fhir/Practitioner/{directory.mei.pk}")
    assert resource["meta"]["lastUpdated"] == "2026-07-02T00:00:00.000Z"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("specialty=171100000X", ("ana", "mei", "robert")),
        (f"specialty={codes.NUCC_SYSTEM}|171100000X", ("ana", "mei", "robert")),
        ("specialty=207Q00000X", ()),
        ("new-patient=newpt", ("ana", "mei")),
        (f"new-patient={codes.ACCEPTING_PATIENTS_SYSTEM}|nopt", ("robert",)),
        ("new-patient=newpt,nopt", ("ana", "mei", "robert")),
        ("new-patient=existptonly", ()),
        ("verified=true", ("ana", "mei")),
        ("verified=false", ("robert",)),
        ("verified=true&new-patient=newpt&specialty=171100000X", ("ana", "mei")),
    ],
)
def test_practitioner_role_search(fhir, directory, query, expected):
    bundle = fhir.search(f"/fhir/PractitionerRole?{query}")
    want = [
        directory.role(getattr(directory, name)) for name in sorted(expected, key=lambda n: getattr(directory, n).name)
    ]
    assert ids(bundle) == want


def test_practitioner_role_by_practitioner_location_and_id(fhir, directory):
    mei_role = directory.role(directory.mei)
    for query in (
        f"practitioner=Practitioner/{directory.mei.pk}",
        f"practitioner={directory.mei.pk}",
        f"practitioner:Practitioner={directory.mei.pk}",
        f"practitioner=http://testserver/fhir/Practitioner/{directory.mei.pk}",
        f"location=Location/{mei_role}",
        f"_id={mei_role}",
        f"practitioner={directory.mei.pk}&location={mei_role}&verified=true",
    ):
        assert ids(fhir.search(f"/fhir/PractitionerRole?{query}")) == [mei_role], query
    assert ids(fhir.search(f"/fhir/PractitionerRole?practitioner={directory.hidden.pk}")) == []
    assert (
        ids(
            fhir.search(
                f"/fhir/PractitionerRole?practitioner={directory.mei.pk}&location={directory.role(directory.ana)}"
            )
        )
        == []
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("address-city=philadelphia", ("robert",)),
        ("address-city=PHIL", ("robert",)),
        ("address-city:exact=Philadelphia", ("robert",)),
        ("address-city:exact=philadelphia", ()),
        ("address-state=NY", ("mei",)),
        ("address-state=new york", ("mei",)),
        ("address-state=CA,PA", ("ana", "robert")),
        ("address-postalcode=100", ("mei",)),
        ("address-postalcode=19103", ("robert",)),
        ("address-postalcode:exact=100", ()),
        ("address=los angeles", ("ana",)),
        ("address=90012", ("ana",)),
        ("address=main", ("ana", "mei", "robert")),  # the factories' street, "1 Main St"
        ("address=pennsylvania", ("robert",)),
        ("address-state=NY&address-postalcode=19103", ()),
        ("address-state=PA&address-city=phil", ("robert",)),
    ],
)
def test_location_search(fhir, directory, query, expected):
    bundle = fhir.search(f"/fhir/Location?{query}")
    assert ids(bundle) == sorted((directory.role(getattr(directory, name)) for name in expected), key=int)


def test_location_by_id_never_finds_unpublished_listings(fhir, directory):
    hidden = PracticeLocation.objects.get(practitioner=directory.hidden)
    assert ids(fhir.search(f"/fhir/Location?_id={hidden.pk}")) == []
    assert ids(fhir.search("/fhir/Location?address-postalcode=10001")) == [directory.role(directory.mei)]


def test_organization_search(fhir, directory):
    assert ids(fhir.search("/fhir/Organization?_id=board-NY,nccaom")) == ["board-NY", "nccaom"]
    named = ids(fhir.search("/fhir/Organization?name=quill"))
    assert named == [f"school-{directory.mei.degrees.get().school_id}"]
    assert ids(fhir.search("/fhir/Organization?name=institute")) != named  # a later word matches too
    assert named[0] in ids(fhir.search("/fhir/Organization?name=institute&_count=100"))
    assert ids(fhir.search("/fhir/Organization?name:exact=Quillback Institute")) == named
    assert ids(fhir.search("/fhir/Organization?name:exact=quillback institute")) == []
    assert ids(fhir.search("/fhir/Organization?name:contains=uillba")) == named
    assert ids(fhir.search("/fhir/Organization?name=quill&_id=board-NY")) == []
    assert fhir.search("/fhir/Organization")["total"] == StateBoard.objects.count() + 1 + School.objects.count()


def test_today_decides_verified(fhir, directory):
    """verified uses the directory's rule: a license past its expiry is no longer verified."""
    License.objects.filter(practitioner=directory.ana).update(
        expiry_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert ids(fhir.search("/fhir/Practitioner?verified=true")) == pks(directory.mei)


def test_a_registration_state_credential_is_called_a_registration(fhir, directory):
    StateBoard.objects.filter(state="PA").update(regulation=StateBoard.Regulation.REGISTRATION)
    assert ids(fhir.search("/fhir/Practitioner?qualification-code=state-registration")) == pks(directory.robert)
    assert ids(fhir.search("/fhir/Practitioner?qualification-code=state-license")) == pks(directory.ana, directory.mei)
    assert ids(fhir.search("/fhir/Practitioner?qualification-code=171100000X")) == pks(
        directory.ana, directory.mei, directory.robert
    )
    (qualification,) = fhir.get(f"/fhir/Practitioner/{directory.robert.pk}")["qualification"]
    assert qualification["code"]["text"] == "L.Ac. registration, Pennsylvania"
    assert qualification["code"]["coding"][1]["code"] == "state-registration"
