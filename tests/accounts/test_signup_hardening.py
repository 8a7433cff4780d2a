"""Sign-up: the password may not resemble the display name; an existing address cannot be told
apart from a new one, by the answer or by its timing (issue 11, item 11)."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from accounts.models import User
from tests.factories import VerifiedUserFactory

pytestmark = pytest.mark.django_db


def signup(client, **overrides):
    data = {
        "email": "sam@example.com",
        "display_name": "Sam K.",
        "password1": "plum orchard sunrise 42",
        "password2": "plum orchard sunrise 42",
    }
    data.update(overrides)
    return client.post(reverse("account_signup"), data)


@pytest.mark.parametrize("password", ["Orchid Lantern", "orchidlantern", "Orchid Lantern 1"])
def test_a_password_like_the_display_name_is_refused(client, password):
    response = signup(client, display_name="Orchid Lantern", password1=password, password2=password)
    assert response.status_code == 200
    assert "The password is too similar to the display name." in response.text
    assert not User.objects.exists()


def test_the_similarity_rule_lists_the_display_name(settings):
    (rule,) = [v for v in settings.AUTH_PASSWORD_VALIDATORS if v["NAME"].endswith("UserAttributeSimilarityValidator")]
    assert "display_name" in rule["OPTIONS"]["user_attributes"]


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting what it hashes."""

    algorithm = "counting_md5"
    hashed: list[str] = []

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.hashed.append(password)
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_signup_hardening.CountingHasher"]
    CountingHasher.hashed = []
    return CountingHasher


def test_signing_up_with_a_taken_address_hashes_the_password_like_a_new_sign_up(client, counting_hasher):
    """The 60 ms vs 650 ms difference was the password hash, skipped for a taken address. Timing
    itself is measured by `python -m bench.signup_timing`, not asserted here."""
    VerifiedUserFactory(email="taken@example.com")
    counting_hasher.hashed = []

    new = signup(client, email="new@example.com", password1="fresh pear 91 river", password2="fresh pear 91 river")
    hashed_for_new = list(counting_hasher.hashed)
    counting_hasher.hashed = []
    taken = signup(client, email="taken@example.com", password1="fresh pear 91 river", password2="fresh pear 91 river")
    hashed_for_taken = list(counting_hasher.hashed)

    assert hashed_for_new == hashed_for_taken == ["fresh pear 91 river"]
    # The same answer either way: "we sent you an email".
    assert (
        (new.status_code, new.url)
        == (taken.status_code, taken.url)
        == (302, reverse("account_email_verification_sent"))
    )
    assert User.objects.filter(email="taken@example.com").count() == 1
