"""The locations in each worker's memory (`search.points`) answer as PostgreSQL does: the same listings
inside a radius and the same distances, bit for bit, even where numpy's last bits differ.

PostgreSQL only: the distances are compared with PostgreSQL's own, and the memory index serves
PostgreSQL only (tests/search/test_search_projection.py compares whole searches with the plain
definitions, with the points held).
"""

import math
import random

import numpy as np
import pytest
from django.db import connection  # noqa: F401 -- the skipif condition reads it
from django.db.models import Min
from django.http import QueryDict

from practitioners.expressions import great_circle_miles
from practitioners.geo import zip_place
from practitioners.models import PracticeLocation, StateBoard
from search import memory, points
from search.filters import PractitionerFilterSet
from search.selectors import PlainSearch, nearest_beyond_radius, search_base_qs
from tests.factories import LocationFactory, PractitionerFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's distances; its memory index"),
]


@pytest.fixture
def noisy(monkeypatch):
    """numpy's distances off by up to half the slack either way: the worst the points must survive."""
    rng = np.random.default_rng(7)
    real = points.approximate_miles

    def approximate(latitude, longitude, lat, lng):
        found = real(latitude, longitude, lat, lng)
        return found + rng.uniform(-points.SLACK / 2, points.SLACK / 2, len(found))

    monkeypatch.setattr(points, "approximate_miles", approximate)


@pytest.fixture
def scattered():
    """40 listings with 300 locations scattered over the West (some listings with many)."""
    rng = random.Random(11)
    state = StateBoard.objects.get(state="CA")
    listings = [PractitionerFactory() for _ in range(40)]
    PracticeLocation.objects.bulk_create(
        PracticeLocation(
            practitioner=rng.choice(listings),
            city="Somewhere",
            state=state,
            zip_code="94110",
            latitude=rng.uniform(32.0, 42.0),
            longitude=rng.uniform(-124.0, -114.0),
        )
        for _ in range(300)
    )
    return listings


def in_postgresql(latitude: float, longitude: float, miles: float) -> dict[int, float]:
    """{listing id: miles to its nearest location inside}, by the plain definition."""
    found = (
        PracticeLocation.objects.within(latitude, longitude, miles)
        .order_by()
        .values("practitioner_id")
        .annotate(nearest=Min(great_circle_miles(latitude, longitude)))
        .values_list("practitioner_id", "nearest")
    )
    return dict(found)


def in_memory(held: points.Points, slot_of_pk: np.ndarray, latitude: float, longitude: float, miles: float):
    near = held.within(latitude, longitude, miles, int(slot_of_pk.max()) + 1)
    slots = np.flatnonzero(near.mask)
    pk_of_slot = {int(slot): pk for pk, slot in enumerate(slot_of_pk) if slot >= 0}
    return dict(zip((pk_of_slot[int(slot)] for slot in slots), near.exact(slots).tolist(), strict=True))


def slots_for(listings) -> np.ndarray:
    slot_of_pk = np.full(max(listing.pk for listing in listings) + 1, -1, np.int64)
    slot_of_pk[[listing.pk for listing in listings]] = np.arange(len(listings))
    return slot_of_pk


def test_exact_miles_is_postgresqls_value_bit_for_bit(scattered):
    rng = random.Random(5)
    rows = list(PracticeLocation.objects.values_list("pk", "latitude", "longitude"))
    for _ in range(25):
        latitude, longitude = rng.uniform(30.0, 45.0), rng.uniform(-125.0, -110.0)
        in_sql = dict(
            PracticeLocation.objects.annotate(miles=great_circle_miles(latitude, longitude)).values_list("pk", "miles")
        )
        assert {pk: points.exact_miles(latitude, longitude, lat, lng) for pk, lat, lng in rows} == in_sql
        # numpy's figure is close, but need not be the same.
        lat = np.array([row[1] for row in rows])
        lng = np.array([row[2] for row in rows])
        approximate = points.approximate_miles(latitude, longitude, lat, lng)
        assert np.abs(approximate - np.array([in_sql[row[0]] for row in rows])).max() < points.SLACK / 100


