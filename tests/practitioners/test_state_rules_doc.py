"""docs/verification.md's table of state rules is the fixture's, as scripts/state_rules_table.py writes it."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    spec = importlib.util.spec_from_file_location("state_rules_table", ROOT / "scripts" / "state_rules_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_doc_table_equals_the_table_generated_from_the_fixture():
    script = load_script()
    rows = json.loads(script.FIXTURE.read_text(encoding="utf-8"))
    generated = script.render_table(rows)
    assert script.current_table(script.DOC.read_text(encoding="utf-8")) == generated
    assert generated.count("\n") - 1 == len(rows) == 51


def test_a_changed_fixture_row_changes_the_table():
    script = load_script()
    rows = json.loads(script.FIXTURE.read_text(encoding="utf-8"))
    before = script.render_table(rows)
    next(row for row in rows if row["state"] == "OK")["regulation"] = "license"
    assert script.render_table(rows) != before
