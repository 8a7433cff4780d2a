"""Recorded benchmark points: figures from a run too long to repeat with every `make bench`, kept in git.

The 1,000,000-listing point of the growth curve (`make bench-million`, about an hour with its
seed) is written to `bench/recorded/million.json` — bench/out/ is not committed — with when and
at which commit it was measured, the machine and its load, the seed's time and the database's
size, and the cold, mix and repeated figures. `bench/report.py` reads it for the "Growth with
data size" section of docs/performance.md, saying when and where it was recorded.
"""

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "bench" / "recorded"
MILLION = RECORDED / "million.json"
FORMAT = 1

# A dataset's result without what stays in bench/out/ (every query's SQL, the repeated-URL wrk runs).
LEFT_OUT = ("sql", "load")


def git_commit(root: Path = ROOT) -> dict | None:
    """The checked-out commit, its subject and whether tracked files differ from it (None outside git)."""
    try:
        sha, subject = subprocess.run(
            ["git", "log", "-1", "--format=%H%n%s"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.split("\n", 1)
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None
    return {"sha": sha, "subject": subject.strip(), "dirty": bool(status.strip())}


def point_from_results(results: dict, *, commit: dict | None) -> dict:
    """The record of a one-dataset run (`bench.run million`): its last dataset and how it was run."""
    dataset = results["datasets"][-1]
    return {
        "format": FORMAT,
        "what": f"The {dataset['size']:,}-listing point of the growth curve (bench/run.py plan {results['plan']}).",
        "recorded_at": results["started_at"],
        "commit": commit,
        "command": results["commands"]["bench"],
        "machine": results["machine"],
        "cache": results.get("cache"),
        "environment": results.get("environment", {}),
        "repeats": results["repeats"],
        "elapsed_s": results.get("elapsed_s"),
        "dataset": {key: value for key, value in dataset.items() if key not in LEFT_OUT},
    }


def write_point(path: Path, point: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(point, indent=2, default=str) + "\n")


def read_point(path: Path = MILLION) -> dict | None:
    """The recorded point, or None when it has not been measured yet."""
    if not path.exists():
        return None
    point = json.loads(path.read_text())
    if point.get("format") != FORMAT or "dataset" not in point:
        raise ValueError(f"{path}: not a recorded benchmark point (format {FORMAT}); rerun `make bench-million`.")
    return point
