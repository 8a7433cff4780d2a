"""Offline geocoding from the `zipcodes` package, and great-circle distance.

Pure functions: no ORM, no network. The ZIP table (42,789 centroids) is
loaded once per process and indexed by ZIP; cities and everything a person may type in the
location box are `practitioners.places`.
"""

import functools
import math
import re
from dataclasses import dataclass

import zipcodes

EARTH_RADIUS_MILES = 3958.7613
KM_PER_MILE = 1.609344  # the international mile, exactly
ZIP_RE = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float
    state: str


@functools.cache
def _zip_index() -> dict[str, dict]:
    return {row["zip_code"]: row for row in zipcodes.list_all() if row.get("lat") and row.get("long")}


def zip_rows() -> list[dict]:
    """Every ZIP row that has a centroid (the `zipcodes` dicts: zip_code, city, state, lat, long, …)."""
    return list(_zip_index().values())


def zip_place(zip_code: str) -> Place | None:
    """The centroid of a 5-digit ZIP, or None if the ZIP does not exist."""
    if not ZIP_RE.match(zip_code or ""):
        return None
    row = _zip_index().get(zip_code)
    if row is None:
        return None
    return Place(
        label=f"{zip_code} ({row['city']}, {row['state']})",
        latitude=float(row["lat"]),
        longitude=float(row["long"]),
        state=row["state"],
    )


def zips_in_state(state: str) -> list[str]:
    return sorted(z for z, row in _zip_index().items() if row["state"] == state)


def haversine_miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def km_to_miles(km: float) -> float:
    return km / KM_PER_MILE


def miles_to_km(miles: float) -> float:
    return miles * KM_PER_MILE


def bounding_box(lat: float, lng: float, miles: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) enclosing a circle of `miles` around a point."""
    dlat = math.degrees(miles / EARTH_RADIUS_MILES)
    cos_lat = max(math.cos(math.radians(lat)), 1e-6)
    dlng = min(180.0, math.degrees(miles / (EARTH_RADIUS_MILES * cos_lat)))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng
