"""Remind practitioners whose listing has gone unconfirmed for 150 days (cron, daily).

    manage.py send_freshness_reminders
    manage.py send_freshness_reminders --dry-run
    manage.py send_freshness_reminders --now 2026-12-01

Each listing is reminded once per staleness period (until it is confirmed again),
so running this twice sends nothing the second time. A failed send is reported and
retried on the next run.
"""

import datetime
import smtplib

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dashboard.selectors import freshness_reminders_due
from dashboard.services import freshness_reminder_send
from practitioners import freshness


def _parse_date(value: str) -> datetime.datetime:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now must be a date like 2026-01-31, not {value!r}.") from exc
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


class Command(BaseCommand):
    help = f"Email owners of listings not confirmed for {freshness.REMIND_AFTER_DAYS} days (once per period)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who would be reminded; send nothing.")
        parser.add_argument("--now", type=_parse_date, default=None, help="Run as if today were this date.")

    def handle(self, *args, **options) -> None:
        now = options["now"] or timezone.now()
        due = list(freshness_reminders_due(now=now).only("pk", "name"))
        if options["dry_run"]:
            for practitioner in due:
                self.stdout.write(f"Would remind: {practitioner.name} ({practitioner.pk})")
            self.stdout.write(self.style.SUCCESS(f"Dry run: would have sent {len(due)} reminder(s)."))
            return
        sent = failed = 0
        for practitioner in due:
            try:
                if freshness_reminder_send(practitioner=practitioner, now=now):
                    sent += 1
                    if options["verbosity"] >= 2:
                        self.stdout.write(f"Reminded {practitioner.name} ({practitioner.pk}).")
            except (smtplib.SMTPException, OSError) as exc:
                failed += 1
                self.stderr.write(f"Could not email the owner of {practitioner.name} ({practitioner.pk}): {exc}")
        summary = f"Sent {sent} freshness reminder(s); {failed} failed."
        if failed:
            raise CommandError(f"{summary} They will be retried on the next run.")
        self.stdout.write(self.style.SUCCESS(summary))
