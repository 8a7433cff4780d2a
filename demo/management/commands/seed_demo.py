"""Generate fictional demo listings with bulk inserts.

    manage.py seed_demo --practitioners 300 --seed 1
    manage.py seed_demo --practitioners 300 --if-empty     # what `make run` uses
    manage.py seed_demo --practitioners 10000 --dry-run    # generate, insert nothing
    manage.py seed_demo --practitioners 100000 --reviews-per-listing 10   # ~1,000,000 reviews
    manage.py seed_demo --practitioners 0 --demo-accounts   # only the demo accounts and the inbox (demo.contact)

With DEBUG on (or `--demo-accounts`) it also creates the demo accounts that can sign in and
one listing's contact requests in every state (`demo.contact`); never in production without the flag.

Batches of `--batch-size` practitioners are generated and inserted together,
so memory stays bounded however many are asked for.
"""

import datetime
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from tqdm import tqdm

from demo import portraits
from demo.contact import DEMO_PASSWORD, seed_demo_accounts
from demo.practitioners import DEMO_SCHOOLS, DemoGenerator, DemoPractitioner
from demo.reviews import DEMO_REVIEWER_POOL, DemoReview, DemoReviewGenerator, demo_summary
from demo.seeding import ensure_demo_reviewers, insert_demo_reviews
from practitioners.documents import build_search_document
from practitioners.models import (
    LISTING_M2M_FIELDS,
    Certification,
    ComplementaryService,
    Condition,
    Degree,
    InsuranceCarrier,
    Language,
    License,
    OpeningHours,
    PracticeLocation,
    Practitioner,
    School,
    SpecialTraining,
    Technique,
)
from practitioners.search_rows import refresh_search_rows
from search.cache import invalidate_search_cache

INSERT_BATCH = 2000


