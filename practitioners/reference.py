"""Reference data (state boards, conditions, techniques, …) kept as JSON in fixtures/reference.

Loaded by a data migration and by `manage.py load_reference`; idempotent
(update_or_create on the natural key), so editing a JSON file and re-running
updates the rows without touching listings that point at them.
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


def load_reference_data(get_model: Callable[[str, str], type]) -> dict[str, int]:
    """Create or update every reference row; return how many rows each file holds."""
    counts: dict[str, int] = {}
    for filename, model_name, key in REFERENCE_FILES:
        model = get_model("practitioners", model_name)
        rows = json.loads((REFERENCE_DIR / filename).read_text(encoding="utf-8"))
        for row in rows:
            defaults = {field: value for field, value in row.items() if field != key}
            model.objects.update_or_create(**{key: row[key]}, defaults=defaults)
        counts[model_name] = len(rows)
    return counts
