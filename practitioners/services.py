"""Writes with rules for listings: the practitioner's edits, locations, publication and the NPPES import.

Each practitioner-facing service takes the acting user, checks that they keep this
listing (`require_owner`; views scope every lookup to the owner's listing as well),
validates with `full_clean()` and runs in one transaction. Change history
(django-simple-history) is written by the model saves, with the actor and a reason
set explicitly (`for_history`) so the record is right outside a request too.

Credential decisions live in `verification.services`; this module never calls them.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User

from . import freshness
from .documents import build_search_document
from .geo import zip_place
from .importers.nppes import NppesRecord
from .models import (
    LISTING_M2M_FIELDS,
    License,
    OpeningHours,
    PracticeLocation,
    Practitioner,
    School,
    StateBoard,
)
from .nppes import (
    DEFAULT_TITLE,
    NPPES_LISTING_FIELDS,
    NPPES_LOCATION_FIELDS,
    NppesBatchResult,
    NppesKnown,
    NppesPlan,
    nppes_plan,
)
from .search_rows import listings_under_rules, search_rows_changed

# ---------------------------------------------------------------- listing fields

# What a practitioner may change on their listing. Never the owner, slug, status, NPI,
# review summary, freshness dates (see `listing_confirm_facts`) or anything verification-related.
LISTING_FIELDS = (
    "name",
    "display_credentials",
    "gender",
    "gender_self_description",
    "bio",
    "practice_started_year",
    "languages",
    "conditions",
    "techniques",
    "services",
    "accepting_new_patients",
    "first_visit_fee",
    "follow_up_fee",
    "sliding_scale",
    "payment_plans",
    "insurance_carriers",
    "medicare_enrolled",
    "first_session_text",
    "course_of_treatment_text",
    "phone",
    "website",
    "contact_email",
)
# What a practitioner may change on one of their practice locations (besides its opening hours).
LOCATION_FIELDS = (
    "name",
    "street",
    "city",
    "state",
    "zip_code",
    "phone",
    "evening_hours",
    "weekend_hours",
    "wheelchair_accessible",
    "is_primary",
)
# What the free-text search document is built from (practitioners.documents), on the listing itself.
SEARCH_DOCUMENT_SOURCES = frozenset({"name", "bio", "conditions", "techniques", "services"})
# What staff may change in the admin on top of the practitioner's fields. The status goes through
# `listing_set_status`; the review summary, search document and `last_confirmed_at` are derived.
STAFF_LISTING_FIELDS = (
    *LISTING_FIELDS,
    "slug",
    "npi",
    "photo",
    "owner",
    "is_demo",
    *freshness.FACTS,
)


# ---------------------------------------------------------------- helpers


def require_owner(practitioner: Practitioner, actor: User) -> None:
    if not actor.is_authenticated or practitioner.owner_id != actor.pk:
        raise PermissionDenied("Only the practitioner who keeps this listing can change it.")
    if practitioner.status == Practitioner.Status.SUSPENDED:
        raise PermissionDenied("This listing is suspended; contact Meridian staff.")


def require_staff(actor: User, permission: str) -> None:
    """Staff doors (the admin): the actor needs the model permission the admin checks as well."""
    if not (actor.is_authenticated and actor.is_active and actor.is_staff and actor.has_perm(permission)):
        raise PermissionDenied("Only Meridian staff with the right permission can do this.")


def for_history(instance: models.Model, actor: User | None, reason: str) -> None:
    """Tell django-simple-history who made the next save and why."""
    instance._history_user = actor
    instance._change_reason = reason


def lock_listing(practitioner: Practitioner) -> Practitioner:
    return Practitioner.objects.select_for_update().get(pk=practitioner.pk)


def refresh_search_document(practitioner_id: int) -> None:
    """Rebuild the free-text search document after a change to what it is built from, with the
    listing's search row (`search_rows_changed`: a change of its places or vocabulary changes that
    too) and a new search cache generation on commit."""
    practitioner = Practitioner.objects.only("name", "bio").get(pk=practitioner_id)
    document = build_search_document(
        name=practitioner.name,
        practice_names=PracticeLocation.objects.filter(practitioner_id=practitioner_id).values_list("name", flat=True),
        bio=practitioner.bio,
        conditions=practitioner.conditions.values_list("name", flat=True),
        techniques=practitioner.techniques.values_list("name", flat=True),
        services=practitioner.services.values_list("name", flat=True),
    )
    # update(): a derived column, not a change anyone made (and excluded from the change history).
    Practitioner.objects.filter(pk=practitioner_id).update(search_document=document)
    # Text, places and conditions change what searches find; cached searches must not keep the old results.
    search_rows_changed([practitioner_id])


def _m2m_pks(values: Iterable[Any]) -> set[int]:
    return {value.pk if isinstance(value, models.Model) else int(value) for value in values}


# ---------------------------------------------------------------- listing


def _listing_apply(
    locked: Practitioner, *, changes: dict[str, Any], actor: User, reason: str, now: datetime.datetime
) -> tuple[list[str], list[str]]:
    """Apply `changes` to a locked listing with every side effect of an edit. Returns (changed, stamped).

    Editing a freshness fact reconfirms it (unless its confirmation date is set in the same edit);
    a change of name, bio or conditions rebuilds the search document; any change rebuilds the
    listing's search row and makes cached searches stale.
    """
    changed: list[str] = []
    m2m_changes: dict[str, set[int]] = {}
    for name, value in changes.items():
        if name in LISTING_M2M_FIELDS:
            wanted = _m2m_pks(value)
            if wanted != set(getattr(locked, name).values_list("pk", flat=True)):
                m2m_changes[name] = wanted
                changed.append(name)
        elif getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    if not changed:
        return [], []
    stamped = [fact for fact in freshness.changed_facts(changed) if fact not in changes]
    for fact in stamped:
        setattr(locked, fact, now)
    locked.last_confirmed_at = freshness.last_confirmed(getattr(locked, fact) for fact in freshness.FACTS)
    locked.full_clean()
    # One history record for the whole edit, many-to-many included: the m2m signals are
    # silenced while the sets change, and the save afterwards snapshots them.
    locked.skip_history_when_saving = True
    try:
        for name, pks in m2m_changes.items():
            getattr(locked, name).set(pks)
    finally:
        del locked.skip_history_when_saving
    for_history(locked, actor, reason)
    locked.save()
    # Filters, sorts and counts may change: the search row (and the document, when its sources did).
    if SEARCH_DOCUMENT_SOURCES & set(changed):
        refresh_search_document(locked.pk)
    else:
        search_rows_changed([locked.pk])
    return changed, stamped


def _copy_back(practitioner: Practitioner, locked: Practitioner, changed: list[str], stamped: list[str]) -> None:
    for name in changed:
        if name not in LISTING_M2M_FIELDS:
            setattr(practitioner, name, getattr(locked, name))
    for fact in (*stamped, "last_confirmed_at"):
        setattr(practitioner, fact, getattr(locked, fact))


def listing_value(name: str, value: Any) -> Any:
    """A listing field's value in a canonical, JSON-safe form, for comparing edits: sets of
    rows as sorted ids, money with two decimals, text with plain newlines."""
    if name in LISTING_M2M_FIELDS:
        return sorted(_m2m_pks(value))
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value).replace("\r\n", "\n")


def listing_snapshot(practitioner: Practitioner) -> dict[str, Any]:
    """What an edit form shows, as `listing_value`s: sent back with the edit as `loaded`."""
    return {
        name: listing_value(
            name, getattr(practitioner, name).all() if name in LISTING_M2M_FIELDS else getattr(practitioner, name)
        )
        for name in LISTING_FIELDS
    }


class ListingEditConflict(ValidationError):
    """Fields changed elsewhere (another tab, another device) since the form was loaded and
    changed differently in this edit. `conflicts` maps each to (this edit's, the saved) value;
    `snapshot` is the listing as saved now. Nothing was written."""

    def __init__(self, *, conflicts: dict[str, tuple[Any, Any]], snapshot: dict[str, Any]):
        super().__init__(
            "Some fields were changed in another tab or on another device since you opened this page. "
            "Choose which value to keep for each; nothing was saved yet."
        )
        self.conflicts = conflicts
        self.snapshot = snapshot


def _merge_with_saved(locked: Practitioner, changes: dict[str, Any], loaded: dict[str, Any]) -> dict[str, Any]:
    """A three-way merge of this edit with what was saved since the form was loaded.

    A field nobody else changed takes this edit's value. A field changed elsewhere keeps the
    saved value when this edit left it as loaded (no silent restore of the old value), and is
    a conflict when this edit changed it too, to something else.
    """
    saved = listing_snapshot(locked)
    merged: dict[str, Any] = {}
    conflicts: dict[str, tuple[Any, Any]] = {}
    for name, value in changes.items():
        mine = listing_value(name, value)
        if name not in loaded or loaded[name] == saved[name] or mine == saved[name]:
            merged[name] = value
        elif mine != loaded[name]:
            conflicts[name] = (mine, saved[name])
        # else: changed elsewhere, untouched here: the saved value stays.
    if conflicts:
        raise ListingEditConflict(conflicts=conflicts, snapshot=saved)
    return merged


def listing_update(
    *,
    practitioner: Practitioner,
    actor: User,
    changes: dict[str, Any],
    loaded: dict[str, Any] | None = None,
    now: datetime.datetime | None = None,
) -> list[str]:
    """Apply the practitioner's edits to their listing.

    `changes` maps field names to values; many-to-many fields take an iterable of
    rows or primary keys. `loaded` is the `listing_snapshot` the edit form was built
    from: with it, a field someone else saved since is never overwritten silently
    (see `_merge_with_saved`; a conflict raises `ListingEditConflict`). Editing a
    freshness fact (fees, insurance, accepting new patients, phone) reconfirms that
    fact. Returns the confirmation fields stamped.
    """
    require_owner(practitioner, actor)
    now = now or timezone.now()
    allowed = set(LISTING_FIELDS)
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in unknown})
    with transaction.atomic():
        locked = lock_listing(practitioner)
        if loaded is not None:
            changes = _merge_with_saved(locked, changes, loaded)
        changed, stamped = _listing_apply(
            locked, changes=changes, actor=actor, reason="Edited by the practitioner", now=now
        )
    _copy_back(practitioner, locked, changed, stamped)
    return stamped


def listing_confirm_facts(*, practitioner: Practitioner, actor: User, now: datetime.datetime | None = None) -> None:
    """“Everything is still correct”: reconfirm every freshness fact at once."""
    require_owner(practitioner, actor)
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_listing(practitioner)
        for fact in freshness.FACTS:
            setattr(locked, fact, now)
        locked.last_confirmed_at = now
        for_history(locked, actor, "Confirmed by the practitioner: everything is still correct")
        locked.save(update_fields=[*freshness.FACTS, "last_confirmed_at", "updated_at"])
        search_rows_changed([locked.pk])  # the freshness date is on the search row
    for fact in (*freshness.FACTS, "last_confirmed_at"):
        setattr(practitioner, fact, now)


# ---------------------------------------------------------------- locations


def zip_coordinates(*, zip_code: str, state: str) -> tuple[float, float]:
    """The coordinates of a practice address: its ZIP centroid. The ZIP must be known and in `state`."""
    place = zip_place(zip_code)
    if place is None:
        raise ValidationError({"zip_code": f"“{zip_code}” is not a US ZIP code we know."})
    if place.state != state:
        raise ValidationError({"zip_code": f"ZIP {zip_code} is in {place.state}, not {state}."})
    return place.latitude, place.longitude


def _apply_zip(location: PracticeLocation) -> None:
    location.latitude, location.longitude = zip_coordinates(zip_code=location.zip_code, state=location.state_id)


def _save_hours(location: PracticeLocation, slots: dict[int, tuple[datetime.time, datetime.time]], actor: User) -> None:
    """Make the location's opening hours exactly `slots` (one period per weekday)."""
    existing: dict[int, list[OpeningHours]] = {}
    for slot in location.hours.order_by("weekday", "opens"):
        existing.setdefault(slot.weekday, []).append(slot)
    for weekday in range(7):
        current = existing.get(weekday, [])
        wanted = slots.get(weekday)
        keep = current[0] if current and wanted else None
        for extra in current[1:] if keep else current:
            for_history(extra, actor, "Opening hours changed by the practitioner")
            extra.delete()
        if wanted is None:
            continue
        opens, closes = wanted
        if keep is not None and (keep.opens, keep.closes) == (opens, closes):
            continue
        slot = keep or OpeningHours(location=location, weekday=weekday)
        slot.opens, slot.closes = opens, closes
        slot.full_clean()
        for_history(slot, actor, "Opening hours changed by the practitioner")
        slot.save()


def _ensure_one_primary(practitioner_id: int, primary: PracticeLocation | None, actor: User) -> None:
    others = PracticeLocation.objects.filter(practitioner_id=practitioner_id, is_primary=True)
    if primary is not None:
        others = others.exclude(pk=primary.pk)
    for other in others:
        other.is_primary = False
        for_history(other, actor, "Another location became the main one")
        other.save(update_fields=["is_primary"])


def _location_saved(location: PracticeLocation, actor: User, slots, *, reason: str) -> PracticeLocation:
    _apply_zip(location)
    if location.is_primary:
        _ensure_one_primary(location.practitioner_id, location, actor)
    elif (
        not PracticeLocation.objects.filter(practitioner_id=location.practitioner_id, is_primary=True)
        .exclude(pk=location.pk)
        .exists()
    ):
        location.is_primary = True  # the first (or only remaining) location is the main one
    location.full_clean()
    for_history(location, actor, reason)
    location.save()
    if slots is not None:
        _save_hours(location, slots, actor)
    refresh_search_document(location.practitioner_id)
    return location


def location_create(
    *,
    practitioner: Practitioner,
    actor: User,
    fields: dict[str, Any],
    hours: dict[int, tuple[datetime.time, datetime.time]] | None = None,
) -> PracticeLocation:
    """Add a practice location; its coordinates come from the ZIP. May publish a draft listing."""
    require_owner(practitioner, actor)
    with transaction.atomic():
        lock_listing(practitioner)
        location = PracticeLocation(practitioner=practitioner, **fields)
        _location_saved(location, actor, hours or {}, reason="Location added by the practitioner")
        practitioner_publish_if_verified(practitioner=practitioner)
    return location


def location_fingerprint(location: PracticeLocation) -> str:
    """A digest of what the location edit form shows (its fields and opening hours), sent back
    with the edit so that a change saved since (another tab, another device) is noticed."""
    fields = [
        listing_value(name, getattr(location, f"{name}_id" if name == "state" else name)) for name in LOCATION_FIELDS
    ]
    hours = sorted((slot.weekday, str(slot.opens), str(slot.closes)) for slot in location.hours.all())
    return hashlib.sha256(json.dumps([fields, hours]).encode()).hexdigest()


class LocationEditConflict(ValidationError):
    """The location was changed elsewhere since the edit form was loaded; nothing was written.
    `saved` is the location as saved now."""

    def __init__(self, *, saved: PracticeLocation):
        super().__init__(
            "This location was changed in another tab or on another device since you opened this page, "
            "so nothing was saved. The form now shows your changes; the saved values are listed above it. "
            "Save again to keep yours."
        )
        self.saved = saved


def location_update(
    *,
    location: PracticeLocation,
    actor: User,
    fields: dict[str, Any],
    hours: dict[int, tuple[datetime.time, datetime.time]] | None = None,
    loaded: str | None = None,
) -> PracticeLocation:
    """Change a location and (when `hours` is given) its opening hours.

    `loaded` is the `location_fingerprint` the edit form was built from: when the location was
    saved differently since, `LocationEditConflict` is raised and nothing is written."""
    practitioner = location.practitioner
    require_owner(practitioner, actor)
    with transaction.atomic():
        lock_listing(practitioner)
        locked = PracticeLocation.objects.select_for_update().get(pk=location.pk, practitioner=practitioner)
        if loaded is not None and loaded != location_fingerprint(locked):
            raise LocationEditConflict(saved=locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        _location_saved(locked, actor, hours, reason="Location edited by the practitioner")
        practitioner_publish_if_verified(practitioner=practitioner)
    return locked


def _location_removed(location: PracticeLocation, actor: User, *, reason: str) -> None:
    practitioner_id = location.practitioner_id
    locked = PracticeLocation.objects.select_for_update().get(pk=location.pk, practitioner_id=practitioner_id)
    was_primary = locked.is_primary
    for slot in locked.hours.all():
        for_history(slot, actor, reason)
        slot.delete()
    for_history(locked, actor, reason)
    locked.delete()
    if was_primary:
        successor = PracticeLocation.objects.filter(practitioner_id=practitioner_id).order_by("pk").first()
        if successor is not None:
            successor.is_primary = True
            for_history(successor, actor, "Became the main location")
            successor.save(update_fields=["is_primary"])
    refresh_search_document(practitioner_id)


def location_delete(*, location: PracticeLocation, actor: User) -> None:
    practitioner = location.practitioner
    require_owner(practitioner, actor)
    with transaction.atomic():
        lock_listing(practitioner)
        _location_removed(location, actor, reason="Location removed by the practitioner")


# ---------------------------------------------------------------- publication


def practitioner_publish_if_verified(*, practitioner: Practitioner, today: datetime.date | None = None) -> bool:
    """Publish a draft listing once it meets what the states of its locations require.

    The rule: a listing in *draft* that is claimed (has an owner) or came from an
    import (has an NPI) is published as soon as it meets its states' rule by the one
    definition (`Practitioner.objects.state_requirement_met()`, `trust.state_requirement_met`):
    a current, verified license (or, in a registration-only state, registration) in the
    state of one of its locations, or — when every location is in a state that licenses
    no acupuncturists — a current, verified NCCAOM certification. Each of those rests on
    a recorded check (a VerificationRecord). Suspended listings and published ones are
    left alone. Returns True if it published the listing.
    """
    with transaction.atomic():
        locked = Practitioner.objects.select_for_update().get(pk=practitioner.pk)
        if locked.status != Practitioner.Status.DRAFT:
            return False
        if locked.owner_id is None and not locked.npi:
            return False
        if not Practitioner.objects.filter(pk=locked.pk).state_requirement_met(today).exists():
            return False
        locked.status = Practitioner.Status.PUBLISHED
        # Only the status changes here; the rest of the listing is not this decision's business.
        locked.clean_fields(exclude=[f.name for f in Practitioner._meta.fields if f.name != "status"])
        locked.save(update_fields=["status", "updated_at"])
        search_rows_changed([locked.pk])  # a new listing in search results
    practitioner.status = Practitioner.Status.PUBLISHED
    return True


def publication_refusal(*, practitioner: Practitioner, status: str, today: datetime.date | None = None) -> str:
    """Why staff may not give the listing this status ("" when they may).

    Publishing needs what `practitioner_publish_if_verified` needs, the one definition
    (`Practitioner.objects.state_requirement_met()`); staff may always suspend a listing or send
    it back to draft.
    """
    if status != Practitioner.Status.PUBLISHED or practitioner.status == Practitioner.Status.PUBLISHED:
        return ""
    if (
        practitioner.pk is None
        or not Practitioner.objects.filter(pk=practitioner.pk).state_requirement_met(today).exists()
    ):
        return (
            "This listing cannot be published: it has no verified, current, active and unrestricted "
            "license in the state of one of its practice locations (or, where every location is in a state "
            "that licenses no acupuncturists, no verified, current NCCAOM certification)."
        )
    return ""


def listing_set_status(
    *, practitioner: Practitioner, actor: User, status: str, today: datetime.date | None = None
) -> None:
    """Staff publish, suspend or return a listing to draft (the admin's door to publication)."""
    require_staff(actor, "practitioners.change_practitioner")
    with transaction.atomic():
        locked = lock_listing(practitioner)
        if locked.status == status:
            return
        refusal = publication_refusal(practitioner=locked, status=status, today=today)
        if refusal:
            raise ValidationError({"status": refusal})
        locked.status = status
        locked.clean_fields(exclude=[f.name for f in Practitioner._meta.fields if f.name != "status"])
        for_history(locked, actor, f"{locked.get_status_display()} by staff")
        locked.save(update_fields=["status", "updated_at"])
        search_rows_changed([locked.pk])  # the listing enters or leaves search results
    practitioner.status = status


def _staff_changes(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(STAFF_LISTING_FIELDS) - {"status"})
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in unknown})
    return {name: value for name, value in changes.items() if name != "status"}


