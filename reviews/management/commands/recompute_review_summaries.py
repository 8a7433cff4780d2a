"""Rebuild every practitioner's stored rating summary from its published reviews.

    manage.py recompute_review_summaries            # fix whatever differs, report how many
    manage.py recompute_review_summaries --dry-run  # only report

The services keep the summaries right as reviews change; this is the check (and
the repair after bulk loads). Practitioners are processed in pk-ordered batches:
each batch is locked, its published reviews aggregated in one GROUP BY query,
and only the rows that differ are written.
"""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from practitioners.models import Practitioner
from reviews.ratings import SUMMARY_FIELDS, RatingSummary
from reviews.selectors import published_summaries


class Command(BaseCommand):
    help = "Recompute every practitioner's review count, rating sums, average and histogram from published reviews."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report differences without writing.")
        parser.add_argument("--batch-size", type=int, default=2000, help="Practitioners per batch.")

    def handle(self, *args, **options) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.monotonic()
        changed = checked = reviews = 0
        last_pk = 0
        progress = tqdm(
            total=Practitioner.objects.count(), unit="practitioner", disable=options["verbosity"] == 0, file=self.stderr
        )
        while True:
            with transaction.atomic():
                # Locked, so a review published meanwhile waits and is counted on top of the new total.
                batch = list(
                    Practitioner.objects.select_for_update()
                    .filter(pk__gt=last_pk)
                    .order_by("pk")
                    .only("pk", *SUMMARY_FIELDS)[:batch_size]
                )
                if not batch:
                    break
                expected = published_summaries([p.pk for p in batch])
                stale = []
                for practitioner in batch:
                    summary = expected[practitioner.pk]
                    stored = RatingSummary.from_fields(practitioner)
                    if stored != summary or practitioner.rating_avg != summary.rating_avg:
                        for name, value in summary.as_fields().items():
                            setattr(practitioner, name, value)
                        stale.append(practitioner)
                    reviews += summary.count
                if stale and not options["dry_run"]:
                    Practitioner.objects.bulk_update(stale, list(SUMMARY_FIELDS))
                changed += len(stale)
                checked += len(batch)
                last_pk = batch[-1].pk
            progress.update(len(batch))
        progress.close()
        verb = "Would update" if options["dry_run"] else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {changed} of {checked} practitioner summaries ({reviews} published reviews) "
                f"in {time.monotonic() - started:.1f}s."
            )
        )
