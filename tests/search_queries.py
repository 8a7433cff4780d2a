"""How many queries a first (uncached) search spends in its index, for the query-count tests."""

from django.conf import settings
from django.db import connection


def prepares() -> int:
    """On PostgreSQL a connection's first search page prepares the statement of its cards' rows
    (`practitioners.prepared`): one query, once per connection (tests start without any: conftest)."""
    return 1 if connection.vendor == "postgresql" else 0


def index_queries(params: dict, *, parts: int = 2) -> int:
    """On SQLite (the projection in SQL, `search.projection`): one per part asked for (facet counts,
    the count, a page's entries). On PostgreSQL (each worker's memory index, `search.memory`): the
    look for changes and, a test's transaction having written, the private load of the rows, then
    one for the place and one for the words, whatever the parts."""
    if connection.vendor == "postgresql" and settings.SEARCH_MEMORY_INDEX:
        return 2 + ("location" in params) + bool(params.get("q"))
    return parts
