"""The benchmark driver itself, on a tiny dataset: it runs and produces every figure the report needs.

Timings are not asserted (they are the benchmark's job), only that each figure exists and
is well-formed. Requests go through the test client with the Server-Timing middleware
switched on; the load test runs wrk for a second against the live server; the query
plans are PostgreSQL's, so on SQLite that test checks the reason given instead. Without
wrk or GNU time the tests that need them skip on a developer's machine and fail in CI
(tests/bench/tools.py).
"""

import http.server
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from bench import record, report
from bench.load import run_mix
from bench.measure import ClientFetcher, parse_cache_lookups, parse_server_timing, percentile, plan_facts
from bench.run import measure_dataset, parse_time_v, run_timed
from bench.scenarios import SEARCHES, search_scenarios

from .tools import require_tool, tool_available

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # WhiteNoise warns that collectstatic has not run; the benchmark does not need static files here.
    pytest.mark.filterwarnings("ignore:No directory at"),
]

HEAVY = 12
COLD = 24
MIX = 60


@pytest.fixture
def timed_client(settings) -> Client:
    settings.MIDDLEWARE = ["directory.middleware.ServerTimingMiddleware", *settings.MIDDLEWARE]
    return Client()


def seed(n: int) -> None:
    call_command(
        "seed_bench",
        practitioners=n,
        reviews_per_listing=3,
        heavy_listing_reviews=HEAVY,
        batch_size=25,
        verbosity=0,
    )


def measure(client: Client, tmp_path: Path, *, load_url: str | None) -> dict:
    return measure_dataset(
        fetch=ClientFetcher(client),
        client=client,
        heavy_reviews=HEAVY,
        repeats=2,
        raw_repeats=1,
        load_base_url=load_url,
        load_seconds=2,  # 1 s can end before a search page answers on a busy machine
        load_connections=(1,),  # the live server shares one database connection between its threads
        plans_dir=tmp_path / "plans",
        cold_searches=COLD,
        mix_searches=MIX,
    )


_RUN: dict = {}


@pytest.fixture
def two_sizes(timed_client, live_server, tmp_path_factory) -> dict:
    """A whole run in miniature: 30 listings, then 60 (the scale curve), load test on the larger.

    Measured once for the whole module (the results are plain data; the database is flushed
    after each test anyway)."""
    if not _RUN:
        tmp_path = tmp_path_factory.mktemp("bench")
        seed(30)
        small = measure(timed_client, tmp_path / "small", load_url=None)
        seed(30)
        load_url = live_server.url if tool_available("wrk", "wrk") else None
        large = measure(timed_client, tmp_path / "large", load_url=load_url)
        _RUN.update(
            {
                "plan": "test",
                "started_at": "2026-01-01T00:00:00+00:00",
                "machine": {
                    "nproc": 2,
                    "cpu": "test CPU",
                    "ram_gb": 1.0,
                    "python": sys.version.split()[0],
                    "os": "test",
                },
                "commands": {"bench": "pytest tests/bench", "server": "live server"},
                "repeats": 2,
                "environment": {"SERVER_TIMING": "true"},
                "datasets": [
                    {
                        "database": "small",
                        "size": 30,
                        "seed": {"wall_s": 1.0, "max_rss_mb": 50.0, "command": "seed"},
                        **small,
                    },
                    {"database": "large", "size": 60, "seed": {"reused": True, "wall_s": None}, **large},
                ],
                "plans_dir": tmp_path / "large" / "plans",
            }
        )
    return _RUN


