import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection

from tests.factories import REVIEWER_GROUP, ReviewerFactory

_group_migration = importlib.import_module("accounts.migrations.0002_credential_reviewers_group")


@pytest.fixture
def reviewer_group():
    """The group exists after migrations; a transactional test's flush removes it, so restore it
    with the migration's own code (never a second definition of its permissions)."""
    if not Group.objects.filter(name=REVIEWER_GROUP).exists():
        _group_migration.create_group(apps, SimpleNamespace(connection=connection))
    return Group.objects.get(name=REVIEWER_GROUP)


@pytest.fixture
def staff_reviewer(reviewer_group):
    return ReviewerFactory()
