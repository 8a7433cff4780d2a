"""Many patients posting reviews at the same moment on SQLite: every post answers normally, none
with "database is locked" (issue 11, item 7).

SQLite allows one writer at a time. A transaction that reads and then writes cannot wait for the
write lock (SQLite refuses at once to avoid a deadlock), so concurrent posts failed with 500s;
settings/base.py makes every transaction BEGIN IMMEDIATE with a busy timeout, so writers queue.
The pytest database on SQLite is in memory with a shared cache, whose table locks never wait, so
this test runs the real settings against a database file, in a child process, with real threads
(each thread has its own connection).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's database-wide write lock; PostgreSQL: test_concurrency.py"
)

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 8

SCRIPT = """
import json, sys, threading
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db import connections
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
setup_test_environment()
from reviews.models import Review
from tests.factories import PractitionerFactory, VerifiedUserFactory
from tests.reviews.test_permissions import review_post_data

writers = int(sys.argv[1])
practitioner = PractitionerFactory(owner=VerifiedUserFactory())
authors = [VerifiedUserFactory() for _ in range(writers)]
url = reverse("reviews:create", kwargs={"slug": practitioner.slug})
data = review_post_data()
connections.close_all()
barrier = threading.Barrier(writers)
statuses = []

def post(author):
    try:
        client = Client(raise_request_exception=False)
        client.force_login(author)
        barrier.wait()
        statuses.append(client.post(url, data).status_code)
    finally:
        connections.close_all()

threads = [threading.Thread(target=post, args=(author,)) for author in authors]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(timeout=120)
print(json.dumps({"statuses": sorted(statuses), "reviews": Review.objects.filter(practitioner=practitioner).count()}))
"""


def test_concurrent_review_posts_on_sqlite_all_succeed(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="directory.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'concurrent.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(WRITERS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert "database is locked" not in result.stderr, result.stderr[-3000:]
    assert outcome == {"statuses": [302] * WRITERS, "reviews": WRITERS}, result.stderr[-3000:]
