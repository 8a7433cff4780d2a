"""The demo command: deterministic, every credential situation present, bounded work."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.practitioners import SCENARIOS
from practitioners.models import Certification, Degree, License, PracticeLocation, Practitioner

pytestmark = pytest.mark.django_db


def seed(n: int = 40, seed: int = 7, *extra: str) -> str:
    out = StringIO()
    call_command(
        "seed_demo",
        "--practitioners",
        str(n),
        "--seed",
        str(seed),
        "--batch-size",
        "16",
        *extra,
        stdout=out,
        verbosity=0,
    )
    return out.getvalue()


def snapshot() -> list[tuple]:
    # Sorted in Python: ordering by slug alone leaves a listing's joined location/license rows in
    # whatever order PostgreSQL returns them, which differed between two identical seeds.
    return sorted(
        Practitioner.objects.order_by("slug").values_list(
            "slug",
            "name",
            "first_visit_fee",
            "sliding_scale",
            "locations__zip_code",
            "licenses__number",
            "licenses__verification_state",
            "licenses__expiry_date",
        ),
        key=lambda row: tuple("" if value is None else str(value) for value in row),
    )


def test_same_seed_gives_same_data():
    seed()
    first = snapshot()
    Practitioner.objects.all().delete()
    seed()
    assert snapshot() == first
    Practitioner.objects.all().delete()
    seed(seed=8)
    assert snapshot() != first


def test_every_credential_state_is_represented():
    today = timezone.localdate()
    seed(n=len(SCENARIOS))
    states = set(License.objects.values_list("verification_state", flat=True))
    assert {"verified", "pending", "rejected", "unverified", "revoked"} <= states
    assert License.objects.filter(
        verification_state="verified", expiry_date=today - datetime.timedelta(days=1)
    ).exists()
    assert License.objects.filter(
        verification_state="verified", expiry_date=today + datetime.timedelta(days=30)
    ).exists()
    assert License.objects.filter(board_status="probation").exists()
    assert License.objects.filter(restricted=True).exists()
    assert Certification.objects.filter(status="lapsed").exists()
    assert Degree.objects.filter(school__accreditation="candidate").exists()
    # And the derived badges come out of that mix, some on and some off.
    total = Practitioner.objects.count()
    assert 0 < Practitioner.objects.verified().count() < total
    assert 0 < Practitioner.objects.nccaom_certified().count() < total
    assert 0 < Practitioner.objects.meets_medicare_clbp().count() < total


def test_listings_are_marked_demo_and_spread_over_real_zips():
    out = seed(n=60)
    assert "Created 60 demo practitioners" in out
    assert Practitioner.objects.filter(is_demo=False).count() == 0
    states = set(PracticeLocation.objects.values_list("state", flat=True))
    assert len(states) >= 5
    assert PracticeLocation.objects.count() > Practitioner.objects.count()  # some have two locations
    assert not PracticeLocation.objects.filter(latitude__isnull=True).exists()


def test_if_empty_and_dry_run_insert_nothing():
    out = seed(5, 1, "--dry-run")
    assert "Would create 5" in out
    assert Practitioner.objects.count() == 0
    seed(5)
    out = seed(5, 1, "--if-empty")
    assert "nothing seeded" in out
    assert Practitioner.objects.count() == 5


def test_running_twice_appends_unique_listings():
    seed(5)
    seed(5)
    assert Practitioner.objects.count() == 10
    assert Practitioner.objects.values("slug").distinct().count() == 10
