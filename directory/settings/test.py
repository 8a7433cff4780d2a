"""Tests: fast hashing, in-memory email, plain static storage."""

import os

from .base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# A worker process started by a test (tests/jobs/test_worker_process.py) cannot share the in-memory
# outbox: it writes its mail to files in TEST_MAIL_DIR, or meets a closed port with TEST_SMTP_PORT.
if os.environ.get("TEST_MAIL_DIR"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": os.environ["TEST_MAIL_DIR"]},
        }
    }
elif os.environ.get("TEST_SMTP_PORT"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": int(os.environ["TEST_SMTP_PORT"]), "timeout": 5},
        }
    }
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "10000/minute"}}  # noqa: F405
# Tests change data and search again at once: no cached searches (tests that cover the cache turn it on).
SEARCH_CACHE_SECONDS = 0
# Serve static files through the finders: no collectstatic before tests, no warning about STATIC_ROOT.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Claim codes by text message land in dashboard.senders.sms_outbox.
CLAIM_CODE_SENDERS = {"email": "dashboard.senders.EmailCodeSender", "sms": "dashboard.senders.LocmemSmsSender"}
# Tasks run at once, in the test's process, when their transaction commits (on_commit), so a test
# sees the mail a request sends. Tests of the queue itself (tests/jobs/) switch to the database
# backend, and a real worker process started by a test gets TASKS_BACKEND from the environment.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")}}
