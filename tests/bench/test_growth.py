"""The growth curve (10,000 and 100,000 listings from the run, 1,000,000 from the recorded file),
the recorded point itself, and the plans that measure them; on fixed input, nothing is seeded."""

import json
from pathlib import Path

import pytest

from bench import record, report, run

SHA_RUN, SHA_RECORDED = "a" * 40, "b" * 40


def group(p50: float, p95: float) -> dict:
    return {"n": 10, "p50_ms": p50, "p95_ms": p95, "p99_ms": p95, "max_ms": p95, "sql_p50_ms": 1.0, "over_50ms": 0.5}


def dataset(size: int, *, page: tuple, api: tuple, mix: tuple | None, seed_s: float | None) -> dict:
    return {
        "database": f"bench_{size}",
        "size": size,
        "seed": {"wall_s": seed_s, "max_rss_mb": 300.0, "search_rows": size, "search_rows_s": seed_s and seed_s / 10},
        "dataset": {
            "published_practitioners": size,
            "database_size": f"{size // 1000} MB",
            "database_bytes": size * 1000,
        },
        "load_average_before": [1.5, 1.0, 1.0],
        "load_average_after": [2.5, 2.0, 1.0],
        "cold": {
            "groups": {
                "page:all": group(*page),
                "page:located": group(page[0] - 1, page[1] - 1),
                "page:broad": group(page[0] + 1, page[1] + 1),
                "api:all": group(*api),
                "api:located": group(*api),
                "api:broad": {"n": 0},
            }
        },
        "mix": None
        if mix is None
        else {
            "runs": [
                {"connections": 16, "mix": {"requests_per_s": mix[0]}, "ratio_to_trivial": 0.05},
                {"connections": 64, "mix": {"requests_per_s": mix[1]}, "ratio_to_trivial": 0.04},
            ]
        },
        "sql": [{"name": "page:browse", "statements": ["…"]}],
        "load": {"runs": []},
    }


def full_results() -> dict:
    return {
        "plan": "full",
        "started_at": "2026-12-01T17:00:00+00:00",
        "commit": {"sha": SHA_RUN, "subject": "run", "dirty": False},
        "machine": {"nproc": 2},
        "commands": {"bench": "make bench  (= .venv/bin/python -m bench.run full)"},
        "repeats": 40,
        "datasets": [
            dataset(10_000, page=(10, 40), api=(5, 20), mix=None, seed_s=90.0),
            dataset(100_000, page=(12, 50), api=(6, 20), mix=(200.0, 220.0), seed_s=900.0),
        ],
    }


def million_point(**commit) -> dict:
    results = {
        "plan": "million",
        "started_at": "2026-12-01T18:00:00+00:00",
        "machine": {"nproc": 2},
        "commands": {"bench": "make bench-million  (= .venv/bin/python -m bench.run million)"},
        "repeats": 10,
        "datasets": [dataset(1_000_000, page=(30, 120), api=(20, 100), mix=(150.0, 160.0), seed_s=9000.0)],
    }
    return record.point_from_results(results, commit={"sha": SHA_RECORDED, "subject": "the projection"} | commit)


def test_growth_section_has_three_points_and_the_target_verdicts():
    lines = report.growth_section(full_results(), million_point(dirty=False))
    text = "\n".join(lines)
    assert lines[1] == "## Growth with data size"
    assert "| figure | 10,000 (this run) | 100,000 (this run) | 1,000,000 (recorded) | 1,000,000 ÷ 100,000 |" in text
    assert "| Cold search page, all (p50 / p95 ms) | 10 / 40 | 12 / 50 | 30 / 120 | p95 ×2.40 |" in text
    assert "| Cold search page, broad (p50 / p95 ms) | 11 / 41 | 13 / 51 | 31 / 121 | p95 ×2.37 |" in text
    assert "| Cold API, broad (p50 / p95 ms) | – | – | – | – |" in text  # no broad API searches in this input
    # The mix runs at the largest size of the full run only (and at 1,000,000).
    assert "| Mix at 16 connections, requests/s | – | 200.0 (5.00%) | 150.0 (5.00%) | ×0.75 |" in text
    assert "| Mix at 64 connections, requests/s | – | 220.0 (4.00%) | 160.0 (4.00%) | ×0.73 |" in text
    assert (
        "| Seed time (peak memory) | 90 s, peak 300 MB (search rows 9 s) | 15 min, peak 300 MB (search rows 90 s) |"
        in text
    )
    assert "| Database size | 10 MB | 100 MB | 1000 MB | ×10.00 |" in text
    assert "- Cold search page p95 at 1,000,000 listings < 3× the one at 100,000: 120 ms ÷ 50 ms = 2.40×, met" in text
    assert (
        "- Cold API p95 at 1,000,000 listings < 3× the one at 100,000: 100 ms ÷ 20 ms = 5.00×, missed (1.7× the allowed growth)"
        in text
    )
    assert "recorded on 2026-12-01T18:00:00+00:00 at commit bbbbbbbbbb (the projection)" in text
    assert "`make bench-million  (= .venv/bin/python -m bench.run million)`" in text
    assert "load average [1.5, 1.0, 1.0] → [2.5, 2.0, 1.0]" in text
    assert "uncommitted changes" not in text
    assert "at a different commit than the rest of this page (aaaaaaaaaa)" in text


