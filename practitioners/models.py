"""The directory's data: listings, where they practise, and the credentials behind them.

Trust facts (verified, NCCAOM certified, meets the Medicare criteria) are never
stored: `PractitionerQuerySet` computes them from credential states and dates
at read time, using the single definitions in `practitioners.trust`.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from . import geo, trust
from .expressions import (
    IdListField,
    SearchDocumentVector,
    SearchVectorStorage,
    compiled_annotations,
    great_circle_miles,
)

ZIP_REGEX = r"^[0-9]{5}$"
zip_validator = RegexValidator(ZIP_REGEX, "Enter a 5-digit ZIP code.")
MAX_FEE = 10_000
EARLIEST_PRACTICE_YEAR = 1900


# ---------------------------------------------------------------- reference data


class ReferenceItem(models.Model):
    """A named, slugged vocabulary entry used as a search filter."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Condition(ReferenceItem):
    description = models.TextField(blank=True)

    class Meta(ReferenceItem.Meta):
        pass


class Technique(ReferenceItem):
    description = models.TextField(blank=True)

    class Meta(ReferenceItem.Meta):
        pass


class ComplementaryService(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        pass


class InsuranceCarrier(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        pass


class Language(models.Model):
    code = models.CharField(max_length=12, unique=True, help_text="BCP 47 code, e.g. 'en', 'zh-yue'.")
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StateBoardQuerySet(models.QuerySet):
    def issuing_credentials(self):
        """States that license or register acupuncturists (a state credential can be submitted there)."""
        return self.exclude(regulation=trust.REGULATION_NONE)


class StateBoard(models.Model):
    """What one state requires of an acupuncturist, and where that was checked. State rules are data, not code."""

    class Regulation(models.TextChoices):
        LICENSE = trust.REGULATION_LICENSE, "Licenses acupuncturists"
        REGISTRATION = trust.REGULATION_REGISTRATION, "Registers acupuncturists (no license)"
        NONE = trust.REGULATION_NONE, "Neither licenses nor registers acupuncturists"

    class Exam(models.TextChoices):
        NCCAOM = "nccaom", "NCCAOM examinations"
        STATE = "state", "The state's own examination"
        NONE = "none", "No state examination (no state credential)"

    state = models.CharField(max_length=2, primary_key=True, validators=[RegexValidator(r"^[A-Z]{2}$")])
    state_name = models.CharField(max_length=40, unique=True)
    board_name = models.CharField(max_length=200)
    regulation = models.CharField(
        max_length=12, choices=Regulation, default=Regulation.LICENSE, help_text="What the state requires."
    )
    licensed_titles = models.JSONField(
        default=list, blank=True, help_text='Titles the state grants, e.g. ["L.Ac."]; empty where it grants none.'
    )
    renewal_cycle_years = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Years between renewals; empty where the state issues no credential."
    )
    expiry_rule = models.CharField(
        max_length=300, blank=True, help_text="When credentials expire, where the state has its own rule."
    )
    exam = models.CharField(max_length=8, choices=Exam, default=Exam.NCCAOM, help_text="The licensing examination.")
    lookup_url = models.URLField(max_length=300, blank=True, help_text="The board's public license lookup.")
    source_url = models.URLField(max_length=500, help_text="The statute or board page this row was checked against.")
    source_note = models.TextField(blank=True, help_text="What the source confirms, and what it does not.")
    checked_on = models.DateField(help_text="When this row was checked against its source.")

    objects = StateBoardQuerySet.as_manager()

    class Meta:
        ordering = ["state"]
        constraints = [
            models.CheckConstraint(condition=Q(state__regex=r"^[A-Z]{2}$"), name="stateboard_state_code"),
            models.CheckConstraint(
                condition=Q(renewal_cycle_years__isnull=True)
                | Q(renewal_cycle_years__gte=1, renewal_cycle_years__lte=10),
                name="stateboard_renewal_cycle_range",
            ),
            models.CheckConstraint(condition=Q(regulation__in=trust.REGULATIONS), name="stateboard_regulation_valid"),
            models.CheckConstraint(condition=Q(exam__in=["nccaom", "state", "none"]), name="stateboard_exam_valid"),
            # A state that issues no credential has no renewal cycle and no exam of its own.
            models.CheckConstraint(
                condition=~Q(regulation=trust.REGULATION_NONE) | Q(renewal_cycle_years__isnull=True, exam="none"),
                name="stateboard_none_has_no_cycle",
            ),
            models.CheckConstraint(condition=~Q(source_url=""), name="stateboard_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.state_name} ({self.state})"

    @property
    def issues_credentials(self) -> bool:
        return self.regulation != self.Regulation.NONE

    @property
    def credential_noun(self) -> str:
        """How this state's credential is called on pages: "license" or "registration"."""
        return "registration" if self.regulation == self.Regulation.REGISTRATION else "license"


class School(models.Model):
    class Accreditation(models.TextChoices):
        ACCREDITED = "accredited", "ACAHM accredited"
        CANDIDATE = "candidate", "ACAHM candidate for accreditation"
        NONE = "none", "Not ACAHM accredited"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    accreditation = models.CharField(max_length=12, choices=Accreditation, default=Accreditation.NONE)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accreditation__in=["accredited", "candidate", "none"]),
                name="school_accreditation_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- practitioners


class PractitionerQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Practitioner.Status.PUBLISHED)

    def verified(self, today: datetime.date | None = None):
        return self.filter(verified_exists(today))

    def nccaom_certified(self, today: datetime.date | None = None):
        return self.filter(nccaom_exists(today))

    def registered(self, today: datetime.date | None = None):
        return self.filter(registered_exists(today))

    def state_requirement_met(self, today: datetime.date | None = None):
        """Listings that meet their states' rule (what publication needs): see `state_requirement_met_q`."""
        return self.filter(state_requirement_met_q(today))

    def meets_medicare_clbp(self, today: datetime.date | None = None):
        return self.filter(medicare_exists(today))

    def with_trust_facts(self, today: datetime.date | None = None):
        """Annotate is_verified / is_nccaom_certified / meets_medicare with the same
        expressions the filters use, so a page never computes them twice differently (compiled once
        a day: see expressions.compiled_annotations)."""
        today = _today(today)
        return self.annotate(**compiled_annotations(Practitioner, ("trust facts", today), lambda: trust_facts(today)))

    def with_license_state(self, today: datetime.date | None = None):
        """Annotate `license_state` (one of trust.LICENSE_* / REGISTRATION_* / NO_LICENSURE*, the order
        is trust's) and `license_verified_at` (when the credential that sentence names was verified:
        the current license in a location's licensing state, else the current registration in a
        registration-only state, else, for a listing only in states without licensure, the current
        NCCAOM certification), for the card's license sentence (compiled once a day)."""
        today = _today(today)
        return self.annotate(
            **compiled_annotations(Practitioner, ("license state", today), lambda: license_state_annotations(today))
        )

    def near(self, latitude: float, longitude: float, miles: float):
        """Listings with at least one practice location within `miles` of the point.

        The bounding box uses the (latitude, longitude) index; the exact great-circle
        test runs only on the locations inside it."""
        return self.filter(near_q(latitude, longitude, miles))

    def with_distance(self, latitude: float, longitude: float, miles: float):
        """Annotate `distance`: miles to the nearest of the listing's locations within `miles`
        (None when none is). Use after `near()` with the same arguments."""
        return self.annotate(distance=nearest_location_miles(latitude, longitude, miles))


# The listing's many-to-many reference lists (the admin, the practitioner's form, history and demo data read this).
LISTING_M2M_FIELDS = ("languages", "conditions", "techniques", "services", "insurance_carriers")

# The review summary columns on Practitioner (kept by reviews.services; see reviews.ratings).
REVIEW_SUMMARY_FIELDS = (
    "review_count",
    "rating_sum",
    "bedside_sum",
    "rating_avg",
    "rating_1",
    "rating_2",
    "rating_3",
    "rating_4",
    "rating_5",
)


class Practitioner(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        SUSPENDED = "suspended", "Suspended"

    class Gender(models.TextChoices):
        FEMALE = "female", "Woman"
        MALE = "male", "Man"
        NONBINARY = "nonbinary", "Non-binary"
        SELF_DESCRIBED = "self", "Self-described"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    npi = models.CharField(
        "NPI", max_length=10, unique=True, null=True, blank=True, validators=[RegexValidator(r"^[0-9]{10}$")]
    )
    display_credentials = models.CharField(max_length=100, blank=True, help_text='e.g. "L.Ac., Dipl. Ac."')
    photo = models.ImageField(upload_to="photos/", blank=True)
    gender = models.CharField(max_length=12, choices=Gender, blank=True)
    gender_self_description = models.CharField(max_length=60, blank=True)
    bio = models.TextField(blank=True, max_length=5000)
    practice_started_year = models.PositiveSmallIntegerField(null=True, blank=True)

    languages = models.ManyToManyField(Language, blank=True, related_name="practitioners")
    conditions = models.ManyToManyField(Condition, blank=True, related_name="practitioners")
    techniques = models.ManyToManyField(Technique, blank=True, related_name="practitioners")
    services = models.ManyToManyField(ComplementaryService, blank=True, related_name="practitioners")
    insurance_carriers = models.ManyToManyField(InsuranceCarrier, blank=True, related_name="practitioners")

    accepting_new_patients = models.BooleanField(default=True)
    first_visit_fee = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    follow_up_fee = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    sliding_scale = models.BooleanField(default=False)
    payment_plans = models.BooleanField(default=False)
    medicare_enrolled = models.BooleanField(
        default=False, help_text="Enrolled with Medicare (as auxiliary personnel under a supervising provider)."
    )
    first_session_text = models.TextField("what a first session is like", blank=True, max_length=3000)
    course_of_treatment_text = models.TextField("typical course of treatment", blank=True, max_length=3000)

    phone = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True, help_text="Kept private; never shown on the profile.")

    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="listing",
    )
    is_demo = models.BooleanField(default=False, help_text="Fictional listing generated for the demo site.")

    # Freshness: when the practitioner last confirmed the facts patients are most often misled by.
    new_patients_confirmed_at = models.DateTimeField(null=True, blank=True)
    insurance_confirmed_at = models.DateTimeField(null=True, blank=True)
    fees_confirmed_at = models.DateTimeField(null=True, blank=True)
    phone_confirmed_at = models.DateTimeField(null=True, blank=True)
    last_confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="The oldest of the four confirmation dates; used for ranking."
    )

    # Review summary, maintained by reviews.services in the same transaction as each review change.
    review_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    bedside_sum = models.PositiveIntegerField(default=0)
    rating_avg = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_1 = models.PositiveIntegerField(default=0)
    rating_2 = models.PositiveIntegerField(default=0)
    rating_3 = models.PositiveIntegerField(default=0)
    rating_4 = models.PositiveIntegerField(default=0)
    rating_5 = models.PositiveIntegerField(default=0)

    # Denormalised text for full-text search (name, practice names, bio, conditions).
    search_document = models.TextField(blank=True, editable=False)
    # Its weighted full-text vector, kept by the database (PostgreSQL; empty on SQLite).
    search_vector = models.GeneratedField(
        expression=SearchDocumentVector("search_document"), output_field=SearchVectorStorage(), db_persist=True
    )
    # What the last NPPES import wrote (manage.py import_nppes). A re-import updates a field only
    # while it still holds that value, so whatever a practitioner or reviewer set is never overwritten.
    nppes_snapshot = models.JSONField(default=dict, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PractitionerQuerySet.as_manager()
    # Change history for staff (who changed what, when); derived and summary fields are left out.
    history = HistoricalRecords(
        m2m_fields=list(LISTING_M2M_FIELDS),
        excluded_fields=[
            "search_document",
            "search_vector",
            "nppes_snapshot",
            *REVIEW_SUMMARY_FIELDS,
            "updated_at",
        ],
    )

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["status", "name"], name="prac_status_name_idx"),
            models.Index(fields=["status", "-rating_avg"], name="prac_status_rating_idx"),
            models.Index(fields=["status", "-review_count"], name="prac_status_reviews_idx"),
            models.Index(fields=["status", "practice_started_year"], name="prac_status_experience_idx"),
            models.Index(fields=["last_confirmed_at"], name="prac_confirmed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "suspended"]), name="prac_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(gender__in=["", "female", "male", "nonbinary", "self"]), name="prac_gender_valid"
            ),
            models.CheckConstraint(
                condition=Q(first_visit_fee__isnull=True) | Q(first_visit_fee__gte=0, first_visit_fee__lte=MAX_FEE),
                name="prac_first_visit_fee_range",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_fee__isnull=True) | Q(follow_up_fee__gte=0, follow_up_fee__lte=MAX_FEE),
                name="prac_follow_up_fee_range",
            ),
            models.CheckConstraint(
                condition=Q(practice_started_year__isnull=True)
                | Q(practice_started_year__gte=EARLIEST_PRACTICE_YEAR, practice_started_year__lte=2100),
                name="prac_started_year_range",
            ),
            models.CheckConstraint(
                condition=Q(npi__isnull=True) | Q(npi__regex=r"^[0-9]{10}$"), name="prac_npi_format"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="prac_slug_not_empty"),
            models.CheckConstraint(
                condition=Q(rating_avg__isnull=True) | Q(rating_avg__gte=1, rating_avg__lte=5),
                name="prac_rating_avg_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    review_count=models.F("rating_1")
                    + models.F("rating_2")
                    + models.F("rating_3")
                    + models.F("rating_4")
                    + models.F("rating_5")
                ),
                name="prac_histogram_matches_count",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("practitioners:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def state_coverage(self, today: datetime.date | None = None) -> list[trust.StateCoverage]:
        """What meets each location state's rule (`trust.state_coverage`), from the listing's locations
        (with their state), licenses and certifications: prefetch those (the profile selector does)."""
        today = today or timezone.localdate()
        return trust.state_coverage(
            location_states={
                loc.state_id: (loc.state.state_name, loc.state.regulation) for loc in self.locations.all()
            },
            current_credential_states={lic.state_id for lic in self.licenses.all() if lic.is_current(today)},
            nccaom_current=any(cert.is_current(today) for cert in self.certifications.all()),
        )

    @property
    def bedside_avg(self) -> float | None:
        return round(self.bedside_sum / self.review_count, 2) if self.review_count else None

    def rating_histogram(self) -> list[tuple[int, int]]:
        """(stars, count) from 5 down to 1."""
        return [(stars, getattr(self, f"rating_{stars}")) for stars in range(5, 0, -1)]


class SpecialTraining(models.Model):
    """Post-graduate training in neck and back pain (orthopedic, sports, pain management…)."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="trainings")
    title = models.CharField(max_length=200)
    provider = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=EARLIEST_PRACTICE_YEAR, year__lte=2100), name="training_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.provider}, {self.year})"


class PracticeLocationQuerySet(models.QuerySet):
    def within(self, latitude: float, longitude: float, miles: float):
        """Locations within `miles` of the point: a bounding box on the (latitude, longitude)
        index, then the exact great-circle test on the locations inside it."""
        min_lat, max_lat, min_lng, max_lng = geo.bounding_box(latitude, longitude, miles)
        return (
            self.filter(latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lng, longitude__lte=max_lng)
            .alias(miles=great_circle_miles(latitude, longitude))
            .filter(miles__lte=miles)
        )


class PracticeLocation(models.Model):
    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField("practice name", max_length=200, blank=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.ForeignKey(StateBoard, on_delete=models.PROTECT, related_name="locations", db_column="state")
    zip_code = models.CharField("ZIP", max_length=5, validators=[zip_validator])
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    evening_hours = models.BooleanField(default=False)
    weekend_hours = models.BooleanField(default=False)
    wheelchair_accessible = models.BooleanField(default=False)
    is_primary = models.BooleanField(default=False)

    objects = PracticeLocationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "pk"]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="loc_lat_lng_idx"),
            models.Index(fields=["state", "city"], name="loc_state_city_idx"),
            models.Index(fields=["zip_code"], name="loc_zip_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(zip_code__regex=ZIP_REGEX), name="loc_zip_5_digits"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90), name="loc_latitude_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="loc_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="loc_lat_lng_together",
            ),
            models.UniqueConstraint(
                fields=["practitioner"], condition=Q(is_primary=True), name="loc_one_primary_per_practitioner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.practitioner.name}, {self.city}, {self.state_id}"


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    location = models.ForeignKey(PracticeLocation, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday)
    opens = models.TimeField()
    closes = models.TimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="hours_weekday_range"),
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="hours_close_after_open"),
            models.UniqueConstraint(fields=["location", "weekday", "opens"], name="hours_unique_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


# ---------------------------------------------------------------- credentials


class VerificationState(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    PENDING = "pending", "Pending verification"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Verification revoked"


VERIFICATION_STATES = [choice.value for choice in VerificationState]


class Credential(models.Model):
    """Fields every credential shares: its own verification state and the dates that matter."""

    verification_state = models.CharField(
        max_length=12, choices=VerificationState, default=VerificationState.UNVERIFIED
    )
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="When it entered the verification queue.")
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verification_source = models.CharField(max_length=300, blank=True)
    rejection_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=1,
        help_text="Goes up with every change of the details; a decision names the version the reviewer saw.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_verified(self) -> bool:
        return self.verification_state == VerificationState.VERIFIED


def _state_constraint(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(verification_state__in=VERIFICATION_STATES), name=f"{prefix}_verification_state_valid"
    )


def _verified_has_date(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(verification_state="verified") | Q(verified_at__isnull=False),
        name=f"{prefix}_verified_has_date",
    )


class LicenseBoardStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DELINQUENT = "delinquent", "Delinquent"
    EXPIRED = "expired", "Expired"
    PROBATION = "probation", "Probation"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"
    RETIRED = "retired", "Retired"


# Set by the verification services only: never typed in through a form, shown read-only to staff.
CREDENTIAL_BOOKKEEPING_FIELDS = (
    "verification_state",
    "submitted_at",
    "verified_at",
    "verified_by",
    "verification_source",
    "rejection_reason",
)


class License(Credential):
    BoardStatus = LicenseBoardStatus

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="licenses")
    state = models.ForeignKey(StateBoard, on_delete=models.PROTECT, related_name="licenses", db_column="state")
    number = models.CharField("license number", max_length=40)
    title = models.CharField(max_length=20, help_text="L.Ac., AP, D.Ac., …")
    issue_date = models.DateField(null=True, blank=True)
    expiry_date = models.DateField(null=True, blank=True)
    board_status = models.CharField(max_length=12, choices=LicenseBoardStatus, default=LicenseBoardStatus.ACTIVE)
    restricted = models.BooleanField("restricted or disciplined", default=False)
    # The expiry date each reminder was sent for (manage.py expire_credentials): sent once per
    # expiry date, so a renewed credential (new expiry date) gets its reminders again.
    expiry_notice_60_sent_for = models.DateField(null=True, blank=True, editable=False)
    expiry_notice_30_sent_for = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=["updated_at", "expiry_notice_60_sent_for", "expiry_notice_30_sent_for"]
    )

    class Meta:
        ordering = ["state", "number"]
        indexes = [
            models.Index(
                fields=["practitioner", "state", "expiry_date"],
                condition=Q(verification_state="verified", board_status="active", restricted=False),
                name="license_current_idx",
            ),
            models.Index(fields=["verification_state", "submitted_at"], name="license_queue_idx"),
        ]
        constraints = [
            # Unique per (state, number) once verified (SPEC). While unverified, a number can sit on
            # several listings: a listing created with someone else's number must not lock out the
            # real holder; staff see the duplicates (dashboard.selectors.license_conflicts).
            models.UniqueConstraint(
                fields=["state", "number"],
                condition=Q(verification_state="verified"),
                name="license_unique_verified_state_number",
                violation_error_message="This license is already verified on another listing.",
            ),
            models.CheckConstraint(condition=~Q(number=""), name="license_number_not_empty"),
            models.CheckConstraint(
                condition=Q(issue_date__isnull=True)
                | Q(expiry_date__isnull=True)
                | Q(expiry_date__gt=models.F("issue_date")),
                name="license_expiry_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(board_status__in=LicenseBoardStatus.values), name="license_board_status_valid"
            ),
            _state_constraint("license"),
            _verified_has_date("license"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.state_id} #{self.number}"

    def is_current(self, today: datetime.date | None = None) -> bool:
        return trust.license_is_current(
            verification_state=self.verification_state,
            board_status=self.board_status,
            restricted=self.restricted,
            expiry_date=self.expiry_date,
            today=today or timezone.localdate(),
        )


class CertificationType(models.TextChoices):
    DIPL_AC = "dipl_ac", "Dipl. Ac. (NCCAOM)"
    DIPL_OM = "dipl_om", "Dipl. O.M. (NCCAOM)"
    DIPL_CH = "dipl_ch", "Dipl. C.H. (NCCAOM)"
    DIPL_ABT = "dipl_abt", "Dipl. ABT (NCCAOM)"


class CertificationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    LAPSED = "lapsed", "Lapsed"
    TERMINATED = "terminated", "Terminated"
    RETIRED = "retired", "Retired"


class Certification(Credential):
    """An NCCAOM national board certification."""

    CertType = CertificationType

    Status = CertificationStatus

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="certifications")
    cert_type = models.CharField("certification", max_length=10, choices=CertificationType)
    number = models.CharField("certificate number", max_length=40)
    issue_date = models.DateField(null=True, blank=True)
    expiry_date = models.DateField(null=True, blank=True, help_text="NCCAOM recertifies every 4 years.")
    status = models.CharField(max_length=12, choices=CertificationStatus, default=CertificationStatus.ACTIVE)
    # The expiry date each reminder was sent for (manage.py expire_credentials): sent once per
    # expiry date, so a renewed credential (new expiry date) gets its reminders again.
    expiry_notice_60_sent_for = models.DateField(null=True, blank=True, editable=False)
    expiry_notice_30_sent_for = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=["updated_at", "expiry_notice_60_sent_for", "expiry_notice_30_sent_for"]
    )

    class Meta:
        ordering = ["cert_type", "number"]
        indexes = [
            models.Index(
                fields=["practitioner", "expiry_date"],
                condition=Q(verification_state="verified", status="active"),
                name="cert_current_idx",
            ),
            models.Index(fields=["verification_state", "submitted_at"], name="cert_queue_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["cert_type", "number"], name="cert_unique_type_number"),
            models.CheckConstraint(condition=~Q(number=""), name="cert_number_not_empty"),
            models.CheckConstraint(condition=Q(cert_type__in=CertificationType.values), name="cert_type_valid"),
            models.CheckConstraint(condition=Q(status__in=CertificationStatus.values), name="cert_status_valid"),
            models.CheckConstraint(
                condition=Q(issue_date__isnull=True)
                | Q(expiry_date__isnull=True)
                | Q(expiry_date__gt=models.F("issue_date")),
                name="cert_expiry_after_issue",
            ),
            _state_constraint("cert"),
            _verified_has_date("cert"),
        ]

    def __str__(self) -> str:
        return f"{self.get_cert_type_display()} #{self.number}"

    def is_current(self, today: datetime.date | None = None) -> bool:
        return trust.certification_is_current(
            verification_state=self.verification_state,
            status=self.status,
            expiry_date=self.expiry_date,
            today=today or timezone.localdate(),
        )


class DegreeType(models.TextChoices):
    MAC = "MAc", "Master of Acupuncture (MAc)"
    MSOM = "MSOM", "Master of Science in Oriental Medicine (MSOM)"
    MAOM = "MAOM", "Master of Acupuncture and Oriental Medicine (MAOM)"
    MACHM = "MAcHM", "Master of Acupuncture with a Chinese Herbal Medicine specialization (MAcHM)"
    DAC = "DAc", "Doctor of Acupuncture (DAc)"
    DACM = "DACM", "Doctor of Acupuncture and Chinese Medicine (DACM)"
    DAOM = "DAOM", "Doctor of Acupuncture and Oriental Medicine (DAOM)"
    CERTIFICATE = "CERT", "Certificate or diploma program"


class Degree(Credential):
    DegreeType = DegreeType

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="degrees")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="degrees")
    degree = models.CharField(max_length=8, choices=DegreeType)
    graduation_year = models.PositiveSmallIntegerField()

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-graduation_year"]
        indexes = [
            models.Index(
                fields=["practitioner"], condition=Q(verification_state="verified"), name="degree_verified_idx"
            ),
            models.Index(fields=["verification_state", "submitted_at"], name="degree_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(degree__in=DegreeType.values), name="degree_type_valid"),
            models.CheckConstraint(
                condition=Q(graduation_year__gte=EARLIEST_PRACTICE_YEAR, graduation_year__lte=2100),
                name="degree_graduation_year_range",
            ),
            models.UniqueConstraint(fields=["practitioner", "school", "degree"], name="degree_unique_per_school"),
            _state_constraint("degree"),
            _verified_has_date("degree"),
        ]

    def __str__(self) -> str:
        return f"{self.degree}, {self.school.name} ({self.graduation_year})"

    def qualifies_for_medicare(self) -> bool:
        return trust.degree_qualifies(
            verification_state=self.verification_state,
            degree=self.degree,
            accreditation=self.school.accreditation,
        )


class VerificationRecord(models.Model):
    """Append-only log of every credential decision. Written only by the verification
    services; never edited or deleted through the application."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="verification_records")
    credential_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    credential_id = models.PositiveBigIntegerField()
    credential = GenericForeignKey("credential_type", "credential_id")
    credential_label = models.CharField(max_length=200, help_text="What the credential said at decision time.")
    old_state = models.CharField(max_length=12, choices=VerificationState)
    new_state = models.CharField(max_length=12, choices=VerificationState)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verification_decisions",
        help_text="Empty for decisions made by the system (expiry job, imports).",
    )
    actor_label = models.CharField(max_length=100, help_text="Who decided, as shown in the audit trail.")
    source = models.CharField(max_length=300, blank=True, help_text="Evidence used, e.g. the board lookup URL.")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["credential_type", "credential_id", "created_at"], name="vr_credential_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(old_state__in=VERIFICATION_STATES), name="vr_old_state_valid"),
            models.CheckConstraint(condition=Q(new_state__in=VERIFICATION_STATES), name="vr_new_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.credential_label}: {self.old_state} → {self.new_state} by {self.actor_label}"


# The three kinds of credential by the name URLs, forms and the queue use, and what each is called
# in a sentence ("Your state license is waiting for verification"); capitalise with `capfirst`.
CREDENTIAL_KINDS: dict[str, type[License | Certification | Degree]] = {
    "license": License,
    "certification": Certification,
    "degree": Degree,
}
CREDENTIAL_KIND_LABELS: dict[str, str] = {
    "license": "state license",
    "certification": "NCCAOM certification",
    "degree": "degree",
}
CREDENTIAL_KIND_OF_MODEL = {model: kind for kind, model in CREDENTIAL_KINDS.items()}


class VerificationQueue(License):
    """The admin's verification queue (pending licenses, certifications and degrees together).

    A proxy only so the queue has its own admin page and index entry; see
    `verification.admin.VerificationQueueAdmin`.
    """

    class Meta:
        proxy = True
        verbose_name = "verification queue"
        verbose_name_plural = "verification queue"


# The search projection's vocabulary lists: SearchRow field → the listing's many-to-many field.
SEARCH_ROW_LISTS = {
    "condition_ids": "conditions",
    "technique_ids": "techniques",
    "insurance_ids": "insurance_carriers",
    "language_ids": "languages",
}


class SearchRow(models.Model):
    """The search projection: one narrow row per *published* listing with what the search filters,
    sorts and counts by, so a search reads one table instead of joining the credential and
    vocabulary tables per listing. Derived data, never edited: `practitioners.search_rows`
    rebuilds a listing's row inside every write that changes these facts (docs/performance.md,
    "What can lag behind a write"); tests/search/test_search_projection.py compares its answers
    with the plain definitions (`search.filters`) on random data.

    The trust facts are stored as the last day they hold (`verified_until` …, see
    `verified_until()`), so "current today" is a date comparison and nothing has to run at midnight.
    """

    practitioner = models.OneToOneField(
        Practitioner, on_delete=models.CASCADE, primary_key=True, related_name="search_row"
    )
    name = models.CharField(max_length=200)
    gender = models.CharField(max_length=12, blank=True)
    sliding_scale = models.BooleanField()
    accepting_new_patients = models.BooleanField()
    practice_started_year = models.PositiveSmallIntegerField(null=True)
    last_confirmed_at = models.DateTimeField(null=True)
    review_count = models.PositiveIntegerField()
    rating_sum = models.PositiveIntegerField()
    rating_avg = models.DecimalField(max_digits=3, decimal_places=2, null=True)
    verified_until = models.DateField(null=True)
    nccaom_until = models.DateField(null=True)
    medicare_until = models.DateField(null=True)
    condition_ids = IdListField()
    technique_ids = IdListField()
    insurance_ids = IdListField()
    language_ids = IdListField()

    class Meta:
        indexes = [
            models.Index(fields=["name", "practitioner"], name="searchrow_name_idx"),
            models.Index(fields=["-review_count"], name="searchrow_reviews_idx"),
            models.Index(fields=["practice_started_year"], name="searchrow_experience_idx"),
        ]

    def __str__(self) -> str:
        return f"search row of {self.name}"


class SearchRowChange(models.Model):
    """A search row written, for the workers that hold the projection in memory (`search.memory`,
    PostgreSQL only): `practitioners.search_rows` adds one per listing whose row it rebuilds, in the
    same transaction, with that transaction's id; a worker reads the changes of every transaction
    its last look could not see yet. `practitioner_id` None: every row (a full rebuild). Kept a day
    (`prune_search_row_changes`, a daily task); a worker idle longer reloads everything."""

    id = models.BigAutoField(primary_key=True)
    practitioner_id = models.IntegerField(null=True)
    xid = models.BigIntegerField(db_index=True)  # pg_current_xact_id() of the writing transaction
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"search row change {self.pk} (listing {self.practitioner_id})"


# ---------------------------------------------------------------- trust expressions


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _locations_within(latitude: float, longitude: float, miles: float):
    return PracticeLocation.objects.within(latitude, longitude, miles)


def near_q(latitude: float, longitude: float, miles: float) -> Q:
    """Rows whose pk is a listing with a practice location within `miles` of the point (listings,
    and search rows, whose pk is the listing's)."""
    return Q(pk__in=_locations_within(latitude, longitude, miles).values("practitioner_id"))


def nearest_location_miles(latitude: float, longitude: float, miles: float) -> Subquery:
    """Miles from the point to the nearest location within `miles` of the outer row's listing (its pk)."""
    nearest = (
        _locations_within(latitude, longitude, miles)
        .filter(practitioner_id=OuterRef("pk"))
        .annotate(miles=great_circle_miles(latitude, longitude))
        .order_by("miles")
        .values("miles")[:1]
    )
    return Subquery(nearest, output_field=models.FloatField())


def _state_credentials_in_standing(regulation: str):
    """The outer listing's state credentials in standing (`trust.license_standing_q`: current but for
    the date) in the state of one of its locations, that state having the given rule (a license where
    the state licenses, a registration where it registers)."""
    in_location_state = PracticeLocation.objects.filter(
        practitioner_id=OuterRef("practitioner_id"), state_id=OuterRef("state_id")
    )
    return License.objects.filter(
        trust.license_standing_q(), practitioner_id=OuterRef("pk"), state__regulation=regulation
    ).filter(Exists(in_location_state))


def _current_state_credentials(today: datetime.date | None, regulation: str):
    """The outer listing's current state credentials in the state of one of its locations
    (`trust.current_license_q` = in standing and not expired today)."""
    return _state_credentials_in_standing(regulation).filter(expiry_date__gte=_today(today))


def _current_state_credential_exists(today: datetime.date | None, regulation: str) -> Exists:
    return Exists(_current_state_credentials(today, regulation))


def verified_exists(today: datetime.date | None = None) -> Exists:
    """A current license in the state of at least one of the practitioner's locations, in a state
    that licenses acupuncturists. The "Verified license" badge and the `verified` filter."""
    return _current_state_credential_exists(today, trust.REGULATION_LICENSE)


def registered_exists(today: datetime.date | None = None) -> Exists:
    """A current registration in the state of one of the locations, in a registration-only state."""
    return _current_state_credential_exists(today, trust.REGULATION_REGISTRATION)


def only_in_unregulated_states() -> Q:
    """Has at least one location, and every location is in a state that neither licenses nor registers."""
    locations = PracticeLocation.objects.filter(practitioner_id=OuterRef("pk"))
    return Exists(locations) & ~Exists(locations.exclude(state__regulation=trust.REGULATION_NONE))


def state_requirement_met_q(today: datetime.date | None = None) -> Q:
    """What publication needs (`trust.state_requirement_met` is the same rule for one listing in memory)."""
    return (
        Q(verified_exists(today)) | Q(registered_exists(today)) | (only_in_unregulated_states() & nccaom_exists(today))
    )


def nccaom_exists(today: datetime.date | None = None) -> Exists:
    return Exists(
        Certification.objects.filter(trust.current_certification_q(_today(today)), practitioner_id=OuterRef("pk"))
    )


def trust_facts(today: datetime.date) -> dict:
    """`is_verified`, `is_nccaom_certified` and `meets_medicare` for `PractitionerQuerySet.with_trust_facts`."""
    return dict(
        is_verified=verified_exists(today),
        is_nccaom_certified=nccaom_exists(today),
        meets_medicare=ExpressionWrapper(medicare_exists(today), output_field=models.BooleanField()),
    )


def license_state_annotations(today: datetime.date) -> dict:
    """`license_state` and `license_verified_at` for `PractitionerQuerySet.with_license_state`."""
    unregulated_only = only_in_unregulated_states()
    return dict(
        license_state=models.Case(
            models.When(verified_exists(today), then=models.Value(trust.LICENSE_VERIFIED)),
            models.When(registered_exists(today), then=models.Value(trust.REGISTRATION_VERIFIED)),
            models.When(unregulated_only & nccaom_exists(today), then=models.Value(trust.NO_LICENSURE_CERTIFIED)),
            models.When(unregulated_only, then=models.Value(trust.NO_LICENSURE)),
            models.When(
                Exists(License.objects.filter(trust.expired_license_q(today), practitioner_id=OuterRef("pk"))),
                then=models.Value(trust.LICENSE_EXPIRED),
            ),
            models.When(
                Exists(License.objects.filter(trust.checked_license_q(), practitioner_id=OuterRef("pk"))),
                then=models.Value(trust.LICENSE_NOT_CURRENT),
            ),
            default=models.Value(trust.LICENSE_UNCHECKED),
            output_field=models.CharField(),
        ),
        license_verified_at=Coalesce(
            *(
                Subquery(
                    _current_state_credentials(today, regulation).order_by("-verified_at").values("verified_at")[:1]
                )
                for regulation in (trust.REGULATION_LICENSE, trust.REGULATION_REGISTRATION)
            ),
            models.Case(
                models.When(
                    unregulated_only,
                    then=Subquery(
                        Certification.objects.filter(
                            trust.current_certification_q(today), practitioner_id=OuterRef("pk")
                        )
                        .order_by("-verified_at")
                        .values("verified_at")[:1]
                    ),
                ),
                output_field=models.DateTimeField(),
            ),
            output_field=models.DateTimeField(),
        ),
    )


# ---------------------------------------------------------------- trust facts as validity dates
# The search projection (SearchRow) stores, per listing, the last day each trust fact holds: the
# latest expiry date among the credentials in standing. "Current on day d" is then "until >= d",
# the same rule as the *_exists expressions above, with no job needed at midnight.


def _latest_expiry(credentials) -> Subquery:
    return Subquery(credentials.order_by("-expiry_date").values("expiry_date")[:1], output_field=models.DateField())


def verified_until() -> Subquery:
    """The last day `verified_exists` holds (None: it does not hold on any day)."""
    return _latest_expiry(_state_credentials_in_standing(trust.REGULATION_LICENSE))


def nccaom_until() -> Subquery:
    """The last day `nccaom_exists` holds."""
    return _latest_expiry(
        Certification.objects.filter(trust.certification_standing_q(), practitioner_id=OuterRef("pk"))
    )


def medicare_until() -> models.Case:
    """The last day `medicare_exists` holds: the qualifying degree does not expire, the license does."""
    licenses = License.objects.filter(
        trust.license_standing_q(), practitioner_id=OuterRef("pk"), state__regulation=trust.REGULATION_LICENSE
    )
    return models.Case(
        models.When(_qualifying_degree_exists(), then=_latest_expiry(licenses)),
        default=models.Value(None, output_field=models.DateField()),
        output_field=models.DateField(),
    )


def _qualifying_degree_exists() -> Exists:
    return Exists(Degree.objects.filter(trust.qualifying_degree_q(), practitioner_id=OuterRef("pk")))


def medicare_exists(today: datetime.date | None = None) -> Q:
    """Verified, active, unrestricted license (a license: not a registration) + verified graduate
    degree from an ACAHM-accredited school."""
    license_ok = Exists(
        License.objects.filter(
            trust.current_license_q(_today(today)),
            practitioner_id=OuterRef("pk"),
            state__regulation=trust.REGULATION_LICENSE,
        )
    )
    return license_ok & _qualifying_degree_exists()
