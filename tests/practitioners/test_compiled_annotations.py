"""practitioners.expressions.compiled_annotations: the trust facts and the license sentence, compiled once a
day, give what the plain expressions give, day by day; and they refuse to be read inside a subquery."""

import datetime

import pytest
from django.db import NotSupportedError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from practitioners.models import Practitioner, license_state_annotations, trust_facts
from tests.factories import CertificationFactory, DegreeFactory, LicenseFactory, PractitionerFactory, location_at_zip

pytestmark = pytest.mark.django_db

FIELDS = ("pk", "is_verified", "is_nccaom_certified", "meets_medicare", "license_state", "license_verified_at")


def listings(today: datetime.date) -> None:
    expiring = today + datetime.timedelta(days=3)
    for zip_code, credentials in [
        ("94103", ["license"]),
        ("94103", ["license", "certification", "degree"]),
        ("10001", ["certification"]),
        ("60601", []),
    ]:
        practitioner = PractitionerFactory()
        location_at_zip(practitioner, zip_code)
        if "license" in credentials:
            LicenseFactory(practitioner=practitioner, expiry_date=expiring)
        if "certification" in credentials:
            CertificationFactory(practitioner=practitioner, expiry_date=expiring + datetime.timedelta(days=2))
        if "degree" in credentials:
            DegreeFactory(practitioner=practitioner)


def test_compiled_annotations_answer_as_the_plain_expressions_on_every_day():
    today = timezone.localdate()
    listings(today)
    seen = set()
    for offset in range(0, 8):  # across the license's expiry (day 3) and the certification's (day 5)
        day = today + datetime.timedelta(days=offset)
        compiled = list(
            Practitioner.objects.with_trust_facts(day).with_license_state(day).order_by("pk").values(*FIELDS)
        )
        plain = list(
            Practitioner.objects.annotate(**trust_facts(day), **license_state_annotations(day))
            .order_by("pk")
            .values(*FIELDS)
        )
        assert compiled == plain, day
        seen.add(tuple(tuple(row.values())[1:5] for row in plain))
    assert len(seen) >= 3  # the days differ, so a compiled answer kept from another day would show


def test_a_compiled_annotation_is_not_read_inside_a_subquery():
    LicenseFactory()
    inner = Practitioner.objects.with_trust_facts().filter(pk=OuterRef("pk"), is_verified=True)
    with pytest.raises(NotSupportedError, match="cannot be read inside a subquery"):
        list(Practitioner.objects.filter(Exists(inner)))
    # Carried but not read (the pk of an annotated queryset as a subquery): fine.
    assert Practitioner.objects.filter(pk__in=Practitioner.objects.with_trust_facts().values("pk")).count() == 1
