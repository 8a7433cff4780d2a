"""allauth's pages in Meridian's layout: the site header and footer, one card, labels above fields,
errors beside them, the password rule in one plain sentence, buttons in the site's style."""

import re
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.forms import password_rule
from tests.accounts.test_accounts import NEW_PASSWORD, confirmation_link
from tests.factories import PractitionerFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

ENTRANCE_PAGES = (
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
)


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def assert_site_layout(soup: BeautifulSoup, *, card_class: str = "account-card") -> None:
    assert soup.select_one("header.site-header a.brand").get_text() == "Meridian"
    assert soup.select_one("footer.site-footer")
    main = soup.select_one("main#main")
    assert {"wrap", "account-page", card_class} <= set(main["class"])
    assert len(soup.find_all("h1")) == 1
    assert soup.find("link", rel="stylesheet")["href"].endswith("css/site.css")


@pytest.mark.parametrize("name", ENTRANCE_PAGES)
def test_entrance_pages_render_in_the_site_layout(client, name):
    assert_site_layout(soup_of(client.get(reverse(name))))


def test_email_confirmation_page_with_a_bad_key_renders_in_the_site_layout(client):
    soup = soup_of(client.get(reverse("account_confirm_email", kwargs={"key": "not-a-key"})))
    assert_site_layout(soup)


def test_password_reset_from_a_bad_key_renders_in_the_site_layout(client):
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "bad-key"})
    assert_site_layout(soup_of(client.get(url)))


@pytest.mark.parametrize("name", ["account_email", "account_change_password"])
def test_account_management_pages_render_in_the_site_layout_with_the_account_links(client, name):
    client.force_login(VerifiedUserFactory())
    soup = soup_of(client.get(reverse(name)))
    assert_site_layout(soup, card_class="account-manage")
    nav = soup.find("nav", attrs={"aria-label": "Account"})
    assert [a["href"] for a in nav.find_all("a")] == [
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("my_reviews"),
    ]


def test_every_field_has_its_label_above_it(client):
    soup = soup_of(client.get(reverse("account_signup")))
    form = soup.select_one("main form")
    for field in form.select(".field"):
        control = field.find(["input", "select", "textarea"])
        label = field.find("label", attrs={"for": control["id"]})
        assert label, control["id"]
        if control.get("type") != "checkbox":
            assert field.find_all(["label", "input"])[0] is label  # the label comes first
    assert form.find("button", type="submit")["class"] == ["button"]


def test_the_password_rule_is_one_plain_sentence(client, settings):
    soup = soup_of(client.get(reverse("account_signup")))
    help_text = soup.find(id="id_password1_helptext")
    assert help_text.get_text(strip=True) == password_rule()
    assert not help_text.find("ul")  # not the validators' bulleted list
    assert soup.find(id="id_password1")["aria-describedby"] == "id_password1_helptext"
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}}
    ]
    from django.contrib.auth.password_validation import get_default_password_validators

    get_default_password_validators.cache_clear()
    try:
        assert password_rule().startswith("At least 12 characters.")
    finally:
        get_default_password_validators.cache_clear()


def test_sign_up_errors_appear_beside_their_fields(client):
    soup = soup_of(
        client.post(
            reverse("account_signup"),
            {"email": "not-an-email", "display_name": "x", "password1": "123", "password2": "456"},
        )
    )
    for name in ("email", "display_name", "password1"):
        field = soup.find(id=f"id_{name}").find_parent(class_="field")
        assert "field-has-error" in field["class"], name
        assert field.find(id=f"id_{name}_error").get_text(strip=True), name
        assert soup.find(id=f"id_{name}")["aria-invalid"] == "true"
    assert "at least 2 characters" in soup.find(id="id_display_name_error").get_text()


def test_sign_in_failure_is_said_at_the_top_of_the_form(client):
    soup = soup_of(client.post(reverse("account_login"), {"login": "nobody@example.com", "password": "wrong"}))
    alert = soup.select_one("main form .form-errors[role=alert]")
    assert re.search(r"email address and/or password you specified are not correct", alert.get_text())


def test_signing_up_from_write_a_review_comes_back_to_the_review_form(client, django_capture_on_commit_callbacks):
    practitioner = PractitionerFactory()
    review_url = reverse("reviews:create", kwargs={"slug": practitioner.slug})
    login_url = client.get(review_url).url
    # The sign-in page's "sign up" link carries on where the patient was going.
    signup_url = soup_of(client.get(login_url)).select_one("main").find("a", string="sign up")["href"]
    assert signup_url == reverse("account_signup") + "?" + urlencode({"next": review_url})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            signup_url,
            {
                "email": "sam@example.com",
                "display_name": "Sam K.",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
    response = client.post(confirmation_link(mail.outbox[0]))
    assert response.status_code == 302 and response.url == review_url
    assert client.get(review_url).status_code == 200  # signed in, the form itself


def test_a_confirmation_link_opened_in_another_browser_does_not_sign_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "email": "sam@example.com",
                "display_name": "Sam K.",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
    other = Client()
    other.post(confirmation_link(mail.outbox[0]))
    assert "_auth_user_id" not in other.session
