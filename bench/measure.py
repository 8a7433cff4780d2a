"""Measurements: server time per request, SQL per request, the same SQL run raw, query plans.

Server time comes from the `Server-Timing` header of `directory.middleware.ServerTimingMiddleware`
(SERVER_TIMING=true): `total` is the time inside Django, `sql` the time in SQL and the
number of queries. The requests go to a real server over HTTP (`HttpFetcher`) or, in the
test suite, through Django's test client (`ClientFetcher`); both read the same header.

Raw SQL: the queries one request runs are captured in-process with an execute wrapper
(SQL and parameters exactly as Django sends them), then replayed on a plain cursor and
timed, and on PostgreSQL explained with EXPLAIN (ANALYZE, BUFFERS).
"""

import http.client
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .scenarios import Scenario

SERVER_TIMING_RE = re.compile(
    r"total;dur=(?P<total>[0-9.]+).*?sql;dur=(?P<sql>[0-9.]+);desc=\"(?P<queries>\d+) quer", re.DOTALL
)
CACHE_TIMING_RE = re.compile(r'cache;desc="hits=(?P<hits>\d+) misses=(?P<misses>\d+)"')
# Tables a filtered search must never read with a sequential scan.
BIG_TABLES = ("practitioners_practitioner", "reviews_review")
SEQ_SCAN_RE = re.compile(r"Seq Scan on (\w+)")
INDEX_RE = re.compile(r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)")


@dataclass(frozen=True)
class Sample:
    status: int
    total_ms: float
    sql_ms: float
    queries: int


def parse_server_timing(value: str | None) -> tuple[float, float, int]:
    """(total ms, SQL ms, number of queries) from a Server-Timing header value."""
    match = SERVER_TIMING_RE.search(value or "")
    if match is None:
        raise ValueError(f"No Server-Timing figures in {value!r}: is SERVER_TIMING=true set for the server?")
    return float(match["total"]), float(match["sql"]), int(match["queries"])


def parse_cache_lookups(value: str | None) -> tuple[int, int]:
    """(search-cache hits, misses) of one request from its Server-Timing header; (0, 0) when absent."""
    match = CACHE_TIMING_RE.search(value or "")
    return (int(match["hits"]), int(match["misses"])) if match else (0, 0)


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0–100), linear between the closest ranks (as numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# ---------------------------------------------------------------- fetching


Fetch = Callable[[str], tuple[int, dict[str, str]]]


class HttpFetcher:
    """GET over HTTP/1.1 on loopback; returns (status, headers) after reading the whole body."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.timeout = timeout

    def __call__(self, url: str) -> tuple[int, dict[str, str]]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request("GET", url, headers={"Host": f"{self.host}:{self.port}"})
            response = connection.getresponse()
            response.read()
            return response.status, {name.lower(): value for name, value in response.getheaders()}
        finally:
            connection.close()


class ClientFetcher:
    """GET through Django's test client (in-process; the test suite's server)."""

    def __init__(self, client) -> None:
        self.client = client

    def __call__(self, url: str) -> tuple[int, dict[str, str]]:
        response = self.client.get(url)
        _ = response.content
        return response.status_code, {name.lower(): value for name, value in response.headers.items()}


# ---------------------------------------------------------------- server time


@dataclass
class ScenarioTiming:
    scenario: Scenario
    samples: list[Sample] = field(default_factory=list)

    def summary(self) -> dict:
        totals = [s.total_ms for s in self.samples]
        sql = [s.sql_ms for s in self.samples]
        queries = [s.queries for s in self.samples]
        return {
            "name": self.scenario.name,
            "kind": self.scenario.kind,
            "label": self.scenario.label,
            "url": self.scenario.url,
            "runs": len(self.samples),
            "p50_ms": round(percentile(totals, 50), 2),
            "p95_ms": round(percentile(totals, 95), 2),
            "sql_p50_ms": round(percentile(sql, 50), 2),
            "sql_share": round(sum(sql) / sum(totals), 3) if sum(totals) else 0.0,
            "queries_min": min(queries),
            "queries_max": max(queries),
            "statuses": {str(status): n for status, n in sorted(Counter(s.status for s in self.samples).items())},
            "samples_ms": sorted(round(total, 2) for total in totals),
        }


def time_scenarios(
    fetch: Fetch,
    scenarios: list[Scenario],
    *,
    repeats: int,
    warmup: int = 2,
    process_warmup: tuple[str, ...] = (),
    process_warmup_rounds: int = 4,
) -> list[dict]:
    """Request every scenario `warmup` times, then `repeats` times round-robin (so a burst of
    noise from a neighbour spreads over all scenarios instead of hitting one).

    The warm-up requests are not in the percentiles; the first one is reported as `first_ms`:
    the search as nobody has asked it lately (nothing of it in the search cache; a server
    worker's cache is its own unless a shared cache is configured, hence two warm-up rounds)."""
    for _ in range(process_warmup_rounds):
        for url in process_warmup:
            fetch(url)
    first: dict[str, float] = {}
    for _ in range(warmup):
        for scenario in scenarios:
            _, headers = fetch(scenario.url)
            first.setdefault(scenario.name, parse_server_timing(headers.get("server-timing"))[0])
    timings = {scenario.name: ScenarioTiming(scenario) for scenario in scenarios}
    for _ in range(repeats):
        for scenario in scenarios:
            status, headers = fetch(scenario.url)
            total, sql, queries = parse_server_timing(headers.get("server-timing"))
            timings[scenario.name].samples.append(Sample(status, total, sql, queries))
    return [timings[scenario.name].summary() | {"first_ms": round(first[scenario.name], 2)} for scenario in scenarios]


# ---------------------------------------------------------------- cold: each search once


def distribution(values: list[float], unit: str = "ms") -> dict:
    """How many, p50/p95/p99/max (keys end in `unit`); only the count when there are no values."""
    if not values:
        return {"n": 0}
    found = {"n": len(values)}
    for name, q in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100)):
        found[f"{name}_{unit}"] = round(percentile(values, q), 1)
    return found


def cold_run(fetch: Fetch, urls: list[str], *, located: list[bool], warmup_urls: list[str]) -> dict:
    """Ask each URL once, one at a time, after the warm-up URLs (other searches); server time
    p50/p95/p99/max split page/API and broad/located, the share over 50 ms, statuses and
    the search cache's lookups (a cold search should miss)."""
    for url in warmup_urls:
        fetch(url)
    rows = []
    for url, is_located in zip(urls, located, strict=True):
        status, headers = fetch(url)
        timing = headers.get("server-timing")
        total, sql, queries = parse_server_timing(timing)
        hits, misses = parse_cache_lookups(timing)
        kind = "api" if url.startswith("/api/") else "page"
        rows.append(
            {"kind": kind, "located": is_located, "status": status, "total_ms": total, "sql_ms": sql}
            | {"queries": queries, "cache_hits": hits, "cache_misses": misses}
        )
    groups: dict[str, dict] = {}
    for kind in ("page", "api"):
        for where, wanted in (("all", None), ("broad", False), ("located", True)):
            chosen = [row for row in rows if row["kind"] == kind and (wanted is None or row["located"] == wanted)]
            totals = [row["total_ms"] for row in chosen]
            groups[f"{kind}:{where}"] = distribution(totals) | {
                "sql_p50_ms": round(percentile([row["sql_ms"] for row in chosen], 50), 1) if chosen else None,
                "over_50ms": round(sum(t > 50 for t in totals) / len(totals), 3) if totals else None,
            }
    hits = sum(row["cache_hits"] for row in rows)
    misses = sum(row["cache_misses"] for row in rows)
    return {
        "searches": len(rows),
        "warmup_requests": len(warmup_urls),
        "groups": groups,
        "statuses": {str(status): n for status, n in sorted(Counter(row["status"] for row in rows).items())},
        "cache_hit_rate": round(hits / (hits + misses), 3) if hits + misses else None,
        "slowest": sorted(
            ({"url": url, "total_ms": row["total_ms"]} for url, row in zip(urls, rows, strict=True)),
            key=lambda item: -item["total_ms"],
        )[:5],
    }


# ---------------------------------------------------------------- raw SQL and plans