def test_every_request_has_server_time_sql_and_raw_sql(two_sizes):
    large = two_sizes["datasets"][-1]
    assert large["dataset"]["practitioners"] == 60
    timings = {t["name"]: t for t in large["timings"]}
    assert len(SEARCHES) >= 10
    expected = {s.name for s in search_scenarios()} | {"profile:0-reviews", f"profile:{HEAVY}-reviews"}
    assert set(timings) == expected
    for timing in timings.values():
        assert timing["runs"] == 2 and timing["first_ms"] > 0
        assert 0 < timing["p50_ms"] <= timing["p95_ms"]
        assert timing["queries_min"] >= 1 and timing["sql_p50_ms"] >= 0
        assert not any(status.startswith("5") for status in timing["statuses"]), timing
    assert timings[f"profile:{HEAVY}-reviews"]["statuses"] == {"200": 2}
    analyses = {a["name"]: a for a in large["sql"]}
    assert set(analyses) == expected
    for analysis in analyses.values():
        assert analysis["queries"] >= 1 and analysis["raw_sql_ms"] > 0
        assert analysis["cold"]["queries"] >= analysis["queries"] and analysis["cold"]["raw_sql_ms"] > 0
        assert all(s["sql"] and s["raw_ms"] >= 0 for s in analysis["statements"])


def test_load_test_reports_throughput_latency_and_errors(two_sizes):
    require_tool("wrk", "wrk")
    load = two_sizes["datasets"][-1]["load"]
    assert {run["target"] for run in load["runs"]} == {"search page", "API", "trivial view"}
    for run in load["runs"]:
        assert run["requests"] > 0 and run["requests_per_s"] > 0
        assert set(run["latency_ms"]) >= {"p50", "p90", "p99"}
        assert run["non_2xx"] == 0
        assert set(run["socket_errors"]) == {"connect", "read", "write", "timeout"}
    assert {r["target"] for r in load["ratios"]} == {"search page", "API"}


def test_cold_run_asks_each_search_once_split_by_kind_and_place(two_sizes):
    cold = two_sizes["datasets"][-1]["cold"]
    assert cold["searches"] == COLD and cold["warmup_requests"] > 0
    assert sum(cold["statuses"].values()) == COLD
    assert not any(status.startswith("5") for status in cold["statuses"]), cold["statuses"]
    groups = cold["groups"]
    assert groups["page:all"]["n"] + groups["api:all"]["n"] == COLD
    assert groups["page:all"]["n"] == groups["page:broad"]["n"] + groups["page:located"]["n"]
    for group in groups.values():
        if group["n"]:
            assert 0 < group["p50_ms"] <= group["p95_ms"] <= group["p99_ms"] <= group["max_ms"]
    # The cache is on in this test (SEARCH_CACHE_SECONDS from the test settings or the fixture) or off;
    # either way a rate is a fraction when there were lookups.
    assert cold["cache_hit_rate"] is None or 0 <= cold["cache_hit_rate"] <= 1


def test_mix_draws_from_the_searches_and_reads_server_timing(two_sizes):
    require_tool("wrk", "wrk")
    mix = two_sizes["datasets"][-1]["mix"]
    (run,) = mix["runs"]
    assert run["trivial"]["requests"] > 0 and run["mix"]["requests"] > 0
    assert run["ratio_to_trivial"] > 0
    assert run["mix"]["distinct_paths"] == MIX and run["mix"]["zipf_s"] == 1.0
    assert run["mix"]["status_5xx"] == 0, run["mix"]
    # The live server loaded its middleware before this test added Server-Timing, so its responses
    # may be untimed; test_mix_reads_server_timing_statuses_and_cache_lookups covers the header.
    assert run["mix"]["server_ms"]["n"] + run["mix"]["untimed"] >= run["mix"]["requests"] - 2


