"""The API behind no proxy: X-Forwarded-For cannot dodge the throttle; JSON only; no password
checks (issue 11, items 1, 5 and 11)."""

import base64

import pytest
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

from tests.factories import PASSWORD, VerifiedUserFactory

pytestmark = pytest.mark.django_db

URL = reverse("api:practitioner-list")


@pytest.fixture
def two_a_minute(monkeypatch):
    # DRF copies the rates onto the class at import; patch the class so the override ends with the test.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})


def test_a_new_forwarded_for_header_per_request_does_not_escape_the_throttle(client, two_a_minute):
    statuses = [client.get(URL, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(1, 5)]
    assert statuses == [200, 200, 429, 429]


def test_the_throttle_counts_the_socket_address(client, two_a_minute):
    first = [client.get(URL, REMOTE_ADDR="198.51.100.7").status_code for _ in range(3)]
    other = client.get(URL, REMOTE_ADDR="198.51.100.8").status_code
    assert first == [200, 200, 429] and other == 200


def test_behind_one_trusted_proxy_the_address_it_appended_counts(client, two_a_minute, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # The client can put anything on the left; the proxy appends the address it saw.
    same_client = [
        client.get(URL, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7", **proxy).status_code for n in range(3)
    ]
    assert same_client == [200, 200, 429]
    assert client.get(URL, HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy).status_code == 200


def test_one_setting_feeds_the_api_and_the_sign_in_limits(settings):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT == 0
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.TRUSTED_PROXY_COUNT


def test_sign_in_limits_ignore_forwarded_for_without_a_proxy(client):
    """allauth's per-IP limit (10 failures a minute) is not reset by a new header value."""
    accounts = [VerifiedUserFactory() for _ in range(3)]
    for attempt in range(10):
        client.post(
            reverse("account_login"),
            {"login": accounts[attempt % 3].email, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
    response = client.post(
        reverse("account_login"),
        {"login": VerifiedUserFactory().email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.200",
    )
    assert "Too many failed login attempts" in response.text


def test_the_browsable_api_is_off(client):
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(URL, HTTP_ACCEPT=browser_accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert client.get(URL, {"format": "api"}).status_code == 404


@pytest.mark.parametrize("url", [URL, reverse("api:schema"), reverse("api:docs")])
def test_http_basic_credentials_are_never_checked(client, url):
    """Basic authentication would be a password check outside the sign-in limits (an answer of
    401 for a wrong password and 200 for the right one)."""
    user = VerifiedUserFactory()
    for password in ("wrong password", PASSWORD):
        token = base64.b64encode(f"{user.email}:{password}".encode()).decode()
        response = client.get(url, HTTP_AUTHORIZATION=f"Basic {token}")
        assert response.status_code == 200, password  # the header is ignored: no 401 either way
