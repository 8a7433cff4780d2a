"""Staff's view of what changed on a listing: one timeline across the listing, its
locations and opening hours, and its credentials (django-simple-history records).

Deleted locations and credentials stay in the timeline: their history rows are
found by the listing's id, not through the live objects.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from simple_history.models import HistoricalRecords

from practitioners.models import (
    LISTING_M2M_FIELDS,
    Certification,
    Degree,
    License,
    OpeningHours,
    PracticeLocation,
    Practitioner,
)

HISTORY_LIMIT = 300
ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
M2M_MODELS = {name: Practitioner._meta.get_field(name).related_model for name in LISTING_M2M_FIELDS}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    kind: str
    label: str
    action: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def _m2m_names_by_record(records: list) -> dict[str, dict[int, set[str]]]:
    """For each many-to-many field, the names each listing history row held: one query per field,
    however long the history (`diff_against` would run two per field and row)."""
    history_ids = [record.history_id for record in records]
    names: dict[str, dict[int, set[str]]] = {}
    for name, model in M2M_MODELS.items():
        through = HistoricalRecords.m2m_models[Practitioner._meta.get_field(name)]
        key = model._meta.model_name
        held: dict[int, set[str]] = {history_id: set() for history_id in history_ids}
        rows = through._default_manager.filter(history_id__in=history_ids).values_list(
            "history_id", key, f"{key}__name"
        )
        for history_id, pk, label in rows:
            held[history_id].add(label or f"#{pk}")
        names[name] = held
    return names


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field since removed from the model: show its raw name
        return name


def _weekday(number: int) -> str:
    return OpeningHours.Weekday(number).label if number in OpeningHours.Weekday.values else str(number)


# What each kind of row is called in the timeline, from the history row alone (no queries).
LABELS = {
    Practitioner: lambda r: r.name,
    PracticeLocation: lambda r: f"{r.name or 'Practice'}, {r.city}, {r.state_id}",
    OpeningHours: lambda r: f"{_weekday(r.weekday)} at location #{r.location_id}",
    License: lambda r: f"{r.title} {r.state_id} #{r.number}",
    Certification: lambda r: f"{r.get_cert_type_display()} #{r.number}",
    Degree: lambda r: f"{r.get_degree_display()} ({r.graduation_year})",
}


def _entries_for(model, records, kind: str) -> list[Entry]:
    """Turn one model's history rows into entries, diffing each against the previous row of the same object."""
    entries: list[Entry] = []
    previous: dict[int, object] = {}
    m2m = _m2m_names_by_record(records) if model is Practitioner else {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        changes: list[Change] = []
        before = previous.get(record.id)
        if before is not None and record.history_type == "~":
            for change in record.diff_against(before, excluded_fields=list(m2m)).changes:
                changes.append(Change(_field_label(model, change.field), _display(change.old), _display(change.new)))
            for name, held in m2m.items():
                old, new = held[before.history_id], held[record.history_id]
                if old != new:
                    changes.append(
                        Change(
                            _field_label(model, name),
                            ", ".join(sorted(old - new)) or "—",
                            ", ".join(sorted(new - old)) or "—",
                        )
                    )
        previous[record.id] = record
        if record.history_type == "~" and before is not None and not changes:
            continue  # a save that changed nothing tracked
        entries.append(
            Entry(
                when=record.history_date,
                who=str(record.history_user) if record.history_user_id else "Meridian system",
                kind=kind,
                label=LABELS[model](record),
                action=ACTIONS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def listing_history(*, practitioner: Practitioner, limit: int = HISTORY_LIMIT) -> list[Entry]:
    """Every recorded change on the listing and what hangs off it, newest first."""
    location_rows = list(
        PracticeLocation.history.filter(practitioner_id=practitioner.pk).select_related("history_user")
    )
    location_ids = {row.id for row in location_rows}
    sources = [
        (Practitioner, Practitioner.history.filter(id=practitioner.pk).select_related("history_user"), "Listing"),
        (PracticeLocation, location_rows, "Location"),
        (
            OpeningHours,
            OpeningHours.history.filter(location_id__in=location_ids).select_related("history_user"),
            "Opening hours",
        ),
        (License, License.history.filter(practitioner_id=practitioner.pk).select_related("history_user"), "License"),
        (
            Certification,
            Certification.history.filter(practitioner_id=practitioner.pk).select_related("history_user"),
            "Certification",
        ),
        (Degree, Degree.history.filter(practitioner_id=practitioner.pk).select_related("history_user"), "Degree"),
    ]
    entries: list[Entry] = []
    for model, records, kind in sources:
        entries.extend(_entries_for(model, list(records), kind))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
