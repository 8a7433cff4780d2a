"""Patient accounts through django-allauth: sign up with a display name, verify the email,
sign in and out, reset a password; sign-in attempts are throttled."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.selectors import user_has_verified_email
from tests.factories import PASSWORD, UserFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plum orchard sunrise 42"


def signup(client, **overrides):
    data = {
        "email": "sam@example.com",
        "display_name": "Sam K.",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return client.post(reverse("account_signup"), data)


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)[1]


def test_signup_page_uses_the_site_layout_with_labelled_fields(client):
    html = client.get(reverse("account_signup")).text
    assert 'class="site-header"' in html and "<title>" in html and "Meridian" in html
    for field in ("email", "display_name", "password1", "password2"):
        assert f'<label for="id_{field}">' in html
    assert "style=" not in html  # strict CSP: no inline styles


def test_signup_verify_then_sign_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # allauth's mail is enqueued on commit
        response = signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="sam@example.com")
    assert user.display_name == "Sam K."
    assert not user_has_verified_email(user)
    assert len(mail.outbox) == 1
    link = confirmation_link(mail.outbox[0])

    # Mandatory verification: no sign-in before the address is confirmed.
    client.logout()
    blocked = client.post(reverse("account_login"), {"login": "sam@example.com", "password": NEW_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert blocked.status_code == 302 and "confirm-email" in blocked.url

    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert user_has_verified_email(user)

    response = client.post(reverse("account_login"), {"login": "sam@example.com", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"display_name": ""}, "This field is required."),
        ({"display_name": "sam@example.com"}, "please don&#x27;t use an email address"),
        ({"display_name": "S"}, "at least 2 characters"),
        ({"password2": "something else 99"}, "You must type the same password each time."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
    ],
)
def test_signup_refuses_bad_input(client, overrides, message):
    response = signup(client, **overrides)
    assert response.status_code == 200
    assert message in response.text
    assert not User.objects.exists()


def test_duplicate_email_does_not_create_a_second_account(client):
    UserFactory(email="sam@example.com")
    signup(client)
    assert User.objects.filter(email__iexact="sam@example.com").count() == 1


def test_logout_needs_post(client):
    client.force_login(VerifiedUserFactory())
    client.get(reverse("account_logout"))
    assert "_auth_user_id" in client.session


def test_failed_sign_ins_are_throttled(client):
    user = VerifiedUserFactory(email="target@example.com")
    statuses = [
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong password"}).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 6  # the form is shown again each time...
    # ...but after 5 failures for this account even the right password is refused for a while.
    right = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert "Too many failed login attempts" in right.text
    assert "_auth_user_id" not in client.session


def test_password_reset(client, django_capture_on_commit_callbacks):
    user = VerifiedUserFactory(email="forgetful@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[0].body)[1]
    form_url = client.get(link).url  # allauth moves the key into the session, then redirects
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_display_name_can_be_changed(client):
    user = VerifiedUserFactory(display_name="Old Name")
    client.force_login(user)
    page = client.get(reverse("account_display_name"))
    assert '<label for="id_display_name">' in page.text
    assert "@" in client.post(reverse("account_display_name"), {"display_name": "me@x.com"}).text
    user.refresh_from_db()
    assert user.display_name == "Old Name"
    client.post(reverse("account_display_name"), {"display_name": "  New   Name "})
    user.refresh_from_db()
    assert user.display_name == "New Name"


def test_display_name_page_needs_sign_in(client):
    response = client.get(reverse("account_display_name"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_unverified_factory_user_has_no_verified_email():
    assert not user_has_verified_email(UserFactory())
    user = VerifiedUserFactory()
    assert user_has_verified_email(user)
    EmailAddress.objects.filter(user=user).update(verified=False)
    assert not user_has_verified_email(user)


def test_four_failures_do_not_lock_the_account(client):
    user = VerifiedUserFactory(email="typo@example.com")
    for _ in range(4):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong password"})
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)
