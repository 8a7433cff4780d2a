"""Sign-up response time for a new address and for one that already has an account.

    .venv/bin/python -m bench.signup_timing [--rounds 15]

Runs Django in this process on a throwaway SQLite file (test settings, with Django's default
password hasher instead of the tests' fast one) and posts the sign-up form through the test
client, alternating new and taken addresses; prints the median and spread of each in ms.
The two should match: a difference tells an attacker which addresses have accounts.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    workdir = tempfile.mkdtemp(prefix="signup-timing-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="directory.settings.test",
        DATABASE_URL=f"sqlite:///{workdir}/signup.sqlite3",
        MEDIA_ROOT=f"{workdir}/media",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from accounts.models import User

    setup_test_environment()
    call_command("migrate", verbosity=0)
    password = "plum orchard sunrise 42"  # noqa: S105 (a throwaway account in a throwaway database)
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        User.objects.create_user(email="taken@example.com", password=password)
        timings: dict[str, list[float]] = {"new address": [], "taken address": []}
        for n in range(rounds + 1):
            for kind, email in (("new address", f"new{n}@example.com"), ("taken address", "taken@example.com")):
                client = Client()
                data = {"email": email, "display_name": "Sam K.", "password1": password, "password2": password}
                started = time.perf_counter()
                # A fresh address per request: the sign-up limit (20 a minute per IP) must not answer instead.
                response = client.post(reverse("account_signup"), data, REMOTE_ADDR=f"10.0.{n // 250}.{n % 250}")
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 302, (kind, response.status_code)
                if n:  # the first round warms up imports and caches
                    timings[kind].append(elapsed)
    for kind, values in timings.items():
        print(
            f"{kind:14} median {statistics.median(values):6.1f} ms  "
            f"min {min(values):6.1f}  max {max(values):6.1f}  (n={len(values)})"
        )


if __name__ == "__main__":
    main()