def listing_staff_create(*, practitioner: Practitioner, actor: User, changes: dict[str, Any]) -> Practitioner:
    """Staff add a listing in the admin. `practitioner` is the unsaved row (its single-valued
    fields set); `changes` holds the fields as entered, many-to-many included. It starts as a
    draft: publishing goes through `listing_set_status` once a license is verified."""
    require_staff(actor, "practitioners.add_practitioner")
    fields = _staff_changes(changes)
    with transaction.atomic():
        for name, value in fields.items():
            if name not in LISTING_M2M_FIELDS:
                setattr(practitioner, name, value)
        practitioner.status = Practitioner.Status.DRAFT
        practitioner.last_confirmed_at = freshness.last_confirmed(getattr(practitioner, f) for f in freshness.FACTS)
        practitioner.full_clean()
        for_history(practitioner, actor, "Added by staff")
        practitioner.save()
        for name in LISTING_M2M_FIELDS:
            if name in fields:
                getattr(practitioner, name).set(_m2m_pks(fields[name]))
        refresh_search_document(practitioner.pk)
        if changes.get("status", Practitioner.Status.DRAFT) != Practitioner.Status.DRAFT:
            listing_set_status(practitioner=practitioner, actor=actor, status=changes["status"])
    return practitioner


def listing_staff_update(
    *, practitioner: Practitioner, actor: User, changes: dict[str, Any], now: datetime.datetime | None = None
) -> list[str]:
    """Staff edit a listing in the admin: the practitioner's edit with its side effects
    (search document, cache, freshness), plus the staff-only fields; a status change goes
    through `listing_set_status`. Returns the confirmation fields stamped."""
    require_staff(actor, "practitioners.change_practitioner")
    fields = _staff_changes(changes)
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_listing(practitioner)
        changed, stamped = _listing_apply(locked, changes=fields, actor=actor, reason="Edited by staff", now=now)
        if "status" in changes:
            listing_set_status(practitioner=locked, actor=actor, status=changes["status"])
    _copy_back(practitioner, locked, changed, stamped)
    practitioner.status = locked.status
    return stamped


