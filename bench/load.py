"""Throughput under load: wrk (Debian package `wrk`) on loopback, read through a small Lua report.

wrk keeps `connections` connections busy for `duration` seconds; the Lua script counts
every response whose status is not 2xx and prints one JSON line with requests,
latency percentiles and socket errors, so nothing is parsed from wrk's prose.
"""

import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
MARKER = "WRKJSON "


class LoadToolMissing(RuntimeError):
    pass


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise LoadToolMissing("wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu).")
    return found


def run_wrk(url: str, *, connections: int, duration_s: int, threads: int = 2, timeout_s: int = 10) -> dict:
    """One wrk run; requests/s, latency percentiles (ms), non-2xx responses and socket errors."""
    command = [
        wrk_path(),
        f"--threads={min(threads, connections)}",
        f"--connections={connections}",
        f"--duration={duration_s}s",
        f"--timeout={timeout_s}s",
        f"--script={WRK_SCRIPT}",
        url,
    ]
    finished = subprocess.run(command, capture_output=True, text=True, check=True, timeout=duration_s + 60)
    return parse_wrk_report(finished.stdout) | {"url": url, "connections": connections, "duration_s": duration_s}


def parse_wrk_report(output: str) -> dict:
    line = next((line for line in output.splitlines() if line.startswith(MARKER)), None)
    if line is None:
        raise ValueError(f"wrk printed no report line; output was:\n{output}")
    raw = json.loads(line[len(MARKER) :])
    seconds = raw["duration_us"] / 1_000_000
    latency = {key: round(value / 1000, 2) for key, value in raw["latency_us"].items()}
    errors = raw["errors"]
    return {
        "requests": raw["requests"],
        "requests_per_s": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "latency_ms": latency,
        "non_2xx": raw["non_2xx"],
        "socket_errors": {key: errors[key] for key in ("connect", "read", "write", "timeout")},
    }


def wait_until_idle(base_url: str, *, timeout_s: float = 120.0) -> None:
    """Wait until the server answers the trivial view promptly again.

    When wrk stops, the requests still queued in the server's listen backlog are served
    anyway; without this pause they would slow the start of the next run."""
    deadline = time.monotonic() + timeout_s
    prompt = 0
    while time.monotonic() < deadline and prompt < 3:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=10) as response:  # noqa: S310 (loopback)
                response.read()
            prompt = prompt + 1 if time.monotonic() - started < 0.05 else 0
        except OSError:
            prompt = 0
            time.sleep(0.2)


def load_test(base_url: str, targets: dict[str, str], *, connection_levels: tuple[int, ...], duration_s: int) -> dict:
    """Every target at every connection level, plus each target's throughput relative to the trivial view."""
    runs = []
    for connections in connection_levels:
        for name, path in targets.items():
            wait_until_idle(base_url)
            runs.append({"target": name, **run_wrk(base_url + path, connections=connections, duration_s=duration_s)})
    ratios = []
    for connections in connection_levels:
        at_level = {run["target"]: run for run in runs if run["connections"] == connections}
        trivial = at_level.get("trivial view")
        for name, run in at_level.items():
            if name == "trivial view" or not trivial or not trivial["requests_per_s"]:
                continue
            ratios.append(
                {
                    "target": name,
                    "connections": connections,
                    "ratio_to_trivial": round(run["requests_per_s"] / trivial["requests_per_s"], 3),
                }
            )
    return {"runs": runs, "ratios": ratios}
