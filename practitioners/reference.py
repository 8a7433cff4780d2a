"""Reference data (state boards, conditions, techniques, …) kept as JSON in fixtures/reference.

Loaded by a data migration and by `manage.py load_reference`; idempotent
(update_or_create on the natural key), so editing a JSON file and re-running
updates the rows without touching listings that point at them.

A data migration loads the files with the models as they were at that migration
(`as_of_migration=True`): keys for columns that do not exist yet are left out (and
a null for a column that was not yet nullable takes the column's default); the
later migration that adds those columns re-applies the file
(`practitioners/migrations/0007_stateboard_rules_and_sources.py`). `load_reference`
uses the current models and refuses unknown keys.
"""

import json
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"

# (file, model name, natural key field)
REFERENCE_FILES: list[tuple[str, str, str]] = [
    ("state_boards.json", "StateBoard", "state"),
    ("conditions.json", "Condition", "slug"),
    ("techniques.json", "Technique", "slug"),
    ("services.json", "ComplementaryService", "slug"),
    ("insurance_carriers.json", "InsuranceCarrier", "slug"),
    ("languages.json", "Language", "code"),
    ("schools.json", "School", "slug"),
]


def reference_rows(filename: str) -> list[dict]:
    return json.loads((REFERENCE_DIR / filename).read_text(encoding="utf-8"))


def load_reference_data(
    get_model: Callable[[str, str], type], *, only: set[str] | None = None, as_of_migration: bool = False
) -> dict[str, int]:
    """Create or update every reference row (or those of the `only` model names); return how many
    rows each file holds."""
    counts: dict[str, int] = {}
    for filename, model_name, key in REFERENCE_FILES:
        if only is not None and model_name not in only:
            continue
        model = get_model("practitioners", model_name)
        rows = reference_rows(filename)
        for row in rows:
            values = _values_for(model, row) if as_of_migration else row
            defaults = {field: value for field, value in values.items() if field != key}
            model.objects.update_or_create(**{key: row[key]}, defaults=defaults)
        counts[model_name] = len(rows)
    return counts


def _values_for(model: type, row: dict) -> dict:
    fields = {field.name: field for field in model._meta.concrete_fields}
    return {
        name: value for name, value in row.items() if name in fields and not (value is None and not fields[name].null)
    }
