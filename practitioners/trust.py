"""The one definition of each trust fact.

Every rule is stated once as data (which states count) and used twice: as a
`Q` for the database (search filters, annotations) and as a plain predicate
for one object already in memory. `tests/practitioners/test_trust.py` checks
that both agree at the date boundaries.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q

# What a state requires of an acupuncturist (StateBoard.regulation): the data says which.
REGULATION_LICENSE = "license"
REGULATION_REGISTRATION = "registration"
REGULATION_NONE = "none"
REGULATIONS = (REGULATION_LICENSE, REGULATION_REGISTRATION, REGULATION_NONE)

# How a state on a listing is covered (`state_coverage`).
COVERED_BY_LICENSE = "license"
COVERED_BY_REGISTRATION = "registration"
COVERED_BY_NCCAOM = "nccaom"

VERIFIED = "verified"
LICENSE_ACTIVE = "active"
CERTIFICATION_ACTIVE = "active"
ACCREDITED = "accredited"
# Master's and doctoral degrees (CMS national coverage decision 30.3.3, January 2020).
GRADUATE_DEGREES = frozenset({"MAc", "MSOM", "MAOM", "MAcHM", "DAc", "DACM", "DAOM"})

MEDICARE_LABEL = "Meets Medicare's criteria for chronic low back pain"
MEDICARE_EXPLANATION = (
    "Holds a verified, active, unrestricted state license and a verified master's or doctoral "
    "degree from an ACAHM-accredited school — the qualifications Medicare requires (since "
    "January 2020) for acupuncture for chronic low back pain. Acupuncturists take part as "
    "auxiliary personnel under a supervising physician or other provider who bills Medicare; "
    "ask the practice how they arrange this."
)
VERIFIED_EXPLANATION = (
    "Meridian staff checked an active, unrestricted license in the state where this "
    "practitioner works against the state board's records, and it has not expired."
)
REGISTRATION_EXPLANATION = (
    "Meridian staff checked a current state registration (not a license: this state registers "
    "acupuncturists rather than licensing them) against the state's records, and it has not expired."
)
STATE_REQUIREMENT_EXPLANATION = (
    "Published listings meet what the state of their practice asks for, checked by Meridian: a license "
    "where the state licenses acupuncturists, a registration where it only registers them, and a "
    "current NCCAOM national certification where it does neither (every one of the listing's "
    "locations must then be in such a state)."
)
NCCAOM_EXPLANATION = (
    "Meridian staff checked an active, unexpired national board certification from the "
    "NCCAOM (National Certification Commission for Acupuncture and Oriental Medicine)."
)


def license_standing_q() -> Q:
    """A current license without its date: verified, active, unrestricted, with an expiry date.
    Current on a day = in standing and not expired by then (the search projection stores the
    latest such expiry date, so its date comparison is this rule)."""
    return Q(verification_state=VERIFIED, board_status=LICENSE_ACTIVE, restricted=False, expiry_date__isnull=False)


def current_license_q(today: datetime.date) -> Q:
    return license_standing_q() & Q(expiry_date__gte=today)


def license_is_current(
    *,
    verification_state: str,
    board_status: str,
    restricted: bool,
    expiry_date: datetime.date | None,
    today: datetime.date,
) -> bool:
    return (
        verification_state == VERIFIED
        and board_status == LICENSE_ACTIVE
        and not restricted
        and expiry_date is not None
        and expiry_date >= today
    )


def certification_standing_q() -> Q:
    """A current certification without its date (see `license_standing_q`)."""
    return Q(verification_state=VERIFIED, status=CERTIFICATION_ACTIVE, expiry_date__isnull=False)


def current_certification_q(today: datetime.date) -> Q:
    return certification_standing_q() & Q(expiry_date__gte=today)


def certification_is_current(
    *, verification_state: str, status: str, expiry_date: datetime.date | None, today: datetime.date
) -> bool:
    return (
        verification_state == VERIFIED
        and status == CERTIFICATION_ACTIVE
        and expiry_date is not None
        and expiry_date >= today
    )


def qualifying_degree_q() -> Q:
    return Q(verification_state=VERIFIED, degree__in=GRADUATE_DEGREES, school__accreditation=ACCREDITED)


def degree_qualifies(*, verification_state: str, degree: str, accreditation: str) -> bool:
    return verification_state == VERIFIED and degree in GRADUATE_DEGREES and accreditation == ACCREDITED


def no_licensure_explanation(state_name: str) -> str:
    """What a profile says instead of a license badge, for a state that issues no acupuncture license."""
    return (
        f"{state_name} does not license acupuncturists. "
        "Meridian checked this practitioner's national NCCAOM certification instead."
    )


# ---------------------------------------------------------------- what each state on a listing needs


@dataclass(frozen=True)
class StateCoverage:
    """One state where a listing has a location, and what (if anything) meets that state's rule."""

    state: str
    state_name: str
    regulation: str
    covered_by: str | None  # COVERED_BY_LICENSE / _REGISTRATION / _NCCAOM, or None: not covered

    @property
    def covered(self) -> bool:
        return self.covered_by is not None


