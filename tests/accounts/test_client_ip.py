"""Which address sign-in limits count against, behind trusted proxies."""

import pytest
from django.test import RequestFactory
from rest_framework.throttling import AnonRateThrottle

from accounts.adapter import AccountAdapter


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no trusted proxy: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),  # a forged left entry is not trusted
        (2, "198.51.100.7, 203.0.113.9", "198.51.100.7"),
        (2, "203.0.113.9", "203.0.113.9"),  # shorter than the proxy count: leftmost, as DRF does
        (3, " 2001:db8::1 ,203.0.113.9", "2001:db8::1"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_client_ip_behind_proxies_matches_the_api_throttle(settings, count, forwarded, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.1")
    assert AccountAdapter(request).get_client_ip(request) == expected
    if forwarded and forwarded != "not-an-address":  # DRF keeps a malformed entry as it is
        assert AnonRateThrottle().get_ident(request) == expected


@pytest.mark.django_db
def test_a_short_forwarded_header_on_the_sign_in_page_is_not_a_server_error(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 3
    response = client.post(
        "/accounts/login/", {"login": "a@example.com", "password": "wrong"}, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert response.status_code == 200