def listing_staff_delete(*, practitioner: Practitioner, actor: User) -> None:
    require_staff(actor, "practitioners.delete_practitioner")
    with transaction.atomic():
        locked = lock_listing(practitioner)
        for_history(locked, actor, "Deleted by staff")
        locked.delete()
        search_rows_changed([practitioner.pk])  # its row went with it (CASCADE); the cache must follow


def location_staff_save(*, location: PracticeLocation, actor: User) -> PracticeLocation:
    """Staff add or change a location in the admin (`location` carries the new values):
    coordinates from the ZIP, one main location, search document, and publication of a
    draft that has become verified, as when the practitioner does it."""
    require_staff(actor, f"practitioners.{'change' if location.pk else 'add'}_practicelocation")
    with transaction.atomic():
        practitioner = lock_listing(location.practitioner)
        if location.pk is not None:
            PracticeLocation.objects.select_for_update().get(pk=location.pk)
        _location_saved(location, actor, None, reason="Location saved by staff")
        practitioner_publish_if_verified(practitioner=practitioner)
    return location


def location_staff_delete(*, location: PracticeLocation, actor: User) -> None:
    require_staff(actor, "practitioners.delete_practicelocation")
    with transaction.atomic():
        lock_listing(location.practitioner)
        _location_removed(location, actor, reason="Location removed by staff")


