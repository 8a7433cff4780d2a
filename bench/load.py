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
    finished = _wrk(
        url, WRK_SCRIPT, connections=connections, duration_s=duration_s, threads=threads, timeout_s=timeout_s
    )
    return parse_wrk_report(finished.stdout) | {"url": url, "connections": connections, "duration_s": duration_s}


def _wrk(
    url: str, script: Path, *, connections: int, duration_s: int, threads: int, timeout_s: int, args: tuple = ()
) -> subprocess.CompletedProcess:
    command = [
        wrk_path(),
        f"--threads={min(threads, connections)}",
        f"--connections={connections}",
        f"--duration={duration_s}s",
        f"--timeout={timeout_s}s",
        f"--script={script}",
        url,
    ]
    if args:
        command += ["--", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=duration_s + 60)


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


# ---------------------------------------------------------------- the mix: many searches, Zipf-skewed

MIX_SCRIPT = Path(__file__).with_name("wrk_mix.lua")
ZIPF_S = 1.0


def run_mix(
    base_url: str,
    paths: list[str],
    *,
    connections: int,
    duration_s: int,
    seed: int,
    work_dir: Path,
    zipf_s: float = ZIPF_S,
    threads: int = 2,
    timeout_s: int = 10,
) -> dict:
    """One wrk run drawing `paths` with a Zipf distribution (the first is the most asked): wrk's
    latency, statuses, socket errors, and from each response's Server-Timing the server time
    (p50/p95/p99/max) and the search cache's hit rate."""
    from .measure import distribution

    work_dir.mkdir(parents=True, exist_ok=True)
    paths_file = work_dir / "mix-paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    prefix = work_dir / f"mix-server-ms-c{connections}"
    for old in work_dir.glob(prefix.name + ".*"):
        old.unlink()
    finished = _wrk(
        base_url + "/",
        MIX_SCRIPT,
        connections=connections,
        duration_s=duration_s,
        threads=threads,
        timeout_s=timeout_s,
        args=(paths_file, seed, zipf_s, prefix),
    )
    line = next((line for line in finished.stdout.splitlines() if line.startswith(MARKER)), None)
    if line is None:
        raise ValueError(f"wrk printed no report line; output was:\n{finished.stdout}\n{finished.stderr}")
    raw = json.loads(line[len(MARKER) :])
    report = parse_wrk_report(finished.stdout)
    server_ms = [float(value) for path in work_dir.glob(prefix.name + ".*") for value in path.read_text().split()]
    lookups = raw["cache_hits"] + raw["cache_misses"]
    return report | {
        "connections": connections,
        "duration_s": duration_s,
        "distinct_paths": len(paths),
        "zipf_s": zipf_s,
        "status_4xx": raw["status_4xx"],
        "status_5xx": raw["status_5xx"],
        "untimed": raw["untimed"],
        "server_ms": distribution(server_ms),
        "cache_hit_rate": round(raw["cache_hits"] / lookups, 3) if lookups else None,
    }


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory (MB) of each child process of `master_pid` (the gunicorn workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master_pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        rss = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), None)
        if rss is not None:
            found.append(round(int(rss) / 1024, 1))
    return sorted(found)


def mix_test(
    base_url: str,
    paths: list[str],
    *,
    connection_levels: tuple[int, ...],
    duration_s: int,
    work_dir: Path,
    seed: int = 14,
    before_each=None,
    server_pid: int | None = None,
) -> dict:
    """At each connection level: the trivial view, then the mix (same run, so the ratio compares
    like with like); `before_each()` (e.g. emptying the shared cache) runs before each mix."""
    runs = []
    for connections in connection_levels:
        wait_until_idle(base_url)
        trivial = run_wrk(base_url + "/healthz", connections=connections, duration_s=duration_s)
        wait_until_idle(base_url)
        if before_each is not None:
            before_each()
        mix = run_mix(base_url, paths, connections=connections, duration_s=duration_s, seed=seed, work_dir=work_dir)
        ratio = round(mix["requests_per_s"] / trivial["requests_per_s"], 4) if trivial["requests_per_s"] else None
        runs.append(
            {
                "connections": connections,
                "trivial": trivial,
                "mix": mix,
                "ratio_to_trivial": ratio,
                "worker_rss_mb": worker_rss_mb(server_pid) if server_pid else None,
            }
        )
    return {"runs": runs}
