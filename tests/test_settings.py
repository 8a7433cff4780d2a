"""Settings: production refuses to start without its secrets; every environment is safe by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "REDIS_URL", "TRUSTED_PROXY_COUNT"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "directory.settings.prod", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": "meridian.example"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "s3cr3t-" * 10}, "ALLOWED_HOSTS must be set"),
    ],
)
def test_prod_refuses_to_start_without_required_environment(env, message):
    result = run_check(env)
    assert result.returncode != 0
    assert message in result.stderr


STRONG_KEY = "s3cr3t-" * 10
SHARED_CACHE = {"REDIS_URL": "redis://127.0.0.1:6379/0"}


def test_prod_starts_with_required_environment():
    result = run_check({"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "meridian.example", **SHARED_CACHE})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "short-but-random-Zq8",  # under 50 characters
        "ab" * 30,  # long, but only 2 different characters
        "django-insecure-" + "k3y-from-startproject-" * 3,  # Django's development keys
    ],
)
def test_prod_refuses_a_weak_secret_key(key):
    result = run_check({"SECRET_KEY": key, "ALLOWED_HOSTS": "meridian.example", **SHARED_CACHE})
    assert result.returncode != 0
    assert "SECRET_KEY is too weak for production" in result.stderr


@pytest.mark.parametrize("hosts", ["*", "meridian.example,*"])
def test_prod_refuses_a_wildcard_allowed_hosts(hosts):
    result = run_check({"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": hosts, **SHARED_CACHE})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS=* accepts any Host header" in result.stderr


def test_prod_without_a_shared_cache_says_so_and_fails_the_deploy_check():
    env = {"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "meridian.example"}
    plain = run_check(env)
    assert plain.returncode == 0  # starts (one process is fine) ...
    assert "accounts.W001" in plain.stderr and "not shared" in plain.stderr  # ... but says it, loudly
    deploy = run_check(env, "--deploy", "--fail-level", "WARNING")
    assert deploy.returncode != 0 and "accounts.W001" in deploy.stderr


PRINT_API_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "from rest_framework.settings import api_settings; "
    "print([c.__name__ for c in api_settings.DEFAULT_RENDERER_CLASSES], "
    "[c.__name__ for c in api_settings.DEFAULT_AUTHENTICATION_CLASSES], api_settings.NUM_PROXIES, "
    "settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
)


def test_prod_api_is_json_only_and_trusts_the_configured_proxies_only():
    env = {k: v for k, v in os.environ.items() if k not in {"TRUSTED_PROXY_COUNT", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="directory.settings.prod", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="m.example")
    run = lambda extra: subprocess.run(  # noqa: E731
        [sys.executable, "-c", PRINT_API_SETTINGS], cwd=ROOT, env={**env, **extra}, capture_output=True, text=True
    )
    default = run({})
    assert default.stdout.strip() == "['JSONRenderer'] ['SessionAuthentication'] 0 0", default.stderr
    behind_proxy = run({"TRUSTED_PROXY_COUNT": "1"})
    assert behind_proxy.stdout.strip().endswith("1 1"), behind_proxy.stderr


def test_use_tz_and_storages(settings):
    assert settings.USE_TZ is True
    assert "default" in settings.STORAGES and "staticfiles" in settings.STORAGES
    assert settings.DEBUG is False


def test_env_example_lists_every_variable_read_by_settings():
    names = set()
    for path in (ROOT / "directory" / "settings").glob("*.py"):
        text = path.read_text()
        import re

        names |= set(re.findall(r'os\.environ(?:\.get)?\(\s*"([A-Z_]+)"', text))
        names |= set(re.findall(r'env_(?:bool|list)\(\s*"([A-Z_]+)"', text))
        names |= set(re.findall(r'os\.environ\["([A-Z_]+)"\]', text))
    example = (ROOT / ".env.example").read_text()
    missing = sorted(name for name in names if f"{name}=" not in example)
    assert not missing, f".env.example does not list: {missing}"
    assert "DATABASE_URL=" in example
