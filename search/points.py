"""The published listings' practice locations as points in each worker's memory (`search.memory`): the
listings within a radius and the miles to the nearest, without reading every location inside the
radius from PostgreSQL (at 1,000,000 listings a 200-mile search read about 200,000).

The distance is the plain definition's (`practitioners.expressions.great_circle_miles`): the same
formula, whose operations PostgreSQL does with the C library's sine, cosine, power and arcsine. numpy
computes it for every point in the bounding box, but its vectorised arcsine and power may differ from
the C library's in the last bits (about 1e-12 miles). So numpy's figure decides only what such a
difference cannot change:

- a point farther than SLACK from the radius is inside or outside whatever the last bits; the few
  within SLACK of it are computed again (`exact_miles`: the C library's functions through Python's
  `math`, in PostgreSQL's order of operations, checked bit for bit against PostgreSQL by
  tests/search/test_search_points.py);
- the distances a page shows, and those that decide its order, are computed again the same way
  (`Near.exact`); `search.memory.MemorySearch.ordered_slots` widens its candidates by the error.

The points are sorted by latitude, so a search reads the band of its bounding box (a binary search)
and tests the longitudes there. A listing's points are replaced when its search row is (the log the
rows catch up with: every write to a location goes through `practitioners.services`, which refreshes
the row), added at the end and merged into the sorted arrays when they are many.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from django.db import connections

from practitioners import geo
from practitioners.models import PracticeLocation

# numpy's distance is trusted only this far (in miles) from the radius: its error is about 1e-12 miles.
SLACK = 1e-6
# PostgreSQL's radians(): x * RADIANS_PER_DEGREE (0.0174532925199432957692, the double nearest pi/180).
RADIANS_PER_DEGREE = math.pi / 180.0
TWICE_RADIUS = 2 * geo.EARTH_RADIUS_MILES
# Points replaced since the sort are kept apart until there are this many (then merged).
MERGE_AFTER = 4096
READ_CHUNK = 50_000


def exact_miles(latitude: float, longitude: float, point_latitude: float, point_longitude: float) -> float:
    """`great_circle_miles(latitude, longitude)` for a location at (point_latitude, point_longitude), the
    value PostgreSQL computes: the same operations in the same order with the same C library."""
    lat1 = math.radians(latitude)
    lng1 = math.radians(longitude)
    lat2 = point_latitude * RADIANS_PER_DEGREE
    lng2 = point_longitude * RADIANS_PER_DEGREE
    half_dlat = math.sin((lat2 - lat1) / 2.0)
    half_dlng = math.sin((lng2 - lng1) / 2.0)
    a = math.pow(half_dlat, 2) + math.cos(lat1) * math.cos(lat2) * math.pow(half_dlng, 2)
    return TWICE_RADIUS * math.asin(min(math.sqrt(a), 1.0))


def approximate_miles(latitude: float, longitude: float, lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    """`exact_miles` for many points with numpy (within about 1e-12 miles of it)."""
    lat1 = math.radians(latitude)
    lat2 = lat * RADIANS_PER_DEGREE
    half_dlat = np.sin((lat2 - lat1) / 2.0)
    half_dlng = np.sin((lng * RADIANS_PER_DEGREE - math.radians(longitude)) / 2.0)
    a = half_dlat * half_dlat + math.cos(lat1) * np.cos(lat2) * (half_dlng * half_dlng)
    return TWICE_RADIUS * np.arcsin(np.minimum(np.sqrt(a), 1.0))


@dataclass
class Near:
    """The listings with a location within `miles` of a point: `mask` and `distance` per slot (numpy's
    minimum over the listing's points inside, within SLACK of the exact one; 0 outside), and what
    `exact` needs: the points inside (slot, latitude, longitude)."""

    latitude: float
    longitude: float
    mask: np.ndarray
    distance: np.ndarray
    slot: np.ndarray
    lat: np.ndarray
    lng: np.ndarray

    def exact(self, slots: np.ndarray) -> np.ndarray:
        """The exact miles to the nearest point inside for each of `slots` (each one of `mask`'s)."""
        found = np.full(len(slots), np.inf)
        position = {int(slot): number for number, slot in enumerate(slots)}
        for index in np.flatnonzero(np.isin(self.slot, slots)):
            number = position[int(self.slot[index])]
            miles = exact_miles(self.latitude, self.longitude, float(self.lat[index]), float(self.lng[index]))
            found[number] = min(found[number], miles)
        return found


class Points:
    """Every location with coordinates of the listings that have a slot: latitude, longitude and slot,
    sorted by latitude (`live` False for a replaced one), and those added since, unsorted."""

    def __init__(self) -> None:
        self.lat = np.zeros(0)
        self.lng = np.zeros(0)
        self.slot = np.zeros(0, np.int64)
        self.live = np.zeros(0, bool)
        self.extra_lat = np.zeros(0)
        self.extra_lng = np.zeros(0)
        self.extra_slot = np.zeros(0, np.int64)

    @classmethod
    def read(cls, using: str, slot_of_pk: np.ndarray) -> Points:
        """The locations of every listing that has a slot in `slot_of_pk`, sorted."""
        points = cls()
        lat, lng, slot = _read(using, slot_of_pk, None)
        order = np.argsort(lat, kind="stable")
        points.lat, points.lng, points.slot = lat[order], lng[order], slot[order]
        points.live = np.ones(len(order), bool)
        return points

    def __len__(self) -> int:
        return int(self.live.sum()) + len(self.extra_slot)

    def replace(self, using: str, slot_of_pk: np.ndarray, changed: list[int], present: list[int]) -> None:
        """The points of the `changed` listings as committed now: those of the ones `present` in search
        (the others' are dropped)."""
        known = [pk for pk in changed if pk < len(slot_of_pk)]
        slots = slot_of_pk[known] if known else np.zeros(0, np.int64)
        self.forget(slots[slots >= 0])
        lat, lng, slot = _read(using, slot_of_pk, present)
        self.extra_lat = np.concatenate([self.extra_lat, lat])
        self.extra_lng = np.concatenate([self.extra_lng, lng])
        self.extra_slot = np.concatenate([self.extra_slot, slot])
        if len(self.extra_slot) > MERGE_AFTER:
            self._merge()

    def forget(self, slots: np.ndarray) -> None:
        """Drop these slots' points."""
        if not len(slots):
            return
        self.live &= ~np.isin(self.slot, slots)
        kept = ~np.isin(self.extra_slot, slots)
        self.extra_lat, self.extra_lng, self.extra_slot = (
            self.extra_lat[kept],
            self.extra_lng[kept],
            self.extra_slot[kept],
        )

    def _merge(self) -> None:
        lat = np.concatenate([self.lat[self.live], self.extra_lat])
        order = np.argsort(lat, kind="stable")
        self.lat = lat[order]
        self.lng = np.concatenate([self.lng[self.live], self.extra_lng])[order]
        self.slot = np.concatenate([self.slot[self.live], self.extra_slot])[order]
        self.live = np.ones(len(order), bool)
        self.extra_lat, self.extra_lng, self.extra_slot = np.zeros(0), np.zeros(0), np.zeros(0, np.int64)

    def within(self, latitude: float, longitude: float, miles: float, n: int) -> Near:
        """The slots (of `n`) with a point within `miles` of (latitude, longitude), as
        `PracticeLocation.objects.within` decides it: the bounding box, then the great-circle distance."""
        min_lat, max_lat, min_lng, max_lng = geo.bounding_box(latitude, longitude, miles)
        start = int(np.searchsorted(self.lat, min_lat, side="left"))
        stop = int(np.searchsorted(self.lat, max_lat, side="right"))
        lng = self.lng[start:stop]
        in_box = self.live[start:stop] & (lng >= min_lng) & (lng <= max_lng)
        extra = (
            (self.extra_lat >= min_lat)
            & (self.extra_lat <= max_lat)
            & (self.extra_lng >= min_lng)
            & (self.extra_lng <= max_lng)
        )
        lat = np.concatenate([self.lat[start:stop][in_box], self.extra_lat[extra]])
        lng = np.concatenate([lng[in_box], self.extra_lng[extra]])
        slot = np.concatenate([self.slot[start:stop][in_box], self.extra_slot[extra]])
        distance = approximate_miles(latitude, longitude, lat, lng)
        inside = distance <= miles
        for index in np.flatnonzero(np.abs(distance - miles) <= SLACK):  # too close to the radius to trust numpy
            inside[index] = exact_miles(latitude, longitude, float(lat[index]), float(lng[index])) <= miles
        lat, lng, slot, distance = lat[inside], lng[inside], slot[inside], distance[inside]
        nearest = np.full(n, np.inf)
        np.minimum.at(nearest, slot, distance)
        mask = np.isfinite(nearest)
        nearest[~mask] = 0.0
        return Near(latitude, longitude, mask, nearest, slot, lat, lng)


def _read(using: str, slot_of_pk: np.ndarray, pks: list[int] | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(latitude, longitude, slot) of these listings' (all when None) locations with coordinates, for
    the listings with a slot."""
    if pks is not None and not pks:
        return np.zeros(0), np.zeros(0), np.zeros(0, np.int64)
    table = PracticeLocation._meta.db_table
    only = " AND practitioner_id = ANY(%s)" if pks is not None else ""
    chunks = []
    with connections[using].chunked_cursor() as cursor:
        cursor.execute(
            f"SELECT practitioner_id, latitude, longitude FROM {table} "  # noqa: S608 -- our table
            f"WHERE latitude IS NOT NULL AND longitude IS NOT NULL{only}",
            [pks] if pks is not None else [],
        )
        while rows := cursor.fetchmany(READ_CHUNK):
            chunks.append(np.array(rows, np.float64))  # ids are far below 2**53: exact as floats
    if not chunks:
        return np.zeros(0), np.zeros(0), np.zeros(0, np.int64)
    found = np.concatenate(chunks)
    pk = found[:, 0].astype(np.int64)
    known = pk < len(slot_of_pk)
    slot = np.full(len(pk), -1, np.int64)
    slot[known] = slot_of_pk[pk[known]]
    held = slot >= 0
    return found[held, 1].copy(), found[held, 2].copy(), slot[held]