def opening_hours_staff_save(*, slot: OpeningHours, actor: User) -> OpeningHours:
    require_staff(actor, f"practitioners.{'change' if slot.pk else 'add'}_openinghours")
    with transaction.atomic():
        lock_listing(slot.location.practitioner)
        slot.full_clean()
        for_history(slot, actor, "Opening hours changed by staff")
        slot.save()
        search_rows_changed([slot.location.practitioner_id])
    return slot


def opening_hours_staff_delete(*, slot: OpeningHours, actor: User) -> None:
    require_staff(actor, "practitioners.delete_openinghours")
    with transaction.atomic():
        lock_listing(slot.location.practitioner)
        for_history(slot, actor, "Opening hours removed by staff")
        slot.delete()
        search_rows_changed([slot.location.practitioner_id])


# ---------------------------------------------------------------- reference data (staff)
# A state's rule and a school's accreditation are part of the trust facts of every listing with a
# credential there: a change rebuilds those listings' search rows in the same transaction.


def state_board_staff_save(*, board: StateBoard, actor: User) -> StateBoard:
    """Staff add or change a state's entry in the admin (`board` carries the new values). A new
    rule (`regulation`: license, registration, none) changes which credentials count in the state."""
    before = StateBoard.objects.filter(pk=board.pk).values_list("regulation", flat=True).first()
    require_staff(actor, f"practitioners.{'add' if before is None else 'change'}_stateboard")
    with transaction.atomic():
        before = StateBoard.objects.select_for_update().filter(pk=board.pk).values_list("regulation", flat=True).first()
        board.full_clean()
        board.save()
        changed = before is not None and before != board.regulation
        search_rows_changed(listings_under_rules(states=[board.pk]) if changed else [])
    return board


