"""The Debian tools the benchmark tests run (wrk, GNU time): missing ones skip a test on a
developer's machine but fail it in CI, where `scripts/ensure-test-tools.sh` has installed them
(`.ci/run` exports MERIDIAN_REQUIRE_TOOLS=1; a CI service's own CI=true counts too)."""

import os
import shutil

import pytest

REQUIRE_TOOLS_ENV = ("MERIDIAN_REQUIRE_TOOLS", "CI")


def tools_required() -> bool:
    return any(os.environ.get(name, "").strip().lower() not in {"", "0", "false", "no"} for name in REQUIRE_TOOLS_ENV)


def tool_available(tool: str, package: str) -> bool:
    """Whether `tool` (a name on PATH or an absolute path) can run; when it cannot and tools are
    required, the test fails here, naming the package."""
    if shutil.which(tool):
        return True
    if tools_required():
        pytest.fail(
            f"{tool} is not installed, and this run requires the test tools (MERIDIAN_REQUIRE_TOOLS or CI is set): "
            f"apt-get install -y {package} (scripts/ensure-test-tools.sh does it).",
            pytrace=False,
        )
    return False


def require_tool(tool: str, package: str) -> None:
    """Skip the test without `tool` on a developer's machine; fail it in CI."""
    if not tool_available(tool, package):
        pytest.skip(f"{tool} is not installed (apt-get install -y {package}); CI fails instead of skipping.")
