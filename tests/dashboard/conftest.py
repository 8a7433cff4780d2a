"""Two practitioners with their own listings: `owner` (signed in through `owner_client`) and
`intruder`, whose account is used to try every dashboard URL against the owner's objects."""

import pytest

from tests.factories import VerifiedUserFactory, owned_listing


@pytest.fixture
def owner(db):
    return VerifiedUserFactory(email="mei@example.com")


@pytest.fixture
def listing(owner):
    return owned_listing(owner, name="Mei Chen", slug="mei-chen")


@pytest.fixture
def owner_client(client, owner, listing):
    client.force_login(owner)
    return client


@pytest.fixture
def intruder(db):
    return VerifiedUserFactory(email="intruder@example.com")


@pytest.fixture
def intruder_listing(intruder):
    return owned_listing(intruder, name="Other Person", slug="other-person")
