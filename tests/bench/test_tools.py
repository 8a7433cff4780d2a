"""A missing wrk or GNU time skips the benchmark tests on a developer's machine and fails them in CI."""

import sys
from pathlib import Path

import pytest

from .tools import require_tool, tool_available

MISSING = "no-such-benchmark-tool-14"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def developer_machine(monkeypatch):
    monkeypatch.delenv("MERIDIAN_REQUIRE_TOOLS", raising=False)
    monkeypatch.delenv("CI", raising=False)


def outcome(check) -> tuple[str, str]:
    """What `check()` would make of the test calling it: ("skip" | "fail" | "pass", message).
    (Caught here, so that a skip where a failure is expected fails this test instead of skipping it.)"""
    try:
        check()
    except pytest.skip.Exception as skipped:
        return "skip", str(skipped)
    except pytest.fail.Exception as failed:
        return "fail", str(failed)
    return "pass", ""


def test_a_missing_tool_skips_on_a_developer_machine(developer_machine, monkeypatch):
    kind, message = outcome(lambda: require_tool(MISSING, f"{MISSING}-pkg"))
    assert kind == "skip" and f"apt-get install -y {MISSING}-pkg" in message
    assert tool_available(MISSING, "pkg") is False
    monkeypatch.setenv("CI", "false")
    assert outcome(lambda: require_tool(MISSING, "pkg"))[0] == "skip"


@pytest.mark.parametrize(("name", "value"), [("MERIDIAN_REQUIRE_TOOLS", "1"), ("CI", "true")])
def test_a_missing_tool_fails_in_ci_naming_the_package(developer_machine, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    kind, message = outcome(lambda: require_tool(MISSING, f"{MISSING}-pkg"))
    assert kind == "fail" and f"apt-get install -y {MISSING}-pkg" in message
    assert outcome(lambda: tool_available(MISSING, "pkg"))[0] == "fail"


def test_an_installed_tool_passes_everywhere(monkeypatch):
    monkeypatch.setenv("MERIDIAN_REQUIRE_TOOLS", "1")
    assert outcome(lambda: require_tool(sys.executable, "python3")) == ("pass", "")
    assert tool_available(sys.executable, "python3") is True


def test_ci_requires_the_tools():
    text = (ROOT / ".ci" / "run").read_text()
    assert "export MERIDIAN_REQUIRE_TOOLS=1" in text
    assert text.index("scripts/ensure-test-tools.sh") < text.index("export MERIDIAN_REQUIRE_TOOLS=1")
    installer = (ROOT / "scripts" / "ensure-test-tools.sh").read_text()
    assert "missing+=(wrk)" in installer and "missing+=(time)" in installer
