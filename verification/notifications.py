"""Emails to practitioners about their credentials: one per verification decision,
and the 60- and 30-day expiry reminders.

Plain-text emails rendered from `templates/emails/verification/`; sent by a worker through
the default mailer once the decision commits (`jobs.services.email_enqueue`).
"""

import datetime

from django.template.loader import render_to_string

from jobs.services import email_enqueue
from practitioners.models import (
    CREDENTIAL_KIND_LABELS,
    CREDENTIAL_KIND_OF_MODEL,
    Certification,
    Degree,
    License,
    Practitioner,
    VerificationRecord,
)

SUBJECTS = {
    "verified": "Your credential is verified: {credential}",
    "rejected": "We could not verify your credential: {credential}",
    "revoked": "Verification withdrawn: {credential}",
    "restricted": "License marked restricted or disciplined: {credential}",
    "unrestricted": "Restriction lifted: {credential}",
    "expired": "Your credential has expired on Meridian: {credential}",
    "reminder": "Your credential expires in {days_left} days: {credential}",
}


def practitioner_email(practitioner: Practitioner) -> str:
    """Where to write to a practitioner: the claiming account, else the listing's private contact address."""
    if practitioner.owner_id and practitioner.owner.email:
        return practitioner.owner.email
    return practitioner.contact_email


def _credential_kind(credential: License | Certification | Degree) -> str:
    return CREDENTIAL_KIND_LABELS[CREDENTIAL_KIND_OF_MODEL[type(credential)]]


def send_decision_email(*, credential: License | Certification | Degree, record: VerificationRecord, kind: str) -> bool:
    """Tell the practitioner about a decision on their credential. False if we have no address."""
    practitioner = Practitioner.objects.select_related("owner").get(pk=credential.practitioner_id)
    recipient = practitioner_email(practitioner)
    if not recipient:
        return False
    context = {
        "practitioner": practitioner,
        "credential": credential,
        "credential_kind": _credential_kind(credential),
        "record": record,
    }
    email_enqueue(
        subject=SUBJECTS[kind].format(credential=record.credential_label),
        body=render_to_string(f"emails/verification/{kind}.txt", context),
        to=recipient,
        key=f"decision:{record.pk}",
    )
    return True


def send_expiry_reminder(*, credential: License | Certification, recipient: str, today: datetime.date) -> None:
    days_left = (credential.expiry_date - today).days
    context = {
        "practitioner": credential.practitioner,
        "credential": credential,
        "credential_kind": _credential_kind(credential),
        "days_left": days_left,
    }
    email_enqueue(
        subject=SUBJECTS["reminder"].format(credential=credential, days_left=days_left),
        body=render_to_string("emails/verification/reminder.txt", context),
        to=recipient,
        key=f"expiry-reminder:{credential._meta.model_name}:{credential.pk}:{credential.expiry_date}:{days_left}",
    )
