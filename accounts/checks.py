"""System checks for what sign-in protection needs from the deployment."""

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register()
def check_shared_cache(app_configs, **kwargs) -> list[CheckMessage]:
    """Sign-in limits (allauth) and the API throttle (DRF) count in the default cache. A
    per-process cache gives every gunicorn worker its own counters: N workers allow N times
    the limit, and a restart forgets them."""
    if not getattr(settings, "SHARED_CACHE_REQUIRED", False):
        return []
    if settings.CACHES["default"]["BACKEND"] not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            "The default cache is per process, so sign-in and API throttle counters are not shared between workers.",
            hint="Set REDIS_URL to a Redis server every app process can reach (docs/deployment.md).",
            id="accounts.W001",
        )
    ]
