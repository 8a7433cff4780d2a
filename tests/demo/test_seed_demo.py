"""The demo command: deterministic, every credential situation present, bounded work."""

import datetime
import io
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from dashboard.services import photo_thumbnail_name
from demo import portraits
from demo.practitioners import SCENARIOS
from practitioners import geo
from practitioners.models import Certification, Degree, License, PracticeLocation, Practitioner
from reviews.models import Review
from reviews.outcomes import MIN_REPORTS

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


# ---------------------------------------------------------------- the demo site's dressing (demo.showcase)


def test_listings_cluster_in_real_cities_so_searches_find_people_nearby(client):
    seed(n=240, seed=1)
    by_city = Counter(PracticeLocation.objects.values_list("city", "state"))
    assert sum(1 for count in by_city.values() if count >= 3) >= 10
    for location, at_least in (("10001", 20), ("Austin, TX", 3)):
        page = client.get("/practitioners/", {"location": location, "radius": "25"}, follow=True).content.decode()
        count = int(re.search(r"(\d+) practitioners?\b", page)[1])
        assert count >= at_least, location
        distances = [float(d) for d in re.findall(r"(\d+\.\d) mi\b", page)]
        assert distances and max(distances) <= 25, location
    # Someone in Austin treats low back pain (the core conditions every city needs).
    page = client.get(
        "/practitioners/", {"location": "Austin, TX", "condition": "chronic-low-back-pain"}
    ).content.decode()
    assert int(re.search(r"(\d+) practitioners?\b", page)[1]) >= 1


def test_most_listings_have_a_generated_portrait_and_they_differ():
    seed(n=120, seed=1)
    photos = list(Practitioner.objects.values_list("photo", flat=True))
    with_photo = [name for name in photos if name]
    assert 0.7 <= len(with_photo) / len(photos) < 1  # some have not uploaded one, as in life
    assert len(set(with_photo)) >= 20
    for name in set(with_photo):
        assert default_storage.exists(name)
        assert default_storage.exists(photo_thumbnail_name(name, portraits.THUMB_EDGE))


def test_portraits_are_deterministic_and_varied():
    assert portraits.portrait_jpeg(4) == portraits.portrait_jpeg(4)
    pool = {portraits.portrait_jpeg(n, 32) for n in range(portraits.POOL_SIZE)}
    assert len(pool) == portraits.POOL_SIZE
    image = Image.open(io.BytesIO(portraits.portrait_jpeg(0)))
    assert image.size == (portraits.EDGE, portraits.EDGE)


def test_most_profiles_have_enough_pain_reports_for_an_outcome_figure():
    seed(n=80, seed=1)
    reports = Counter(
        Review.objects.filter(state="published", pain_before__isnull=False, pain_after__isnull=False).values_list(
            "practitioner_id", "condition_id"
        )
    )
    with_figure = {practitioner for (practitioner, _), count in reports.items() if count >= MIN_REPORTS}
    assert len(with_figure) >= 0.6 * Practitioner.objects.count()


def test_names_fees_and_carriers_vary_and_stay_plausible():
    seed(n=120, seed=1)
    listings = Practitioner.objects.all()
    assert listings.values("name").distinct().count() >= 110
    assert Practitioner.objects.filter(bio__contains="I").values("bio").distinct().count() >= 110
    fees = [fee for fee in listings.values_list("first_visit_fee", flat=True) if fee is not None]
    assert min(fees) >= 35 and max(fees) <= 300 and len(set(fees)) >= 10
    cash_only = listings.filter(insurance_carriers__isnull=True).count()
    assert 0.15 <= cash_only / listings.count() <= 0.6
    # Each location's city and state are its ZIP's, and a listing's locations are in one metro.
    for location in PracticeLocation.objects.all():
        place = geo.zip_place(location.zip_code)
        assert place.state == location.state_id and f"({location.city}, " in place.label


def test_plain_listings_are_what_seed_bench_writes():
    seed(20, 1, "--plain")
    assert not Practitioner.objects.exclude(photo="").exists()
