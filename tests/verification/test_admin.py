"""The staff side: who may do what in the admin, the credential page, its decisions, and the queue."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from practitioners.models import Certification, Degree, License, VerificationRecord, VerificationState
from tests.factories import (
    PASSWORD,
    CertificationFactory,
    DegreeFactory,
    LicenseFactory,
    PractitionerFactory,
    ReviewerFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUEUE_URL = "/admin/practitioners/verificationqueue/"
BOARD = "https://search.dca.ca.gov/"


def pending(factory, *, days_waiting: float = 1, **kwargs):
    return factory(
        verification_state=VerificationState.PENDING,
        verified_at=None,
        submitted_at=timezone.now() - datetime.timedelta(days=days_waiting),
        **kwargs,
    )


def decide_url(credential) -> str:
    return reverse(f"admin:practitioners_{credential._meta.model_name}_decide", args=[credential.pk])


def change_url(credential) -> str:
    return reverse(f"admin:practitioners_{credential._meta.model_name}_change", args=[credential.pk])


@pytest.fixture
def reviewer_client(client, staff_reviewer):
    client.force_login(staff_reviewer)
    return client


# ---------------------------------------------------------------- the group


def test_group_has_exactly_the_queue_permissions(reviewer_group):
    granted = set(reviewer_group.permissions.values_list("content_type__app_label", "codename"))
    assert granted == {
        ("practitioners", "view_practitioner"),
        ("practitioners", "view_practicelocation"),
        ("practitioners", "view_license"),
        ("practitioners", "view_certification"),
        ("practitioners", "view_degree"),
        ("practitioners", "view_school"),
        ("practitioners", "view_stateboard"),
        ("practitioners", "view_verificationrecord"),
        ("practitioners", "change_license"),
        ("practitioners", "change_certification"),
        ("practitioners", "change_degree"),
        ("reviews", "view_review"),
        ("reviews", "change_review"),
        ("reviews", "view_reviewreport"),
        ("reviews", "change_reviewreport"),
        ("dashboard", "view_claim"),
        ("dashboard", "change_claim"),
        ("dashboard", "view_pendingclaim"),
        ("dashboard", "change_pendingclaim"),
        ("contact", "view_spamreport"),
        ("contact", "change_spamreport"),
    }


def test_reviewer_holds_no_delete_and_no_user_permission(staff_reviewer):
    perms = staff_reviewer.get_all_permissions()
    assert not any(p.split(".")[1].startswith("delete_") for p in perms)
    assert not any(p.startswith("accounts.") or p.startswith("auth.") for p in perms)
    assert not staff_reviewer.has_perm("practitioners.delete_verificationrecord")
    assert staff_reviewer.has_perm("reviews.change_review")


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        QUEUE_URL,
        "/admin/practitioners/license/",
        "/admin/practitioners/certification/",
        "/admin/practitioners/degree/",
        "/admin/practitioners/practitioner/",
        "/admin/practitioners/practicelocation/",
        "/admin/practitioners/school/",
        "/admin/practitioners/stateboard/",
        "/admin/practitioners/verificationrecord/",
        "/admin/reviews/review/",
        "/admin/reviews/reviewreport/",
    ],
)
def test_reviewer_sees_what_the_work_needs(reviewer_client, url):
    assert reviewer_client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/auth/group/",
        "/admin/practitioners/license/add/",
        "/admin/practitioners/practitioner/add/",
        "/admin/practitioners/condition/",
        "/admin/practitioners/verificationrecord/add/",
    ],
)
def test_reviewer_is_refused_everything_else(reviewer_client, url):
    assert reviewer_client.get(url).status_code == 403


def test_reviewer_cannot_delete_or_edit_listings(reviewer_client):
    lic = LicenseFactory()
    practitioner = lic.practitioner
    assert reviewer_client.get(f"/admin/practitioners/license/{lic.pk}/delete/").status_code == 403
    assert reviewer_client.post(f"/admin/practitioners/license/{lic.pk}/delete/", {"post": "yes"}).status_code == 403
    response = reviewer_client.post(
        f"/admin/practitioners/practitioner/{practitioner.pk}/change/", {"name": "Renamed", "slug": practitioner.slug}
    )
    assert response.status_code == 403
    assert License.objects.filter(pk=lic.pk).exists()
    practitioner.refresh_from_db()
    assert practitioner.name != "Renamed"


def test_reviewer_cannot_rewrite_the_claim(reviewer_client):
    lic = pending(LicenseFactory)
    response = reviewer_client.get(change_url(lic))
    assert response.status_code == 200
    assert b'name="number"' not in response.content  # read-only for reviewers
    reviewer_client.post(change_url(lic), {"number": "HACKED", "expiry_date": "2099-01-01"})
    lic.refresh_from_db()
    assert lic.number != "HACKED"


def test_history_pages_never_revert(reviewer_client):
    lic = pending(LicenseFactory)
    version = lic.history.first()
    url = f"/admin/practitioners/license/{lic.pk}/history/{version.history_id}/"
    assert reviewer_client.post(url, {"number": "OLD"}).status_code == 403


@pytest.mark.parametrize("url", ["/admin/", QUEUE_URL, "/admin/practitioners/license/"])
def test_non_staff_get_nothing(client, reviewer_group, url):
    user = UserFactory(is_staff=False)
    user.groups.add(reviewer_group)  # even with the group's permissions, not staff means no admin
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_non_staff_cannot_post_a_decision(client, reviewer_group):
    lic = pending(LicenseFactory)
    client.force_login(UserFactory(is_staff=False))
    response = client.post(
        decide_url(lic), {"decision": "verify", "verify-version": lic.version, "verify-source": BOARD}
    )
    assert response.status_code == 302
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.PENDING
    assert VerificationRecord.objects.count() == 0


def test_staff_outside_the_group_cannot_decide(client):
    lic = pending(LicenseFactory)
    client.force_login(UserFactory(is_staff=True))
    assert (
        client.post(
            decide_url(lic), {"decision": "verify", "verify-version": lic.version, "verify-source": BOARD}
        ).status_code
        == 403
    )
    assert client.get(QUEUE_URL).status_code == 403
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.PENDING


# ---------------------------------------------------------------- audit records are read-only


@pytest.fixture
def record(staff_reviewer):
    from verification.services import credential_verify

    return credential_verify(credential=pending(LicenseFactory), actor=staff_reviewer, source=BOARD)


def test_records_cannot_be_changed_even_by_a_superuser(client, record):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    base = f"/admin/practitioners/verificationrecord/{record.pk}"
    assert client.get(f"{base}/change/").status_code == 200  # readable
    response = client.post(f"{base}/change/", {"note": "rewritten", "new_state": "rejected"})
    assert response.status_code == 403
    assert client.get(f"{base}/delete/").status_code == 403
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/practitioners/verificationrecord/add/").status_code == 403
    response = client.post(
        "/admin/practitioners/verificationrecord/",
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    record.refresh_from_db()
    assert record.note == ""
    assert VerificationRecord.objects.filter(pk=record.pk).exists()


# ---------------------------------------------------------------- the credential page and its decisions


def test_credential_page_shows_claim_lookup_timeline_and_other_credentials(reviewer_client, staff_reviewer):
    from verification.services import credential_refuse, credential_submit

    lic = pending(LicenseFactory)
    credential_refuse(
        new_state="rejected", credential=lic, actor=staff_reviewer, reason="Number not found at the board."
    )
    credential_submit(credential=lic, actor=None)
    cert = CertificationFactory(practitioner=lic.practitioner, number="NCC-777")
    response = reviewer_client.get(change_url(lic))
    html = response.content.decode()
    assert lic.number in html
    assert lic.state.lookup_url and lic.state.lookup_url in html
    assert "Number not found at the board." in html
    assert "Pending verification → Rejected" in html
    assert "Rejected → Pending verification" in html
    assert "NCC-777" in html and change_url(cert) in html
    assert 'name="decision" value="verify"' in html
    assert 'name="decision" value="reject"' in html
    assert 'name="decision" value="revoke"' not in html  # not verified, nothing to revoke


def test_verify_from_the_credential_page(
    reviewer_client, staff_reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    lic = pending(LicenseFactory, practitioner=PractitionerFactory(owner=owner))
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(
            decide_url(lic),
            {
                "decision": "verify",
                "verify-version": lic.version,
                "verify-source": BOARD,
                "verify-note": "Active, no discipline.",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == change_url(lic)
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.VERIFIED
    assert lic.verified_by == staff_reviewer
    records = VerificationRecord.objects.filter(credential_id=lic.pk)
    assert records.count() == 1
    assert records[0].source == BOARD
    assert [m.to for m in mailoutbox] == [[owner.email]]


def test_reject_without_reason_shows_the_error_beside_the_field(reviewer_client):
    lic = pending(LicenseFactory)
    response = reviewer_client.post(
        decide_url(lic), {"decision": "reject", "reject-version": lic.version, "reject-reason": "   "}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html or "Give the reason" in html
    assert 'id="id_reject-reason"' in html
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.PENDING
    assert VerificationRecord.objects.count() == 0


def test_reject_then_mark_restricted_then_revoke(reviewer_client, staff_reviewer):
    lic = LicenseFactory()  # verified
    response = reviewer_client.post(
        decide_url(lic),
        {
            "decision": "restrict",
            "restrict-version": lic.version,
            "restrict-source": BOARD,
            "restrict-note": "Probation.",
        },
    )
    assert response.status_code == 302
    lic.refresh_from_db()
    assert lic.restricted
    response = reviewer_client.post(
        decide_url(lic), {"decision": "revoke", "revoke-version": lic.version, "revoke-reason": "Surrendered."}
    )
    assert response.status_code == 302
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.REVOKED
    states = list(VerificationRecord.objects.order_by("pk").values_list("old_state", "new_state"))
    assert states == [("verified", "verified"), ("verified", "revoked")]


def test_decision_not_available_in_this_state_changes_nothing(reviewer_client):
    lic = pending(LicenseFactory)
    response = reviewer_client.post(
        decide_url(lic), {"decision": "revoke", "revoke-version": lic.version, "revoke-reason": "x"}
    )
    assert response.status_code == 302
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.PENDING
    assert VerificationRecord.objects.count() == 0


def test_decide_redirects_only_to_safe_targets(reviewer_client):
    lic = pending(LicenseFactory)
    response = reviewer_client.post(
        decide_url(lic),
        {"decision": "verify", "verify-version": lic.version, "verify-source": BOARD, "next": "https://evil.example/"},
    )
    assert response["Location"] == change_url(lic)
    other = pending(LicenseFactory)
    response = reviewer_client.post(
        decide_url(other),
        {"decision": "verify", "verify-version": other.version, "verify-source": BOARD, "next": QUEUE_URL},
    )
    assert response["Location"] == QUEUE_URL


def test_decide_refuses_get(reviewer_client):
    lic = pending(LicenseFactory)
    assert reviewer_client.get(decide_url(lic)).status_code == 405


def test_certification_and_degree_pages_have_their_lookups(reviewer_client):
    cert = pending(CertificationFactory)
    degree = pending(DegreeFactory, school=SchoolFactory(name="Pacific College"))
    assert b"nccaom.org" in reviewer_client.get(change_url(cert)).content
    html = reviewer_client.get(change_url(degree)).content.decode()
    assert "Pacific College" in html and "acahm.org" in html


# ---------------------------------------------------------------- changelist bulk actions


def test_changelist_bulk_verify_asks_for_the_source_then_applies(reviewer_client):
    one, two = pending(LicenseFactory), pending(LicenseFactory)
    url = "/admin/practitioners/license/"
    response = reviewer_client.post(url, {"action": "verify_selected", "_selected_action": [one.pk, two.pk]})
    assert response.status_code == 200
    assert b"Checked against" in response.content
    assert VerificationRecord.objects.count() == 0
    response = reviewer_client.post(
        url,
        {
            "action": "verify_selected",
            "_selected_action": [one.pk, two.pk],
            "apply": "1",
            "decision": "verify",
            "source": BOARD,
        },
    )
    assert response.status_code == 302
    assert set(License.objects.values_list("verification_state", flat=True)) == {"verified"}
    assert VerificationRecord.objects.count() == 2


def test_changelist_bulk_reject_needs_a_reason(reviewer_client):
    one = pending(CertificationFactory)
    response = reviewer_client.post(
        "/admin/practitioners/certification/",
        {"action": "reject_selected", "_selected_action": [one.pk], "apply": "1", "decision": "reject", "note": ""},
    )
    assert response.status_code == 200
    assert b"Give the reason" in response.content
    one.refresh_from_db()
    assert one.verification_state == VerificationState.PENDING


# ---------------------------------------------------------------- the queue


def test_queue_lists_all_three_kinds_oldest_first_with_waiting_time(reviewer_client):
    newest = pending(LicenseFactory, days_waiting=1)
    oldest = pending(DegreeFactory, days_waiting=20)
    middle = pending(CertificationFactory, days_waiting=5)
    LicenseFactory()  # verified: not in the queue
    response = reviewer_client.get(QUEUE_URL)
    html = response.content.decode()
    positions = [html.index(change_url(c)) for c in (oldest, middle, newest)]
    assert positions == sorted(positions)
    assert "3 credentials" in html
    assert "2\xa0weeks" in html or "20\xa0days" in html  # timesince of the oldest


def test_queue_filters(reviewer_client):
    lic = pending(LicenseFactory, days_waiting=40, expiry_date=timezone.localdate() + datetime.timedelta(days=20))
    cert = pending(CertificationFactory, days_waiting=3)
    degree = pending(DegreeFactory, days_waiting=0.2)

    def listed(query: str) -> set:
        html = reviewer_client.get(f"{QUEUE_URL}?{query}").content.decode()
        return {c for c in (lic, cert, degree) if change_url(c) in html}

    assert listed("kind=license") == {lic}
    assert listed("kind=degree") == {degree}
    assert listed("waited=gt30") == {lic}
    assert listed("waited=1to7") == {cert}
    assert listed("waited=lt1") == {degree}
    assert listed("expiring=soon") == {lic}
    assert listed("state=CA") == {lic}
    assert listed("state=NY") == set()
    assert listed("status=verified") == set()
    assert listed("status=all") == {lic, cert, degree}


def test_queue_search_by_number_certificate_and_name(reviewer_client):
    lic = pending(LicenseFactory, number="AC-55501")
    cert = pending(CertificationFactory, number="NCC-998877")
    named = pending(DegreeFactory, practitioner=PractitionerFactory(name="Mei Lin Zhao"))

    def listed(q: str) -> set:
        html = reviewer_client.get(QUEUE_URL, {"q": q}).content.decode()
        return {c for c in (lic, cert, named) if change_url(c) in html}

    assert listed("55501") == {lic}
    assert listed("998877") == {cert}
    assert listed("mei lin") == {named}


def test_queue_reports_unknown_filters_instead_of_applying_them(reviewer_client):
    pending(LicenseFactory)
    response = reviewer_client.get(f"{QUEUE_URL}?kind=passport&waited=forever&state=ZZ&status=bogus")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ignored unknown credential type" in html
    assert "Ignored unknown waiting time" in html
    assert "Ignored unknown state" in html
    assert "Ignored unknown verification state" in html
    assert "1 credential" in html


def test_queue_query_count_does_not_grow_with_rows(reviewer_client, django_assert_max_num_queries):
    for _ in range(2):
        pending(LicenseFactory)
        pending(CertificationFactory)
        pending(DegreeFactory)
    reviewer_client.get(QUEUE_URL)  # warm the session/permission caches of this client
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        reviewer_client.get(QUEUE_URL)
    for _ in range(10):
        pending(LicenseFactory)
        pending(CertificationFactory)
        pending(DegreeFactory)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = reviewer_client.get(QUEUE_URL)
    assert "36 credentials" in response.content.decode()


def test_queue_bulk_verify_mixed_kinds(reviewer_client, staff_reviewer):
    lic = pending(LicenseFactory)
    cert = pending(CertificationFactory)
    untouched = pending(DegreeFactory)
    response = reviewer_client.post(
        f"{QUEUE_URL}?kind=",
        {"selected": [f"license:{lic.pk}", f"certification:{cert.pk}"], "decision": "verify", "source": BOARD},
    )
    assert response.status_code == 302
    assert License.objects.get(pk=lic.pk).verification_state == VerificationState.VERIFIED
    assert Certification.objects.get(pk=cert.pk).verified_by == staff_reviewer
    assert Degree.objects.get(pk=untouched.pk).verification_state == VerificationState.PENDING
    assert VerificationRecord.objects.count() == 2


def test_queue_bulk_reject_needs_reason_and_selection(reviewer_client):
    lic = pending(LicenseFactory)
    response = reviewer_client.post(QUEUE_URL, {"selected": [f"license:{lic.pk}"], "decision": "reject", "note": ""})
    assert response.status_code == 200
    assert b"Give the reason" in response.content
    response = reviewer_client.post(QUEUE_URL, {"decision": "verify", "source": BOARD})
    assert b"Select at least one credential." in response.content
    response = reviewer_client.post(
        QUEUE_URL, {"selected": ["license:abc", "passport:1"], "decision": "verify", "source": BOARD}
    )
    assert b"Select at least one credential." in response.content
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.PENDING
    assert VerificationRecord.objects.count() == 0


def test_queue_bulk_refused_without_change_permission(client, reviewer_group):
    viewer_group = Group.objects.create(name="Viewers")
    viewer_group.permissions.set(reviewer_group.permissions.filter(codename__startswith="view_"))
    viewer = ReviewerFactory.build(is_staff=True)
    viewer.set_password(PASSWORD)
    viewer.save()
    viewer.groups.add(viewer_group)
    client.force_login(viewer)
    lic = pending(LicenseFactory)
    assert client.get(QUEUE_URL).status_code == 200
    response = client.post(QUEUE_URL, {"selected": [f"license:{lic.pk}"], "decision": "verify", "source": BOARD})
    assert response.status_code == 403
    lic.refresh_from_db()
    assert lic.verification_state == VerificationState.PENDING


def test_listing_page_shows_credentials_read_only_even_to_a_superuser(client):
    lic = LicenseFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(f"/admin/practitioners/practitioner/{lic.practitioner_id}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert lic.number in html
    assert 'name="licenses-0-number"' not in html  # changed on the license's own page, through the services
    assert change_url(lic) in html


def test_superuser_correcting_a_verified_claim_sends_it_back_to_the_queue(client):
    lic = LicenseFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        change_url(lic),
        {
            "state": "CA",
            "number": lic.number + "X",
            "title": lic.title,
            "issue_date": lic.issue_date.isoformat(),
            "expiry_date": lic.expiry_date.isoformat(),
            "board_status": "active",
        },
    )
    assert response.status_code == 302
    lic.refresh_from_db()
    assert lic.number.endswith("X")
    assert lic.verification_state == VerificationState.PENDING
    record = VerificationRecord.objects.get(credential_id=lic.pk)
    assert (record.old_state, record.new_state) == ("verified", "pending")
    assert "number" in record.note


def test_reviewers_see_and_approve_listing_claims_from_the_queue(client):
    """Claims are checked against the same license records, so the queue links to them."""
    from dashboard.models import Claim
    from tests.factories import ClaimFactory

    group = Group.objects.get(name="Credential reviewers")
    assert {"view_claim", "change_claim", "view_pendingclaim", "change_pendingclaim"} <= set(
        group.permissions.filter(content_type__app_label="dashboard").values_list("codename", flat=True)
    )
    reviewer = UserFactory(is_staff=True)
    reviewer.groups.add(group)
    ClaimFactory()
    client.force_login(reviewer)
    page = client.get(reverse("admin:practitioners_verificationqueue_changelist")).text
    assert "Listing claims awaiting review" in page
    assert reverse("admin:dashboard_pendingclaim_changelist") in page
    assert Claim.objects.pending().count() == 1
    assert client.get(reverse("admin:dashboard_pendingclaim_changelist")).status_code == 200


# ---------------------------------------------------------------- bulk decisions on what the reviewer saw


def _changed_by_the_practitioner(credential) -> None:
    from verification.services import credential_update_details

    credential_update_details(
        credential=credential, actor=credential.practitioner.owner, changes={"number": f"{credential.number}9"}
    )


def test_queue_bulk_decision_refuses_a_credential_changed_since_the_page_was_loaded(reviewer_client):
    changed, steady = pending(LicenseFactory), pending(LicenseFactory)
    page = reviewer_client.get(QUEUE_URL).content.decode()
    for lic in (changed, steady):
        assert f'name="version-license-{lic.pk}" value="{lic.version}"' in page
    seen = {lic.pk: lic.version for lic in (changed, steady)}
    _changed_by_the_practitioner(changed)
    response = reviewer_client.post(
        QUEUE_URL,
        {
            "selected": [f"license:{changed.pk}", f"license:{steady.pk}"],
            **{f"version-license-{pk}": str(version) for pk, version in seen.items()},
            "decision": "verify",
            "source": BOARD,
        },
        follow=True,
    )
    assert "changed since you opened it" in response.content.decode()
    assert License.objects.get(pk=changed.pk).verification_state == VerificationState.PENDING
    assert License.objects.get(pk=steady.pk).verification_state == VerificationState.VERIFIED


@pytest.mark.parametrize("posted", ["stale", "garbage"])
def test_changelist_bulk_action_decides_on_the_version_shown_on_its_confirmation_page(reviewer_client, posted):
    lic = pending(LicenseFactory)
    url = "/admin/practitioners/license/"
    confirm = reviewer_client.post(url, {"action": "reject_selected", "_selected_action": [lic.pk]}).content.decode()
    assert f'name="version-{lic.pk}" value="{lic.version}"' in confirm
    shown = lic.version
    if posted == "stale":
        _changed_by_the_practitioner(lic)
    data = {"action": "reject_selected", "_selected_action": [lic.pk], "apply": "1", "decision": "reject"}
    version = str(shown) if posted == "stale" else "1e9"
    response = reviewer_client.post(url, {**data, "note": "No match.", f"version-{lic.pk}": version}, follow=True)
    assert "changed since you opened it" in response.content.decode()
    assert License.objects.get(pk=lic.pk).verification_state == VerificationState.PENDING
