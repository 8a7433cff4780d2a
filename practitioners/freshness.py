"""The one definition of listing freshness.

The facts patients are most often misled by (accepting new patients, insurance,
fees, phone) each carry the date the practitioner last confirmed them. A listing
is only as fresh as its oldest confirmation; a fact never confirmed makes the
whole listing unconfirmed. Pure functions plus one `Q` for the database, so the
profile label, the search ranking and the reminder job cannot disagree.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Q

STALE_AFTER_DAYS = 180
REMIND_AFTER_DAYS = 150

# Confirmation field on Practitioner -> the listing fields that fact covers.
# Editing any of these fields reconfirms that fact.
FACTS: dict[str, tuple[str, ...]] = {
    "new_patients_confirmed_at": ("accepting_new_patients",),
    "insurance_confirmed_at": ("insurance_carriers", "medicare_enrolled"),
    "fees_confirmed_at": ("first_visit_fee", "follow_up_fee", "sliding_scale", "payment_plans"),
    "phone_confirmed_at": ("phone",),
}
FACT_LABELS: dict[str, str] = {
    "new_patients_confirmed_at": "Accepting new patients",
    "insurance_confirmed_at": "Insurance and Medicare",
    "fees_confirmed_at": "Fees",
    "phone_confirmed_at": "Phone",
}


def last_confirmed(dates: Iterable[datetime.datetime | None]) -> datetime.datetime | None:
    """The oldest confirmation, or None when any fact was never confirmed."""
    dates = list(dates)
    if not dates or any(d is None for d in dates):
        return None
    return min(dates)  # type: ignore[type-var]


def stale_cutoff(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=STALE_AFTER_DAYS)


def reminder_cutoff(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=REMIND_AFTER_DAYS)


def is_fresh(last_confirmed_at: datetime.datetime | None, now: datetime.datetime) -> bool:
    return last_confirmed_at is not None and last_confirmed_at >= stale_cutoff(now)


def fresh_q(now: datetime.datetime) -> Q:
    """The same rule as `is_fresh`, for filters, annotations and ordering."""
    return Q(last_confirmed_at__isnull=False, last_confirmed_at__gte=stale_cutoff(now))


def changed_facts(changed_fields: Iterable[str]) -> list[str]:
    """The confirmation fields to stamp when these listing fields changed."""
    changed = set(changed_fields)
    return [fact for fact, fields in FACTS.items() if changed.intersection(fields)]


def whole_months_between(earlier: datetime.date, later: datetime.date) -> int:
    months = (later.year - earlier.year) * 12 + (later.month - earlier.month)
    if later.day < earlier.day:
        months -= 1
    return max(0, months)


def stale_label(last_confirmed_at: datetime.datetime | None, now: datetime.datetime) -> str:
    """What the profile says about a listing that is not fresh; "" for a fresh one."""
    if is_fresh(last_confirmed_at, now):
        return ""
    if last_confirmed_at is None:
        return "Not yet confirmed by the practitioner"
    months = whole_months_between(last_confirmed_at.date(), now.date())
    return f"Last confirmed by the practitioner {months} month{'s' if months != 1 else ''} ago"