def test_growth_section_says_so_when_the_point_was_measured_with_changes_or_at_the_same_commit():
    text = "\n".join(report.growth_section(full_results(), million_point(dirty=True)))
    assert "at commit bbbbbbbbbb with uncommitted changes" in text
    long = "\n".join(report.growth_section(full_results(), million_point(subject="x" * 100)))
    assert f"at commit bbbbbbbbbb ({'x' * 71}…) by" in long
    same = full_results() | {"commit": {"sha": SHA_RECORDED}}
    assert "different commit" not in "\n".join(report.growth_section(same, million_point()))


def test_growth_section_without_the_recorded_point_says_not_measured_yet():
    text = "\n".join(report.growth_section(full_results(), None))
    assert "The 1,000,000-listing point: **not measured yet**" in text
    assert (
        "| figure | 10,000 (this run) | 100,000 (this run) |" in text and "(recorded)" not in text and "÷" not in text
    )
    assert "| Cold search page, all (p50 / p95 ms) | 10 / 40 | 12 / 50 |" in text
    assert text.endswith("- Cold p95 at 1,000,000 listings < 3× the one at 100,000: not measured yet.")


def test_growth_section_shows_a_projection_built_after_an_older_seed():
    point = million_point()
    point["dataset"]["seed"] |= {"search_rows_s": None, "search_rows_rebuilt_s": 300.0}
    text = "\n".join(report.growth_section(full_results(), point))
    assert "| 150 min, peak 300 MB; search rows built afterwards in 5 min |" in text


def test_growth_verdict_needs_cold_figures_at_both_sizes():
    results = full_results()
    results["datasets"][-1]["cold"] = None  # e.g. BENCH_COLD=0
    text = "\n".join(report.growth_section(results, million_point()))
    assert "| Cold search page, all (p50 / p95 ms) | 10 / 40 | – | 30 / 120 | – |" in text
    assert "- Cold search page p95 at 1,000,000 listings < 3× the one at 100,000: not measured at both sizes." in text


# ---------------------------------------------------------------- the recorded file


def test_the_recorded_point_keeps_the_figures_and_how_they_were_measured(tmp_path):
    point = million_point(dirty=False)
    assert point["format"] == record.FORMAT and point["recorded_at"] == "2026-12-01T18:00:00+00:00"
    assert point["commit"]["sha"] == SHA_RECORDED and point["command"].startswith("make bench-million")
    kept = point["dataset"]
    assert kept["size"] == 1_000_000 and kept["seed"]["wall_s"] == 9000.0
    assert kept["dataset"]["database_size"] == "1000 MB" and kept["load_average_before"] == [1.5, 1.0, 1.0]
    assert kept["cold"]["groups"]["page:all"]["p95_ms"] == 120 and kept["mix"]["runs"][0]["connections"] == 16
    assert "sql" not in kept and "load" not in kept  # those stay in bench/out/
    path = tmp_path / "recorded" / "million.json"
    record.write_point(path, point)
    assert record.read_point(path) == json.loads(json.dumps(point))


def test_reading_the_recorded_point(tmp_path):
    assert record.read_point(tmp_path / "absent.json") is None
    (tmp_path / "other.json").write_text('{"plan": "full"}')
    with pytest.raises(ValueError, match="not a recorded benchmark point"):
        record.read_point(tmp_path / "other.json")
    assert Path(run.ROOT) / "bench" / "recorded" / "million.json" == record.MILLION


def test_the_recorded_commit_is_the_checkout(tmp_path):
    commit = record.git_commit()
    assert len(commit["sha"]) == 40 and int(commit["sha"], 16) >= 0
    assert commit["subject"] and isinstance(commit["dirty"], bool)
    assert record.git_commit(tmp_path) is None  # not a git checkout


# ---------------------------------------------------------------- the plans


def test_the_million_plan_measures_cold_mix_and_a_short_repeated_section_and_records_it():
    plan = run.PLANS["million"]
    (only,) = plan.datasets
    assert (only.database, only.practitioners, only.load_test) == ("_1m", 1_000_000, True)
    assert plan.record == record.MILLION and not plan.growth
    assert plan.cold_searches == 1000 and plan.mix_searches == 3000
    assert plan.load_seconds == 30 and plan.load_connections == (16, 64)
    assert plan.repeats < run.PLANS["full"].repeats and not plan.repeated_load
    assert plan.doc == run.OUT / "million" / "performance.md"  # the committed figures are the record
    command = measure_command(plan, only)
    assert "--cold=1000" in command and "--mix=3000" in command and "--load-seconds=30" in command
    assert "--no-repeated-load" in command
    assert run._bench_command("million").startswith("make bench-million")