class _FakeServer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status = 500 if "broken" in self.path else 400 if "bad" in self.path else 200
        self.send_response(status)
        self.send_header(
            "Server-Timing", 'total;dur=12.500, sql;dur=1.000;desc="2 queries", cache;desc="hits=1 misses=2"'
        )
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_mix_reads_server_timing_statuses_and_cache_lookups(tmp_path):
    require_tool("wrk", "wrk")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        # Zipf over three paths: the first (rank 1) is asked most, the broken one least.
        result = run_mix(base, ["/ok", "/bad", "/broken"], connections=2, duration_s=1, seed=1, work_dir=tmp_path)
    finally:
        server.shutdown()
    assert result["requests"] > 10 and result["untimed"] == 0
    assert result["server_ms"]["n"] >= result["requests"] - 2  # wrk may stop with a response unread
    assert result["server_ms"]["p50_ms"] == result["server_ms"]["max_ms"] == 12.5
    assert result["cache_hit_rate"] == round(1 / 3, 3)
    assert result["status_4xx"] > 0 and result["status_5xx"] > 0
    assert result["status_4xx"] + result["status_5xx"] == result["non_2xx"]
    assert result["status_4xx"] > result["status_5xx"]  # rank 2 is asked more often than rank 3


def test_report_has_every_section(two_sizes):
    markdown = report.render(two_sizes)
    for heading in (
        "## Targets for repeated searches at 60 listings",
        "## New searches, each asked once (cold) at 60 listings",
        "## Machine",
        "## Datasets",
        "## Server time at 60 listings",
        "## Server time at 30 listings",
        "## Scale curve",
        "## Query plans",
        "## Commands",
    ):
        assert heading in markdown
    if tool_available("wrk", "wrk"):
        assert "## Throughput under load at 60 listings" in markdown
        assert "throughput ÷ trivial view" in markdown
        assert "## A realistic mix under load at 60 listings" in markdown
    assert "Search page p95 ≤ 50 ms" in markdown and "Profile p95 ≤ 30 ms" in markdown
    assert "Cold search page p95 ≤ 100 ms" in markdown and "Cold API p50 ≤ 30 ms" in markdown
    assert "### What can lag behind a write" in markdown
    assert (
        "SQL queries per search page ≤ 6 (repeated searches)" in markdown
        and "Request time ≤ 3× its raw SQL" in markdown
    )


def test_report_of_the_full_plan_has_the_growth_curve_with_or_without_the_recorded_point(two_sizes):
    without = report.render(two_sizes, growth=True, growth_point=None)
    assert "## Growth with data size" in without and "**not measured yet**" in without
    assert "| figure | 30 (this run) | 60 (this run) |" in without
    assert "Growth with data size" not in report.render(two_sizes)  # other plans: no curve
    # The recorded point of a one-dataset run, as `bench.run million` writes it.
    million = {**two_sizes, "plan": "million", "datasets": [{**two_sizes["datasets"][-1], "size": 1_000_000}]}
    point = record.point_from_results(million, commit=record.git_commit())
    markdown = report.render(two_sizes, growth=True, growth_point=point)
    assert "| figure | 30 (this run) | 60 (this run) | 1,000,000 (recorded) | 1,000,000 ÷ 60 |" in markdown
    assert f"at commit {point['commit']['sha'][:10]}" in markdown and "not measured yet" not in markdown
    assert "- Cold search page p95 at 1,000,000 listings < 3× the one at 60: " in markdown
    assert markdown.index("## Growth with data size") < markdown.index("## Targets for repeated searches")


def test_without_repeated_load_only_the_mix_runs_under_wrk(timed_client, tmp_path, monkeypatch):
    """The million plan: cold and mix, no wrk runs on the repeated URLs."""
    from bench import load

    calls = []
    monkeypatch.setattr(load, "load_test", lambda *a, **kw: calls.append("repeated") or {"runs": []})
    monkeypatch.setattr(load, "mix_test", lambda *a, **kw: calls.append("mix") or {"runs": []})
    seed(15)
    common = {
        "fetch": ClientFetcher(timed_client),
        "client": timed_client,
        "heavy_reviews": HEAVY,
        "repeats": 1,
        "raw_repeats": 1,
        "load_base_url": "http://127.0.0.1:1",
        "plans_dir": tmp_path / "plans",
        "mix_searches": 5,
    }
    result = measure_dataset(**common, repeated_load=False)
    assert calls == ["mix"] and result["load"] is None and result["mix"] == {"runs": []}
    measure_dataset(**common)
    assert calls == ["mix", "mix", "repeated"]


