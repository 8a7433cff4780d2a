"""factory_boy factories: the one place tests build rows."""

import datetime

import factory
from django.utils import timezone

from accounts.models import User
from practitioners.models import (
    Certification,
    Condition,
    Degree,
    License,
    PracticeLocation,
    Practitioner,
    School,
    StateBoard,
)

PASSWORD = "correct horse battery staple"


def refresh_search_row(practitioner_id: int) -> None:
    """The listing's search projection row as the services would leave it. Factories write rows
    directly, bypassing the services that keep `SearchRow` in step; a test that changes a listing
    or its credentials with `.update()`/`.save()` and then searches calls this too (or, better,
    goes through the service)."""
    from practitioners.search_rows import refresh_search_rows

    refresh_search_rows([practitioner_id])


def _keeps_search_row(obj, create, extracted, **kwargs) -> None:
    """A factory's last step: the row of the listing this object belongs to (or is)."""
    if create:
        refresh_search_row(obj.pk if isinstance(obj, Practitioner) else obj.practitioner_id)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Member {n}")
    password = factory.django.Password(PASSWORD)


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Practitioner {n}")
    slug = factory.Sequence(lambda n: f"practitioner-{n}")
    display_credentials = "L.Ac."
    status = Practitioner.Status.PUBLISHED
    first_visit_fee = 120
    follow_up_fee = 90
    keep_search_row = factory.PostGeneration(_keeps_search_row)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeLocation
        skip_postgeneration_save = True

    practitioner = factory.SubFactory(PractitionerFactory)
    name = "Test Clinic"
    street = "1 Main St"
    city = "San Francisco"
    state = factory.LazyFunction(lambda: StateBoard.objects.get(state="CA"))
    zip_code = "94110"
    latitude = 37.7485
    longitude = -122.4184
    keep_search_row = factory.PostGeneration(_keeps_search_row)


class LicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = License
        skip_postgeneration_save = True

    practitioner = factory.SubFactory(PractitionerFactory)
    state = factory.LazyFunction(lambda: StateBoard.objects.get(state="CA"))
    number = factory.Sequence(lambda n: f"AC{n:06d}")
    title = "L.Ac."
    issue_date = datetime.date(2015, 1, 1)
    expiry_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    board_status = License.BoardStatus.ACTIVE
    verification_state = "verified"
    verified_at = factory.LazyFunction(timezone.now)
    keep_search_row = factory.PostGeneration(_keeps_search_row)


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification
        skip_postgeneration_save = True

    practitioner = factory.SubFactory(PractitionerFactory)
    cert_type = "dipl_ac"
    number = factory.Sequence(lambda n: f"N{n:06d}")
    issue_date = datetime.date(2023, 1, 1)
    expiry_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    status = "active"
    verification_state = "verified"
    verified_at = factory.LazyFunction(timezone.now)
    keep_search_row = factory.PostGeneration(_keeps_search_row)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Test School {n}")
    slug = factory.Sequence(lambda n: f"test-school-{n}")
    accreditation = "accredited"


class DegreeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Degree
        skip_postgeneration_save = True

    practitioner = factory.SubFactory(PractitionerFactory)
    school = factory.SubFactory(SchoolFactory)
    degree = "MSOM"
    graduation_year = 2014
    verification_state = "verified"
    verified_at = factory.LazyFunction(timezone.now)
    keep_search_row = factory.PostGeneration(_keeps_search_row)


def condition(slug: str = "neck-pain") -> Condition:
    return Condition.objects.get(slug=slug)


# ---------------------------------------------------------------- reviews


class VerifiedUserFactory(UserFactory):
    """A member whose email address is confirmed (allauth's EmailAddress row), so they may write reviews."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review row as stored. Tests that exercise the rules go through reviews.services instead;
    a published ReviewFactory row is NOT counted in the practitioner's stored summary."""

    class Meta:
        model = "reviews.Review"

    practitioner = factory.SubFactory(PractitionerFactory)
    author = factory.SubFactory(UserFactory)
    rating = 4
    bedside_rating = 5
    condition = factory.LazyFunction(lambda: Condition.objects.get(slug="neck-pain"))
    sessions = 6
    pain_before = 7
    pain_after = 3
    would_recommend = True
    title = factory.Sequence(lambda n: f"Helpful treatment {n}")
    text = "My neck pain eased after a few weeks of treatment."
    visit_month = factory.LazyFunction(lambda: (timezone.localdate() - datetime.timedelta(days=60)).replace(day=1))
    state = "pending"
    published_at = factory.LazyAttribute(lambda o: timezone.now() if o.state == "published" else None)


class ReviewReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reviews.ReviewReply"

    review = factory.SubFactory(ReviewFactory, state="published")
    author = factory.LazyAttribute(lambda o: o.review.practitioner.owner)
    text = "Thank you for your kind words."


class ReviewReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reviews.ReviewReport"

    review = factory.SubFactory(ReviewFactory, state="published")
    reporter = factory.SubFactory(UserFactory)
    reason = "fake"


class HelpfulVoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reviews.HelpfulVote"

    review = factory.SubFactory(ReviewFactory, state="published")
    user = factory.SubFactory(UserFactory)


