"""practitioners.inline_rows: a listing's short lists read in its own query give the same objects, in the
same order, as reading each relation on its own (on PostgreSQL ordered in SQL, on SQLite here)."""

import datetime
import random

import pytest

from practitioners.inline_rows import attach_inline_rows, with_inline_rows
from practitioners.models import (
    ComplementaryService,
    Condition,
    InsuranceCarrier,
    Language,
    OpeningHours,
    PracticeLocation,
    Practitioner,
    SpecialTraining,
    Technique,
)
from practitioners.selectors import LOCATION_LISTS, PROFILE_LISTS, practitioner_profile
from tests.factories import PractitionerFactory, location_at_zip

pytestmark = pytest.mark.django_db

VOCABULARIES = {
    "conditions": Condition,
    "techniques": Technique,
    "services": ComplementaryService,
    "insurance_carriers": InsuranceCarrier,
    "languages": Language,
}


def random_listing(rng: random.Random) -> Practitioner:
    practitioner = PractitionerFactory()
    for relation, model in VOCABULARIES.items():
        items = list(model.objects.all())
        getattr(practitioner, relation).set(rng.sample(items, rng.randint(0, len(items))))
    for _ in range(rng.randint(0, 5)):
        # Equal years and titles that differ in case: the order is the model's, then pk.
        SpecialTraining.objects.create(
            practitioner=practitioner,
            title=rng.choice(["Sports injuries", "sports injuries", "Orthopedic", "Pain management"]),
            provider=rng.choice(["AAMA", "NCCAOM", "PCOM"]),
            year=rng.choice([2005, 2019, 2019, 2024]),
        )
    for _ in range(rng.randint(0, 2)):
        location = location_at_zip(practitioner, rng.choice(["94103", "10001", "60601"]))
        slots = [(weekday, opens) for weekday in range(7) for opens in (8, 9, 13)]
        for weekday, opens in rng.sample(slots, rng.randint(0, 6)):
            OpeningHours.objects.create(
                location=location,
                weekday=weekday,
                opens=datetime.time(opens),
                closes=datetime.time(rng.choice([17, 18, 20])),
            )
    return practitioner


def as_rows(objects, fields) -> list[tuple]:
    return [(obj.pk, *(getattr(obj, field) for field in fields)) for obj in objects]


@pytest.mark.parametrize("seed", range(8))
def test_inline_rows_equal_each_relation_read_on_its_own(seed, django_assert_num_queries):
    rng = random.Random(seed)
    listings = [random_listing(rng) for _ in range(3)]
    for practitioner in listings:
        with django_assert_num_queries(1):
            inline = with_inline_rows(Practitioner.objects.all(), PROFILE_LISTS).get(pk=practitioner.pk)
            attach_inline_rows(inline, PROFILE_LISTS)
            got = {
                relation: as_rows(getattr(inline, relation).all(), fields) for relation, fields in PROFILE_LISTS.items()
            }
        fresh = Practitioner.objects.get(pk=practitioner.pk)
        for relation, fields in PROFILE_LISTS.items():
            assert got[relation] == as_rows(getattr(fresh, relation).all(), fields), relation
        locations = with_inline_rows(PracticeLocation.objects.filter(practitioner=practitioner), LOCATION_LISTS)
        for location in locations:
            attach_inline_rows(location, LOCATION_LISTS)
            fields = LOCATION_LISTS["hours"]
            assert as_rows(location.hours.all(), fields) == as_rows(
                OpeningHours.objects.filter(location=location), fields
            )


def test_fields_not_read_load_when_asked(django_assert_num_queries):
    practitioner = PractitionerFactory()
    neck = Condition.objects.get(slug="neck-pain")
    neck.description = "Pain between the skull and the shoulders."
    neck.save()
    practitioner.conditions.set([neck])
    profile = practitioner_profile(slug=practitioner.slug)
    with django_assert_num_queries(0):
        [item] = profile.conditions.all()
        assert (item.slug, item.name) == ("neck-pain", neck.name)
    with django_assert_num_queries(1):
        assert item.description == "Pain between the skull and the shoulders."


def test_only_lists_can_be_inlined():
    with pytest.raises(ValueError, match="neither a many-to-many field nor a reverse foreign key"):
        with_inline_rows(Practitioner.objects.all(), {"owner": ("email",)})
