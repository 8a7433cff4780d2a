"""The one definition of each trust fact.

Every rule is stated once as data (which states count) and used twice: as a
`Q` for the database (search filters, annotations) and as a plain predicate
for one object already in memory. `tests/practitioners/test_trust.py` checks
that both agree at the date boundaries.
"""

import datetime

from django.db.models import Q

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
NCCAOM_EXPLANATION = (
    "Meridian staff checked an active, unexpired national board certification from the "
    "NCCAOM (National Certification Commission for Acupuncture and Oriental Medicine)."
)


def current_license_q(today: datetime.date) -> Q:
    return Q(
        verification_state=VERIFIED,
        board_status=LICENSE_ACTIVE,
        restricted=False,
        expiry_date__isnull=False,
        expiry_date__gte=today,
    )


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


def current_certification_q(today: datetime.date) -> Q:
    return Q(
        verification_state=VERIFIED,
        status=CERTIFICATION_ACTIVE,
        expiry_date__isnull=False,
        expiry_date__gte=today,
    )


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
