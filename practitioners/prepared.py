"""Server-side prepared statements for the few read queries that PostgreSQL takes longer to plan than
to run: a search page's result cards and a profile's listing, whose trust facts and license sentence
are nested EXISTS subqueries (about 3 ms of planning each, for 20 rows read by primary key).

The query is built by the ORM as usual, with `marker(1)`, `marker(2)`, … in place of the values that
change between requests (the ids, the slug). Its SQL, every other value written in as a literal, is
prepared once per database connection (`PREPARE`, named by a digest of the SQL, so a new day's trust
facts are a new statement) and run with `EXECUTE name(values)` through `Model.objects.raw`, which
builds the same model instances, annotations included. PostgreSQL plans the first executions for their
values and then keeps a generic plan when it is no worse (`plan_cache_mode`).

Only on PostgreSQL (None elsewhere: run the queryset). A connection that Django closes and opens
again prepares again. PgBouncer in transaction mode would lose the statements between transactions:
the deployment does not use it (docs/deployment.md).
"""

import hashlib
import weakref

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import RawQuerySet

_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # DB-API connection → names prepared on it
_generation = 0  # part of every name: `forget` starts new names instead of deallocating the old


def forget() -> None:
    """Prepare every statement again, under new names, on its next use (tests: each counts its queries
    from a connection that has prepared nothing)."""
    global _generation
    _generation += 1
    _prepared.clear()


def marker(number: int) -> str:
    """A stand-in for the `number`th value of a prepared query (a string no request sends)."""
    return f"meridian-prepared-value-{number}-a8e1"


def prepared(queryset: QuerySet, values: list) -> RawQuerySet | None:
    """`queryset`, built with `marker(1)`, `marker(2)`, … where `values` go, as a prepared statement run
    with them (prefetches are not carried over: add them to the result). None when the database is not
    PostgreSQL or the markers are not each found once in the SQL."""
    using = queryset.db
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.query.sql_with_params()
    connection.ensure_connection()
    text = connection.ops.compose_sql(sql, params)
    for number in range(1, len(values) + 1):
        literal = f"'{marker(number)}'"
        if text.count(literal) != 1:
            return None
        text = text.replace(literal, f"${number}")
    name = f"meridian_{_generation}_" + hashlib.sha256(text.encode()).hexdigest()[:24]
    names = _prepared.setdefault(connection.connection, set())
    if name not in names:
        with connection.cursor() as cursor:
            cursor.execute(f"PREPARE {name} AS {text}")  # no parameters: the text is sent as it is
        names.add(name)
    placeholders = ", ".join(["%s"] * len(values))
    return queryset.model.objects.raw(f"EXECUTE {name}({placeholders})", values).using(using)
