"""Staff sign in to the admin through the same throttled sign-in as everyone (issue 11, item 1).

The admin's own login view only redirects to allauth's sign-in with `next`, so it never checks a
password; the per-account (5 in 5 minutes) and per-IP (10 a minute) failure limits count every
attempt, whichever door it came through.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, VerifiedUserFactory

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
TOO_MANY = "Too many failed login attempts"


@pytest.fixture
def staff():
    return VerifiedUserFactory(email="rita@meridian.example", is_staff=True, is_superuser=True)


def admin_door(client) -> str:
    """Where a visitor who opens /admin/ ends up signing in."""
    to_admin_login = client.get("/admin/")
    assert to_admin_login.status_code == 302 and to_admin_login.url.startswith(ADMIN_LOGIN)
    to_sign_in = client.get(to_admin_login.url)
    assert to_sign_in.status_code == 302
    assert urlsplit(to_sign_in.url).path == reverse("account_login")
    assert parse_qs(urlsplit(to_sign_in.url).query)["next"] == ["/admin/"]
    return to_sign_in.url


def sign_in(client, url: str, email: str, password: str):
    return client.post(url, {"login": email, "password": password})


def test_the_admin_login_view_never_checks_a_password(client, staff):
    """The attack that worked: 15 wrong passwords, then the right one, posted to /admin/login/."""
    for _ in range(15):
        client.post(ADMIN_LOGIN, {"username": staff.email, "password": "wrong password"})
    response = client.post(ADMIN_LOGIN, {"username": staff.email, "password": PASSWORD, "next": "/admin/"})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("account_login")


def test_sixth_failure_is_refused_on_both_doors_and_the_doors_share_the_count(client, staff):
    door = admin_door(client)
    # Five failures for this account: three through the admin's door, two on the public sign-in page.
    for url in (door, door, door, reverse("account_login"), reverse("account_login")):
        response = sign_in(client, url, staff.email, "wrong password")
        assert response.status_code == 200 and TOO_MANY not in response.text
    # The sixth attempt is refused on either door, even with the right password.
    for url in (door, reverse("account_login")):
        response = sign_in(client, url, staff.email, PASSWORD)
        assert TOO_MANY in response.text, url
        assert "_auth_user_id" not in client.session


def test_the_per_ip_limit_counts_failures_on_both_doors(client, staff):
    door = admin_door(client)
    others = [VerifiedUserFactory() for _ in range(3)]
    # Ten failures from one address, spread over three accounts (under the per-account limit) and both doors.
    for attempt in range(10):
        url = door if attempt % 2 else reverse("account_login")
        assert TOO_MANY not in sign_in(client, url, others[attempt % 3].email, "wrong password").text
    for url in (door, reverse("account_login")):
        assert TOO_MANY in sign_in(client, url, staff.email, PASSWORD).text, url
    assert "_auth_user_id" not in client.session


def test_staff_reach_the_admin_through_the_sign_in(client, staff):
    door = admin_door(client)
    response = sign_in(client, door, staff.email, PASSWORD)
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    # Signed in, the admin's login page sends staff on into the admin.
    assert client.get(ADMIN_LOGIN).status_code == 302


def test_signed_in_non_staff_get_no_admin_login_form(client):
    client.force_login(VerifiedUserFactory())
    response = client.get(ADMIN_LOGIN)
    assert response.status_code == 403
