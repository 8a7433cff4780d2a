"""Demo contact requests: one listing's inbox in every state, through the services; run twice, nothing doubles."""

import pytest
from django.core.management import CommandError, call_command

from contact.models import ContactRequest
from tests.factories import PractitionerFactory, UserFactory, condition

pytestmark = pytest.mark.django_db


def test_seed_demo_requests_fills_one_inbox_in_every_state():
    listing = PractitionerFactory(is_demo=True, owner=None)
    listing.conditions.add(condition())
    owner = UserFactory(email="me@example.com")
    call_command("seed_demo_requests", "--owner", "me@example.com", verbosity=0)
    call_command("seed_demo_requests", "--owner", "me@example.com", verbosity=0)
    listing.refresh_from_db()
    assert listing.owner == owner
    states = sorted(ContactRequest.objects.filter(practitioner=listing).values_list("state", flat=True))
    assert states == ["answered", "answered", "confirmed", "declined", "sent", "sent"]


def test_seed_demo_requests_says_what_is_missing():
    with pytest.raises(CommandError, match="sign up on the site first"):
        call_command("seed_demo_requests", "--owner", "nobody@example.com")
    UserFactory(email="me@example.com")
    with pytest.raises(CommandError, match=r"run `manage\.py seed_demo` first"):
        call_command("seed_demo_requests", "--owner", "me@example.com")
