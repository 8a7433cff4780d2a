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
    gc.freeze()


_settle_worker()
