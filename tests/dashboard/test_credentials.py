"""Credentials from the dashboard: new ones wait for verification; changing a verified one sends it
back to pending (badge gone, VerificationRecord written); staff's rejection reasons are shown."""

import datetime

import pytest
from django.urls import reverse

from practitioners.models import Certification, Degree, License, Practitioner, VerificationRecord
from tests.factories import CertificationFactory, LicenseFactory, SchoolFactory, UserFactory
from verification.services import credential_refuse

pytestmark = pytest.mark.django_db


def add_url(kind: str) -> str:
    return reverse("dashboard:credential_add", args=[kind])


def edit_url(kind: str, pk: int) -> str:
    return reverse("dashboard:credential_edit", args=[kind, pk])


def license_data(license_: License, **overrides) -> dict:
    data = {
        "state": license_.state_id,
        "number": license_.number,
        "title": license_.title,
        "issue_date": license_.issue_date.isoformat() if license_.issue_date else "",
        "expiry_date": license_.expiry_date.isoformat() if license_.expiry_date else "",
        "board_status": license_.board_status,
    }
    data.update(overrides)
    return data


def is_verified(listing: Practitioner) -> bool:
    return Practitioner.objects.filter(pk=listing.pk).verified().exists()


# ---------------------------------------------------------------- adding


def test_add_license_goes_to_the_queue_with_a_record(owner_client, listing):
    response = owner_client.post(
        add_url("license"),
        {
            "state": "NY",
            "number": "NY-004411",
            "title": "L.Ac.",
            "issue_date": "2019-05-01",
            "expiry_date": "2027-05-01",
        },
    )
    assert response.status_code == 302
    new = License.objects.get(number="NY-004411")
    assert (new.practitioner, new.verification_state, new.submitted_at is not None) == (listing, "pending", True)
    record = VerificationRecord.objects.get(credential_id=new.pk, credential_type__model="license")
    assert (record.old_state, record.new_state, record.actor) == ("unverified", "pending", listing.owner)


def test_add_certification_and_degree(owner_client, listing):
    owner_client.post(
        add_url("certification"), {"cert_type": "dipl_ac", "number": "123456", "expiry_date": "2028-01-01"}
    )
    school = SchoolFactory()
    owner_client.post(add_url("degree"), {"school": school.pk, "degree": "MSOM", "graduation_year": "2012"})
    assert Certification.objects.get(practitioner=listing).verification_state == "pending"
    assert Degree.objects.get(practitioner=listing).verification_state == "pending"


def test_verification_fields_cannot_be_posted(owner_client, listing):
    owner_client.post(
        add_url("license"),
        {
            "state": "NY",
            "number": "NY1",
            "title": "L.Ac.",
            "expiry_date": "2030-01-01",
            "verification_state": "verified",
            "verified_at": "2026-01-01T00:00",
            "verified_by": listing.owner.pk,
            "verification_source": "I said so",
            "restricted": "on",
            "practitioner": 999,
        },
    )
    new = License.objects.get(number="NY1")
    assert (new.verification_state, new.verified_at, new.verified_by, new.verification_source) == (
        "pending",
        None,
        None,
        "",
    )
    assert (new.practitioner, new.restricted) == (listing, False)


@pytest.mark.parametrize(
    ("kind", "data", "field", "message"),
    [
        ("license", {"state": "CA", "number": "", "title": "L.Ac."}, "number", "This field is required."),
        ("license", {"state": "FL", "number": "X1", "title": "L.Ac."}, "title", "Florida licenses: AP."),
        ("license", {"state": "OK", "number": "X1", "title": "L.Ac."}, "state", "Select a valid choice."),
        (
            "license",
            {"state": "CA", "number": "X1", "title": "L.Ac.", "issue_date": "2020-01-01", "expiry_date": "2019-01-01"},
            "expiry_date",
            "The expiry date must be after the issue date.",
        ),
        (
            "license",
            {"state": "CA", "number": "X1", "title": "L.Ac.", "issue_date": "2999-01-01"},
            "issue_date",
            "cannot be in the future",
        ),
        ("certification", {"cert_type": "dipl_xx", "number": "1"}, "cert_type", "Select a valid choice."),
        ("degree", {"school": "999999", "degree": "MSOM", "graduation_year": "2012"}, "school", "Select a valid"),
        ("degree", {"school": "", "degree": "MSOM", "graduation_year": "2999"}, "graduation_year", "in the future"),
    ],
)
def test_bad_credential_input_saves_nothing(owner_client, listing, kind, data, field, message):
    counts = (License.objects.count(), Certification.objects.count(), Degree.objects.count())
    records = VerificationRecord.objects.count()
    response = owner_client.post(add_url(kind), data)
    assert response.status_code == 200
    assert message in response.text
    assert field in response.context["form"].errors
    assert (License.objects.count(), Certification.objects.count(), Degree.objects.count()) == counts
    assert VerificationRecord.objects.count() == records


