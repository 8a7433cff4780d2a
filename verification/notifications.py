"""Emails to practitioners about their credentials: one per verification decision,
and the 60- and 30-day expiry reminders.

Plain-text emails rendered from `templates/emails/verification/`; sent through the
default mailer (console in development, in-memory in tests).
"""

import datetime

from django.core.mail import send_mail
from django.template.loader import render_to_string

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
    send_mail(
        subject=SUBJECTS[kind].format(credential=record.credential_label),
        message=render_to_string(f"emails/verification/{kind}.txt", context),
        from_email=None,
        recipient_list=[recipient],
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
    send_mail(
        subject=SUBJECTS["reminder"].format(credential=credential, days_left=days_left),
        message=render_to_string("emails/verification/reminder.txt", context),
        from_email=None,
        recipient_list=[recipient],
    )