def school_staff_save(*, school: School, actor: User) -> School:
    """Staff add or change a school in the admin. Its accreditation decides whether a degree
    from it counts towards the Medicare criteria (`medicare_until`)."""
    require_staff(actor, f"practitioners.{'add' if school.pk is None else 'change'}_school")
    with transaction.atomic():
        before = (
            School.objects.select_for_update().filter(pk=school.pk).values_list("accreditation", flat=True).first()
            if school.pk is not None
            else None
        )
        school.full_clean()
        school.save()
        changed = before is not None and before != school.accreditation
        search_rows_changed(listings_under_rules(schools=[school.pk]) if changed else [])
    return school


# ---------------------------------------------------------------- NPPES import


def nppes_known(records: Sequence[NppesRecord]) -> NppesKnown:
    """What the database holds about these records' NPIs and license numbers (four queries)."""
    titles = {
        state: (titles[0] if titles else DEFAULT_TITLE)
        for state, titles in StateBoard.objects.values_list("state", "licensed_titles")
    }
    existing = {p.npi: p for p in Practitioner.objects.filter(npi__in=[r.npi for r in records])}
    primary_locations = {
        loc.practitioner_id: loc
        for loc in PracticeLocation.objects.filter(practitioner__in=existing.values(), is_primary=True)
    }
    with_locations = frozenset(
        PracticeLocation.objects.filter(practitioner__in=existing.values()).values_list("practitioner_id", flat=True)
    )
    wanted = {(lic.state, lic.number) for record in records for lic in record.licenses}
    by_state: dict[str, list[str]] = {}
    for state, number in wanted:
        by_state.setdefault(state, []).append(number)
    query = Q()
    for state, numbers in by_state.items():
        query |= Q(state_id=state, number__in=numbers)
    licensed = (
        {(lic.state_id, lic.number): lic for lic in License.objects.filter(query).select_related("practitioner")}
        if by_state
        else {}
    )
    return NppesKnown(
        listings=existing,
        primary_locations=primary_locations,
        with_locations=with_locations,
        licenses=licensed,
        titles=titles,
    )


