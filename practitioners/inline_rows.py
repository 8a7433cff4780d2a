"""A parent's short child lists read in the parent's own query.

`inline_rows(Practitioner, "conditions", ["slug", "name"])` is a correlated subquery that returns
the listing's conditions as JSON objects joined by commas (PostgreSQL `string_agg`, SQLite
`group_concat`); `attach_inline_rows` turns that text into model instances and stores them where
`prefetch_related` would, so `practitioner.conditions.all()` reads them without a query. A profile
that shows one listing and a dozen short lists pays one query for them instead of one per list.

Fields not read are deferred (reading one loads it, as with `.only()`). The rows come in the child
model's `Meta.ordering` (then pk): ordered in SQL where the database orders inside an aggregate,
else (SQLite before 3.44, whose binary collation is Python's) sorted here the same way.
"""

import decimal
import json
from collections.abc import Sequence

from django.db import connections
from django.db.models import F, Model, OuterRef, Subquery, TextField, Value
from django.db.models.aggregates import StringAgg
from django.db.models.functions import Cast, JSONObject

from .expressions import compiled_annotations

PREFIX = "_inline_"


class _OrderedStringAgg(StringAgg):
    """STRING_AGG(… ORDER BY …), without the ORDER BY where the database has none in aggregates."""

    def as_sqlite(self, compiler, connection, **extra_context):
        if self.order_by is not None and not connection.features.supports_aggregate_order_by_clause:
            clone = self.copy()
            clone.order_by = None
            return clone.as_sqlite(compiler, connection, **extra_context)
        return super().as_sqlite(compiler, connection, **extra_context)


def _relation(model: type[Model], name: str):
    """(the child model, the child's lookup back to the parent) for a many-to-many field or a reverse foreign key."""
    field = model._meta.get_field(name)
    if field.many_to_many and not field.auto_created:
        return field.related_model, field.related_query_name()
    if field.one_to_many:
        return field.related_model, field.field.name
    raise ValueError(f"{model.__name__}.{name} is neither a many-to-many field nor a reverse foreign key.")


def _ordering(child: type[Model]) -> list[str]:
    return [*child._meta.ordering, "pk"]


def inline_rows(model: type[Model], name: str, fields: Sequence[str]) -> Subquery:
    """The parent row's `name` children (their pk and `fields`) as comma-joined JSON objects, or NULL."""
    child, back = _relation(model, name)
    # The ordering's fields too, so sorting in Python never loads a deferred field.
    wanted = [*fields, *(key.lstrip("-") for key in child._meta.ordering)]
    columns = {child._meta.get_field(field).attname: F(child._meta.get_field(field).attname) for field in wanted}
    columns["pk"] = F("pk")
    rows = (
        child._default_manager.filter(**{back: OuterRef("pk")})
        .order_by()
        .values(back)
        .annotate(
            rows=_OrderedStringAgg(Cast(JSONObject(**columns), TextField()), Value(","), order_by=_ordering(child))
        )
        .values("rows")
    )
    return Subquery(rows, output_field=TextField())


def with_inline_rows(queryset, relations: dict[str, Sequence[str]]):
    """`queryset` (a top-level query) annotated with `inline_rows` for each relation (name → fields),
    compiled once (expressions.compiled_annotations)."""
    model = queryset.model
    key = ("inline rows", tuple((name, tuple(fields)) for name, fields in relations.items()))
    return queryset.annotate(
        **compiled_annotations(
            model, key, lambda: {PREFIX + name: inline_rows(model, name, fields) for name, fields in relations.items()}
        )
    )


def _sort(objects: list[Model], child: type[Model]) -> None:
    for key in reversed(_ordering(child)):
        attribute = key.lstrip("-")
        objects.sort(key=lambda obj, attribute=attribute: getattr(obj, attribute), reverse=key.startswith("-"))


def attach_inline_rows(instance: Model, relations: Sequence[str]) -> None:
    """Store the annotated children of `instance` as its prefetched `relations` (see with_inline_rows)."""
    db = instance._state.db
    ordered_in_sql = connections[db].features.supports_aggregate_order_by_clause
    for name in relations:
        child, _back = _relation(type(instance), name)
        text = getattr(instance, PREFIX + name)
        items = json.loads(f"[{text}]", parse_float=decimal.Decimal) if text else []
        objects = []
        for item in items:
            item[child._meta.pk.attname] = item.pop("pk")
            loaded = [field for field in child._meta.concrete_fields if field.attname in item]
            values = [field.to_python(item[field.attname]) for field in loaded]
            objects.append(child.from_db(db, [field.attname for field in loaded], values))
        if not ordered_in_sql:
            _sort(objects, child)
        queryset = getattr(instance, name).get_queryset()
        queryset._result_cache = objects
        queryset._prefetch_done = True
        instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset
