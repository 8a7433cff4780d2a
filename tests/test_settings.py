"""Settings: production refuses to start without its secrets; every environment is safe by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "directory.settings.prod", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": "meridian.example"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS must be set"),
    ],
)
def test_prod_refuses_to_start_without_required_environment(env, message):
    result = run_check(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_prod_starts_with_required_environment():
    result = run_check({"SECRET_KEY": "s3cr3t-" * 10, "ALLOWED_HOSTS": "meridian.example"})
    assert result.returncode == 0, result.stderr


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