def test_the_full_plan_runs_cold_searches_at_both_sizes_and_the_mix_at_the_larger():
    plan = run.PLANS["full"]
    small, large = plan.datasets
    assert plan.growth and plan.record is None and plan.doc == run.ROOT / "docs" / "performance.md"
    small_command, large_command = measure_command(plan, small), measure_command(plan, large)
    assert "--cold=1000" in small_command and "--cold=1000" in large_command
    assert "--load-seconds=0" in small_command and "--load-seconds=30" in large_command
    assert "--no-repeated-load" not in large_command
    assert not run.PLANS["quick"].growth


def measure_command(plan: run.Plan, dataset: run.Dataset) -> list[str]:
    return run.measure_command(
        plan, dataset, base_url="http://127.0.0.1:1", out_dir=Path("out"), server_pid=1, redis_url=None
    )


@pytest.fixture
def bench_out(tmp_path, monkeypatch) -> Path:
    """bench/out/, the recorded file and the full plan's doc, all under tmp_path."""
    monkeypatch.setattr(run, "OUT", tmp_path / "out")
    monkeypatch.setattr(record, "MILLION", tmp_path / "recorded" / "million.json")
    plans = {name: plan for name, plan in run.PLANS.items()}
    plans["full"] = run.dataclasses.replace(plans["full"], doc=tmp_path / "docs" / "performance.md")
    monkeypatch.setattr(run, "PLANS", plans)
    return tmp_path


def test_rerendering_reads_the_last_results_and_the_recorded_point(bench_out, monkeypatch):
    rendered = []
    monkeypatch.setattr(report, "render", lambda results, **kw: rendered.append((results, kw)) or "# page\n")
    with pytest.raises(FileNotFoundError):
        run.rerender("full")  # the full plan has not run here
    (bench_out / "out" / "full").mkdir(parents=True)
    (bench_out / "out" / "full" / "results.json").write_text(json.dumps(full_results()))
    assert run.rerender("full") == bench_out / "docs" / "performance.md"
    assert (bench_out / "docs" / "performance.md").read_text() == "# page\n"
    assert rendered[-1] == (full_results(), {"growth": True, "growth_point": None})
    point = million_point()
    record.write_point(record.MILLION, point)
    run.main(["render", "full"])
    assert rendered[-1][1] == {"growth": True, "growth_point": json.loads(json.dumps(point))}


def test_a_reused_database_keeps_its_seed_figures_from_the_record_or_the_log(bench_out):
    (bench_out / "out").mkdir()
    assert run.reused_seed("db") == {"reused": True, "wall_s": None, "max_rss_mb": None, "command": None}
    log = bench_out / "out" / "db-seed.log"
    log.write_text(
        "Created 10 demo practitioners\nsearch rows: 9 in 12.5 s\n"
        "\tElapsed (wall clock) time (h:mm:ss or m:ss): 31:02.0\n\tMaximum resident set size (kbytes): 204800\n"
    )
    assert run.reused_seed("db") == {
        "wall_s": 1862.0,
        "max_rss_mb": 200.0,
        "search_rows": 9,
        "search_rows_s": 12.5,
        "command": None,
        "log": str(log),
        "reused": True,
    }
    (bench_out / "out" / "db-seed.json").write_text('{"wall_s": 1.0, "max_rss_mb": 2.0, "command": "seed"}')
    assert run.reused_seed("db") == {
        "wall_s": 1.0,
        "max_rss_mb": 2.0,
        "command": "seed",
        "search_rows": 9,
        "search_rows_s": 12.5,
        "reused": True,
    }
    assert run.parse_search_rows("no such line") == {}


def test_before_and_after_section_shows_both_ways_and_their_ratio():
    from bench.report import _compare_section

    summary = {"n": 10, "p50_ms": 400.0, "p95_ms": 2000.0, "max_ms": 2500.0, "mean_ms": 600.0}
    faster = {"n": 10, "p50_ms": 40.0, "p95_ms": 250.0, "max_ms": 300.0, "mean_ms": 60.0}
    empty = {"n": 0, "p50_ms": 0.0, "p95_ms": 0.0, "max_ms": 0.0, "mean_ms": 0.0}
    compare = {
        "searches": 10,
        "load_before": [1.0, 1.0, 1.0],
        "load_after": [1.5, 1.0, 1.0],
        "all": {"plain": summary, "projection": faster},
        "broad": {"plain": summary, "projection": faster},
        "located": {"plain": empty, "projection": empty},
        "mismatches": ["q=x"],
    }
    text = "\n".join(_compare_section([{"size": 100_000, "projection_compare": compare}, {"size": 10_000}]))
    assert "## Before and after at 100,000 listings (same run)" in text
    assert "| all | 10 | 400.0 | 2000.0 | 40.0 | 250.0 | 10.0× | 8.0× |" in text
    assert "located" not in text.split("| searches |")[1]  # no row without searches
    assert "Searches whose answers differed: 1." in text
    assert "10,000" not in text
