"""Every URL pattern in the project, every role, an explicit expected outcome.

The resolver is walked, so a URL added later without an entry in `MATRIX` or `PUBLIC` fails
`test_every_url_pattern_is_classified`. For each URL that changes state or shows private data,
each role's request must give exactly the expected status; when a role is refused, nothing in
the database may change. Object-scoped URLs are also requested with another user's object ids.
"""

import dataclasses
import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.sites import site as admin_site
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from contact import services as contact_services
from contact.models import ContactBlock, ContactMessage, ContactRequest, SpamReport
from dashboard.models import Claim
from practitioners.models import Certification, Degree, License, PracticeLocation, Practitioner, VerificationRecord
from reviews.models import HelpfulVote, Review, ReviewReply, ReviewReport
from reviews.services import review_publish
from tests.factories import (
    CertificationFactory,
    ClaimFactory,
    DegreeFactory,
    LicenseFactory,
    PractitionerFactory,
    ReviewerFactory,
    ReviewFactory,
    ReviewReplyFactory,
    ReviewReportFactory,
    UserFactory,
    VerifiedUserFactory,
    contact_request,
    owned_listing,
)
from verification.forms import DECISION_FORMS

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "patient", "patient2", "owner", "other_practitioner", "reviewer", "superuser")
SIGNED_IN = ROLES[1:]
LOGIN = "login"  # a redirect to the sign-in page


@dataclasses.dataclass
class World:
    users: dict
    listing: Practitioner  # owned by "owner"
    other_listing: Practitioner  # owned by "other_practitioner"
    unclaimed: Practitioner
    review: Review  # by "patient" on `listing`, published, with the owner's reply
    other_review: Review  # by "patient2" on `other_listing`, published
    claim: Claim  # by "patient2" on `unclaimed`, pending
    location: PracticeLocation  # of `listing`
    other_location: PracticeLocation
    license: License  # of `listing`
    other_license: License
    contact: ContactRequest  # by "patient" to `listing`, sent
    other_contact: ContactRequest  # by "patient2" to `other_listing`, sent


@pytest.fixture
def world() -> World:
    users = {role: UserFactory() for role in ("patient", "patient2")}
    users["owner"] = UserFactory()
    users["other_practitioner"] = UserFactory()
    users["reviewer"] = ReviewerFactory()
    users["superuser"] = UserFactory(is_staff=True, is_superuser=True)
    for user in users.values():
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    listing = owned_listing(users["owner"], slug="owned")
    other_listing = owned_listing(users["other_practitioner"], slug="other-owned")
    unclaimed = PractitionerFactory(slug="unclaimed", owner=None, contact_email="desk@unclaimed-clinic.example")
    # Published through the service, so the stored rating summary counts them.
    review = review_publish(
        review=ReviewFactory(practitioner=listing, author=users["patient"], state="pending"),
        moderator=users["reviewer"],
    )
    ReviewReplyFactory(review=review, author=users["owner"])
    other_review = review_publish(
        review=ReviewFactory(practitioner=other_listing, author=users["patient2"], state="pending"),
        moderator=users["reviewer"],
    )
    # A code was sent to the listing's email on record (so the proof page shows both of its forms).
    now = timezone.now()
    claim = ClaimFactory(
        practitioner=unclaimed,
        user=users["patient2"],
        code_hash="0" * 64,
        code_sent_to="d***@u***.example",
        code_sent_at=now - datetime.timedelta(minutes=5),
        code_expires_at=now + datetime.timedelta(minutes=10),
        code_sends=1,
    )
    return World(
        users=users,
        listing=listing,
        other_listing=other_listing,
        unclaimed=unclaimed,
        review=review,
        other_review=other_review,
        claim=claim,
        location=listing.locations.get(),
        other_location=other_listing.locations.get(),
        license=listing.licenses.get(),
        other_license=other_listing.licenses.get(),
        contact=contact_request(listing, users["patient"]),
        other_contact=contact_request(other_listing, users["patient2"]),
    )


@dataclasses.dataclass(frozen=True)
class Case:
    method: str
    kwargs: Callable[[World], dict]
    expected: dict[str, int | str]  # role -> status code, or LOGIN
    allowed: frozenset[str]  # roles whose request may change data
    cross: Callable[[World], dict] | None = None  # another user's object ids
    cross_roles: tuple[str, ...] = ("owner",)  # who tries them


def case(method, kwargs, expected, allowed=(), cross=None, cross_roles=("owner",)) -> Case:
    assert len(expected) == len(ROLES), expected
    return Case(method, kwargs, dict(zip(ROLES, expected, strict=True)), frozenset(allowed), cross, cross_roles)


def none(w: World) -> dict:
    return {}


def review_kwargs(w: World) -> dict:
    return {"slug": w.listing.slug, "pk": w.review.pk}


def other_review_kwargs(w: World) -> dict:
    return {"slug": w.other_listing.slug, "pk": w.other_review.pk}


def contact_kwargs(w: World) -> dict:
    return {"pk": w.contact.pk}


def other_contact_kwargs(w: World) -> dict:
    return {"pk": w.other_contact.pk}


def fhir_cases(kwargs) -> list[Case]:
    return [
        case("GET", kwargs, (200,) * len(ROLES)),
        *(case(method, kwargs, (405,) * len(ROLES)) for method in ("POST", "PUT", "PATCH", "DELETE")),
    ]


FHIR_TYPES = ("Practitioner", "PractitionerRole", "Location", "Organization")


def fhir_practitioner(w: World) -> dict:
    return {"resource_type": "Practitioner", "resource_id": str(w.listing.pk)}


