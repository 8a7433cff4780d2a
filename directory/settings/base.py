"""Settings shared by every environment.

Everything that differs between machines is read from the environment; see
`.env.example` for the full list. Only `dev.py` loosens anything.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",  # its widget templates, for forms rendered with the project's engine (reviews.forms)
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "simple_history",
    "django_tasks_db",
    "jobs",
    "accounts",
    "practitioners",
    "verification",
    "search",
    "reviews",
    "landing",
    "dashboard",
    "contact",
    "demo",
    "fhir",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before anything reads the body (CSRF, sessions, forms): oversized requests get a 413.
    "directory.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files come precompressed and never reach it): pages and JSON gzipped,
    # except for visitors with a session (BREACH; docs/deployment.md, "Compression").
    "directory.middleware.AnonymousGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "directory.middleware.PermissionsPolicyMiddleware",
]
# Benchmarks only (bench/): a Server-Timing header with each request's time in Django and in SQL.
# Outermost, so it times every other middleware too. Off unless SERVER_TIMING=true.
if env_bool("SERVER_TIMING"):
    MIDDLEWARE.insert(0, "directory.middleware.ServerTimingMiddleware")

ROOT_URLCONF = "directory.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "directory.wsgi.application"

# SQLite file in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Optional read replicas (comma-separated URLs): reads outside transactions go there.
for _index, _url in enumerate(env_list("DATABASE_REPLICA_URLS")):
    DATABASES[f"replica{_index + 1}"] = dj_database_url.parse(
        _url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True
    )
    DATABASES[f"replica{_index + 1}"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["directory.routers.PrimaryReplicaRouter"]
# PostgreSQL's JIT compiler pays off for long analytical queries; for a page's short ones it only
# adds compile time (50–300 ms per query once a plan's estimated cost passes jit_above_cost, which
# search and facet queries over ~100,000 listings do). random_page_cost: the planner's default (4)
# assumes spinning disks; with the data in memory or on SSD it chose to read and decompress every
# listing's text vector rather than use the GIN index for words that match a third of the directory
# (PostgreSQL's own advice for SSDs is 1.1). See docs/performance.md.
PG_SESSION_OPTIONS = os.environ.get("PG_SESSION_OPTIONS", "-c jit=off -c random_page_cost=1.1")
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {}).setdefault("options", PG_SESSION_OPTIONS)
    # SQLite has one writer at a time. A transaction that starts reading and then writes cannot
    # wait for the lock ("database is locked" at once); BEGIN IMMEDIATE takes the write lock at the
    # start, so concurrent writers queue for up to `timeout` seconds instead of failing.
    if _database["ENGINE"] == "django.db.backends.sqlite3":
        _database.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        # The public display name too: a password that resembles it is guessable from any review.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "display_name", "first_name", "last_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Request bodies: the largest legitimate one is a 5 MB photo (dashboard/images.py) with its form.
# RequestBodyLimitMiddleware refuses anything declared larger with a 413 before reading it; the
# proxy's client_max_body_size should match (docs/deployment.md). Non-file fields of a form may
# total at most 1 MB (the longest form, a listing, is a few tens of KB); an upload above 1 MB is
# spooled to a temporary file rather than held in memory while the request is parsed.
REQUEST_BODY_MAX_BYTES = 6 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "directory.storage.MinifiedCompressedManifestStaticFilesStorage"},
}

# A shared cache when Redis is configured; a per-process cache otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Seconds a search's facet counts, result count and page order stay in that cache (0: not cached).
# Ordering or counting a broad search reads every matching listing; see practitioners/selectors.py.
SEARCH_CACHE_SECONDS = int(os.environ.get("SEARCH_CACHE_SECONDS", "60"))
# On PostgreSQL each worker holds the search projection in memory (search.memory) and counts, facets
# and orders searches there; "false" reads it in SQL instead (search.projection), as SQLite always does.
SEARCH_MEMORY_INDEX = os.environ.get("SEARCH_MEMORY_INDEX", "true").lower() in ("1", "true", "yes", "on")
# The FHIR API's own extensions, code systems and search parameters are named under this base
# (canonical URLs are names; they need not resolve). See docs/api.md.
FHIR_CANONICAL_BASE = os.environ.get("FHIR_CANONICAL_BASE", "https://meridian.example/fhir")

# Claim proof: who sends a claimant the one-time code (dashboard/senders.py). The phone on record
# is offered only when an SMS sender is configured.
CLAIM_CODE_SENDERS = {"email": "dashboard.senders.EmailCodeSender"}
if os.environ.get("CLAIM_CODE_SMS_SENDER"):
    CLAIM_CODE_SENDERS["sms"] = os.environ["CLAIM_CODE_SMS_SENDER"]

# Django 6.1 mailers (EMAIL_BACKEND is deprecated).
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("MAILER_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("SMTP_HOST", "localhost"),
            "port": int(os.environ.get("SMTP_PORT", "25")),
            "username": os.environ.get("SMTP_USER", ""),
            "password": os.environ.get("SMTP_PASSWORD", ""),
            "use_tls": env_bool("SMTP_USE_TLS"),
        },
    }
}
# Django's tasks framework (django.tasks): work that leaves the request (mail, daily jobs, imports)
# is queued in our own database (django-tasks-db) and run by `manage.py db_worker` processes;
# several workers, on several machines, share the queue (each claims a task with SELECT …
# FOR UPDATE SKIP LOCKED). See README.md ("Background work") and docs/deployment.md.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Seconds before each retry of an email the mail server refused or could not take (SMTP errors,
# connection errors); after the last one the email is a dead letter (admin: Background work).
EMAIL_RETRY_DELAYS = [int(seconds) for seconds in env_list("EMAIL_RETRY_DELAYS", "60,300,1800,7200")]
# The jobs `manage.py run_scheduler` enqueues once a day.
DAILY_TASKS = [
    "verification.tasks.expire_credentials",
    "dashboard.tasks.send_freshness_reminders",
    "contact.tasks.delete_expired_requests",
    "practitioners.tasks.repair_search_rows",
]
# Imports staff start from the admin (jobs.ImportRun): the task that runs each kind.
IMPORT_TASKS = {"nppes": "practitioners.tasks.import_nppes", "roster": "verification.tasks.import_roster"}
# The largest file the admin accepts for an import (RequestBodyLimitMiddleware lets that page's
# request be this much larger than REQUEST_BODY_MAX_BYTES). The monthly NPPES file (about 10 GB)
# is imported from the command line on a worker machine instead (docs/deployment.md).
IMPORT_UPLOAD_MAX_BYTES = int(os.environ.get("IMPORT_UPLOAD_MAX_BYTES", str(100 * 1024 * 1024)))

# Contact requests (docs/contact.md). Requests and their messages are deleted this many days after
# they end (confirmed, declined or closed); at least CONTACT_STATS_DAYS, so the response figures
# always see every request of their window.
CONTACT_RETENTION_DAYS = int(os.environ.get("CONTACT_RETENTION_DAYS", "180"))
CONTACT_STATS_DAYS = 90
# The site's address, for links in emails sent by workers (which have no request to build one from).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
CONTACT_STATS_MIN_REQUESTS = 5
CONTACT_REQUESTS_PER_PATIENT_PER_DAY = int(os.environ.get("CONTACT_REQUESTS_PER_PATIENT_PER_DAY", "3"))
CONTACT_REQUESTS_PER_LISTING_PER_HOUR = int(os.environ.get("CONTACT_REQUESTS_PER_LISTING_PER_HOUR", "10"))

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Meridian <no-reply@meridian.example>")

# Security headers; prod.py adds the HTTPS-only ones.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# How many reverse proxies in front of Django append to X-Forwarded-For. 0 (the default): the
# header is ignored and the socket address is the client, for the API throttle (DRF's NUM_PROXIES)
# and sign-in limits (allauth) alike; otherwise the address that many entries from the right.
# Set it only to the number of proxies that always append, or the header can be forged.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Django REST framework: read-only JSON API, anonymous throttling. No browsable (HTML) API and no
# password authentication (HTTP Basic would be an unthrottled password check): dev.py turns the
# browsable API on for development.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "120/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Meridian API",
    "DESCRIPTION": "Search licensed acupuncturists for neck and back pain.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page's Swagger UI is served from our static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# django-allauth: email is the login; the address must be verified.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Confirming the address in the browser (session) that signed up signs the person in and sends them on to
# where they were going (e.g. the review form they signed up from); a link opened anywhere else does not.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_FORMS = {"signup": "accounts.forms.MeridianSignupForm"}
ACCOUNT_USER_DISPLAY = "accounts.adapter.user_display"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Throttle sign-in: 10 failed attempts a minute per IP, 5 per 5 minutes per account; the rest allauth's defaults.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}

# Change history (django-simple-history): staff read it; nobody reverts a listing from the admin,
# because a revert would bypass the services (freshness dates, verification rules).
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
