"""SQL expressions the search is built from: great-circle distance and the weighted text vector.

Both are plain Django expressions, so the database does the work on every page of
results instead of Python, and both run on PostgreSQL; the distance also runs on
SQLite (Django registers the math functions there). `compiled_annotations` keeps the SQL of
annotations that are costly to compile (the trust facts, the license sentence) for reuse.
"""

import json
import math
from collections.abc import Callable

from django.contrib.postgres.search import SearchVectorField
from django.db import NotSupportedError, models, router
from django.db.models import F, FloatField, Func, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt

from .geo import EARTH_RADIUS_MILES

# PostgreSQL's text search configuration (stemming and stop words) for listings.
SEARCH_CONFIG = "english"


def great_circle_miles(latitude: float, longitude: float, *, lat_field: str = "latitude", lng_field: str = "longitude"):
    """Haversine distance in miles from a fixed point to the row's (lat_field, lng_field).

    The same formula as `geo.haversine_miles`; the fixed point's trigonometry is done
    once in Python. `Least(…, 1)` guards ASIN against rounding just above 1.
    """
    lat1 = math.radians(latitude)
    lng1 = math.radians(longitude)
    lat2 = Radians(F(lat_field), output_field=FloatField())
    lng2 = Radians(F(lng_field), output_field=FloatField())
    half_dlat = Sin((lat2 - Value(lat1)) / Value(2.0))
    half_dlng = Sin((lng2 - Value(lng1)) / Value(2.0))
    a = Power(half_dlat, 2) + Value(math.cos(lat1)) * Cos(lat2) * Power(half_dlng, 2)
    return Value(2 * EARTH_RADIUS_MILES) * ASin(Least(Sqrt(a), Value(1.0)), output_field=FloatField())


# The weighted tsvector over `Practitioner.search_document` (see practitioners.documents):
# line 1 name (A), lines 2–4 practice names, conditions, techniques and complementary services (B),
# the rest, the bio (C). Migration 0008 re-created the column when techniques and services joined.
# `Practitioner.search_vector` is a stored generated column computed with this SQL, and
# migration 0006 indexes that column with GIN (tests/search/test_search_text.py
# checks that the search's plan uses the index).
SEARCH_VECTOR_SQL = (
    "(setweight(to_tsvector('english'::regconfig, split_part({doc}, E'\\n', 1)), 'A') || "
    "setweight(to_tsvector('english'::regconfig, split_part({doc}, E'\\n', 2) || ' ' || "
    "split_part({doc}, E'\\n', 3) || ' ' || split_part({doc}, E'\\n', 4)), 'B') || "
    "setweight(to_tsvector('english'::regconfig, regexp_replace({doc}, '^([^\\n]*\\n){{4}}', '')), 'C'))"
)


class SearchVectorStorage(SearchVectorField):
    """A tsvector column on PostgreSQL; plain (always empty) text elsewhere."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


class SearchDocumentVector(Func):
    """The weighted vector of a listing's search document (PostgreSQL; '' on other databases).

    `Practitioner.search_vector` stores it (a generated column, GIN-indexed by migration
    0006), so searches and ranking read it instead of recomputing it for every row."""

    template = SEARCH_VECTOR_SQL.format(doc="%(expressions)s")
    output_field = SearchVectorStorage()

    def __init__(self, expression: str = "search_document", **extra):
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            return "''", []
        return super().as_sql(compiler, connection, **extra_context)


class IdListField(models.Field):
    """A sorted list of integer ids: an `integer[]` on PostgreSQL (GIN-indexed by migration), a
    JSON array in text on SQLite. `field__has=3` keeps rows whose list holds 3 (PostgreSQL:
    `@>`, which the GIN index serves; SQLite: json_each). The search projection's vocabularies."""

    description = "A list of integer ids"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, path, args, kwargs

    def db_type(self, connection):
        return "integer[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return []
        return json.loads(value) if isinstance(value, str) else list(value)

    def to_python(self, value):
        if isinstance(value, str):
            value = json.loads(value)
        return sorted({int(item) for item in value or ()})

    def get_db_prep_value(self, value, connection, prepared=False):
        ids = self.to_python(value)
        return ids if connection.vendor == "postgresql" else json.dumps(ids)


@IdListField.register_lookup
class HasId(models.Lookup):
    """`ids__has=3`: the list holds 3."""

    lookup_name = "has"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        item = int(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} @> ARRAY[%s]::integer[]", [*lhs_params, item]
        # lhs is the compiled column reference; the id is a parameter.
        return f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)", [*lhs_params, item]  # noqa: S608


# ---------------------------------------------------------------- annotations compiled once

_COMPILED: dict[tuple, dict[str, tuple[str, tuple, models.Field]]] = {}


class CompiledAnnotation(RawSQL):
    """An annotation of a model's top-level query, compiled to SQL once (see `compiled_annotations`).

    Its SQL names the model's table, so it cannot serve a query that renames that table (the model's
    rows inside another query's subquery): there it raises when compiled instead of silently reading
    the outer rows. (A subquery that only carries it, `.values("pk")` of an annotated queryset, is fine.)"""

    renamed = False

    def __init__(self, sql: str, params: tuple, output_field: models.Field, table: str):
        super().__init__(sql, params, output_field)
        self.table = table

    def relabeled_clone(self, change_map):
        if self.table not in change_map:
            return self
        clone = self.copy()
        clone.renamed = True
        return clone

    def as_sql(self, compiler, connection):
        if self.renamed:
            raise NotSupportedError(
                f"An annotation compiled for a top-level {self.table} query cannot be read inside a subquery; "
                "annotate the subquery with the plain expressions instead."
            )
        return super().as_sql(compiler, connection)


def compiled_annotations(model: type[models.Model], key: tuple, build: Callable[[], dict]) -> dict[str, RawSQL]:
    """The annotations `build()` returns for `model`'s queries, compiled once per `key` and database.

    Resolving and compiling nested subqueries costs milliseconds of Python for every query that
    annotates them, more than running them for one page of rows. The compiled SQL is the same
    text the ORM would write (the same expressions, so each rule is still defined once), with the
    same output fields, so values are converted as before. `key` names everything the expressions
    depend on (e.g. the day).
    """
    alias = router.db_for_read(model)
    cache_key = (model._meta.label, key, alias)
    compiled = _COMPILED.get(cache_key)
    if compiled is None:
        query = model._base_manager.annotate(**build()).query
        compiler = query.get_compiler(using=alias)
        compiled = {}
        for name, expression in query.annotations.items():
            sql, params = compiler.compile(expression)
            compiled[name] = (sql, tuple(params), expression.output_field)
        if len(_COMPILED) > 64:  # keys with a day in them: yesterday's are not asked again
            _COMPILED.clear()
        _COMPILED[cache_key] = compiled
    table = model._meta.db_table
    return {name: CompiledAnnotation(sql, params, field, table) for name, (sql, params, field) in compiled.items()}