@dataclass(frozen=True)
class CapturedQuery:
    alias: str
    sql: str
    params: tuple | list | dict | None


def capture_sql(client, url: str) -> tuple[object, list[CapturedQuery]]:
    """Run one request in-process and record every query it executes, exactly as sent."""
    from django.db import connections

    captured: list[CapturedQuery] = []

    def make_wrapper(alias: str):
        def wrapper(execute, sql, params, many, context):
            captured.append(CapturedQuery(alias, sql, params))
            return execute(sql, params, many, context)

        return wrapper

    wrappers = [(conn, make_wrapper(conn.alias)) for conn in connections.all()]
    for conn, wrapper in wrappers:
        conn.execute_wrappers.append(wrapper)
    try:
        response = client.get(url)
    finally:
        for conn, wrapper in wrappers:
            conn.execute_wrappers.remove(wrapper)
    return response, captured


def is_select(query: CapturedQuery) -> bool:
    return query.sql.lstrip("( \n").upper().startswith(("SELECT", "WITH"))


def time_raw_sql(queries: list[CapturedQuery], *, repeats: int) -> list[float]:
    """Median wall time (ms) of each query replayed on a plain cursor, results fetched; after one warm-up run."""
    from django.db import connections

    medians = []
    for query in queries:
        runs = []
        with connections[query.alias].cursor() as cursor:
            for attempt in range(repeats + 1):
                started = time.perf_counter()
                cursor.execute(query.sql, query.params)
                if cursor.description is not None:
                    cursor.fetchall()
                if attempt:
                    runs.append((time.perf_counter() - started) * 1000)
        medians.append(statistics.median(runs))
    return medians


def explain(query: CapturedQuery) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one SELECT (PostgreSQL), as text."""
    from django.db import connections

    with connections[query.alias].cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query.sql, query.params)
        return "\n".join(row[0] for row in cursor.fetchall())


def plan_facts(plan: str) -> dict:
    """What the report says about a plan: indexes used, sequential scans, execution time."""
    seq = sorted(set(SEQ_SCAN_RE.findall(plan)))
    execution = re.search(r"Execution Time: ([0-9.]+) ms", plan)
    return {
        "indexes": sorted(set(INDEX_RE.findall(plan))),
        "seq_scans": seq,
        "seq_scans_big": [table for table in seq if table in BIG_TABLES],
        "execution_ms": float(execution[1]) if execution else None,
    }


def analyse_search_sql(client, scenario: Scenario, *, repeats: int, explain_plans: bool) -> dict:
    """The SQL of one request, asked twice in-process: cold (the driver's search cache is empty:
    every query the search needs, each timed raw and, on PostgreSQL, explained) and repeated
    (what a cached search still runs: its raw time is what the repeated requests compare to)."""
    response, cold_queries = capture_sql(client, scenario.url)
    _, warm_queries = capture_sql(client, scenario.url)
    matches = None
    if scenario.kind == "api" and response.status_code == 200:
        matches = response.json().get("count")
    cold_selects = [q for q in cold_queries if is_select(q)]
    cold_raw = time_raw_sql(cold_selects, repeats=repeats)
    warm_raw = time_raw_sql([q for q in warm_queries if is_select(q)], repeats=repeats)
    statements = []
    for number, (query, raw_ms) in enumerate(zip(cold_selects, cold_raw, strict=True), start=1):
        entry = {"number": number, "raw_ms": round(raw_ms, 3), "sql": query.sql, "params": _jsonable(query.params)}
        if explain_plans:
            plan = explain(query)
            entry.update(plan_facts(plan))
            entry["plan"] = plan
        statements.append(entry)
    return {
        "name": scenario.name,
        "status": response.status_code,
        "matches": matches,
        "queries": len(warm_queries),
        "raw_sql_ms": round(sum(warm_raw), 3),
        "cold": {"queries": len(cold_queries), "raw_sql_ms": round(sum(cold_raw), 3)},
        "statements": statements,
    }


def _jsonable(params) -> list | dict | None:
    if params is None:
        return None
    if isinstance(params, dict):
        return {key: str(value) for key, value in params.items()}
    return [value if isinstance(value, int | float | str | bool) or value is None else str(value) for value in params]
