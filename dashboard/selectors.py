"""Read-side queries for the dashboard. Every listing-scoped query starts from the owner."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Replace, Upper

from accounts.models import User
from practitioners import freshness
from practitioners.models import (
    Certification,
    Degree,
    License,
    OpeningHours,
    PracticeLocation,
    Practitioner,
    VerificationState,
)
from reviews.models import Review

from .models import Claim, FreshnessReminder
from .rules import mask_email, mask_phone, normalize_license_number, sms_number
from .senders import configured_channels

CLAIM_SEARCH_LIMIT = 25


def listing_for_user(user: User) -> Practitioner | None:
    """The one listing this account keeps, or None."""
    if not user.is_authenticated:
        return None
    return Practitioner.objects.filter(owner=user).first()


def dashboard_listing(*, user: User) -> Practitioner | None:
    """The owner's listing with everything the dashboard page shows, in a fixed number of queries."""
    if not user.is_authenticated:
        return None
    return (
        Practitioner.objects.filter(owner=user)
        .with_trust_facts()
        .prefetch_related(
            Prefetch(
                "locations",
                queryset=PracticeLocation.objects.select_related("state").prefetch_related(
                    Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
                ),
            ),
            Prefetch("licenses", queryset=License.objects.select_related("state")),
            Prefetch("certifications", queryset=Certification.objects.all()),
            Prefetch("degrees", queryset=Degree.objects.select_related("school")),
        )
        .first()
    )


def licenses_matching(*, state: str, number: str) -> QuerySet[License]:
    """Licenses in `state` whose number equals `number` ignoring case, spaces and '#'."""
    normalized = Upper(Replace(Replace("number", Value(" "), Value("")), Value("#"), Value("")))
    return (
        License.objects.filter(state_id=state)
        .annotate(normalized_number=normalized)
        .filter(normalized_number=normalize_license_number(number))
    )


def verified_licenses_matching(*, state: str, number: str) -> QuerySet[License]:
    """The licenses that lock a number: only a verified one is unique per (state, number)."""
    return licenses_matching(state=state, number=number).filter(verification_state=VerificationState.VERIFIED)


def license_conflicts(*, state: str, number: str, exclude_practitioner_id: int | None) -> list[License]:
    """The same state and number on other listings, for staff deciding a claim or a credential."""
    return list(
        licenses_matching(state=state, number=number)
        .exclude(practitioner_id=exclude_practitioner_id)
        .select_related("practitioner", "practitioner__owner")
        .order_by("pk")
    )


@dataclass(frozen=True)
class CodeChannel:
    """An address on record where a claim code can be sent: the claimant sees only `masked`."""

    key: str  # what the claimant's form posts
    kind: str  # "email" or "sms": which sender
    address: str
    masked: str


def claim_code_channels(practitioner: Practitioner) -> list[CodeChannel]:
    """Where a code proving control of this listing can go: the private contact email and the
    practice phones on record (from the registry import or staff), never an address the
    claimant gives. A phone is offered only when an SMS sender is configured."""
    kinds = configured_channels()
    channels: list[CodeChannel] = []
    if "email" in kinds and practitioner.contact_email:
        channels.append(
            CodeChannel("email", "email", practitioner.contact_email, mask_email(practitioner.contact_email))
        )
    if "sms" in kinds:
        phones = [("phone", practitioner.phone)]
        phones += [(f"location-{loc.pk}", loc.phone) for loc in practitioner.locations.order_by("-is_primary", "pk")]
        seen: set[str] = set()
        for key, phone in phones:
            number = sms_number(phone)
            if number and number not in seen:
                seen.add(number)
                channels.append(CodeChannel(key, "sms", number, mask_phone(number)))
    return channels


def claimable_listings(*, q: str = "", state: str | None = None) -> QuerySet[Practitioner]:
    """Listings nobody keeps yet, found by name and optionally by a location's state."""
    queryset = Practitioner.objects.filter(owner__isnull=True).exclude(status=Practitioner.Status.SUSPENDED)
    if q:
        queryset = queryset.filter(name__icontains=q)
    if state:
        queryset = queryset.filter(Q(locations__state_id=state) | Q(licenses__state_id=state)).distinct()
    return queryset.prefetch_related(
        Prefetch("locations", queryset=PracticeLocation.objects.order_by("-is_primary", "pk"))
    ).order_by("name", "pk")[:CLAIM_SEARCH_LIMIT]


def claimable_listing(*, slug: str) -> Practitioner | None:
    return (
        Practitioner.objects.filter(slug=slug, owner__isnull=True)
        .exclude(status=Practitioner.Status.SUSPENDED)
        .prefetch_related("locations")
        .first()
    )


def claims_for_user(*, user: User) -> QuerySet[Claim]:
    return Claim.objects.filter(user=user).select_related("practitioner", "license_state").order_by("-created_at")


def pending_claim_for_user(*, user: User) -> Claim | None:
    return claims_for_user(user=user).pending().first()


def listing_reviews(*, practitioner: Practitioner) -> QuerySet[Review]:
    """Published reviews of the listing, newest first, each with its reply if any."""
    return (
        Review.objects.published()
        .filter(practitioner=practitioner)
        .select_related("condition", "author", "reply")
        .order_by("-published_at", "-pk")
    )


def claim_license_matches(claim: Claim) -> bool:
    """Whether the license the claimant gave is one of the claimed listing's licenses."""
    return (
        licenses_matching(state=claim.license_state_id, number=claim.license_number)
        .filter(practitioner_id=claim.practitioner_id)
        .exists()
    )


def freshness_reminders_due(*, now: datetime.datetime) -> QuerySet[Practitioner]:
    """Kept listings unconfirmed for REMIND_AFTER_DAYS that have not been reminded in this period."""
    cutoff = freshness.reminder_cutoff(now)
    period_start = Coalesce("last_confirmed_at", "created_at")
    already = FreshnessReminder.objects.filter(practitioner_id=OuterRef("pk"), period_start=OuterRef("period_start"))
    return (
        Practitioner.objects.filter(owner__isnull=False)
        .exclude(status=Practitioner.Status.SUSPENDED)
        .annotate(period_start=period_start)
        .filter(period_start__lte=cutoff)
        .exclude(Exists(already))
        .order_by("pk")
    )
