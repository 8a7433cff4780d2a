"""GIN index for full-text search (PostgreSQL only; a no-op on SQLite).

The indexed expression is `practitioners.expressions.SEARCH_VECTOR_SQL` over
`search_document`, copied here so this migration keeps meaning what it meant when
written. Queries use the same SQL through `SearchDocumentVector`; PostgreSQL uses
the index only when the two match.
"""

from django.db import migrations

VECTOR_SQL = (
    "(setweight(to_tsvector('english'::regconfig, split_part(search_document, E'\\n', 1)), 'A') || "
    "setweight(to_tsvector('english'::regconfig, split_part(search_document, E'\\n', 2) || ' ' || "
    "split_part(search_document, E'\\n', 3)), 'B') || "
    "setweight(to_tsvector('english'::regconfig, regexp_replace(search_document, '^([^\\n]*\\n){3}', '')), 'C'))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS prac_search_document_gin ON practitioners_practitioner USING gin ({VECTOR_SQL})"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS prac_search_document_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("practitioners", "0003_change_history"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
