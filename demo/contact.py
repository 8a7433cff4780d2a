"""Demo accounts and contact requests, so `make run` shows the inbox (used by `seed_demo`).

Three accounts that can sign in with `DEMO_PASSWORD` (each with a confirmed email, so sign-in works
with mandatory verification): a practitioner who keeps one verified demo listing (claimed through the
claim services and approved by the demo reviewer), a patient, and a credential reviewer (staff in the
"Credential reviewers" group). The listing's inbox gets requests from demo patients in every state,
written through the contact services so every rule and the thread apply; the demo patient's visit is
confirmed and their review (published by the reviewer) shows "Confirmed visit". Run twice, nothing doubles.
"""

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contact import services
from contact.models import ContactRequest, RequestState
from dashboard.services import claim_approve, claim_create
from practitioners.models import Condition, License, Practitioner
from reviews.services import review_create, review_publish

from .seeding import ensure_demo_reviewers

DEMO_PASSWORD = "meridian-demo"  # noqa: S105 -- development only, documented in the README and docs/contact.md
DEMO_PRACTITIONER_EMAIL = "demo-practitioner@example.invalid"
DEMO_PATIENT_EMAIL = "demo-patient@example.invalid"
DEMO_STAFF_EMAIL = "demo-staff@example.invalid"
REVIEWER_GROUP = "Credential reviewers"

ANSWER = "Thank you for writing. I have a time free for you: does it suit?"


@dataclass(frozen=True)
class Journey:
    patient: str  # "demo": the demo patient who can sign in; "pool": the next demo reviewer account
    message: str
    steps: tuple[str, ...]  # practitioner actions, or "patient:close"


# In the order they are sent (oldest first): the demo patient's visit is confirmed before their
# second request, since a patient has at most one open request per listing.
JOURNEYS = (
    Journey("pool", "Lower back pain since I moved house. Do you have evening times?", ("decline",)),
    Journey(
        "demo", "Stiff neck for two weeks after a long drive; turning my head to the left hurts.", ("propose", "visit")
    ),
    Journey("pool", "Is a first visit possible on a Saturday morning?", ("message", "patient:close")),
    Journey("pool", "Sciatica down my right leg. My physiotherapist suggested acupuncture.", ("message",)),
    Journey("demo", "Returning patient: the neck is better, but my shoulder is acting up now.", ("propose",)),
    Journey("pool", "Tension headaches most afternoons; I would like to try acupuncture.", ()),
    Journey("pool", "Could you help with trouble sleeping? Weekday evenings suit me best.", ()),
)


@dataclass(frozen=True)
class DemoAccounts:
    practitioner: User
    patient: User
    staff: User
    listing: Practitioner
    requests_created: int


def _account(email: str, display_name: str, **fields) -> User:
    """A demo account with DEMO_PASSWORD and a confirmed primary email, created or left as it is."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, display_name=display_name, **fields)
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def _demo_listing(practitioner: User, staff: User) -> Practitioner:
    """The listing the demo practitioner keeps: the first unclaimed verified demo listing, claimed and approved."""
    kept = Practitioner.objects.filter(owner=practitioner).first()
    if kept is not None:
        return kept
    listing = (
        Practitioner.objects.published()
        .verified()
        .filter(is_demo=True, owner__isnull=True)
        .exclude(conditions=None)
        .order_by("pk")
        .first()
    )
    if listing is None:
        raise ValueError("No unclaimed verified demo listing: seed some listings first.")
    license = License.objects.filter(practitioner=listing).order_by("pk").first()
    claim = claim_create(
        user=practitioner,
        practitioner=listing,
        license_state=license.state,
        license_number=license.number,
        message="Demo data: the demo practitioner's claim.",
    )
    claim_approve(claim=claim, actor=staff, override_note="Demo data: approved by the seed, no real check was made.")
    listing.refresh_from_db()
    return listing


def seed_demo_accounts(*, now: datetime.datetime | None = None) -> DemoAccounts:
    """Create the demo accounts, the demo practitioner's listing and its inbox (idempotent)."""
    now = now or timezone.now()
    with transaction.atomic():
        staff = _account(DEMO_STAFF_EMAIL, "Demo Reviewer", is_staff=True)
        staff.groups.add(Group.objects.get(name=REVIEWER_GROUP))
        staff = User.objects.get(pk=staff.pk)  # drop the cached permissions
        practitioner = _account(DEMO_PRACTITIONER_EMAIL, "Demo Practitioner")
        patient = _account(DEMO_PATIENT_EMAIL, "Demo Patient")
        listing = _demo_listing(practitioner, staff)
        created = 0
        if not ContactRequest.objects.filter(practitioner=listing).exists():
            created = _seed_requests(listing=listing, practitioner=practitioner, patient=patient, staff=staff, now=now)
    return DemoAccounts(practitioner, patient, staff, listing, created)


def _seed_requests(
    *, listing: Practitioner, practitioner: User, patient: User, staff: User, now: datetime.datetime
) -> int:
    conditions = list(listing.conditions.order_by("pk")[:3])
    pool_ids = ensure_demo_reviewers(len(JOURNEYS))
    accounts = User.objects.in_bulk(pool_ids)
    pool = iter(accounts[pk] for pk in pool_ids)
    for i, journey in enumerate(JOURNEYS):
        author = patient if journey.patient == "demo" else next(pool)
        EmailAddress.objects.get_or_create(user=author, email=author.email, defaults={"verified": True})
        sent_at = now - datetime.timedelta(days=2 * (len(JOURNEYS) - i), hours=3)
        request = services.contact_request_create(
            patient=author,
            practitioner=listing,
            condition=conditions[i % len(conditions)],
            patient_status="returning" if journey.patient == "demo" and i > 1 else "new",
            preferred_days=1 | 4 | 16,
            preferred_times=4 if i % 2 else 1,
            insurance=None,
            channel="email",
            phone="",
            message=journey.message,
            now=sent_at,
        )
        for step, action in enumerate(journey.steps, start=1):
            at = sent_at + datetime.timedelta(days=step)
            if action == "patient:close":
                request = services.contact_request_act(request=request, actor=author, action="close", now=at)
                continue
            last = step == len(journey.steps)
            request = services.contact_request_act(
                request=request,
                actor=practitioner,
                action=action,
                text=ANSWER if action in ("message", "propose") else "",
                # A proposal still open is for a time to come; an earlier one is the visit that happened.
                proposed_time=(now + datetime.timedelta(days=2) if last else at + datetime.timedelta(days=1))
                if action == "propose"
                else None,
                decline_reason="no_times" if action == "decline" else "",
                now=at,
            )
        if request.state == RequestState.CONFIRMED:
            _confirmed_review(listing=listing, patient=author, staff=staff, condition=request.condition, at=at)
    return len(JOURNEYS)


def _confirmed_review(
    *, listing: Practitioner, patient: User, staff: User, condition: Condition, at: datetime.datetime
) -> None:
    review = review_create(
        author=patient,
        practitioner=listing,
        rating=5,
        bedside_rating=5,
        condition=condition,
        sessions=3,
        pain_before=7,
        pain_after=2,
        would_recommend=True,
        title="My neck turns again",
        text="Three sessions and I can check my blind spot without wincing. Calm, clear explanations each time.",
        visit_month=timezone.localdate(at),
    )
    review_publish(review=review, moderator=staff)
