"""Shared pytest fixtures: factories live in tests/factories.py; browser settings here."""

import os

import pytest

# Sync Playwright runs an event loop in the test thread; live_server's ORM calls are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _forget_prepared_statements():
    """Each test starts as a new database connection would: no prepared statement (practitioners.prepared),
    so the statement's PREPARE is in the first request's queries whatever ran before."""
    from practitioners import prepared

    prepared.forget()


@pytest.fixture(autouse=True)
def _forget_search_memory():
    """Each test starts without the workers' memory index of the search projection (search.memory):
    a transactional test's flush empties the tables without logging a change."""
    from search import memory

    memory.forget()
    yield
    memory.forget()


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests (and live_server) flush the database afterwards, reference data included,
    and test ordering cannot promise they run last; so every database test checks (one query) that
    the state boards, conditions, … a migration loads are there, and puts them back if not."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not DB_FIXTURES & set(request.fixturenames):
        return
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    from practitioners.models import StateBoard
    from practitioners.reference import load_reference_data

    if not StateBoard.objects.exists():
        load_reference_data(apps.get_model)
    _restore_reviewer_group()


def _restore_reviewer_group() -> None:
    """The "Credential reviewers" group also comes from data migrations (accounts 0002, 0003); a flush
    removes it too. Put it back with the migration's own code, so there is one definition."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.contrib.auth.models import Group
    from django.db import connection

    group_migration = importlib.import_module("accounts.migrations.0002_credential_reviewers_group")
    claims_migration = importlib.import_module("accounts.migrations.0003_reviewers_approve_claims")
    spam_migration = importlib.import_module("contact.migrations.0002_reviewers_resolve_spam_reports")
    if not Group.objects.filter(name=group_migration.GROUP_NAME).exists():
        schema_editor = SimpleNamespace(connection=connection)
        group_migration.create_group(apps, schema_editor)
        claims_migration.add_permissions(apps, schema_editor)
        spam_migration.add_permissions(apps, schema_editor)
