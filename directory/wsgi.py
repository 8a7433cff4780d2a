import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings.prod")

application = get_wsgi_application()


def _settle_worker() -> None:
    """Load the offline ZIP table and the city index (`practitioners.places`: ~0.4 s, ~12 MiB,
    bench/places.py) now instead of on a visitor's first location search or suggestion,
    then leave everything loaded so far out of the garbage collector's full collections.

    Those ~300,000 long-lived objects (the tables, Django's URL patterns, templates and models)
    made every full collection pause the request that triggered it for about 250 ms, roughly
    one request in a hundred; frozen, a full collection takes 20–40 ms (docs/performance.md)."""
    from practitioners import geo, places

    geo.zip_rows()
    places.city_index()
    _load_search_memory()
    gc.freeze()


def _load_search_memory() -> None:
    """The worker's memory index of the search projection, its common words and its places (`search.memory`,
    PostgreSQL: about 5 s and 35 MiB at 100,000 listings), read now rather than by the first search. A database not
    reachable or not migrated yet (or a test session importing this module) only logs: the first
    search reads it then."""
    import logging

    from django.db import connections, router

    from practitioners.models import Practitioner
    from search import memory

    using = router.db_for_read(Practitioner)
    try:
        if memory.enabled(using):
            snapshot = memory.current_snapshot(using)
            snapshot.hold_lexemes()
            snapshot.hold_points()
    except Exception:  # a warm-up: whatever stops it, the first search loads instead
        logging.getLogger(__name__).warning("The search memory index was not loaded at start.", exc_info=True)
    finally:
        connections.close_all()


_settle_worker()