def fhir_role(w: World) -> dict:
    return {"resource_type": "PractitionerRole", "resource_id": str(w.location.pk)}


def fhir_location(w: World) -> dict:
    return {"resource_type": "Location", "resource_id": str(w.location.pk)}


def fhir_board(w: World) -> dict:
    return {"resource_type": "Organization", "resource_id": "board-CA"}


L, ALL = LOGIN, frozenset(SIGNED_IN)
PRACTITIONERS = frozenset({"owner", "other_practitioner"})
# Roles, in order: anonymous, patient, patient2, owner, other_practitioner, reviewer, superuser.
# "patient" wrote `review` on the owner's listing; "patient2" has a pending claim on `unclaimed`.
# A 302 that is not a sign-in redirect is a refusal with a message (e.g. "you have no listing yet")
# when the role is not in `allowed`: the fingerprint check proves nothing changed.
MATRIX: dict[str, list[Case]] = {
    # City suggestions for the location box: the same public, read-only answer for everyone; GET only.
    "places-suggest": [
        case("GET", none, (200, 200, 200, 200, 200, 200, 200)),
        case("POST", none, (405, 405, 405, 405, 405, 405, 405)),
    ],
    # Reviews: patients write, edit and delete their own; the listing's owner replies; nobody reviews themselves.
    "reviews:create": [
        case("GET", lambda w: {"slug": w.listing.slug}, (L, 302, 200, 403, 200, 200, 200)),
        case("POST", lambda w: {"slug": w.listing.slug}, (L, 302, 200, 403, 200, 200, 200), ALL - {"owner"}),
    ],
    "reviews:edit": [
        case(
            "GET", review_kwargs, (L, 200, 404, 404, 404, 404, 404), cross=other_review_kwargs, cross_roles=("patient",)
        ),
        case("POST", review_kwargs, (L, 200, 404, 404, 404, 404, 404), {"patient"}, other_review_kwargs, ("patient",)),
    ],
    "reviews:delete": [
        case("GET", review_kwargs, (L, 200, 404, 404, 404, 404, 404)),
        case("POST", review_kwargs, (L, 302, 404, 404, 404, 404, 404), {"patient"}, other_review_kwargs, ("patient",)),
    ],
    "reviews:helpful": [
        case("GET", review_kwargs, (L, 405, 405, 405, 405, 405, 405)),
        # The author and the listing's owner are refused (302 back with a message).
        case("POST", review_kwargs, (L, 302, 302, 302, 302, 302, 302), ALL - {"patient", "owner"}),
    ],
    "reviews:report": [
        case("GET", review_kwargs, (L, 403, 200, 200, 200, 200, 200)),
        case("POST", review_kwargs, (L, 403, 200, 200, 200, 200, 200), ALL - {"patient"}),
    ],
    "reviews:reply": [
        case("GET", review_kwargs, (L, 403, 403, 200, 403, 403, 403)),
        case("POST", review_kwargs, (L, 403, 403, 200, 403, 403, 403), {"owner"}, other_review_kwargs),
    ],
    "reviews:reply_delete": [
        case("GET", review_kwargs, (L, 405, 405, 405, 405, 405, 405)),
        case("POST", review_kwargs, (L, 403, 403, 302, 403, 403, 403), {"owner"}, other_review_kwargs),
    ],
    "my_reviews": [case("GET", none, (L, 200, 200, 200, 200, 200, 200))],
    "account_display_name": [
        case("GET", none, (L, 200, 200, 200, 200, 200, 200)),
        case("POST", none, (L, 200, 200, 200, 200, 200, 200), ALL),
    ],
    # Contact requests. "patient" has an open request to the owner's listing (so the form sends them to its
    # thread); the owner may not request their own listing. The patient's side (/accounts/requests/) and the
    # practitioner's (/dashboard/requests/) are each a 404 for everyone else, the other side included.
    "contact:new": [
        case("GET", lambda w: {"slug": w.listing.slug}, (L, 302, 200, 403, 200, 200, 200)),
        case("POST", lambda w: {"slug": w.listing.slug}, (L, 302, 400, 403, 400, 400, 400)),
        case("GET", lambda w: {"slug": w.unclaimed.slug}, (L, 403, 403, 403, 403, 403, 403)),
        case("POST", lambda w: {"slug": w.unclaimed.slug}, (L, 403, 403, 403, 403, 403, 403)),
    ],
    "contact:my_requests": [case("GET", none, (L, 200, 200, 200, 200, 200, 200))],
    "contact:my_thread": [
        case(
            "GET",
            contact_kwargs,
            (L, 200, 404, 404, 404, 404, 404),
            cross=other_contact_kwargs,
            cross_roles=("patient",),
        ),
        case(
            "POST", contact_kwargs, (L, 400, 404, 404, 404, 404, 404), {"patient"}, other_contact_kwargs, ("patient",)
        ),
    ],
    "contact:my_close": [
        case("GET", contact_kwargs, (L, 405, 405, 405, 405, 405, 405)),
        case(
            "POST", contact_kwargs, (L, 302, 404, 404, 404, 404, 404), {"patient"}, other_contact_kwargs, ("patient",)
        ),
    ],
    "contact:my_delete": [
        case("GET", contact_kwargs, (L, 200, 404, 404, 404, 404, 404)),
        case(
            "POST", contact_kwargs, (L, 302, 404, 404, 404, 404, 404), {"patient"}, other_contact_kwargs, ("patient",)
        ),
    ],
    "contact:inbox": [case("GET", none, (L, 302, 302, 200, 200, 302, 302))],
    "contact:inbox_thread": [
        case("GET", contact_kwargs, (L, 302, 302, 200, 404, 302, 302), cross=other_contact_kwargs),
        case("POST", contact_kwargs, (L, 302, 302, 400, 404, 302, 302), {"owner"}, other_contact_kwargs),
    ],
    "contact:inbox_block": [
        case("GET", contact_kwargs, (405, 405, 405, 405, 405, 405, 405)),
        case("POST", contact_kwargs, (L, 302, 302, 302, 404, 302, 302), {"owner"}, other_contact_kwargs),
    ],
    "contact:inbox_report": [
        case("GET", contact_kwargs, (405, 405, 405, 405, 405, 405, 405)),
        case("POST", contact_kwargs, (L, 302, 302, 302, 404, 302, 302), {"owner"}, other_contact_kwargs),
    ],
    # Dashboard: only the signed-in practitioner's own listing; accounts without one are sent to claim/create.
    "dashboard:home": [case("GET", none, (L, 200, 200, 200, 200, 200, 200))],
    "dashboard:claim_search": [case("GET", none, (L, 200, 302, 302, 302, 200, 200))],
    "dashboard:claim_new": [
        case("GET", lambda w: {"slug": w.unclaimed.slug}, (L, 200, 302, 302, 302, 200, 200)),
        case(
            "POST",
            lambda w: {"slug": w.unclaimed.slug},
            (L, 200, 302, 302, 302, 200, 200),
            {"patient", "reviewer", "superuser"},
        ),
    ],
    # Only the claimant proves their own pending claim; everyone else gets a 404.
    "dashboard:claim_proof": [
        case("GET", lambda w: {"pk": w.claim.pk}, (L, 404, 200, 404, 404, 404, 404)),
        case(
            "POST",
            lambda w: {"pk": w.claim.pk},
            (L, 404, 400, 404, 404, 404, 404),
            {"patient2"},
            lambda w: {"pk": w.claim.pk},
            ("owner", "patient"),
        ),
    ],
    "dashboard:claim_withdraw": [
        case("GET", lambda w: {"pk": w.claim.pk}, (L, 405, 405, 405, 405, 405, 405)),
        case(
            "POST",
            lambda w: {"pk": w.claim.pk},
            (L, 404, 302, 404, 404, 404, 404),
            {"patient2"},
            lambda w: {"pk": w.claim.pk},
            ("owner", "patient"),
        ),
    ],
    "dashboard:create": [
        case("GET", none, (L, 200, 302, 302, 302, 200, 200)),
        case("POST", none, (L, 200, 302, 302, 302, 200, 200), {"patient", "reviewer", "superuser"}),
    ],
    "dashboard:listing_edit": [
        case("GET", none, (L, 302, 302, 200, 200, 302, 302)),
        case("POST", none, (L, 302, 302, 200, 200, 302, 302), PRACTITIONERS),
    ],
    "dashboard:confirm": [
        case("GET", none, (L, 302, 302, 405, 405, 302, 302)),
        case("POST", none, (L, 302, 302, 302, 302, 302, 302), PRACTITIONERS),
    ],
    "dashboard:location_add": [
        case("GET", none, (L, 302, 302, 200, 200, 302, 302)),
        case("POST", none, (L, 302, 302, 200, 200, 302, 302), PRACTITIONERS),
    ],
    "dashboard:location_edit": [
        case(
            "GET",
            lambda w: {"pk": w.location.pk},
            (L, 302, 302, 200, 404, 302, 302),
            cross=lambda w: {"pk": w.other_location.pk},
        ),
        case(
            "POST",
            lambda w: {"pk": w.location.pk},
            (L, 302, 302, 200, 404, 302, 302),
            {"owner"},
            lambda w: {"pk": w.other_location.pk},
        ),
    ],
    "dashboard:location_delete": [
        case("GET", lambda w: {"pk": w.location.pk}, (L, 302, 302, 200, 404, 302, 302)),
        case(
            "POST",
            lambda w: {"pk": w.location.pk},
            (L, 302, 302, 302, 404, 302, 302),
            {"owner"},
            lambda w: {"pk": w.other_location.pk},
        ),
    ],
    "dashboard:credential_add": [
        case("GET", lambda w: {"kind": "license"}, (L, 302, 302, 200, 200, 302, 302)),
        case("POST", lambda w: {"kind": "license"}, (L, 302, 302, 200, 200, 302, 302), PRACTITIONERS),
    ],
    "dashboard:credential_edit": [
        case(
            "GET",
            lambda w: {"kind": "license", "pk": w.license.pk},
            (L, 302, 302, 200, 404, 302, 302),
            cross=lambda w: {"kind": "license", "pk": w.other_license.pk},
        ),
        case(
            "POST",
            lambda w: {"kind": "license", "pk": w.license.pk},
            (L, 302, 302, 200, 404, 302, 302),
            {"owner"},
            lambda w: {"kind": "license", "pk": w.other_license.pk},
        ),
    ],
    "dashboard:photo": [
        case("GET", none, (L, 302, 302, 200, 200, 302, 302)),
        case("POST", none, (L, 302, 302, 200, 200, 302, 302), PRACTITIONERS),
    ],
    "dashboard:photo_remove": [case("POST", none, (L, 302, 302, 302, 302, 302, 302), PRACTITIONERS)],
    "dashboard:reviews": [case("GET", none, (L, 302, 302, 200, 200, 302, 302))],
    "dashboard:review_reply": [
        case(
            "POST",
            lambda w: {"pk": w.review.pk},
            (L, 302, 302, 400, 404, 302, 302),
            {"owner"},
            lambda w: {"pk": w.other_review.pk},
        ),
    ],
    "dashboard:review_reply_delete": [
        case(
            "POST",
            lambda w: {"pk": w.review.pk},
            (L, 302, 302, 302, 404, 302, 302),
            {"owner"},
            lambda w: {"pk": w.other_review.pk},
        ),
    ],
    # Staff only: a listing's change history (anonymous visitors go to the admin sign-in).
    "dashboard:history": [case("GET", lambda w: {"pk": w.listing.pk}, (302, 302, 302, 302, 302, 200, 200))],
    # allauth's account pages for a signed-in user.
    "account_email": [
        case("GET", none, (L, 200, 200, 200, 200, 200, 200)),
        case("POST", none, (L, 302, 302, 302, 302, 302, 302), ALL),
    ],
    "account_change_password": [
        case("GET", none, (L, 200, 200, 200, 200, 200, 200)),
        case("POST", none, (L, 200, 200, 200, 200, 200, 200), ALL),
    ],
    "account_set_password": [case("GET", none, (L, 302, 302, 302, 302, 302, 302))],
    "account_reauthenticate": [
        case("GET", none, (L, 200, 200, 200, 200, 200, 200)),
        case("POST", none, (L, 200, 200, 200, 200, 200, 200), ALL),
    ],
    "account_logout": [
        case("GET", none, (302, 200, 200, 200, 200, 200, 200)),
        case("POST", none, (302, 302, 302, 302, 302, 302, 302), ALL),
    ],
    # The FHIR API: public and read-only. Every role reads; every other method is refused (405).
    "fhir:metadata": fhir_cases(none),
    "fhir:search": [
        case_
        for resource_type in FHIR_TYPES
        for case_ in fhir_cases(lambda w, resource_type=resource_type: {"resource_type": resource_type})
    ],
    "fhir:read": [
        case_ for kwargs in (fhir_practitioner, fhir_role, fhir_location, fhir_board) for case_ in fhir_cases(kwargs)
    ],
}

