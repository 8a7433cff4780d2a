"""Production configuration, security headers, CSP-safe templates, safe uploads, database outages."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/guide/", "/practitioners/", "/accounts/login/", "/accounts/signup/"]


def test_deploy_check_is_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="directory.settings.prod",
        SECRET_KEY="prod-" + "k3y" * 20 + "-long-and-random-enough",
        ALLOWED_HOSTS="meridian.example",
        # Production needs a shared cache for its throttle counters (check accounts.W001); the check
        # does not connect to it.
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_security_headers_and_strict_csp(client, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives.get("style-src", [])
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=(self)" in response.headers["Permissions-Policy"]  # "Use my location", our pages only
    assert response.headers["X-Frame-Options"] == "DENY"


def template_files():
    return sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_handlers_styles_or_unnonced_scripts(path):
    text = path.read_text()
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"
    assert not re.search(r"\sstyle\s*=", text), "inline style attribute"
    assert "<style" not in text, "inline <style> block"
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag or "nonce=" in tag, f"inline script without nonce: {tag}"
    assert not re.search(r"(src|href)=\"(https?:)?//(?!\{\{)", text.replace("http://www.w3.org", "")), "external asset"


@pytest.mark.django_db
def test_uploads_are_served_as_images_never_as_html(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg <script>alert(1)</script>")
    (tmp_path / "photos" / "evil.html").write_text("<script>alert(1)</script>")
    (tmp_path / "photos" / "evil.svg").write_text("<svg onload='alert(1)'/>")
    response = client.get("/media/photos/a.jpg")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    for bad in (
        "/media/photos/evil.html",
        "/media/photos/evil.svg",
        "/media/../manage.py",
        "/media/photos/missing.jpg",
        "/media/%00.jpg",  # NUL byte: Python refuses the path (was a 500)
        "/media/photos/a.jpg%00.html",
        "/media/" + "a" * 5000 + ".jpg",  # name too long for the file system (was a 500)
    ):
        assert client.get(bad).status_code == 404, bad
    assert client.post("/media/photos/a.jpg").status_code == 405


OUTAGE_SCRIPT = """
import os, pathlib, sys
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(raise_request_exception=False)
response = client.get("/practitioners/")
print("DOWN", response.status_code, "temporarily unavailable" in response.text, "Traceback" in response.text)
pathlib.Path(sys.argv[1]).parent.mkdir()
call_command("migrate", verbosity=0)
print("UP", client.get("/practitioners/").status_code)
"""


def test_missing_database_gives_maintenance_page_then_recovers_in_the_same_process(tmp_path):
    """A SQLite file that cannot be opened, then created: same process, no restart."""
    db_file = tmp_path / "not-yet" / "meridian.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "directory.settings.test", "DATABASE_URL": f"sqlite:///{db_file}"}
    result = subprocess.run(
        [sys.executable, "-c", OUTAGE_SCRIPT, str(db_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "DOWN 500 True False" in result.stdout, result.stdout + result.stderr[-2000:]
    assert "UP 200" in result.stdout, result.stdout + result.stderr[-2000:]


@pytest.mark.django_db(transaction=True)
def test_unreachable_postgresql_gives_maintenance_page_and_recovers_without_restart():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL outage is simulated by pointing the live connection at a closed port")
    client = Client(raise_request_exception=False)
    assert client.get("/practitioners/").status_code == 200
    settings_dict = connection.settings_dict
    saved_port = settings_dict["PORT"]
    connection.close()
    try:
        settings_dict["PORT"] = "1"  # nothing listens there: connection refused
        response = client.get("/practitioners/")
        assert response.status_code == 500
        assert "temporarily unavailable" in response.text
        assert "Traceback" not in response.text
    finally:
        connection.close()
        settings_dict["PORT"] = saved_port
    assert client.get("/practitioners/").status_code == 200