class Command(BaseCommand):
    help = "Create clearly fictional demo practitioners (deterministic for a given --seed)."
    # Listings dressed for the demo site: real metros, portraits, denser reviews (demo.showcase).
    # seed_bench turns it off so the benchmark's data does not change.
    showcase = True
    # seed_bench turns this off too: the benchmark has no accounts that can sign in.
    demo_accounts = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--practitioners", type=int, default=300, help="How many listings to create.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--batch-size", type=int, default=1000, help="Listings generated per batch.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any listing exists.")
        parser.add_argument("--dry-run", action="store_true", help="Generate but insert nothing.")
        parser.add_argument(
            "--plain",
            action="store_true",
            help="Without the demo site's dressing (real metros, portraits, denser reviews): what seed_bench writes.",
        )
        parser.add_argument(
            "--demo-accounts",
            action="store_true",
            help="Also create the demo accounts and requests when DEBUG is off (they are created anyway with DEBUG on).",
        )
        parser.add_argument(
            "--reviews-per-listing",
            type=float,
            default=6.0,
            help="Average number of demo reviews per listing (0 for none).",
        )

    def handle(self, *args, **options) -> None:
        count: int = options["practitioners"]
        if count < 0:
            raise CommandError("--practitioners must be zero or more.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        if options["if_empty"] and Practitioner.objects.exists():
            self.stdout.write("Listings already exist; nothing seeded (--if-empty).")
            return
        if not Condition.objects.exists():
            raise CommandError("Reference data is missing: run `manage.py migrate` (or `load_reference`) first.")
        if options["reviews_per_listing"] < 0:
            raise CommandError("--reviews-per-listing must be zero or more.")

        started = time.monotonic()
        self.showcase = self.showcase and not options["plain"]
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.lookups = self._lookups()
        generator = DemoGenerator(
            seed=options["seed"],
            today=self.today,
            condition_slugs=list(self.lookups["condition"]),
            technique_slugs=list(self.lookups["technique"]),
            service_slugs=list(self.lookups["service"]),
            insurance_slugs=list(self.lookups["insurance"]),
            language_codes=list(self.lookups["language"]),
            accredited_school_slugs=[s for s, acc in self.school_accreditation.items() if acc == "accredited"],
            candidate_school_slug=self.demo_school_slugs["candidate"],
            unaccredited_school_slug=self.demo_school_slugs["none"],
            showcase=self.showcase,
        )
        self.review_generator = DemoReviewGenerator(
            seed=options["seed"],
            today=self.today,
            condition_names=self.condition_names,
            mean_per_listing=options["reviews_per_listing"],
            showcase=self.showcase,
        )
        self.portraits = portraits.store_pool(default_storage) if self.showcase and not options["dry_run"] else []
        self.reviewer_ids = [] if options["dry_run"] else ensure_demo_reviewers(DEMO_REVIEWER_POOL)
        # Continue numbering after existing demo listings so slugs and numbers stay unique.
        offset = Practitioner.objects.filter(is_demo=True).count()
        totals = dict.fromkeys(["practitioners", "locations", "licenses", "certifications", "degrees", "reviews"], 0)
        batch_size = options["batch_size"]
        progress = tqdm(total=count, unit="practitioner", disable=options["verbosity"] == 0, file=self.stderr)
        for start in range(offset, offset + count, batch_size):
            stop = min(start + batch_size, offset + count)
            batch = [generator.practitioner(i) for i in range(start, stop)]
            batch_reviews = [self.review_generator.reviews_for(demo.index, demo.condition_slugs) for demo in batch]
            if not options["dry_run"]:
                with transaction.atomic():
                    self._insert(batch, batch_reviews)
            totals["reviews"] += sum(len(reviews) for reviews in batch_reviews)
            for key, value in self._tally(batch).items():
                totals[key] += value
            progress.update(len(batch))
        progress.close()
        if not options["dry_run"] and count:
            invalidate_search_cache()

        elapsed = time.monotonic() - started
        verb = "Would create" if options["dry_run"] else "Created"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {totals['practitioners']} demo practitioners, {totals['locations']} locations, "
                f"{totals['licenses']} licenses, {totals['certifications']} certifications, "
                f"{totals['degrees']} degrees, {totals['reviews']} reviews in {elapsed:.1f}s (seed {options['seed']})."
            )
        )
        if self.demo_accounts and not options["dry_run"] and (settings.DEBUG or options["demo_accounts"]):
            self._seed_demo_accounts()

    def _seed_demo_accounts(self) -> None:
        try:
            demo = seed_demo_accounts()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Demo sign-in (password {DEMO_PASSWORD!r}): practitioner {demo.practitioner.email} "
            f"(keeps {demo.listing.name}, inbox /dashboard/requests/, {demo.requests_created} requests added), "
            f"patient {demo.patient.email} (My requests), staff {demo.staff.email} (credential reviewer, /admin/)."
        )

    # ------------------------------------------------------------------ helpers

    def _lookups(self) -> dict[str, dict[str, int]]:
        for name, accreditation in DEMO_SCHOOLS:
            School.objects.get_or_create(
                slug=name.lower().replace(" ", "-").replace("(", "").replace(")", "").replace(",", ""),
                defaults={"name": name, "accreditation": accreditation},
            )
        schools = list(School.objects.values_list("slug", "pk", "accreditation", "name"))
        self.school_accreditation = {slug: acc for slug, _, acc, _ in schools}
        self.condition_names = dict(Condition.objects.values_list("slug", "name"))
        self.technique_names = dict(Technique.objects.values_list("slug", "name"))
        self.service_names = dict(ComplementaryService.objects.values_list("slug", "name"))
        demo_names = {name for name, _ in DEMO_SCHOOLS}
        self.demo_school_slugs = {acc: slug for slug, _, acc, name in schools if name in demo_names}
        return {
            "condition": dict(Condition.objects.values_list("slug", "pk")),
            "technique": dict(Technique.objects.values_list("slug", "pk")),
            "service": dict(ComplementaryService.objects.values_list("slug", "pk")),
            "insurance": dict(InsuranceCarrier.objects.values_list("slug", "pk")),
            "language": dict(Language.objects.values_list("code", "pk")),
            "school": {slug: pk for slug, pk, _, _ in schools},
        }

    def _tally(self, batch: Iterable[DemoPractitioner]) -> dict[str, int]:
        tally = dict.fromkeys(["practitioners", "locations", "licenses", "certifications", "degrees"], 0)
        for demo in batch:
            tally["practitioners"] += 1
            tally["locations"] += len(demo.locations)
            tally["licenses"] += len(demo.licenses)
            tally["certifications"] += len(demo.certifications)
            tally["degrees"] += len(demo.degrees)
        return tally

    def _verified_at(self, state: str, days_ago: int) -> datetime.datetime | None:
        return self.now - datetime.timedelta(days=days_ago) if state in ("verified", "revoked") else None

    def _insert(self, batch: list[DemoPractitioner], batch_reviews: list[list[DemoReview]]) -> None:
        lookups = self.lookups
        condition_names = self.condition_names
        practitioners = []
        for demo, reviews in zip(batch, batch_reviews, strict=True):
            confirmed = self.now - datetime.timedelta(days=demo.confirmed_days_ago)
            practitioners.append(
                Practitioner(
                    name=demo.name,
                    slug=demo.slug,
                    display_credentials=demo.display_credentials,
                    photo=self.portraits[demo.portrait] if demo.portrait is not None else "",
                    gender=demo.gender,
                    bio=demo.bio,
                    practice_started_year=demo.practice_started_year,
                    accepting_new_patients=demo.accepting_new_patients,
                    first_visit_fee=demo.first_visit_fee,
                    follow_up_fee=demo.follow_up_fee,
                    sliding_scale=demo.sliding_scale,
                    payment_plans=demo.payment_plans,
                    medicare_enrolled=demo.medicare_enrolled,
                    first_session_text=demo.first_session_text,
                    course_of_treatment_text=demo.course_of_treatment_text,
                    phone=demo.phone,
                    website=demo.website,
                    status=Practitioner.Status.PUBLISHED,
                    is_demo=True,
                    new_patients_confirmed_at=confirmed,
                    insurance_confirmed_at=confirmed,
                    fees_confirmed_at=confirmed,
                    phone_confirmed_at=confirmed,
                    last_confirmed_at=confirmed,
                    search_document=build_search_document(
                        name=demo.name,
                        practice_names=[loc.name for loc in demo.locations],
                        bio=demo.bio,
                        conditions=[condition_names[slug] for slug in demo.condition_slugs],
                        techniques=[self.technique_names[slug] for slug in demo.technique_slugs],
                        services=[self.service_names[slug] for slug in demo.service_slugs],
                    ),
                    # The stored rating summary of the reviews inserted below (published ones only).
                    **demo_summary(reviews).as_fields(),
                )
            )
        self._save(Practitioner, practitioners)

        locations, hours_for, licenses, certs, degrees, trainings = [], [], [], [], [], []
        m2m: dict[str, list] = {name: [] for name in LISTING_M2M_FIELDS}
        for demo, prac in zip(batch, practitioners, strict=True):
            for loc in demo.locations:
                location = PracticeLocation(
                    practitioner=prac,
                    name=loc.name,
                    street=loc.street,
                    city=loc.city,
                    state_id=loc.state,
                    zip_code=loc.zip_code,
                    latitude=loc.latitude,
                    longitude=loc.longitude,
                    phone=loc.phone,
                    evening_hours=loc.evening_hours,
                    weekend_hours=loc.weekend_hours,
                    wheelchair_accessible=loc.wheelchair_accessible,
                    is_primary=loc.is_primary,
                )
                locations.append(location)
                hours_for.append((location, loc.hours))
            for lic in demo.licenses:
                licenses.append(
                    License(
                        practitioner=prac,
                        state_id=demo.locations[0].state,
                        number=lic.number,
                        title=lic.title,
                        issue_date=lic.issue_date,
                        expiry_date=lic.expiry_date,
                        board_status=lic.board_status,
                        restricted=lic.restricted,
                        verification_state=lic.verification_state,
                        verified_at=self._verified_at(lic.verification_state, 30 + demo.index % 300),
                        verification_source="Demo data: no real check was made"
                        if lic.verification_state == "verified"
                        else "",
                        rejection_reason=lic.rejection_reason,
                        submitted_at=self.now - datetime.timedelta(days=1 + demo.index % 20),
                    )
                )
            for cert in demo.certifications:
                certs.append(
                    Certification(
                        practitioner=prac,
                        cert_type=cert.cert_type,
                        number=cert.number,
                        issue_date=cert.issue_date,
                        expiry_date=cert.expiry_date,
                        status=cert.status,
                        verification_state=cert.verification_state,
                        verified_at=self._verified_at(cert.verification_state, 40 + demo.index % 300),
                        submitted_at=self.now - datetime.timedelta(days=2 + demo.index % 20),
                    )
                )
            for deg in demo.degrees:
                degrees.append(
                    Degree(
                        practitioner=prac,
                        school_id=lookups["school"][deg.school_slug],
                        degree=deg.degree,
                        graduation_year=deg.graduation_year,
                        verification_state=deg.verification_state,
                        verified_at=self._verified_at(deg.verification_state, 50 + demo.index % 300),
                        submitted_at=self.now - datetime.timedelta(days=3 + demo.index % 20),
                    )
                )
            for title, provider, year in demo.trainings:
                trainings.append(SpecialTraining(practitioner=prac, title=title, provider=provider, year=year))
            for slug in demo.condition_slugs:
                m2m["conditions"].append(
                    Practitioner.conditions.through(practitioner_id=prac.pk, condition_id=lookups["condition"][slug])
                )
            for slug in demo.technique_slugs:
                m2m["techniques"].append(
                    Practitioner.techniques.through(practitioner_id=prac.pk, technique_id=lookups["technique"][slug])
                )
            for slug in demo.service_slugs:
                m2m["services"].append(
                    Practitioner.services.through(
                        practitioner_id=prac.pk, complementaryservice_id=lookups["service"][slug]
                    )
                )
            for slug in demo.insurance_slugs:
                m2m["insurance_carriers"].append(
                    Practitioner.insurance_carriers.through(
                        practitioner_id=prac.pk, insurancecarrier_id=lookups["insurance"][slug]
                    )
                )
            for code in demo.language_codes:
                m2m["languages"].append(
                    Practitioner.languages.through(practitioner_id=prac.pk, language_id=lookups["language"][code])
                )

        self._save(PracticeLocation, locations)
        self._save(
            OpeningHours,
            [
                OpeningHours(location=location, weekday=day, opens=opens, closes=closes)
                for location, hours in hours_for
                for day, opens, closes in hours
            ],
        )
        self._save(License, licenses)
        self._save(Certification, certs)
        self._save(Degree, degrees)
        self._save(SpecialTraining, trainings)
        for field_name, rows in m2m.items():
            self._save(getattr(Practitioner, field_name).through, rows)
        insert_demo_reviews(
            list(zip(practitioners, batch_reviews, strict=True)),
            reviewer_ids=self.reviewer_ids,
            condition_ids=lookups["condition"],
            now=self.now,
            save=self._save,
        )
        self._refresh_search_rows(practitioners)

    def _refresh_search_rows(self, practitioners: list[Practitioner]) -> None:
        """The batch's search rows (bulk inserts bypass the services that keep them), in its transaction."""
        refresh_search_rows(p.pk for p in practitioners)

    def _save(self, model: type[Model], rows: list[Model]) -> None:
        """Insert new rows and set their pks. `seed_bench` overrides this with PostgreSQL COPY."""
        model.objects.bulk_create(rows, batch_size=INSERT_BATCH)