def nppes_apply(*, plan: NppesPlan) -> NppesBatchResult:
    """Write a plan with bulk queries, inside the caller's transaction; returns the plan's counts."""
    Practitioner.objects.bulk_create(plan.new_practitioners)
    for practitioner, location in plan.new_locations:
        location.practitioner = practitioner
    PracticeLocation.objects.bulk_create([location for _, location in plan.new_locations])
    for practitioner, lic in plan.new_licenses:
        lic.practitioner = practitioner
    License.objects.bulk_create([lic for _, lic in plan.new_licenses])
    if plan.changed_practitioners:
        Practitioner.objects.bulk_update(
            plan.changed_practitioners, [*NPPES_LISTING_FIELDS, "nppes_snapshot", "search_document", "updated_at"]
        )
    if plan.changed_locations:
        PracticeLocation.objects.bulk_update(plan.changed_locations, list(NPPES_LOCATION_FIELDS))
    # Bulk writes bypass the per-listing services: the search rows of every listing the batch
    # touched, in one refresh (a new listing is a draft and gets none; an updated one may be
    # published: a new name, or a location that puts a license's state under it).
    search_rows_changed(
        {p.pk for p in plan.changed_practitioners}
        | {location.practitioner_id for location in plan.changed_locations}
        | {practitioner.pk for practitioner, _ in plan.new_locations}
        | {practitioner.pk for practitioner, _ in plan.new_licenses}
    )
    return plan.result