# ---------------------------------------------------------------- verification (staff)

REVIEWER_GROUP = "Credential reviewers"


class ReviewerFactory(UserFactory):
    """Staff member in the "Credential reviewers" group (created by accounts migration 0002)."""

    class Meta:
        skip_postgeneration_save = True

    is_staff = True
    first_name = "Rita"
    last_name = factory.Sequence(lambda n: f"Reviewer {n}")

    @factory.post_generation
    def reviewer_group(obj, create, extracted, **kwargs):
        if create:
            from django.contrib.auth.models import Group

            obj.groups.add(Group.objects.get(name=REVIEWER_GROUP))


# ---------------------------------------------------------------- dashboard (claims, owned listings)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dashboard.Claim"

    practitioner = factory.SubFactory(PractitionerFactory, owner=None)
    user = factory.SubFactory(VerifiedUserFactory)
    license_state = factory.LazyFunction(lambda: StateBoard.objects.get(state="CA"))
    license_number = factory.Sequence(lambda n: f"CLAIM{n:05d}")

    class Params:
        # The claimant confirmed a code sent to the practice's email on record.
        proven = factory.Trait(proof_confirmed_at=factory.LazyFunction(timezone.now), code_sent_to="a***@e***.com")


def owned_listing(owner: User | None = None, **fields) -> Practitioner:
    """A published listing kept by `owner` (a new verified account if not given), with a
    main location in California and a verified California license."""
    owner = owner or VerifiedUserFactory()
    listing = PractitionerFactory(owner=owner, **fields)
    LocationFactory(practitioner=listing, is_primary=True)
    LicenseFactory(practitioner=listing)
    return listing  # each factory refreshed its search row


# ---------------------------------------------------------------- search (listings placed at real ZIP codes)


def index_for_search(practitioner: Practitioner) -> Practitioner:
    """Fill `search_document` the way seed_demo does (name, practice names, conditions, bio)."""
    from practitioners.documents import build_search_document

    practitioner.search_document = build_search_document(
        name=practitioner.name,
        practice_names=[location.name for location in practitioner.locations.all()],
        conditions=[item.name for item in practitioner.conditions.all()],
        techniques=[item.name for item in practitioner.techniques.all()],
        services=[item.name for item in practitioner.services.all()],
        bio=practitioner.bio,
    )
    practitioner.save(update_fields=["search_document"])
    return practitioner


def location_at_zip(practitioner: Practitioner, zip_code: str, **fields) -> PracticeLocation:
    """A practice location at a ZIP code's centroid (from the offline `zipcodes` data)."""
    import zipcodes

    (row,) = zipcodes.matching(zip_code)
    defaults = {
        "city": row["city"],
        "state": StateBoard.objects.get(state=row["state"]),
        "zip_code": zip_code,
        "latitude": float(row["lat"]),
        "longitude": float(row["long"]),
    }
    return LocationFactory(practitioner=practitioner, **{**defaults, **fields})


def searchable_practitioner(
    *,
    zip_code: str | None = "94110",
    conditions: tuple[str, ...] = (),
    techniques: tuple[str, ...] = (),
    services: tuple[str, ...] = (),
    insurance: tuple[str, ...] = (),
    languages: tuple[str, ...] = (),
    verified: bool = False,
    nccaom: bool = False,
    medicare: bool = False,
    practice_name: str = "Test Clinic",
    **fields,
) -> Practitioner:
    """A published listing with a location at `zip_code`, the given vocabulary (slugs or
    language codes) and trust facts, indexed for free-text search."""
    from practitioners.models import ComplementaryService, InsuranceCarrier, Language, Technique

    practitioner = PractitionerFactory(**fields)
    location = location_at_zip(practitioner, zip_code, name=practice_name, is_primary=True) if zip_code else None
    practitioner.conditions.set(Condition.objects.filter(slug__in=conditions))
    practitioner.techniques.set(Technique.objects.filter(slug__in=techniques))
    practitioner.services.set(ComplementaryService.objects.filter(slug__in=services))
    practitioner.insurance_carriers.set(InsuranceCarrier.objects.filter(slug__in=insurance))
    practitioner.languages.set(Language.objects.filter(code__in=languages))
    if verified or medicare:
        state = location.state if location else StateBoard.objects.get(state="CA")
        LicenseFactory(practitioner=practitioner, state=state)
    if nccaom:
        CertificationFactory(practitioner=practitioner)
    if medicare:
        DegreeFactory(practitioner=practitioner)
    refresh_search_row(practitioner.pk)  # the vocabulary set above
    return index_for_search(practitioner)


# ---------------------------------------------------------------- contact requests


def contact_request(practitioner: Practitioner, patient: User, **fields):
    """A request sent through the service (so its first thread entry exists); the listing treats neck pain."""
    from contact.services import contact_request_create

    practitioner.conditions.add(condition())
    refresh_search_row(practitioner.pk)
    defaults = {
        "condition": condition(),
        "patient_status": "new",
        "preferred_days": 1,
        "preferred_times": 1,
        "insurance": None,
        "channel": "email",
        "phone": "",
        "message": "I have had neck pain for three weeks.",
    }
    return contact_request_create(patient=patient, practitioner=practitioner, **{**defaults, **fields})
