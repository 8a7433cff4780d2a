"""Daily credential upkeep (safe to run from cron; running it twice changes nothing the second time).

1. Every *verified* license or certification whose expiry date has passed moves to
   "expired", with a VerificationRecord by the system actor and an email to the
   practitioner (`services.credential_expire`).
2. Practitioners are emailed when a license or certification expires within 60
   days and again within 30 days — once each per expiry date
   (`services.credential_send_expiry_reminder`); a renewed credential gets new reminders.

The trust facts already ignore expired credentials at read time; this command
makes the state and the audit trail say so too.
"""

import datetime
import smtplib

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F, Q
from django.utils import timezone

from practitioners.models import Certification, License, VerificationState
from verification import services

EXPIRING_MODELS = (License, Certification)


def _parse_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today must be a date like 2026-01-31, not {value!r}.") from exc


class Command(BaseCommand):
    help = "Expire verified credentials past their expiry date and email 60- and 30-day expiry reminders."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; change and send nothing.")
        parser.add_argument(
            "--today", type=_parse_date, default=None, help="Run as if today were this date (YYYY-MM-DD)."
        )

    def handle(self, *args, **options) -> None:
        self.verbosity = options["verbosity"]
        today: datetime.date = options["today"] or timezone.localdate()
        dry_run: bool = options["dry_run"]
        expired = self._expire(today, dry_run)
        reminded, failed = self._remind(today, dry_run)
        prefix = "Dry run: would have " if dry_run else ""
        summary = (
            f"{prefix}expired {expired} credential(s); sent {reminded[60]} 60-day and {reminded[30]} 30-day "
            f"reminder(s); {failed} reminder(s) failed (as of {today:%Y-%m-%d})."
        )
        self.stdout.write(self.style.ERROR(summary) if failed else self.style.SUCCESS(summary))
        if failed:
            raise CommandError(f"{failed} reminder(s) could not be sent; they will be retried on the next run.")

    def _expire(self, today: datetime.date, dry_run: bool) -> int:
        count = 0
        for model in EXPIRING_MODELS:
            due = model.objects.filter(verification_state=VerificationState.VERIFIED, expiry_date__lt=today)
            if dry_run:
                count += due.count()
                continue
            for credential in list(due.order_by("pk")):
                if services.credential_expire(credential=credential, today=today) is not None:
                    count += 1
                    if self.verbosity >= 2:
                        self.stdout.write(
                            f"Expired {model._meta.verbose_name} {credential} ({credential.practitioner_id})."
                        )
        return count

    def _remind(self, today: datetime.date, dry_run: bool) -> tuple[dict[int, int], int]:
        sent = dict.fromkeys(services.REMINDER_DAYS, 0)
        failed = 0
        for days_before in services.REMINDER_DAYS:
            low, high = services.reminder_window(days_before)
            sent_for = f"expiry_notice_{days_before}_sent_for"
            for model in EXPIRING_MODELS:
                due = model.objects.filter(
                    verification_state__in=services.REMINDER_STATES,
                    expiry_date__gte=today + datetime.timedelta(days=low),
                    expiry_date__lte=today + datetime.timedelta(days=high),
                ).exclude(Q(**{sent_for: F("expiry_date")}))
                if dry_run:
                    sent[days_before] += due.count()
                    continue
                for credential in list(due.order_by("pk")):
                    try:
                        if services.credential_send_expiry_reminder(
                            credential=credential, days_before=days_before, today=today
                        ):
                            sent[days_before] += 1
                    except (smtplib.SMTPException, OSError) as exc:
                        failed += 1
                        self.stderr.write(f"Could not send the {days_before}-day reminder for {credential}: {exc}")
        return sent, failed
