"""Techniques and complementary services join the free-text search (issue 13).

The search document gains a line (techniques and services, weight B, between conditions and
the bio), so every stored document is rebuilt and the generated vector column re-created with the
new expression (PostgreSQL cannot alter a generated column's expression), then re-indexed (GIN).
"""

from django.db import migrations, models

import practitioners.expressions
from practitioners.documents import build_search_document

BATCH = 2000


def rebuild_documents(apps, schema_editor):
    Practitioner = apps.get_model("practitioners", "Practitioner")
    PracticeLocation = apps.get_model("practitioners", "PracticeLocation")
    ids = list(Practitioner.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        names: dict[str, dict[int, list[str]]] = {"locations": {}, "conditions": {}, "techniques": {}, "services": {}}
        for pid, name in PracticeLocation.objects.filter(practitioner_id__in=chunk).values_list("practitioner_id", "name"):
            names["locations"].setdefault(pid, []).append(name)
        for relation in ("conditions", "techniques", "services"):
            through = getattr(Practitioner, relation).through
            column = {"conditions": "condition", "techniques": "technique", "services": "complementaryservice"}[relation]
            rows = through.objects.filter(practitioner_id__in=chunk).values_list("practitioner_id", f"{column}__name")
            for pid, name in rows:
                names[relation].setdefault(pid, []).append(name)
        changed = []
        for practitioner in Practitioner.objects.filter(pk__in=chunk).only("pk", "name", "bio"):
            pid = practitioner.pk
            practitioner.search_document = build_search_document(
                name=practitioner.name,
                practice_names=names["locations"].get(pid, []),
                bio=practitioner.bio,
                conditions=names["conditions"].get(pid, []),
                techniques=names["techniques"].get(pid, []),
                services=names["services"].get(pid, []),
            )
            changed.append(practitioner)
        Practitioner.objects.bulk_update(changed, ["search_document"])


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS prac_search_vector_gin ON practitioners_practitioner USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS prac_search_vector_gin")


def vector_field():
    return models.GeneratedField(
        db_persist=True,
        expression=practitioners.expressions.SearchDocumentVector("search_document"),
        output_field=practitioners.expressions.SearchVectorStorage(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("practitioners", "0009_license_unique_only_when_verified"),
    ]

    operations = [
        migrations.RunPython(drop_index, create_index, elidable=False),
        migrations.RemoveField(model_name="practitioner", name="search_vector"),
        migrations.RunPython(rebuild_documents, migrations.RunPython.noop, elidable=False),
        migrations.AddField(model_name="practitioner", name="search_vector", field=vector_field()),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