def state_coverage(
    *,
    location_states: Mapping[str, tuple[str, str]],
    current_credential_states: Iterable[str],
    nccaom_current: bool,
) -> list[StateCoverage]:
    """Per location state (code → (name, regulation)): a current license where the state licenses,
    a current registration where it registers, a current NCCAOM certification where it does neither.

    `current_credential_states`: the states of the listing's current (verified, active,
    unrestricted, unexpired) state credentials; a state credential is a license or a
    registration as its state's rule says. The database side of this rule is
    `practitioners.models.verified_exists` / `registered_exists` / `state_requirement_met_q`.
    """
    held = set(current_credential_states)
    coverage = []
    for code, (name, regulation) in sorted(location_states.items()):
        if regulation == REGULATION_LICENSE:
            covered_by = COVERED_BY_LICENSE if code in held else None
        elif regulation == REGULATION_REGISTRATION:
            covered_by = COVERED_BY_REGISTRATION if code in held else None
        else:
            covered_by = COVERED_BY_NCCAOM if nccaom_current else None
        coverage.append(StateCoverage(state=code, state_name=name, regulation=regulation, covered_by=covered_by))
    return coverage


def has_verified_license(coverage: Iterable[StateCoverage]) -> bool:
    """The "Verified license" badge and the `verified` search filter: licenses only."""
    return any(c.covered_by == COVERED_BY_LICENSE for c in coverage)


def has_verified_registration(coverage: Iterable[StateCoverage]) -> bool:
    return any(c.covered_by == COVERED_BY_REGISTRATION for c in coverage)


def state_requirement_met(coverage: Iterable[StateCoverage]) -> bool:
    """What publication needs: a current license or registration in the state of one of the
    listing's locations, or, when *every* location is in a state without acupuncture
    licensure or registration, a current NCCAOM certification."""
    coverage = list(coverage)
    if has_verified_license(coverage) or has_verified_registration(coverage):
        return True
    return bool(coverage) and all(c.covered_by == COVERED_BY_NCCAOM for c in coverage)


# ---------------------------------------------------------------- a listing's license, in one sentence
# What a result card says about the state credential, for every listing (a card without a badge would
# not tell "not checked" from "checked"). Computed by PractitionerQuerySet.with_license_state, in this
# order: a current license in a licensing state where the listing practises ("verified", the
# `verified_exists` rule), a current registration in a registration-only state ("registration_verified"),
# every location in a state that neither licenses nor registers (with or without a current NCCAOM
# certification, the rule publication uses there), then an expired, a checked-but-not-current and an
# unchecked credential.
LICENSE_VERIFIED = "verified"
REGISTRATION_VERIFIED = "registration_verified"
NO_LICENSURE_CERTIFIED = "no_licensure_certified"
NO_LICENSURE = "no_licensure"
LICENSE_EXPIRED = "expired"
LICENSE_NOT_CURRENT = "not_current"
LICENSE_UNCHECKED = "unchecked"
# Credential states that mean Meridian looked at the license (a decision was recorded).
CHECKED_STATES = frozenset({VERIFIED, "rejected", "expired", "revoked"})


def expired_license_q(today: datetime.date) -> Q:
    """A license Meridian checked that has since expired (by date, or marked expired)."""
    return Q(verification_state="expired") | Q(verification_state=VERIFIED, expiry_date__lt=today)


def checked_license_q() -> Q:
    return Q(verification_state__in=CHECKED_STATES)


def license_state_sentence(
    state: str,
    verified_at: datetime.datetime | None,
    *,
    state_names: Sequence[str] = (),
    state_name: str = "",
    regulation: str = REGULATION_LICENSE,
) -> str:
    """The license sentence of a card or profile, e.g. "License verified by Meridian, May 2026"; the
    profile adds the states the verified license covers ("…, May 2026, New Jersey").

    `state_name` and `regulation` are those of the state of the location shown (a card's nearest):
    they name a state without licensure, and say "registration" where it registers rather than licenses.
    """
    when = f", {verified_at:%B %Y}" if verified_at else ""
    if state == LICENSE_VERIFIED:
        return ", ".join([f"License verified by Meridian{when}", *state_names])
    if state == REGISTRATION_VERIFIED:
        why = (
            f" ({state_name} registers acupuncturists rather than licensing them)"
            if regulation == REGULATION_REGISTRATION and state_name
            else ""
        )
        return f"State registration verified by Meridian{when}{why}"
    where = state_name or "This state"
    if state == NO_LICENSURE_CERTIFIED:
        return f"{where} does not license or register acupuncturists; NCCAOM national certification verified by Meridian{when}"
    if state == NO_LICENSURE:
        return f"{where} does not license or register acupuncturists; no current NCCAOM national certification checked by Meridian"
    noun = "Registration" if regulation == REGULATION_REGISTRATION else "License"
    return {
        LICENSE_EXPIRED: f"{noun} expired",
        LICENSE_NOT_CURRENT: f"{noun} checked by Meridian, but not active and unrestricted",
    }.get(state, f"{noun} not yet checked by Meridian")
