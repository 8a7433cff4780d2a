"""The benchmark dataset: `seed_demo`'s listings and reviews, written with PostgreSQL COPY.

    manage.py seed_bench --practitioners 100000 --reviews-per-listing 10.5   # ~150,000 locations, ~1,000,000 reviews
    manage.py seed_bench --practitioners 10000 --reviews-per-listing 10.5    # what `make bench-quick` uses

The rows are exactly the ones `seed_demo` would create for the same `--seed`
without its demo-site dressing (`demo.showcase`: metros, portraits, denser reviews)
(same generators, same row building: deterministic, clearly fictional, stored
rating summaries equal to `recompute_review_summaries`); only the insert differs.
Each batch of listings and everything that hangs off them (locations, hours,
credentials, vocabulary links, reviews, helpful votes, replies) is streamed with
one COPY per table inside one transaction, with primary keys reserved from the
tables' own sequences first, so memory is bounded by `--batch-size`.
Those inserts bypass the listing services, so the search projection (`SearchRow`) is
rebuilt once at the end (`rebuild_search_rows`, timed on its own: "search rows: N in X s").

One extra rule for the benchmark: the last listing of the run gets exactly
`--heavy-listing-reviews` published reviews (default 500), the profile page's
worst case. On SQLite the command falls back to `seed_demo`'s bulk inserts (the
test suite uses that); VACUUM ANALYZE runs afterwards on PostgreSQL.
"""

import dataclasses
import random
import time

from django.core.management.base import CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model

from demo.management.commands import seed_demo
from demo.practitioners import DemoPractitioner
from demo.reviews import DEMO_REVIEWER_POOL, DemoReview
from practitioners.models import Practitioner, SearchRow
from practitioners.search_rows import rebuild_search_rows

# Tables a seed writes to: VACUUM ANALYZE them afterwards so the planner sees the new sizes
# and index-only scans can use the visibility map straight away.
SEEDED_TABLES = (
    "practitioners_practitioner",
    "practitioners_practicelocation",
    "practitioners_openinghours",
    "practitioners_license",
    "practitioners_certification",
    "practitioners_degree",
    "practitioners_specialtraining",
    "practitioners_practitioner_conditions",
    "practitioners_practitioner_techniques",
    "practitioners_practitioner_services",
    "practitioners_practitioner_insurance_carriers",
    "practitioners_practitioner_languages",
    "reviews_review",
    "reviews_helpfulvote",
    "reviews_reviewreply",
)


class Command(seed_demo.Command):
    help = "Create the benchmark dataset: seed_demo's fictional listings and reviews, inserted with COPY."
    showcase = False  # the plain listings: the demo site's dressing (demo.showcase) must not move the figures
    demo_accounts = False  # no accounts that can sign in, DEBUG or not

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--heavy-listing-reviews",
            type=int,
            default=500,
            help="Published reviews for the last listing of the run (0: no such listing).",
        )

    def handle(self, *args, **options) -> None:
        heavy = options["heavy_listing_reviews"]
        if not 0 <= heavy <= DEMO_REVIEWER_POOL:
            raise CommandError(f"--heavy-listing-reviews must be between 0 and {DEMO_REVIEWER_POOL}.")
        self.heavy_reviews = heavy
        self.heavy_seed = options["seed"]
        # The same offset seed_demo numbers from: the last listing of this run is the heavy one.
        self.heavy_index = Practitioner.objects.filter(is_demo=True).count() + options["practitioners"] - 1
        self.copy_mode = connection.vendor == "postgresql"
        super().handle(*args, **options)
        if options["dry_run"] or options["practitioners"] == 0:
            return
        if self.copy_mode:
            # Statistics first: with the tables' sizes unknown to the planner, building the projection's
            # rows at 1,000,000 listings took 11 s a batch of 2,000 (a location scan per license, every
            # qualifying degree read per batch) instead of 0.03 s: over an hour instead of minutes.
            started = time.monotonic()
            with connection.cursor() as cursor:
                for table in SEEDED_TABLES:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            self.stdout.write(f"ANALYZE of {len(SEEDED_TABLES)} tables in {time.monotonic() - started:.1f}s.")
        # The rows were written past the services that keep the projection: build it once, from scratch.
        started = time.monotonic()
        rows = rebuild_search_rows()
        self.stdout.write(f"search rows: {rows} in {time.monotonic() - started:.1f} s")
        if not self.copy_mode:
            return
        started = time.monotonic()
        tables = (*SEEDED_TABLES, SearchRow._meta.db_table)
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
        self.stdout.write(f"VACUUM ANALYZE of {len(tables)} tables in {time.monotonic() - started:.1f}s.")

    # ------------------------------------------------------------------ seed_demo hooks

    def _insert(self, batch: list[DemoPractitioner], batch_reviews: list[list[DemoReview]]) -> None:
        for position, demo in enumerate(batch):
            if demo.index == self.heavy_index and self.heavy_reviews:
                # In place, so seed_demo's totals count what was inserted.
                batch_reviews[position] = self._heavy_listing_reviews(demo)
        super()._insert(batch, batch_reviews)

    def _refresh_search_rows(self, practitioners: list[Practitioner]) -> None:
        """Nothing per batch: `handle` builds every search row once at the end, timed on its own."""

    def _save(self, model: type[Model], rows: list[Model]) -> None:
        if not self.copy_mode:
            super()._save(model, rows)
            return
        copy_rows(model, rows)

    # ------------------------------------------------------------------ helpers

    def _heavy_listing_reviews(self, demo: DemoPractitioner) -> list[DemoReview]:
        """Exactly `--heavy-listing-reviews` published reviews by distinct demo reviewers, deterministic."""
        rng = random.Random(f"bench-heavy:{self.heavy_seed}:{demo.index}")
        quality = rng.uniform(-1.3, 0.5)
        reviewers = rng.sample(range(DEMO_REVIEWER_POOL), self.heavy_reviews)
        return [
            dataclasses.replace(
                self.review_generator._review(rng, reviewer, quality, demo.condition_slugs), published=True
            )
            for reviewer in reviewers
        ]


def copy_rows(model: type[Model], rows: list[Model]) -> None:
    """Insert unsaved instances with one COPY (PostgreSQL), setting their pks like bulk_create does.

    The pks come from the table's own sequence (one `nextval` per row, so concurrent
    writers stay safe); every concrete column is written through the field's
    `pre_save` / `get_db_prep_save`, so defaults, auto_now_add and JSON behave as in
    bulk_create.
    """
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy costs a lookup per use
    meta = model._meta
    table = meta.db_table
    fields = [field for field in meta.concrete_fields if not field.generated]  # the database fills those
    plain = [field.get_internal_type() in PLAIN_TYPES and not _has_own_pre_save(field) for field in fields]
    quote = db.ops.quote_name
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, meta.pk.column, len(rows)],
        )
        for obj, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            obj.pk = pk
        columns = ", ".join(quote(field.column) for field in fields)
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for obj in rows:
                copy.write_row(
                    [
                        getattr(obj, field.attname)
                        if is_plain
                        else field.get_db_prep_save(field.pre_save(obj, True), db)
                        for field, is_plain in zip(fields, plain, strict=True)
                    ]
                )
    for obj in rows:
        obj._state.adding = False
        obj._state.db = db.alias


# Field types whose Python value psycopg writes as is (their get_db_prep_save only passes it on);
# the rest (dates, decimals, JSON, files) go through the field.
PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "FloatField",
        "ForeignKey",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
    }
)


def _has_own_pre_save(field: Field) -> bool:
    return type(field).pre_save is not Field.pre_save
