"""Enqueue the daily jobs (settings.DAILY_TASKS) once a day, without cron.

    manage.py run_scheduler            # loop: check every --interval seconds
    manage.py run_scheduler --once     # check once and exit

Safe to run on several machines at once: each job is enqueued once per day (see
`jobs.services.schedule_daily_jobs`); the workers (`manage.py db_worker`) run it.
"""

import signal
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from jobs.schedule import schedule_daily_jobs


class Command(BaseCommand):
    help = "Enqueue each daily job once a day (several schedulers may run; each job still runs once)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Check once and exit.")
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between checks (default 60).")

    def handle(self, *args, **options) -> None:
        # Stop at once, even mid-sleep: an interrupted check rolls back and the next scheduler redoes it.
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        while True:
            today = timezone.localdate()
            for name in schedule_daily_jobs(day=today):
                self.stdout.write(f"Enqueued {name} for {today:%Y-%m-%d}.")
            if options["once"]:
                return
            time.sleep(options["interval"])

    def _stop(self, signum, frame) -> None:
        raise SystemExit(0)
