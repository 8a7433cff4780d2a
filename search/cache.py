"""The search cache: values kept for SEARCH_CACHE_SECONDS under a generation of keys.

A leaf: it imports nothing of ours, so every write service (listings, credentials,
reviews) can call `invalidate_search_cache` without depending on the search code.
Callers that cache a value per search pass the search's identity as plain data.
"""

import hashlib
import json
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

_GENERATION_KEY = "search:generation"
_lookups = threading.local()


def search_cache_lookups() -> tuple[int, int]:
    """(hits, misses) of `cached_search_value` in this thread so far: the benchmark's Server-Timing
    header reports a request's difference (directory.middleware.ServerTimingMiddleware)."""
    return getattr(_lookups, "hits", 0), getattr(_lookups, "misses", 0)


def invalidate_search_cache() -> None:
    """Make every cached search value stale at once (a new generation of keys).

    Call it after a write that changes what searches find or count, on commit:
    `transaction.on_commit(invalidate_search_cache)`."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value starts a new generation
        cache.set(_GENERATION_KEY, 1, timeout=None)


def cached_search_value(
    name: str,
    compute: Callable[[], Any],
    *,
    identity: dict | None = None,
    still_valid: Callable[[Any], bool] | None = None,
):
    """`compute()`, kept in the cache for SEARCH_CACHE_SECONDS (0: not cached) under a key made of
    `name`, `identity` (what a search's results depend on, when given) and the cache generation.
    `still_valid(value)`, when given, is asked of a cached value; if false it is computed again."""
    seconds = getattr(settings, "SEARCH_CACHE_SECONDS", 0)
    if seconds <= 0:
        return compute()
    generation = cache.get(_GENERATION_KEY, 0)
    parts: list = [name]
    if identity is not None:
        parts.append(identity)
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:40]
    key = f"search:{generation}:{name}:{digest}"
    value = cache.get(key)
    if value is not None and still_valid is not None and not still_valid(value):
        value = None
    if value is None:
        _lookups.misses = getattr(_lookups, "misses", 0) + 1
        value = compute()
        cache.set(key, value, timeout=seconds)
    else:
        _lookups.hits = getattr(_lookups, "hits", 0) + 1
    return value
