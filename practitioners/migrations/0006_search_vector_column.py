"""Store the weighted full-text vector (a generated column) and index it with GIN.

Ranking needs the vector of every matching row; reading a stored column is far
cheaper than recomputing to_tsvector per row from `search_document`. The GIN index
moves from the expression (0004) to the column. PostgreSQL only: on SQLite the
column holds '' and the index steps do nothing.
"""

import importlib

from django.db import migrations, models

import practitioners.expressions


def use_column_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS prac_search_document_gin")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS prac_search_vector_gin ON practitioners_practitioner USING gin (search_vector)"
    )


def use_expression_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS prac_search_vector_gin")
    # 0004's forward step recreates the expression index when migrating back past it.
    importlib.import_module("practitioners.migrations.0004_search_text_index").create_index(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("practitioners", "0005_verification_queue_reminders_nppes"),
    ]

    operations = [
        migrations.AddField(
            model_name="practitioner",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=practitioners.expressions.SearchDocumentVector("search_document"),
                output_field=practitioners.expressions.SearchVectorStorage(),
            ),
        ),
        migrations.RunPython(use_column_index, use_expression_index, elidable=False),
    ]