def test_query_plans_on_postgresql_and_the_reason_elsewhere(two_sizes):
    large = two_sizes["datasets"][-1]
    if connection.vendor != "postgresql":
        # EXPLAIN (ANALYZE, BUFFERS) is PostgreSQL's: the SQLite run says so instead of explaining.
        assert large["plans"] == {"explained": False, "reason": large["plans"]["reason"]}
        assert "sqlite" in large["plans"]["reason"]
        assert "Not explained: EXPLAIN (ANALYZE, BUFFERS) is PostgreSQL's" in report.render(two_sizes)
        return
    assert large["plans"]["explained"] is True
    for analysis in large["sql"]:
        for statement in analysis["statements"]:
            assert statement["execution_ms"] is not None
            assert isinstance(statement["seq_scans"], list) and isinstance(statement["indexes"], list)
    plan_files = sorted(p.name for p in two_sizes["plans_dir"].iterdir())
    assert "page__zip-radius-condition.txt" in plan_files and "api__text.txt" in plan_files
    text = (two_sizes["plans_dir"] / "page__zip-radius-condition.txt").read_text()
    assert "Execution Time" in text and "-- query 1" in text
    assert "Query plans" in report.render(two_sizes)


# ---------------------------------------------------------------- the pieces, on fixed input


def test_server_timing_header_is_parsed():
    assert parse_server_timing('total;dur=12.5, sql;dur=3.25;desc="6 queries"') == (12.5, 3.25, 6)
    with pytest.raises(ValueError, match="SERVER_TIMING"):
        parse_server_timing(None)


def test_percentile_interpolates_between_ranks():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(range(1, 101), 95) == pytest.approx(95.05)
    assert percentile([7], 95) == 7


def test_plan_facts_flag_sequential_scans_of_big_tables():
    plan = (
        "Limit\n  ->  Seq Scan on practitioners_practitioner\n  ->  Index Scan using loc_lat_lng_idx on x\n"
        "  ->  Seq Scan on practitioners_condition\nExecution Time: 1.234 ms"
    )
    facts = plan_facts(plan)
    assert facts["seq_scans_big"] == ["practitioners_practitioner"]
    assert facts["indexes"] == ["loc_lat_lng_idx"]
    assert facts["execution_ms"] == 1.234


def test_seed_time_and_peak_memory_come_from_time_v(tmp_path):
    require_tool("/usr/bin/time", "time")
    figures = run_timed([sys.executable, "-c", "x = bytearray(60_000_000)"], {}, tmp_path / "time.log")
    assert figures["wall_s"] >= 0 and figures["max_rss_mb"] >= 60
    assert parse_time_v(
        "\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02:03.5\n\tMaximum resident set size (kbytes): 2048\n"
    ) == {"wall_s": 3723.5, "max_rss_mb": 2.0}


def test_server_timing_counts_search_cache_hits_and_misses(timed_client, settings):
    settings.SEARCH_CACHE_SECONDS = 60
    from django.core.cache import cache

    cache.clear()
    seed(3)
    first = timed_client.get("/api/v1/practitioners/?condition=neck-pain").headers["Server-Timing"]
    again = timed_client.get("/api/v1/practitioners/?condition=neck-pain").headers["Server-Timing"]
    hits, misses = parse_cache_lookups(first)
    assert misses >= 3  # at least the count, the page's ids and the serialized page
    again_hits, again_misses = parse_cache_lookups(again)
    # The serialized page (and the vocabulary its re-check validates the query with): no count or ids.
    assert again_misses == 0 and 1 <= again_hits < hits + misses
    assert parse_cache_lookups('total;dur=1.0, sql;dur=0.1;desc="1 queries"') == (0, 0)
