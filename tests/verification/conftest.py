import pytest
from django.contrib.auth.models import Group

from tests.factories import REVIEWER_GROUP, ReviewerFactory


@pytest.fixture
def reviewer_group():
    """Created by accounts migration 0002 (restored after flushes by the root conftest)."""
    return Group.objects.get(name=REVIEWER_GROUP)


@pytest.fixture
def staff_reviewer(reviewer_group):
    return ReviewerFactory()