# URL names that neither change state nor show private data.
PUBLIC: dict[str, str] = {
    "home": "home page",
    "guide": "guide for new patients",
    "condition": "condition landing pages (read-only)",
    "city": "city landing pages (read-only)",
    "healthz": "load balancer health check",
    "robots_txt": "robots.txt",
    "sitemap_index": "sitemap.xml",
    "django.contrib.sitemaps.views.sitemap": "sitemap sections",
    "practitioners:list": "search",
    "practitioners:detail": "published profiles",
    "api:practitioner-list": "read-only API",
    "api:practitioner-detail": "read-only API",
    "api:schema": "OpenAPI schema",
    "api:docs": "API docs page",
    "upload": "uploaded photos (images only; see tests/test_security.py)",
    "account_login": "sign in",
    "account_signup": "sign up",
    "account_inactive": "notice",
    "account_email_verification_sent": "notice",
    "account_confirm_email": "email confirmation link (the key is the secret)",
    "account_reset_password": "request a reset link",
    "account_reset_password_done": "notice",
    "account_reset_password_from_key": "reset link (the key is the secret)",
    "account_reset_password_from_key_done": "notice",
    "account_confirm_login_code": "sign-in code form (the code is the secret)",
    "account_request_reauthentication_code": "allauth re-authentication by code (signed-in users only; not enabled)",
    "account_confirm_reauthentication_code": "allauth re-authentication by code (signed-in users only; not enabled)",
}


