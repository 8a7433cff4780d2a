"""FHIR R4 JSON for Meridian's rows: Practitioner, PractitionerRole, Location, Organization.

Pure functions over rows the selectors loaded (no queries here). Empty values are left
out (FHIR JSON forbids empty strings, arrays and objects). Every claim about a credential
is what Meridian recorded: the Plan-Net qualification status is stated only for
credentials staff checked, and each qualification carries its verification state.
"""

import datetime
import re
from collections import defaultdict

from practitioners import trust
from practitioners.models import (
    Certification,
    CertificationStatus,
    Degree,
    License,
    LicenseBoardStatus,
    OpeningHours,
    PracticeLocation,
    Practitioner,
    VerificationState,
)

from . import codes
from .search import qualification_codes
from .selectors import NCCAOM, Issuer

# FHIR strings allow no whitespace but space, tab, CR and LF (its regex: [ \r\n\t\S]+).
OTHER_WHITESPACE = re.compile(r"[^\S \r\n\t]")


def compact(value):
    """Drop None, "", [] and {} recursively (FHIR JSON has no empty values); other whitespace
    (a no-break space pasted into a name, say) becomes a plain space."""
    if isinstance(value, str):
        return OTHER_WHITESPACE.sub(" ", value)
    if isinstance(value, dict):
        cleaned = {key: compact(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        cleaned = [compact(item) for item in value]
        return [item for item in cleaned if item not in (None, "", [], {})]
    return value


def instant(moment: datetime.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def date_text(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def time_text(moment: datetime.time) -> str:
    return moment.strftime("%H:%M:%S")


def coding(system: str, code: str, display: str | None = None) -> dict:
    return {"system": system, "code": code, "display": display}


ACUPUNCTURIST = {
    "coding": [coding(codes.NUCC_SYSTEM, codes.ACUPUNCTURIST_TAXONOMY, codes.ACUPUNCTURIST_DISPLAY)],
    "text": codes.ACUPUNCTURIST_DISPLAY,
}


# ---------------------------------------------------------------- qualifications


def verification_extension(credential: License | Certification | Degree) -> dict:
    """Meridian's recorded check, NDH-style: NDH verification status (complete only when staff
    verified it) plus Meridian's own state, and the date of the verification when there was one."""
    state = credential.verification_state
    label = VerificationState(state).label
    checked_at = credential.verified_at if state in (VerificationState.VERIFIED, VerificationState.EXPIRED) else None
    text = {
        VerificationState.VERIFIED: f"Verified by Meridian staff on {checked_at:%Y-%m-%d}" if checked_at else label,
        VerificationState.PENDING: "Submitted; waiting for Meridian staff to check it",
        VerificationState.UNVERIFIED: "Not verified by Meridian",
        VerificationState.REJECTED: "Meridian staff could not verify it",
        VerificationState.EXPIRED: "Verified by Meridian staff, since expired",
        VerificationState.REVOKED: "Meridian staff withdrew the verification",
    }[VerificationState(state)]
    ndh = codes.NDH_STATUS[state]
    return {
        "url": codes.verification_extension_url(),
        "extension": [
            {
                "url": "status",
                "valueCodeableConcept": {
                    "coding": [
                        coding(codes.NDH_VERIFICATION_STATUS_SYSTEM, ndh, codes.NDH_DISPLAY[ndh]),
                        coding(codes.verification_state_system(), state, label),
                    ],
                    "text": text,
                },
            },
            {"url": "date", "valueDateTime": instant(checked_at)} if checked_at else None,
        ],
    }


def _checked_by_staff(credential) -> bool:
    return credential.verification_state in (VerificationState.VERIFIED, VerificationState.EXPIRED)


def license_status(license: License, today: datetime.date) -> str:
    """Plan-Net qualification status (active | inactive | revoked | unknown), only as far as checked."""
    if not _checked_by_staff(license):
        return "unknown"  # the board status on an unchecked license is what someone typed in
    if license.verification_state == VerificationState.EXPIRED or (
        license.expiry_date is not None and license.expiry_date < today
    ):
        return "inactive"
    if license.board_status == LicenseBoardStatus.ACTIVE:
        return "active"
    if license.board_status == LicenseBoardStatus.REVOKED:
        return "revoked"
    return "inactive"


def certification_status(certification: Certification, today: datetime.date) -> str:
    if not _checked_by_staff(certification):
        return "unknown"
    if certification.verification_state == VerificationState.EXPIRED or (
        certification.expiry_date is not None and certification.expiry_date < today
    ):
        return "inactive"
    if certification.status == CertificationStatus.ACTIVE:
        return "active"
    if certification.status == CertificationStatus.TERMINATED:
        return "revoked"
    return "inactive"


def plan_net_qualification(status: str, where_valid: str | None) -> dict:
    return {
        "url": codes.PRACTITIONER_QUALIFICATION_EXTENSION,
        "extension": [
            {"url": "status", "valueCode": status},
            {"url": "whereValid", "valueCodeableConcept": {"coding": [coding(codes.USPS_STATE_SYSTEM, where_valid)]}}
            if where_valid
            else None,
        ],
    }


def license_qualification(license: License, today: datetime.date) -> dict:
    board = license.state
    names = qualification_codes()
    kind = codes.STATE_REGISTRATION if board.regulation == board.Regulation.REGISTRATION else codes.STATE_LICENSE
    return {
        "extension": [
            plan_net_qualification(license_status(license, today), board.state),
            verification_extension(license),
        ],
        "identifier": [{"system": codes.license_number_system(board.state), "value": license.number}],
        "code": {
            "coding": [
                coding(codes.NUCC_SYSTEM, codes.ACUPUNCTURIST_TAXONOMY, codes.ACUPUNCTURIST_DISPLAY),
                coding(codes.qualification_system(), kind, names[kind]),
            ],
            "text": f"{license.title} {board.credential_noun}, {board.state_name}",
        },
        "period": {"start": date_text(license.issue_date), "end": date_text(license.expiry_date)},
        "issuer": {"reference": f"Organization/board-{board.state}", "display": board.board_name},
    }


def certification_qualification(certification: Certification, today: datetime.date) -> dict:
    label = certification.get_cert_type_display()
    return {
        "extension": [
            plan_net_qualification(certification_status(certification, today), None),
            verification_extension(certification),
        ],
        "identifier": [{"system": codes.nccaom_number_system(), "value": certification.number}],
        "code": {
            "coding": [coding(codes.qualification_system(), certification.cert_type, label)],
            "text": label,
        },
        "period": {"start": date_text(certification.issue_date), "end": date_text(certification.expiry_date)},
        "issuer": {"reference": f"Organization/{NCCAOM.id}", "display": NCCAOM.name},
    }


def degree_qualification(degree: Degree) -> dict:
    """A degree has no status of its own (Plan-Net's status slice is for licenses and certificates)."""
    return {
        "extension": [verification_extension(degree)],
        "code": {
            "coding": [coding(codes.qualification_system(), degree.degree, degree.get_degree_display())],
            "text": f"{degree.degree}, {degree.school.name} ({degree.graduation_year})",
        },
        "period": {"start": str(degree.graduation_year)},
        "issuer": {"reference": f"Organization/school-{degree.school_id}", "display": degree.school.name},
    }


# ---------------------------------------------------------------- Practitioner


def human_name(practitioner: Practitioner) -> dict:
    """The listing stores one name; family is its last word and given the words before it
    (a convention for search and display, stated in docs/api.md). `text` is the name as written."""
    words = practitioner.name.split()
    suffixes = [part.strip() for part in practitioner.display_credentials.split(",")]
    return {
        "use": "official",
        "text": practitioner.name,
        "family": words[-1] if words else None,
        "given": words[:-1],
        "suffix": suffixes,
    }


def language(item) -> dict:
    code = codes.BCP47_CORRECTIONS.get(item.code, item.code)
    return {"coding": [coding(codes.BCP47_SYSTEM, code, item.name)], "text": item.name}


def practitioner_resource(practitioner: Practitioner, *, today: datetime.date, profile_url: str) -> dict:
    """`practitioner` from fhir.selectors.practitioner_qs (trust facts, last_updated, credentials prefetched)."""
    return compact(
        {
            "resourceType": "Practitioner",
            "id": str(practitioner.pk),
            "meta": {"lastUpdated": instant(practitioner.last_updated)},
            "extension": [
                {
                    "url": codes.verified_license_extension_url(),
                    "valueBoolean": bool(practitioner.is_verified),
                }
            ],
            "identifier": [
                {"use": "official", "system": codes.NPI_SYSTEM, "value": practitioner.npi}
                if practitioner.npi
                else None,
                {"use": "secondary", "system": codes.canonical("sid/listing"), "value": practitioner.slug},
            ],
            "active": True,
            "name": [human_name(practitioner)],
            "telecom": [
                {"system": "phone", "value": practitioner.phone, "use": "work"} if practitioner.phone else None,
                {"system": "url", "value": profile_url, "use": "work"},
                {"system": "url", "value": practitioner.website, "use": "work"} if practitioner.website else None,
            ],
            "gender": codes.GENDER_TO_FHIR.get(practitioner.gender),
            "qualification": [
                *(license_qualification(item, today) for item in practitioner.licenses.all()),
                *(certification_qualification(item, today) for item in practitioner.certifications.all()),
                *(degree_qualification(item) for item in practitioner.degrees.all()),
            ],
            "communication": [language(item) for item in practitioner.languages.all()],
        }
    )


# ---------------------------------------------------------------- hours


def _grouped_hours(hours: list[OpeningHours]) -> list[tuple[list[str], OpeningHours]]:
    """Days that share the same opening and closing time, as FHIR groups them."""
    by_times: dict[tuple, list[OpeningHours]] = defaultdict(list)
    for slot in hours:
        by_times[(slot.opens, slot.closes)].append(slot)
    grouped = []
    for slots in sorted(by_times.values(), key=lambda found: (min(s.weekday for s in found), found[0].opens)):
        days = sorted({slot.weekday for slot in slots})
        grouped.append(([codes.WEEKDAYS[day] for day in days], slots[0]))
    return grouped


def available_times(location: PracticeLocation) -> list[dict]:
    return [
        {"daysOfWeek": days, "availableStartTime": time_text(slot.opens), "availableEndTime": time_text(slot.closes)}
        for days, slot in _grouped_hours(list(location.hours.all()))
    ]


def hours_of_operation(location: PracticeLocation) -> list[dict]:
    return [
        {"daysOfWeek": days, "openingTime": time_text(slot.opens), "closingTime": time_text(slot.closes)}
        for days, slot in _grouped_hours(list(location.hours.all()))
    ]


# ---------------------------------------------------------------- PractitionerRole and Location


def _location_name(location: PracticeLocation) -> str:
    return location.name or f"{location.practitioner.name}, {location.city}"


def practitioner_role_resource(location: PracticeLocation) -> dict:
    """The practitioner at one location (the role's id is the location's)."""
    practitioner = location.practitioner
    accepting = codes.ACCEPTING if practitioner.accepting_new_patients else codes.NOT_ACCEPTING
    phone = location.phone or practitioner.phone
    return compact(
        {
            "resourceType": "PractitionerRole",
            "id": str(location.pk),
            "extension": [
                {
                    "url": codes.NEW_PATIENTS_EXTENSION,
                    "extension": [
                        {
                            "url": "acceptingPatients",
                            "valueCodeableConcept": {
                                "coding": [
                                    coding(
                                        codes.ACCEPTING_PATIENTS_SYSTEM, accepting, codes.ACCEPTING_DISPLAY[accepting]
                                    )
                                ]
                            },
                        }
                    ],
                }
            ],
            "active": True,
            "practitioner": {"reference": f"Practitioner/{practitioner.pk}", "display": practitioner.name},
            "location": [{"reference": f"Location/{location.pk}", "display": _location_name(location)}],
            "specialty": [ACUPUNCTURIST],
            "telecom": [
                {"system": "phone", "value": phone, "use": "work"} if phone else None,
                {"system": "url", "value": practitioner.website, "use": "work"} if practitioner.website else None,
            ],
            "availableTime": available_times(location),
        }
    )


def location_resource(location: PracticeLocation) -> dict:
    accessible = (
        {
            "url": codes.ACCESSIBILITY_EXTENSION,
            "valueCodeableConcept": {
                "coding": [coding(codes.ACCESSIBILITY_SYSTEM, codes.HANDICAP_ACCESSIBLE, "handicap accessible")],
                "text": "Wheelchair accessible",
            },
        }
        if location.wheelchair_accessible
        else None  # not recorded as accessible: say nothing rather than "inaccessible"
    )
    return compact(
        {
            "resourceType": "Location",
            "id": str(location.pk),
            "extension": [accessible],
            "status": "active",
            "name": _location_name(location),
            "mode": "instance",
            "telecom": [{"system": "phone", "value": location.phone, "use": "work"}] if location.phone else None,
            "address": {
                "use": "work",
                "type": "physical",
                "line": [location.street],
                "city": location.city,
                "state": location.state_id,
                "postalCode": location.zip_code,
                "country": "US",
            },
            "position": {"longitude": location.longitude, "latitude": location.latitude}
            if location.latitude is not None
            else None,
            "hoursOfOperation": hours_of_operation(location),
        }
    )


# ---------------------------------------------------------------- Organization


ORGANIZATION_TYPES = {
    "board": ("govt", "Government"),
    "nccaom": ("other", "Other"),
    "school": ("edu", "Educational Institute"),
}


def organization_resource(issuer: Issuer) -> dict:
    type_code, type_display = ORGANIZATION_TYPES[issuer.kind]
    accreditation = (
        {"url": codes.canonical("StructureDefinition/acahm-accreditation"), "valueCode": issuer.accreditation}
        if issuer.kind == "school" and issuer.accreditation
        else None
    )
    return compact(
        {
            "resourceType": "Organization",
            "id": issuer.id,
            "extension": [accreditation],
            "active": True,
            "type": [{"coding": [coding(codes.ORGANIZATION_TYPE_SYSTEM, type_code, type_display)]}],
            "name": issuer.name,
            "telecom": [{"system": "url", "value": issuer.url, "use": "work"}] if issuer.url else None,
            "address": [{"city": issuer.city, "state": issuer.state, "country": "US"}]
            if issuer.state or issuer.city
            else None,
        }
    )


# The explanations the directory shows beside its badges; the CapabilityStatement quotes them.
VERIFIED_EXPLANATION = trust.VERIFIED_EXPLANATION
