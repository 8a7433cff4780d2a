"""Demo contact requests, so `make run` shows the inbox: `manage.py seed_demo_requests --owner EMAIL`
hands one demo listing to that (existing) account and fills its inbox with requests from demo
patients in every state, through the contact services (so the rules and the thread apply)."""

import datetime

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contact import services
from contact.models import ContactRequest
from practitioners.models import Practitioner

from .seeding import ensure_demo_reviewers

MESSAGES = [
    "Stiff neck for two weeks after a long drive; turning my head to the left hurts.",
    "Lower back pain since I moved house. Do you have evening times?",
    "Sciatica down my right leg. My physiotherapist suggested acupuncture.",
    "Returning patient: the shoulder is acting up again.",
    "Tension headaches most afternoons; I would like to try acupuncture.",
    "Is a first visit possible on a Saturday morning?",
]
# (state to reach, the actions that reach it)
JOURNEYS = [
    ("sent", []),
    ("sent", []),
    ("answered", ["message"]),
    ("answered", ["propose"]),
    ("confirmed", ["propose", "visit"]),
    ("declined", ["decline"]),
]


def seed_demo_requests(*, owner: User, now: datetime.datetime | None = None) -> tuple[Practitioner, int]:
    """Give `owner` a demo listing (their own if they have one) and add demo requests; returns it and the count."""
    now = now or timezone.now()
    with transaction.atomic():
        listing = Practitioner.objects.filter(owner=owner).first()
        if listing is None:
            listing = Practitioner.objects.published().filter(is_demo=True, owner__isnull=True).order_by("pk").first()
            if listing is None:
                raise ValueError("No unclaimed demo listing: run `manage.py seed_demo` first.")
            Practitioner.objects.filter(pk=listing.pk).update(owner=owner)
            listing.refresh_from_db()
        conditions = list(listing.conditions.all()[:3]) or [None]
        patient_ids = ensure_demo_reviewers(len(JOURNEYS))
        created = 0
        for i, (patient_id, (_, actions)) in enumerate(zip(patient_ids, JOURNEYS, strict=True)):
            patient = User.objects.get(pk=patient_id)
            EmailAddress.objects.get_or_create(user=patient, email=patient.email, defaults={"verified": True})
            if ContactRequest.objects.filter(practitioner=listing, patient=patient).exists():
                continue
            sent_at = now - datetime.timedelta(days=len(JOURNEYS) - i, hours=3)
            request = services.contact_request_create(
                patient=patient,
                practitioner=listing,
                condition=conditions[i % len(conditions)],
                patient_status="returning" if i == 3 else "new",
                preferred_days=1 | 4 | 16,
                preferred_times=4 if i % 2 else 1,
                insurance=None,
                channel="email",
                phone="",
                message=MESSAGES[i],
                now=sent_at,
            )
            for step, action in enumerate(actions, start=1):
                services.contact_request_act(
                    request=request,
                    actor=owner,
                    action=action,
                    text="Thank you for writing. Would Tuesday morning suit you?" if action != "visit" else "",
                    proposed_time=now + datetime.timedelta(days=2) if action == "propose" else None,
                    decline_reason="not_accepting" if action == "decline" else "",
                    now=sent_at + datetime.timedelta(hours=5 * step),
                )
            created += 1
    return listing, created