def test_a_license_already_on_another_listing_is_refused(owner_client, listing, intruder_listing):
    taken = intruder_listing.licenses.get()
    response = owner_client.post(add_url("license"), {"state": "CA", "number": taken.number.lower(), "title": "L.Ac."})
    assert "already verified on a Meridian listing" in response.text
    assert License.objects.filter(practitioner=listing).count() == 1


def test_an_unverified_copy_of_my_license_elsewhere_does_not_block_me(owner_client, listing, intruder_listing):
    """Squatting (issue 11, item 4): someone put my number on their listing; nobody verified it."""
    squatted = intruder_listing.licenses.get()
    squatted.verification_state, squatted.verified_at = "unverified", None
    squatted.save()
    response = owner_client.post(
        add_url("license"),
        {"state": squatted.state_id, "number": squatted.number, "title": "L.Ac.", "expiry_date": "2030-01-01"},
    )
    assert response.status_code == 302
    assert listing.licenses.filter(number=squatted.number).get().verification_state == "pending"


def test_unknown_credential_kind_is_404(owner_client):
    assert owner_client.get(add_url("diploma")).status_code == 404
    assert owner_client.get(edit_url("diploma", 1)).status_code == 404


# ---------------------------------------------------------------- the re-verification rule


@pytest.mark.parametrize(
    ("change", "value"),
    [("number", "AC999001"), ("state", "NY"), ("expiry_date", "2031-12-31"), ("issue_date", "2014-02-02")],
)
def test_changing_a_verified_license_sends_it_back_to_pending(owner_client, client, listing, change, value):
    license_ = listing.licenses.get()
    assert is_verified(listing)
    response = owner_client.post(edit_url("license", license_.pk), license_data(license_, **{change: value}))
    assert response.status_code == 302
    license_.refresh_from_db()
    assert license_.verification_state == "pending"
    assert str(getattr(license_, change if change != "state" else "state_id")) == value
    record = VerificationRecord.objects.filter(credential_id=license_.pk).latest("created_at")
    assert (record.old_state, record.new_state, record.actor) == ("verified", "pending", listing.owner)
    assert change in record.note
    assert not is_verified(listing)
    assert "Verified license" not in client.get(listing.get_absolute_url()).text


def test_saving_a_verified_license_unchanged_keeps_it_verified(owner_client, listing):
    license_ = listing.licenses.get()
    records = VerificationRecord.objects.count()
    owner_client.post(edit_url("license", license_.pk), license_data(license_))
    license_.refresh_from_db()
    assert license_.verification_state == "verified"
    assert VerificationRecord.objects.count() == records


def test_changing_a_pending_credential_keeps_it_pending(owner_client, listing):
    cert = CertificationFactory(practitioner=listing, verification_state="pending", verified_at=None)
    owner_client.post(
        edit_url("certification", cert.pk),
        {"cert_type": "dipl_om", "number": cert.number, "expiry_date": "2029-01-01"},
    )
    cert.refresh_from_db()
    assert (cert.cert_type, cert.verification_state) == ("dipl_om", "pending")


def test_rejection_reason_is_shown_and_an_edit_resubmits(owner_client, listing):
    license_ = LicenseFactory(practitioner=listing, state_id="NY", verification_state="pending", verified_at=None)
    credential_refuse(
        new_state="rejected",
        credential=license_,
        actor=UserFactory(is_staff=True),
        reason="Number not found on the NY roster.",
    )
    home = owner_client.get(reverse("dashboard:home")).text
    assert "Number not found on the NY roster." in home
    owner_client.post(edit_url("license", license_.pk), license_data(license_, number="NY777"))
    license_.refresh_from_db()
    assert (license_.number, license_.verification_state, license_.rejection_reason) == ("NY777", "pending", "")


def test_edit_page_warns_before_changing_a_verified_credential(owner_client, listing):
    license_ = listing.licenses.get()
    page = owner_client.get(edit_url("license", license_.pk)).text
    assert "goes back to our staff for verification" in page
    assert 'name="verification_state"' not in page


def test_expired_license_can_be_renewed(owner_client, listing):
    license_ = listing.licenses.get()
    License.objects.filter(pk=license_.pk).update(verification_state="expired")
    license_.refresh_from_db()
    new_expiry = (datetime.date.today() + datetime.timedelta(days=700)).isoformat()
    owner_client.post(edit_url("license", license_.pk), license_data(license_, expiry_date=new_expiry))
    license_.refresh_from_db()
    assert license_.verification_state == "pending"