def walk(patterns, prefix: str = "", namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name


def project_urls() -> list[tuple[str, str]]:
    return [(route, name) for route, name in walk(get_resolver().url_patterns) if not route.startswith("admin/")]


def fingerprint() -> tuple:
    return (
        Review.objects.count(),
        tuple(Review.objects.order_by("pk").values_list("state", "title", "text")),
        ReviewReply.objects.count(),
        tuple(ReviewReply.objects.values_list("text", flat=True)),
        HelpfulVote.objects.count(),
        ReviewReport.objects.count(),
        Practitioner.objects.count(),
        tuple(
            Practitioner.objects.order_by("pk").values_list("owner_id", "status", "name", "first_visit_fee", "photo")
        ),
        PracticeLocation.objects.count(),
        tuple(PracticeLocation.objects.order_by("pk").values_list("zip_code", "city")),
        License.objects.count(),
        tuple(License.objects.order_by("pk").values_list("number", "verification_state")),
        VerificationRecord.objects.count(),
        tuple(Claim.objects.order_by("pk").values_list("status", "user_id", "code_sends", "proof_confirmed_at")),
        tuple(ContactRequest.objects.order_by("pk").values_list("pk", "state", "closed_by")),
        ContactMessage.objects.count(),
        ContactBlock.objects.count(),
        SpamReport.objects.count(),
    )


def client_for(role: str, world: World) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def outcome(response) -> int | str:
    if response.status_code == 302 and reverse("account_login") in response.headers["Location"]:
        return LOGIN
    return response.status_code


def probe(world: World, name: str, c: Case, role: str, kwargs: dict) -> int | str:
    url = reverse(name, kwargs=kwargs)
    client = client_for(role, world)
    if c.method == "GET":
        return outcome(client.get(url))
    if c.method == "POST":
        return outcome(client.post(url, {}))
    return outcome(client.generic(c.method, url))


def test_every_url_pattern_is_classified():
    unclassified = sorted(name or route for route, name in project_urls() if name not in MATRIX and name not in PUBLIC)
    assert not unclassified, f"add these URLs to the authorization matrix: {unclassified}"
    both = set(MATRIX) & set(PUBLIC)
    assert not both, f"classified twice: {both}"


def matrix_params():
    return [pytest.param(name, c, id=f"{name}-{c.method}") for name, cases in MATRIX.items() for c in cases]


@pytest.mark.parametrize(("name", "c"), matrix_params())
def test_each_role_gets_exactly_the_expected_outcome(world, name, c):
    actual = {}
    for role in ROLES:
        before = fingerprint()
        actual[role] = probe(world, name, c, role, c.kwargs(world))
        if role not in c.allowed:
            assert fingerprint() == before, f"{role} changed data through {name}"
    assert actual == c.expected


@pytest.mark.parametrize(("name", "c"), [p for p in matrix_params() if p.values[1].cross is not None])
def test_nobody_reaches_another_users_objects_by_changing_ids(world, name, c):
    """Swap in the other practitioner's or other patient's ids: refused, nothing changed."""
    for role in c.cross_roles:
        before = fingerprint()
        status = probe(world, name, c, role, c.cross(world))
        assert status in (403, 404), f"{role} reached another user's object through {name}: {status}"
        assert fingerprint() == before


def test_public_urls_answer_anonymous_visitors_without_errors(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    for route, name in project_urls():
        if name not in PUBLIC or "<" in route or "(?P" in route:
            continue
        response = client.get(reverse(name))
        assert response.status_code < 500, f"{name}: {response.status_code}"


def test_admin_is_staff_only_and_audit_records_are_read_only_for_everyone(world):
    for model in admin_site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for role in ("anonymous", "patient", "owner"):
            response = client_for(role, world).get(url)
            assert response.status_code == 302 and "/admin/login/" in response.headers["Location"], (role, url)
    record_url = reverse("admin:practitioners_verificationrecord_add")
    assert client_for("superuser", world).get(record_url).status_code == 403


def test_logout_is_post_only_and_login_rotates_the_session(world):
    client = Client()
    client.get(reverse("account_login"))
    before = client.cookies.get("sessionid")
    response = client.post(
        reverse("account_login"), {"login": world.users["patient"].email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert not before or before.value != after
    # GET shows a confirmation page and keeps you signed in; POST signs out.
    assert client.get(reverse("account_logout")).status_code == 200
    assert client.get(reverse("my_reviews")).status_code == 200
    client.post(reverse("account_logout"))
    assert outcome(client.get(reverse("my_reviews"))) == LOGIN


# ---------------------------------------------------------------- decisions: acting on one's own object
#
# Every decision door in the admin (the credential decide URL for each decision, every admin action
# that decides, the queue's bulk form), every role, and the conflict-of-interest column: a reviewer
# (and a superuser) acting on their *own* object — a credential of the listing they keep, their own
# claim or a claim on their listing, their own review or a review of their listing. Each probe gets a
# fresh actor and a fresh object, so one role's decision never changes what the next role sees.

DECIDERS = ("anonymous", "patient", "owner", "reviewer", "superuser", "reviewer_own", "superuser_own")
ADMIN_LOGIN, DECIDED, REFUSED = "sign-in", "decided", "refused"
# Staff decide on other people's objects; nobody, superusers included, decides on their own.
NOT_ON_THEIR_OWN = (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, DECIDED, DECIDED, REFUSED, REFUSED)
CONFLICT_MESSAGE = "another reviewer must"
BOARD = "https://search.dca.ca.gov/"


def decider(role: str) -> User | None:
    """A fresh account for `role` ("reviewer_own" is a reviewer; the object is made theirs)."""
    if role == "anonymous":
        return None
    if role in ("reviewer", "reviewer_own"):
        user = ReviewerFactory()
    elif role in ("superuser", "superuser_own"):
        user = UserFactory(is_staff=True, is_superuser=True)
    else:
        user = UserFactory()
    if role == "owner":
        owned_listing(user)
    return user


def listing_of(user: User | None) -> Practitioner:
    """The listing `user` keeps (made if needed), or a stranger's listing for None."""
    if user is not None and (kept := Practitioner.objects.filter(owner=user).first()):
        return kept
    return owned_listing(user or VerifiedUserFactory())


def pending_license(holder) -> License:
    return LicenseFactory(practitioner=listing_of(holder), verification_state="pending", verified_at=None)


def verified_license(holder) -> License:
    return LicenseFactory(practitioner=listing_of(holder))


def restricted_license(holder) -> License:
    return LicenseFactory(practitioner=listing_of(holder), restricted=True)


def pending_certification(holder) -> Certification:
    return CertificationFactory(practitioner=listing_of(holder), verification_state="pending", verified_at=None)


def pending_degree(holder) -> Degree:
    return DegreeFactory(practitioner=listing_of(holder), verification_state="pending", verified_at=None)


def claim_by(holder) -> Claim:
    """A pending claim made by `holder` (or a stranger) whose license is on the unclaimed listing."""
    listing = PractitionerFactory(owner=None)
    found = LicenseFactory(practitioner=listing)
    if holder is not None and not EmailAddress.objects.filter(user=holder).exists():
        EmailAddress.objects.create(user=holder, email=holder.email, verified=True, primary=True)
    return ClaimFactory(
        practitioner=listing,
        user=holder or VerifiedUserFactory(),
        license_number=found.number,
        license_state=found.state,
        proven=True,  # a confirmed code: only the conflict of interest may stop the approval
    )


def claim_on_listing_of(holder) -> Claim:
    """A stranger's pending claim on the listing `holder` keeps (the rival's claim)."""
    listing = listing_of(holder)
    found = listing.licenses.first()
    return ClaimFactory(practitioner=listing, license_number=found.number, license_state=found.state, proven=True)


def pending_review_by(holder) -> Review:
    return ReviewFactory(author=holder or UserFactory(), practitioner=owned_listing(), state="pending")


def pending_review_of_listing_of(holder) -> Review:
    return ReviewFactory(practitioner=listing_of(holder), state="pending")


def published_review_by(holder) -> Review:
    return review_publish(review=pending_review_by(holder), moderator=ReviewerFactory())


def published_review_of_listing_of(holder) -> Review:
    return review_publish(review=pending_review_of_listing_of(holder), moderator=ReviewerFactory())


def report_on_review_by(holder) -> ReviewReport:
    return ReviewReportFactory(review=published_review_by(holder))


def report_on_review_of_listing_of(holder) -> ReviewReport:
    return ReviewReportFactory(review=published_review_of_listing_of(holder))


def spam_report_about(holder) -> SpamReport:
    """A stranger's listing reported a request by `holder` (or a stranger) as spam."""
    patient = holder or VerifiedUserFactory()
    if not EmailAddress.objects.filter(user=patient).exists():
        EmailAddress.objects.create(user=patient, email=patient.email, verified=True, primary=True)
    listing = owned_listing()
    return contact_services.contact_request_report_spam(request=contact_request(listing, patient), actor=listing.owner)


def spam_report_of_listing_of(holder) -> SpamReport:
    """The listing `holder` keeps reported a stranger's request as spam."""
    listing = listing_of(holder)
    return contact_services.contact_request_report_spam(
        request=contact_request(listing, VerifiedUserFactory()), actor=listing.owner
    )


def spam_report_state(report: SpamReport) -> tuple:
    report.refresh_from_db()
    return (report.resolution, report.resolved_by_id)


def credential_state(credential) -> tuple:
    credential.refresh_from_db()
    return (credential.verification_state, getattr(credential, "restricted", None), credential.verified_by_id)


def claim_state(claim: Claim) -> tuple:
    claim.refresh_from_db()
    claim.practitioner.refresh_from_db()
    return (claim.status, claim.practitioner.owner_id)


def review_state(review: Review) -> tuple:
    review.refresh_from_db()
    return (review.state, review.moderated_by_id)


def report_state(report: ReviewReport) -> tuple:
    report.refresh_from_db()
    return (report.resolution, report.resolved_by_id, report.review.state)


def decide_url_request(decision: str, fields: dict) -> Callable:
    def request(client: Client, credential) -> object:
        opts = credential._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_decide", args=[credential.pk])
        fields_seen = {**fields, "version": credential.version}
        data = {"decision": decision, **{f"{decision}-{name}": value for name, value in fields_seen.items()}}
        return client.post(url, data, follow=True)

    return request


def action_request(changelist: str, action: str, extra: dict | None = None) -> Callable:
    def request(client: Client, obj) -> object:
        data = {"action": action, ACTION_CHECKBOX_NAME: [obj.pk], **(extra or {})}
        return client.post(reverse(f"admin:{changelist}_changelist"), data, follow=True)

    return request


def queue_request(decision: str, extra: dict) -> Callable:
    def request(client: Client, credential) -> object:
        data = {"selected": [f"{credential._meta.model_name}:{credential.pk}"], "decision": decision, **extra}
        return client.post(reverse("admin:practitioners_verificationqueue_changelist"), data, follow=True)

    return request


@dataclasses.dataclass(frozen=True)
class Decision:
    request: Callable  # (client, object) -> response (redirects followed)
    make: Callable  # (stakeholder or None) -> a fresh object that is the stakeholder's own
    state: Callable  # object -> what the decision changes
    expected: tuple = NOT_ON_THEIR_OWN


BULK_VERIFY = {"apply": "1", "decision": "verify", "source": BOARD}
BULK_REJECT = {"apply": "1", "decision": "reject", "note": "Not on the board's roster."}
# (door, what "own" means here) -> the decision. Doors: `decide:<model>:<decision>`, `action:<changelist>:<action>`,
# `queue:<decision>`.
DECISIONS: dict[tuple[str, str], Decision] = {
    ("decide:license:verify", "credential"): Decision(
        decide_url_request("verify", {"source": BOARD}), pending_license, credential_state
    ),
    ("decide:license:reject", "credential"): Decision(
        decide_url_request("reject", {"reason": "No such number."}), pending_license, credential_state
    ),
    ("decide:license:revoke", "credential"): Decision(
        decide_url_request("revoke", {"reason": "Surrendered."}), verified_license, credential_state
    ),
    ("decide:license:restrict", "credential"): Decision(
        decide_url_request("restrict", {"source": BOARD}), verified_license, credential_state
    ),
    ("decide:license:unrestrict", "credential"): Decision(
        decide_url_request("unrestrict", {"source": BOARD}), restricted_license, credential_state
    ),
    ("decide:certification:verify", "credential"): Decision(
        decide_url_request("verify", {"source": "https://www.nccaom.org/"}), pending_certification, credential_state
    ),
    ("decide:degree:verify", "credential"): Decision(
        decide_url_request("verify", {"source": "Transcript"}), pending_degree, credential_state
    ),
    ("action:practitioners_license:verify_selected", "credential"): Decision(
        action_request("practitioners_license", "verify_selected", BULK_VERIFY), pending_license, credential_state
    ),
    ("action:practitioners_license:reject_selected", "credential"): Decision(
        action_request("practitioners_license", "reject_selected", BULK_REJECT), pending_license, credential_state
    ),
    ("action:practitioners_certification:verify_selected", "credential"): Decision(
        action_request("practitioners_certification", "verify_selected", BULK_VERIFY),
        pending_certification,
        credential_state,
    ),
    ("action:practitioners_certification:reject_selected", "credential"): Decision(
        action_request("practitioners_certification", "reject_selected", BULK_REJECT),
        pending_certification,
        credential_state,
    ),
    ("action:practitioners_degree:verify_selected", "credential"): Decision(
        action_request("practitioners_degree", "verify_selected", BULK_VERIFY), pending_degree, credential_state
    ),
    ("action:practitioners_degree:reject_selected", "credential"): Decision(
        action_request("practitioners_degree", "reject_selected", BULK_REJECT), pending_degree, credential_state
    ),
    ("queue:verify", "credential"): Decision(
        queue_request("verify", {"source": BOARD}), pending_license, credential_state
    ),
    ("queue:reject", "credential"): Decision(
        queue_request("reject", {"note": "Not on the roster."}), pending_license, credential_state
    ),
    ("action:dashboard_pendingclaim:approve_claims", "their claim"): Decision(
        action_request("dashboard_pendingclaim", "approve_claims"), claim_by, claim_state
    ),
    ("action:dashboard_pendingclaim:approve_without_proof", "their claim"): Decision(
        action_request(
            "dashboard_pendingclaim", "approve_without_proof", {"apply": "1", "override_note": "Called the practice."}
        ),
        claim_by,
        claim_state,
    ),
    ("action:dashboard_pendingclaim:reject_claims", "their claim"): Decision(
        action_request("dashboard_pendingclaim", "reject_claims", {"apply": "1", "note": "No match."}),
        claim_by,
        claim_state,
    ),
    ("action:dashboard_pendingclaim:reject_claims", "a claim on their listing"): Decision(
        action_request("dashboard_pendingclaim", "reject_claims", {"apply": "1", "note": "No match."}),
        claim_on_listing_of,
        claim_state,
    ),
    ("action:reviews_review:publish_selected", "their review"): Decision(
        action_request("reviews_review", "publish_selected"), pending_review_by, review_state
    ),
    ("action:reviews_review:publish_selected", "a review of their listing"): Decision(
        action_request("reviews_review", "publish_selected"), pending_review_of_listing_of, review_state
    ),
    ("action:reviews_review:reject_selected", "their review"): Decision(
        action_request("reviews_review", "reject_selected", {"apply": "1", "reason": "Off topic."}),
        pending_review_by,
        review_state,
    ),
    ("action:reviews_review:reject_selected", "a review of their listing"): Decision(
        action_request("reviews_review", "reject_selected", {"apply": "1", "reason": "Off topic."}),
        pending_review_of_listing_of,
        review_state,
    ),
    ("action:reviews_review:remove_selected", "their review"): Decision(
        action_request("reviews_review", "remove_selected", {"apply": "1", "reason": ""}),
        published_review_by,
        review_state,
    ),
    ("action:reviews_review:remove_selected", "a review of their listing"): Decision(
        action_request("reviews_review", "remove_selected", {"apply": "1", "reason": ""}),
        published_review_of_listing_of,
        review_state,
    ),
    ("action:reviews_reviewreport:resolve_keep", "their review"): Decision(
        action_request("reviews_reviewreport", "resolve_keep"), report_on_review_by, report_state
    ),
    ("action:reviews_reviewreport:resolve_keep", "a review of their listing"): Decision(
        action_request("reviews_reviewreport", "resolve_keep"), report_on_review_of_listing_of, report_state
    ),
    ("action:reviews_reviewreport:resolve_remove", "their review"): Decision(
        action_request("reviews_reviewreport", "resolve_remove"), report_on_review_by, report_state
    ),
    ("action:reviews_reviewreport:resolve_remove", "a review of their listing"): Decision(
        action_request("reviews_reviewreport", "resolve_remove"), report_on_review_of_listing_of, report_state
    ),
    **{
        (f"action:contact_spamreport:{action}", own): Decision(
            action_request("contact_spamreport", action), make, spam_report_state
        )
        for action in ("resolve_spam", "resolve_not_spam")
        for own, make in (
            ("a report about them", spam_report_about),
            ("their listing's report", spam_report_of_listing_of),
        )
    },
}


# Admin actions that decide nothing about a listing, credential, claim or review.
NOT_DECISIONS = {
    "action:account_emailaddress:make_verified": "allauth: marks an email address as confirmed",
    "action:django_tasks_database_dbtaskresult:retry_failed": "re-enqueues a failed background task",
}


def decide_as(role: str, d: Decision) -> str:
    actor = decider(role)
    target = d.make(actor if role.endswith("_own") else None)
    before = d.state(target)
    client = Client()
    if actor is not None:
        client.force_login(actor)
    response = d.request(client, target)
    changed = d.state(target) != before
    # The admin's sign-in sends people on to allauth's (one throttled door for everyone).
    if any(login in url for url, _ in response.redirect_chain for login in ("/admin/login/", reverse("account_login"))):
        assert not changed, f"{role} decided without signing in to the admin"
        return ADMIN_LOGIN
    assert response.status_code == 200, (role, response.status_code)
    if changed:
        return DECIDED
    assert CONFLICT_MESSAGE in response.text, f"{role}: nothing decided and no reason given"
    return REFUSED


@pytest.mark.parametrize(("door", "own"), [pytest.param(*key, id=f"{key[0]}-{key[1]}") for key in DECISIONS])
def test_each_decision_door_refuses_a_decision_on_ones_own_object(door, own):
    d = DECISIONS[(door, own)]
    actual = {role: decide_as(role, d) for role in DECIDERS}
    assert actual == dict(zip(DECIDERS, d.expected, strict=True))


def test_every_deciding_admin_action_and_decide_url_has_a_conflict_row(rf):
    """A new admin action or decision form without a row here fails."""
    request = rf.get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    doors = {door for door, _ in DECISIONS}
    missing = []
    for model, model_admin in admin_site._registry.items():
        changelist = f"{model._meta.app_label}_{model._meta.model_name}"
        for action in model_admin.get_actions(request):
            door = f"action:{changelist}:{action}"
            if action != "delete_selected" and door not in doors and door not in NOT_DECISIONS:
                missing.append(f"action:{changelist}:{action}")
    # Every decision on a license; certifications and degrees share the view and the services (verify each).
    wanted = [f"decide:license:{decision}" for decision in DECISION_FORMS]
    wanted += ["decide:certification:verify", "decide:degree:verify"]
    missing += [door for door in wanted if door not in doors]
    assert not missing, f"add these decisions to DECISIONS: {missing}"


def test_retrying_a_failed_task_is_for_staff_with_the_retry_permission_only(world, settings):
    """The admin's "retry" action on failed tasks (jobs.admin): superusers (or staff given
    jobs.add_taskretry); credential reviewers cannot even list the tasks; others are sent to sign in."""
    from django_tasks_db.models import DBTaskResult

    from jobs.models import TaskRetry

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    failed = DBTaskResult.objects.create(
        status="FAILED",
        task_path="jobs.tasks.send_email",
        args_kwargs={
            "args": [],
            "kwargs": {"to": "a@example.com", "subject": "S", "body": "B", "key": "k", "attempt": 5},
        },
        backend_name="default",
        exception_class_path="jobs.tasks.EmailUndeliverable",
        traceback="jobs.tasks.EmailUndeliverable: Gave up after 5 attempts",
    )
    url = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    expected = {"anonymous": "admin login", "patient": "admin login", "owner": "admin login", "reviewer": 403}
    for role, outcome_expected in expected.items():
        response = client_for(role, world).post(url, {"action": "retry_failed", "_selected_action": [str(failed.pk)]})
        got = (
            "admin login"
            if response.status_code == 302 and "/admin/login/" in response.headers["Location"]
            else response.status_code
        )
        assert got == outcome_expected, role
        assert not TaskRetry.objects.exists() and DBTaskResult.objects.count() == 1, role
    response = client_for("superuser", world).post(
        url, {"action": "retry_failed", "_selected_action": [str(failed.pk)]}
    )
    assert response.status_code == 302
    assert TaskRetry.objects.get().retried_by == world.users["superuser"]
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_starting_and_following_imports_is_for_staff_with_the_import_permission_only(world, settings, tmp_path):
    """The admin's import upload (jobs.ImportRunAdmin add view) and a run's page: superusers and
    staff given jobs.add_importrun; credential reviewers get 403; others are sent to sign in. A
    refused upload stores no run and no file."""
    from django.contrib.auth.models import Permission
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jobs.models import ImportRun

    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, not run
    sample = (Path(__file__).resolve().parents[2] / "fixtures" / "nppes" / "npidata_pfile_sample.csv").read_bytes()
    add_url = reverse("admin:jobs_importrun_add")
    importer = UserFactory(is_staff=True)
    importer.user_permissions.add(Permission.objects.get(codename="add_importrun", content_type__app_label="jobs"))
    EmailAddress.objects.create(user=importer, email=importer.email, verified=True, primary=True)
    users = {**world.users, "importer": importer}

    def admin_outcome(response) -> int | str:
        if response.status_code == 302 and "/admin/login/" in response.headers["Location"]:
            return "admin login"
        return response.status_code

    def as_role(role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(users[role])
        return client

    expected = {
        "anonymous": "admin login",
        "patient": "admin login",
        "owner": "admin login",
        "reviewer": 403,
        "importer": 302,
        "superuser": 302,
    }
    actual = {}
    for role in expected:
        before = ImportRun.objects.count()
        client = as_role(role)
        page = admin_outcome(client.get(add_url))
        upload = SimpleUploadedFile("npidata.csv", sample, content_type="text/csv")
        with TestCase.captureOnCommitCallbacks(execute=True):
            actual[role] = admin_outcome(client.post(add_url, {"kind": "nppes", "file": upload}))
        assert page == (200 if actual[role] == 302 else actual[role]), role
        started = ImportRun.objects.count() - before
        assert started == (1 if actual[role] == 302 else 0), role
    assert actual == expected
    assert set(ImportRun.objects.values_list("started_by__email", flat=True)) == {
        importer.email,
        world.users["superuser"].email,
    }
    assert len([path for path in tmp_path.rglob("*.csv")]) == 2  # refused uploads stored nothing

    run = ImportRun.objects.filter(started_by=world.users["superuser"]).get()
    run_url = reverse("admin:jobs_importrun_change", args=[run.pk])
    pages = {role: admin_outcome(as_role(role).get(run_url)) for role in expected}
    # Whoever may start imports follows every run (not only their own); nobody edits or deletes one.
    assert pages == {**expected, "importer": 200, "superuser": 200}
    assert as_role("superuser").post(run_url, {"state": "done"}).status_code == 403
    delete_url = reverse("admin:jobs_importrun_delete", args=[run.pk])
    assert as_role("superuser").post(delete_url, {"post": "yes"}).status_code == 403
    assert ImportRun.objects.get(pk=run.pk).state == "queued"
