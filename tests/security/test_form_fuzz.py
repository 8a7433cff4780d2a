"""Property-based fuzzing of every form a signed-in user can post.

Hypothesis posts arbitrary values (unicode, huge, negative, malformed numbers and dates, unknown ids,
missing and extra keys) to each form's real field names, read from the rendered page. Whatever is
posted: never a 5xx; a refused form says why beside the fields and leaves the database exactly as
it was; an accepted one leaves only rows the database constraints allow.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.test_authorization_matrix import World, fingerprint, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

FIELD_RE = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')
SKIP_FIELDS = {"csrfmiddlewaretoken"}

VALUES = st.one_of(
    st.text(max_size=40),
    st.text(min_size=5000, max_size=60000, alphabet=st.characters(codec="utf-8")),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "11",
            "1e9",
            "99999",
            "99999999999999999999",  # past SQLite's integer range (was an OverflowError in id fields)
            "2999-01",
            "1900-02-30",
            "2026-13",
            "javascript:alert(1)",
            "ftp://example.com/",
            "<script>alert(1)</script>",
            "'; DROP TABLE practitioners_practitioner; --",
            "\x00",
            "on",
            "true",
            "ZZ",
            "CA",
            "94110",
            "ABCDE",
        ]
    ),
)

# (url name, kwargs from the world, role that may use the form)
FORMS = [
    ("reviews:create", lambda w: {"slug": w.listing.slug}, "patient2"),
    ("reviews:edit", lambda w: {"slug": w.listing.slug, "pk": w.review.pk}, "patient"),
    ("reviews:report", lambda w: {"slug": w.listing.slug, "pk": w.review.pk}, "patient2"),
    ("reviews:reply", lambda w: {"slug": w.listing.slug, "pk": w.review.pk}, "owner"),
    ("account_display_name", lambda w: {}, "patient"),
    ("dashboard:claim_new", lambda w: {"slug": w.unclaimed.slug}, "patient"),
    ("dashboard:claim_proof", lambda w: {"pk": w.claim.pk}, "patient2"),
    ("dashboard:create", lambda w: {}, "patient"),
    ("dashboard:listing_edit", lambda w: {}, "owner"),
    ("dashboard:location_add", lambda w: {}, "owner"),
    ("dashboard:location_edit", lambda w: {"pk": w.location.pk}, "owner"),
    ("dashboard:credential_add", lambda w: {"kind": "license"}, "owner"),
    ("dashboard:credential_add", lambda w: {"kind": "certification"}, "owner"),
    ("dashboard:credential_add", lambda w: {"kind": "degree"}, "owner"),
    ("dashboard:credential_edit", lambda w: {"kind": "license", "pk": w.license.pk}, "owner"),
]


def form_fields(client: Client, url: str) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    names = sorted(set(FIELD_RE.findall(page.text)) - SKIP_FIELDS)
    assert names, f"no form fields found on {url}"
    return names


@pytest.mark.parametrize(("name", "kwargs", "role"), FORMS, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(FORMS)])
def test_fuzzed_posts_never_error_and_refusals_change_nothing(world: World, name, kwargs, role):  # noqa: F811
    client = Client()
    client.force_login(world.users[role])
    url = reverse(name, kwargs=kwargs(world))
    names = form_fields(client, url)
    refused = []

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(
        data=st.dictionaries(keys=st.sampled_from([*names, "verification_state", "owner", "id"]), values=VALUES),
        drop=st.sets(st.sampled_from(names)),
    )
    def post_once(data, drop):
        payload = {key: value for key, value in data.items() if key not in drop}
        before = fingerprint()
        response = client.post(url, payload)
        assert response.status_code < 500, f"{name}: {response.status_code} for {payload!r}"[:2000]
        if response.status_code in (200, 400) and "errorlist" in response.text:
            refused.append(payload)
            assert fingerprint() == before, f"{name} saved something from a refused form: {payload!r}"[:2000]

    post_once()
    # The fuzzing reached the form's validation (not only a redirect or a refusal page).
    assert refused, f"no fuzzed post to {name} was refused with field messages"


def test_verification_fields_cannot_be_set_from_a_practitioner_form(world: World):  # noqa: F811
    client = Client()
    client.force_login(world.users["owner"])
    client.post(
        reverse("dashboard:credential_add", kwargs={"kind": "license"}),
        {
            "state": "CA",
            "number": "FUZZ-1",
            "title": "L.Ac.",
            "issue_date": "2015-01-01",
            "expiry_date": "2030-01-01",
            "verification_state": "verified",
            "verified_at": "2020-01-01T00:00:00Z",
            "verified_by": world.users["superuser"].pk,
        },
    )
    from practitioners.models import License

    created = License.objects.filter(number="FUZZ-1").first()
    assert created is None or created.verification_state in ("pending", "unverified")
    assert created is None or created.verified_by is None