def nppes_import_batch(*, records: list[NppesRecord], dry_run: bool = False) -> NppesBatchResult:
    """Create or update unclaimed listings from NPPES records, keyed by NPI, in one transaction.

    - New NPI: a draft, unclaimed listing (published only once a license is verified,
      see `practitioner_publish_if_verified`), its practice location (primary, geocoded
      from the ZIP centroid) and each license, unverified.
    - Known NPI, claimed listing: left alone (the practitioner keeps it up to date).
    - Known NPI, unclaimed: each registry field is updated only while it still holds
      what the previous import wrote (`nppes_snapshot`), so an edit by a practitioner
      or a reviewer is never overwritten; licenses not yet on file are added.
    - A license number already on another listing is reported, not moved.

    If the batch hits a database constraint, it is rolled back and retried one record
    at a time, so only the offending records are skipped (and reported).
    """
    try:
        with transaction.atomic():
            result = nppes_apply(plan=nppes_plan(records, known=nppes_known(records), now=timezone.now()))
            if dry_run:
                transaction.set_rollback(True)
            return result
    except (IntegrityError, ValidationError) as exc:
        if len(records) == 1:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc).splitlines()[0]
            return NppesBatchResult(problems=[(records[0].line, f"NPI {records[0].npi}: not imported ({message}).")])
    total = NppesBatchResult()
    for record in records:
        total.add(nppes_import_batch(records=[record], dry_run=dry_run))
    return total
