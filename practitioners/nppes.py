"""The NPPES import's plan: what a batch of registry records changes, computed without the database.

`nppes_plan(records, known=…, now=…)` decides, for each record, whether it creates a listing,
updates an unclaimed one (only the fields still holding what the previous import wrote,
`Practitioner.nppes_snapshot`), leaves a claimed one alone, and which licenses it adds. It runs
no query and writes nothing: `known` is what `services.nppes_known` read, and the plan works on
copies of its model instances. `services.nppes_apply` writes the plan with bulk queries;
`services.nppes_import_batch` does both in one transaction.
"""

import copy
import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import models
from django.utils.text import slugify

from .documents import build_search_document
from .importers.nppes import NppesRecord
from .models import License, PracticeLocation, Practitioner, VerificationState

# The listing fields the registry provides, and the location fields. A re-import changes
# one only while it still holds the value the previous import wrote (`nppes_snapshot`).
NPPES_LISTING_FIELDS = ("name", "display_credentials", "gender", "phone")
NPPES_LOCATION_FIELDS = ("street", "city", "state_id", "zip_code", "latitude", "longitude", "phone")
DEFAULT_TITLE = "L.Ac."


@dataclass
class NppesBatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    claimed: int = 0
    licenses_created: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    def add(self, other: "NppesBatchResult") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.claimed += other.claimed
        self.licenses_created += other.licenses_created
        self.problems.extend(other.problems)


@dataclass(frozen=True)
class NppesKnown:
    """What the database holds about a batch (read by `services.nppes_known`)."""

    listings: dict[str, Practitioner]  # by NPI
    primary_locations: dict[int, PracticeLocation]  # by practitioner id
    with_locations: frozenset[int]  # practitioner ids with any location
    licenses: dict[tuple[str, str], License]  # (state, number) → license, with its practitioner
    titles: dict[str, str]  # state → the licensed title new licenses get


@dataclass
class NppesPlan:
    new_practitioners: list[Practitioner] = field(default_factory=list)
    new_locations: list[tuple[Practitioner, PracticeLocation]] = field(default_factory=list)
    new_licenses: list[tuple[Practitioner, License]] = field(default_factory=list)
    changed_practitioners: list[Practitioner] = field(default_factory=list)
    changed_locations: list[PracticeLocation] = field(default_factory=list)
    result: NppesBatchResult = field(default_factory=NppesBatchResult)  # what applying the plan achieves


def listing_values(record: NppesRecord) -> dict:
    return {name: getattr(record, name) for name in NPPES_LISTING_FIELDS}


def location_values(record: NppesRecord) -> dict | None:
    loc = record.location
    if loc is None:
        return None
    return {
        "street": loc.street,
        "city": loc.city,
        "state_id": loc.state,
        "zip_code": loc.zip_code,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "phone": loc.phone,
    }


def merge(obj: models.Model, new: dict, snapshot: dict) -> bool:
    """Set each field that still holds the snapshot value; True if anything changed."""
    changed = False
    for name, value in new.items():
        if name in snapshot and getattr(obj, name) == snapshot[name] and value != snapshot[name]:
            setattr(obj, name, value)
            changed = True
    return changed


def nppes_slug(name: str, npi: str) -> str:
    """Stable, unique without a query: the NPI is unique. "jane-doe-1234567893"."""
    base = slugify(name)[:190].strip("-") or "practitioner"
    return f"{base}-{npi}"


def _new_location(values: dict) -> PracticeLocation:
    location = PracticeLocation(is_primary=True, **values)
    location.full_clean(exclude=["practitioner", "state"], validate_unique=False, validate_constraints=False)
    return location


def _clean_listing(practitioner: Practitioner) -> None:
    practitioner.full_clean(exclude=["owner"], validate_unique=False, validate_constraints=False)


def nppes_plan(records: Sequence[NppesRecord], *, known: NppesKnown, now: datetime.datetime) -> NppesPlan:
    """What writing `records` changes (see `services.nppes_import_batch` for the rules).

    Raises ValidationError when a record's values do not fit a listing, location or license.
    """
    plan = NppesPlan()
    result = plan.result
    listings = dict(known.listings)
    locations = dict(known.primary_locations)
    licensed = dict(known.licenses)

    for record in records:
        new_listing = listing_values(record)
        new_location = location_values(record)
        practitioner = listings.get(record.npi)
        if practitioner is not None and practitioner.owner_id is not None:
            result.claimed += 1
            continue
        if practitioner is None:
            practitioner = Practitioner(
                npi=record.npi,
                slug=nppes_slug(record.name, record.npi),
                status=Practitioner.Status.DRAFT,
                **new_listing,
            )
            practitioner.nppes_snapshot = {**new_listing, "location": new_location}
            practitioner.search_document = build_search_document(
                name=practitioner.name, practice_names=[], bio="", conditions=[]
            )
            _clean_listing(practitioner)
            plan.new_practitioners.append(practitioner)
            listings[record.npi] = practitioner
            changed = True
            result.created += 1
            if new_location is not None:
                plan.new_locations.append((practitioner, _new_location(new_location)))
        else:
            practitioner = copy.copy(practitioner)
            listings[record.npi] = practitioner
            snapshot = practitioner.nppes_snapshot or {}
            old_name = practitioner.name
            changed = merge(practitioner, new_listing, snapshot)
            if practitioner.name != old_name:
                # The search text starts with the name (practitioners.documents); keep the rest.
                rest = practitioner.search_document.split("\n", 1)[1:]
                practitioner.search_document = "\n".join([practitioner.name, *rest])
            location = locations.get(practitioner.pk)
            if location is not None and new_location is not None:
                location = locations[practitioner.pk] = copy.copy(location)
                if merge(location, new_location, snapshot.get("location") or {}):
                    location.full_clean(
                        exclude=["practitioner", "state"], validate_unique=False, validate_constraints=False
                    )
                    plan.changed_locations.append(location)
                    changed = True
            elif (
                location is None
                and new_location is not None
                and practitioner.pk not in known.with_locations
                and not snapshot.get("location")
            ):
                # The registry had no usable address before; it has one now and nobody added one.
                plan.new_locations.append((practitioner, _new_location(new_location)))
                changed = True
            new_snapshot = {**new_listing, "location": new_location}
            if changed or snapshot != new_snapshot:
                practitioner.nppes_snapshot = new_snapshot
                practitioner.updated_at = now
                _clean_listing(practitioner)
                plan.changed_practitioners.append(practitioner)

        for lic in record.licenses:
            holder = licensed.get((lic.state, lic.number))
            if holder is not None:
                if holder.practitioner_id is None or holder.practitioner_id != practitioner.pk:
                    name = holder.practitioner.name if holder.practitioner_id else "another listing in this file"
                    result.problems.append(
                        (
                            record.line,
                            f"NPI {record.npi}: license {lic.state} #{lic.number} is already on {name}; not added.",
                        )
                    )
                continue
            new_license = License(
                state_id=lic.state,
                number=lic.number,
                title=known.titles.get(lic.state, DEFAULT_TITLE),
                verification_state=VerificationState.UNVERIFIED,
            )
            new_license.full_clean(exclude=["practitioner", "state"], validate_constraints=False)
            plan.new_licenses.append((practitioner, new_license))
            licensed[(lic.state, lic.number)] = new_license  # a second claim in this batch is a conflict
            result.licenses_created += 1
            changed = True

        if practitioner.pk is not None:
            if changed:
                result.updated += 1
            else:
                result.unchanged += 1
    return plan