def test_the_listings_within_a_radius_and_their_distances_are_postgresqls(scattered, noisy):
    slot_of_pk = slots_for(scattered)
    held = points.Points.read("default", slot_of_pk)
    assert len(held) == 300
    rng = random.Random(9)
    rows = list(PracticeLocation.objects.values_list("latitude", "longitude"))
    for _ in range(30):
        latitude, longitude = rng.uniform(31.0, 43.0), rng.uniform(-125.0, -113.0)
        for miles in (5.0, 50.0, 200.0, rng.uniform(1.0, 400.0)):
            assert in_memory(held, slot_of_pk, latitude, longitude, miles) == in_postgresql(latitude, longitude, miles)
        # A radius exactly as far as a location: inside by PostgreSQL's figure, whatever numpy says.
        lat, lng = rng.choice(rows)
        miles = points.exact_miles(latitude, longitude, lat, lng)
        assert in_memory(held, slot_of_pk, latitude, longitude, miles) == in_postgresql(latitude, longitude, miles)


def test_replaced_points_are_found_at_their_new_place(scattered, monkeypatch):
    slot_of_pk = slots_for(scattered)
    held = points.Points.read("default", slot_of_pk)
    moved, gone = scattered[0], scattered[1]
    PracticeLocation.objects.filter(practitioner=moved).update(latitude=36.5, longitude=-119.5)
    monkeypatch.setattr(points, "MERGE_AFTER", 1_000)
    held.replace("default", slot_of_pk, [moved.pk, gone.pk], [moved.pk])  # `gone` left search
    assert len(held.extra_slot) == PracticeLocation.objects.filter(practitioner=moved).count()
    expected = in_postgresql(36.5, -119.5, 30.0)
    expected.pop(gone.pk, None)
    assert in_memory(held, slot_of_pk, 36.5, -119.5, 30.0) == expected
    assert expected[moved.pk] == 0.0
    monkeypatch.setattr(points, "MERGE_AFTER", 0)  # merged into the sorted arrays: the same answers
    held.replace("default", slot_of_pk, [moved.pk], [moved.pk])
    assert not len(held.extra_slot) and bool(np.all(np.diff(held.lat) >= 0))
    assert in_memory(held, slot_of_pk, 36.5, -119.5, 30.0) == expected
    assert in_memory(held, slot_of_pk, 37.0, -121.0, 150.0) == {
        pk: miles for pk, miles in in_postgresql(37.0, -121.0, 150.0).items() if pk != gone.pk
    }


@pytest.fixture
def near_ties():
    """25 listings at 94110 whose distances differ by less than numpy's error here (about 7e-8 miles)."""
    place = zip_place("94110")
    state = StateBoard.objects.get(state="CA")
    order = list(range(25))
    random.Random(3).shuffle(order)
    for number, step in enumerate(order):
        listing = PractitionerFactory(name=f"Listing {number:02d}")
        LocationFactory(
            practitioner=listing,
            state=state,
            zip_code="94110",
            latitude=place.latitude + step * 1e-9,
            longitude=place.longitude,
        )
    memory.forget()


def search_for(**params) -> PractitionerFilterSet:
    query = QueryDict(mutable=True)
    query.update(params)
    return PractitionerFilterSet(query, queryset=search_base_qs())


def held_search(filterset: PractitionerFilterSet) -> memory.MemorySearch:
    search = memory.MemorySearch(filterset)
    search.snapshot.hold_points()  # a private snapshot (this test's transaction wrote)
    return search


@pytest.mark.parametrize("sort", ["distance", "relevance"])
def test_a_page_of_near_ties_is_in_postgresqls_order(sort, near_ties, noisy):
    """The page's candidates are widened by numpy's error and ordered by the exact distances."""
    filterset = search_for(location="94110", sort=sort)
    plain = PlainSearch(filterset).page_entries(0, 25)
    assert [entry.distance for entry in plain] == sorted(entry.distance for entry in plain)
    for start, stop in ((0, 3), (3, 5), (0, 25)):
        search = held_search(filterset)
        assert search._nearby is not None  # the points answered, not SQL
        assert search.page_entries(start, stop) == plain[start:stop]
    assert not math.isclose(plain[0].distance, plain[1].distance, abs_tol=0.0)


def test_the_nearest_beyond_the_radius_among_near_ties(near_ties, noisy):
    filterset = search_for(location="94301", radius="5")  # Palo Alto: none within 5 miles
    assert held_search(filterset).count() == 0
    nearest = nearest_beyond_radius(filterset, index=held_search(filterset))
    assert nearest == nearest_beyond_radius(filterset, index=PlainSearch(filterset))
    assert len(nearest) == 3 and 25 < nearest[0].distance < 35
