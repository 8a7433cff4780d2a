"""The benchmark driver: `make bench` (100,000 listings), `make bench-quick` (10,000), `make bench-million`.

    .venv/bin/python -m bench.run full     # 10k and 100k datasets (cold at both, mix and wrk at 100k),
                                           # writes docs/performance.md with the growth curve
    .venv/bin/python -m bench.run quick    # 10k dataset, shorter wrk runs, writes bench/out/quick/performance.md
    .venv/bin/python -m bench.run million  # 1,000,000 listings (seeding took about 70 minutes here): cold, mix
                                           # and a shorter repeated section; RECORDS the point in
                                           # bench/recorded/million.json (commit it), writes
                                           # bench/out/million/performance.md, and re-renders
                                           # docs/performance.md from bench/out/full/results.json if there
    .venv/bin/python -m bench.report full  # re-render docs/performance.md from bench/out/full/results.json
                                           # and the recorded point, measuring nothing

The growth curve ("Growth with data size" in docs/performance.md) has three points: 10,000 and
100,000 from the full run, 1,000,000 from the recorded file (bench/record.py), with the date and
commit it was measured at; "not measured yet" while the file is absent.

For each dataset it builds what it needs: the PostgreSQL database (created if missing,
migrated), the data (`manage.py seed_bench`, timed with /usr/bin/time -v, only when
the database is not already at the requested size), the static files; then it starts
gunicorn (2 workers, --no-control-socket) with production settings and SERVER_TIMING=true,
and runs `bench.run dataset` against it in a child process (Django set up for that
database): server time per request, SQL per request, raw SQL and plans, wrk. Results go
to bench/out/ as JSON and plans; `bench.report` turns them into Markdown.

Environment: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432), BENCH_PORT (default: a free one);
BENCH_DB_PREFIX (default meridian_bench: the databases are PREFIX_quick and PREFIX); BENCH_SIZES
(e.g. 100000: only the datasets of those sizes); BENCH_REPEATS, BENCH_LOAD_SECONDS and BENCH_COLD
shorten a run while working on the benchmark itself (a recorded point says so in its command).
"""

import argparse
import contextlib
import dataclasses
import datetime
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import record, report
from .scenarios import WARMUP_URLS, load_targets, profile_scenarios, search_scenarios

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
HEAVY_REVIEWS = 500
COMPARE_SEARCHES = 150  # bench.projection_compare: searches timed both ways (the plain way takes seconds each)
REVIEWS_PER_LISTING = "10.6"  # seed_bench: about 10 reviews per listing, just over 1,000,000 at 100,000 listings


@dataclass(frozen=True)
class Dataset:
    database: str
    practitioners: int
    load_test: bool


@dataclass(frozen=True)
class Plan:
    name: str
    datasets: tuple[Dataset, ...]
    repeats: int
    doc: Path
    load_seconds: int = 30  # per wrk run (the mix and, with repeated_load, the repeated URLs)
    load_connections: tuple[int, ...] = (16, 64)
    cold_searches: int = 1000  # asked once each, half as the page, half through the API, on every dataset
    mix_searches: int = 3000  # the distinct searches the mix draws from (Zipf), on load_test datasets
    repeated_load: bool = True  # wrk on the repeated URLs too (load_test datasets)
    growth: bool = False  # the doc has the growth curve (this run's datasets and the recorded point)
    record: Path | None = None  # the committed file this run's point is recorded in
    compare: bool = True  # bench.projection_compare on load_test datasets (the plain way takes seconds a search at 1M)


PLANS = {
    "full": Plan(
        name="full",
        datasets=(
            Dataset("_quick", 10_000, load_test=False),
            Dataset("", 100_000, load_test=True),
        ),
        repeats=40,
        doc=ROOT / "docs" / "performance.md",
        growth=True,
    ),
    "quick": Plan(
        name="quick",
        datasets=(Dataset("_quick", 10_000, load_test=True),),
        repeats=15,
        doc=OUT / "quick" / "performance.md",
        load_seconds=10,
        cold_searches=600,
    ),
    # The third point of the growth curve, run once on this machine and recorded (bench/record.py).
    "million": Plan(
        name="million",
        datasets=(Dataset("_1m", 1_000_000, load_test=True),),
        repeats=10,
        doc=OUT / "million" / "performance.md",
        repeated_load=False,
        record=record.MILLION,
        compare=False,
    ),
}
MAKE_TARGETS = {"full": "make bench", "quick": "make bench-quick", "million": "make bench-million"}


# ---------------------------------------------------------------- environment


def pg_base_url() -> str:
    return os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def server_env(database: str, static_root: Path) -> dict[str, str]:
    """Production settings on loopback HTTP, with the timing header and a throttle the load test can't hit."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "directory.settings.prod",
        "DATABASE_URL": f"{pg_base_url()}/{database}",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SERVER_TIMING": "true",
        # The API's anonymous throttle (120/minute by default) would turn the load test into 429s.
        "API_ANON_RATE": "100000000/minute",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)


def psql_value(database: str, sql: str, params: list | None = None) -> str:
    import psycopg

    with psycopg.connect(f"{pg_base_url()}/{database}", autocommit=True) as conn:
        row = conn.execute(sql, params).fetchone()
        return "" if row is None else str(row[0])


def ensure_database(database: str) -> bool:
    """Create the database if missing; True when it was created."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{pg_base_url()}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        return True


def drop_database(database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{pg_base_url()}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))


def dataset_size(database: str) -> tuple[int, int]:
    """(demo listings, listings with exactly HEAVY_REVIEWS published reviews)."""
    listings = int(psql_value(database, "SELECT count(*) FROM practitioners_practitioner WHERE is_demo"))
    heavy = int(
        psql_value(database, "SELECT count(*) FROM practitioners_practitioner WHERE review_count = %s", [HEAVY_REVIEWS])
    )
    return listings, heavy


def missing_search_rows(database: str) -> int:
    """Published listings minus search rows: not 0 when the data was seeded without the projection
    (seed_bench builds it at the end since issue 14; an older seed, or one interrupted there, did not)."""
    return int(
        psql_value(
            database,
            "SELECT (SELECT count(*) FROM practitioners_practitioner WHERE status = 'published')"
            " - (SELECT count(*) FROM practitioners_searchrow)",
        )
    )


SEARCH_ROWS_LINE = re.compile(r"^search rows: (\d+) in ([0-9.]+) s$", re.MULTILINE)


def parse_search_rows(text: str) -> dict:
    """seed_bench's "search rows: N in X s" line (the projection's rebuild, part of the seed time)."""
    found = SEARCH_ROWS_LINE.findall(text)
    if not found:
        return {}
    rows, seconds = found[-1]
    return {"search_rows": int(rows), "search_rows_s": float(seconds)}


def seed_figures(log: Path) -> dict:
    """Wall time, peak memory and the projection's share from a seed's log (seed_bench under /usr/bin/time -v)."""
    text = log.read_text()
    return parse_time_v(text) | parse_search_rows(text)


def parse_time_v(text: str) -> dict:
    """Wall time and peak memory from GNU time's -v report."""
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if not wall or not rss:
        raise ValueError("No /usr/bin/time -v report in the output.")
    seconds = 0.0
    for part in wall[1].split(":"):
        seconds = seconds * 60 + float(part)
    return {"wall_s": round(seconds, 1), "max_rss_mb": round(int(rss[1]) / 1024, 1)}


def run_timed(command: list[str], env: dict[str, str], log: Path) -> dict:
    """Run a command under /usr/bin/time -v; its output goes to `log`; returns wall time and peak memory."""
    with log.open("w") as handle:
        subprocess.run(
            ["/usr/bin/time", "-v", *command], env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, check=True
        )
    shown = log.relative_to(ROOT) if log.is_relative_to(ROOT) else log
    return parse_time_v(log.read_text()) | {"command": shlex.join(command), "log": str(shown)}


def reused_seed(database: str) -> dict:
    """What is known of the seed of a database that is not reseeded: its record, else its log."""
    seed_record, seed_log = OUT / f"{database}-seed.json", OUT / f"{database}-seed.log"
    if seed_record.exists():
        known = json.loads(seed_record.read_text())
        if "search_rows_s" not in known and seed_log.exists():
            known |= parse_search_rows(seed_log.read_text())
        return known | {"reused": True}
    with contextlib.suppress(OSError, ValueError):
        return seed_figures(seed_log) | {"command": None, "log": str(_shown(seed_log)), "reused": True}
    return {"reused": True, "wall_s": None, "max_rss_mb": None, "command": None}


def ensure_search_rows(database: str, env: dict[str, str]) -> dict:
    """Build the search projection when the data has none (or too few rows); its time, or {}."""
    missing = missing_search_rows(database)
    if not missing:
        return {}
    print(f"{database}: {missing} published listings have no search row; rebuilding the projection …", flush=True)
    started = time.monotonic()
    code = "import django; django.setup(); from practitioners.search_rows import rebuild_search_rows as r; r()"
    subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, check=True)
    return {"search_rows_rebuilt_s": round(time.monotonic() - started, 1)}


def prepare_dataset(dataset: Dataset, env: dict[str, str]) -> dict:
    """Database created, migrated and seeded at the requested size (search projection included);
    the seed's time and peak memory."""
    OUT.mkdir(parents=True, exist_ok=True)
    seed_record = OUT / f"{dataset.database}-seed.json"
    ensure_database(dataset.database)
    manage(env, "migrate", "--noinput", "-v0")
    listings, heavy = dataset_size(dataset.database)
    if listings == dataset.practitioners and heavy >= 1:
        print(f"{dataset.database}: already {listings} listings; not reseeded.", flush=True)
        return reused_seed(dataset.database) | ensure_search_rows(dataset.database, env)
    if listings:
        print(f"{dataset.database}: {listings} listings, not {dataset.practitioners}; recreating.", flush=True)
        drop_database(dataset.database)
        ensure_database(dataset.database)
        manage(env, "migrate", "--noinput", "-v0")
    command = [
        PYTHON,
        "manage.py",
        "seed_bench",
        f"--practitioners={dataset.practitioners}",
        f"--reviews-per-listing={REVIEWS_PER_LISTING}",
        f"--heavy-listing-reviews={HEAVY_REVIEWS}",
    ]
    print(f"{dataset.database}: seeding {dataset.practitioners} listings …", flush=True)
    seeded = run_timed(command, env, OUT / f"{dataset.database}-seed.log")
    seeded |= parse_search_rows((OUT / f"{dataset.database}-seed.log").read_text())
    seed_record.write_text(json.dumps(seeded, indent=2))
    return seeded | {"reused": False}


# ---------------------------------------------------------------- the server


def free_port() -> int:
    """A loopback port nobody listens on (other services on a shared machine use the usual ones)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


WORKER_TIMEOUT_S = 120  # gunicorn's --timeout, as docs/deployment.md says


class Gunicorn:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            GUNICORN,
            "directory.wsgi:application",
            "--workers=2",
            f"--bind=127.0.0.1:{self.port}",
            "--no-control-socket",
            # A worker loads its memory index before it answers (about a minute at 1,000,000 listings).
            f"--timeout={WORKER_TIMEOUT_S}",
            f"--error-logfile={self.log}",
        ]

    def __enter__(self) -> "Gunicorn":
        self.process = subprocess.Popen(self.command(), env=self.env, cwd=ROOT)
        deadline = time.monotonic() + 3 * WORKER_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as response:  # noqa: S310 (loopback)
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz within {3 * WORKER_TIMEOUT_S} s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


class RedisServer:
    """A throwaway redis-server on loopback: the shared cache production runs with (REDIS_URL),
    so both gunicorn workers share cached searches. Nothing is saved to disk."""

    def __init__(self, port: int, log: Path) -> None:
        self.port, self.log = port, log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> "RedisServer":
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            str(self.log),
        ]
        self.process = subprocess.Popen(command, cwd=ROOT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"redis-server did not answer on port {self.port}; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def redis_command(url: str, command: str) -> bytes:
    """One inline command to the benchmark's own redis-server (e.g. FLUSHDB); its reply line."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port or 6379), timeout=10) as conn:
        conn.sendall(command.encode() + b"\r\n")
        return conn.recv(256)


# ---------------------------------------------------------------- one dataset (run inside Django)


def find_profiles(heavy_reviews: int) -> tuple[str, str]:
    """Slugs of a published listing with no reviews at all and of one with exactly `heavy_reviews` published."""
    from django.db.models import Exists, OuterRef

    from practitioners.models import Practitioner
    from reviews.models import Review

    published = Practitioner.objects.published()
    empty = (
        published.filter(review_count=0)
        .filter(~Exists(Review.objects.filter(practitioner_id=OuterRef("pk"))))
        .order_by("pk")
        .values_list("slug", flat=True)
        .first()
    )
    heavy = published.filter(review_count=heavy_reviews).order_by("-pk").values_list("slug", flat=True).first()
    if not empty or not heavy:
        raise RuntimeError(f"The dataset needs a listing with 0 and one with {heavy_reviews} reviews (seed_bench).")
    return empty, heavy


def dataset_facts() -> dict:
    from django.db import connection

    from practitioners.models import PracticeLocation, Practitioner, SearchRow
    from reviews.models import HelpfulVote, Review

    facts = {
        "vendor": connection.vendor,
        "practitioners": Practitioner.objects.count(),
        "published_practitioners": Practitioner.objects.published().count(),
        "search_rows": SearchRow.objects.count(),
        "locations": PracticeLocation.objects.count(),
        "reviews": Review.objects.count(),
        "published_reviews": Review.objects.published().count(),
        "helpful_votes": HelpfulVote.objects.count(),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_size_pretty(pg_database_size(current_database())), pg_database_size(current_database()),"
                " version()"
            )
            facts["database_size"], facts["database_bytes"], facts["server_version"] = cursor.fetchone()
    else:
        from django.db.backends.sqlite3.base import Database

        facts["database_size"], facts["database_bytes"] = None, None
        facts["server_version"] = f"SQLite {Database.sqlite_version}"
    return facts


def measure_dataset(
    *,
    fetch,
    client,
    heavy_reviews: int,
    repeats: int,
    raw_repeats: int = 3,
    load_base_url: str | None = None,
    load_seconds: int = 30,
    load_connections: tuple[int, ...] = (16, 64),
    plans_dir: Path | None = None,
    cold_searches: int = 0,
    mix_searches: int = 0,
    server_pid: int | None = None,
    flush_cache=None,
    repeated_load: bool = True,
) -> dict:
    """Everything measured on one dataset (Django must be set up for its database).

    `fetch` sends the timed requests (HTTP to the server, or the test client);
    `client` is a Django test client used in-process to capture each request's SQL.
    The cold run needs only `cold_searches`; the mix and the repeated URLs' wrk runs need
    `load_base_url` (and `mix_searches`, `repeated_load`).
    """
    from django.db import connection

    from .measure import analyse_search_sql, time_scenarios

    empty, heavy = find_profiles(heavy_reviews)
    scenarios = search_scenarios() + profile_scenarios(
        no_reviews_slug=empty, many_reviews_slug=heavy, many_reviews=heavy_reviews
    )
    explain_plans = connection.vendor == "postgresql"
    result: dict = {
        "dataset": dataset_facts(),
        "load_average_before": _load_average(),
        "timings": time_scenarios(fetch, scenarios, repeats=repeats, process_warmup=WARMUP_URLS),
    }
    # The server's vocabulary is cached from the warm-up; so is the driver's, so that each search's
    # captured "cold" queries are what a new search costs a running server (plus 1 for the vocabulary
    # right after a restart or a write). The same for the memory index of the search projection, which
    # each server worker loads at start (directory/wsgi.py).
    from django.db import router

    from practitioners.models import Practitioner
    from search import memory
    from search.vocabulary import load_vocabulary

    load_vocabulary()
    using = router.db_for_read(Practitioner)
    if memory.enabled(using):
        memory.current_snapshot(using)
    analyses = []
    for scenario in scenarios:
        analysis = analyse_search_sql(client, scenario, repeats=raw_repeats, explain_plans=explain_plans)
        if plans_dir is not None:
            _write_plans(plans_dir, scenario.name, analysis)
        for statement in analysis["statements"]:
            statement.pop("plan", None)  # kept in the plan files, not in the JSON
        analyses.append(analysis)
    result["sql"] = analyses
    result["plans"] = (
        {"explained": True}
        if explain_plans
        else {
            "explained": False,
            "reason": f"EXPLAIN (ANALYZE, BUFFERS) is PostgreSQL's; this run used {connection.vendor}.",
        }
    )
    # (Imported here: the generator reads the reference data through Django's settings.)
    from .searches import WARMUP_SEED, benchmark_urls, generate_searches

    if cold_searches:
        from .measure import cold_run

        searches = generate_searches(max(cold_searches, mix_searches))
        measured = set(searches)
        warmup = [s for s in generate_searches(40, seed=WARMUP_SEED) if s not in measured]
        if flush_cache is not None:
            flush_cache()
        result["cold"] = cold_run(
            fetch,
            benchmark_urls(searches[:cold_searches]),
            located=[search.located for search in searches[:cold_searches]],
            warmup_urls=benchmark_urls(warmup),
        )
    else:
        result["cold"] = None
    if load_base_url is not None and mix_searches:
        from .load import mix_test

        result["mix"] = mix_test(
            load_base_url,
            benchmark_urls(generate_searches(mix_searches)),
            connection_levels=load_connections,
            duration_s=load_seconds,
            work_dir=(plans_dir or OUT).parent / "mix",
            before_each=flush_cache,
            server_pid=server_pid,
        )
    else:
        result["mix"] = None
    if load_base_url is not None and repeated_load:
        from .load import load_test

        result["load"] = load_test(
            load_base_url, load_targets(), connection_levels=load_connections, duration_s=load_seconds
        )
    else:
        result["load"] = None
    result["load_average_after"] = _load_average()
    return result


def _write_plans(plans_dir: Path, name: str, analysis: dict) -> None:
    plans_dir.mkdir(parents=True, exist_ok=True)
    lines = [f"# {name}  (HTTP {analysis['status']}, {analysis['queries']} queries)", ""]
    for statement in analysis["statements"]:
        lines += [f"-- query {statement['number']}: raw {statement['raw_ms']} ms", statement["sql"], ""]
        lines += [f"-- params: {statement['params']}", ""]
        if "plan" in statement:
            lines += [statement["plan"], ""]
    (plans_dir / (name.replace(":", "__") + ".txt")).write_text("\n".join(lines))


def _load_average() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def dataset_main(args: argparse.Namespace) -> None:
    """`bench.run dataset`: measure the database in DATABASE_URL against the server at --base-url."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.test import Client

    from .measure import HttpFetcher

    client = Client(SERVER_NAME="localhost")
    flush = (lambda: redis_command(args.redis_url, "FLUSHDB")) if args.redis_url else None
    result = measure_dataset(
        fetch=HttpFetcher(args.base_url),
        client=client,
        heavy_reviews=args.heavy_reviews,
        repeats=args.repeats,
        load_base_url=args.base_url if args.load_seconds else None,
        load_seconds=args.load_seconds,
        load_connections=tuple(int(n) for n in args.load_connections.split(",")),
        plans_dir=Path(args.plans_dir),
        cold_searches=args.cold,
        mix_searches=args.mix if args.load_seconds else 0,
        server_pid=args.server_pid,
        flush_cache=flush,
        repeated_load=not args.no_repeated_load,
    )
    Path(args.out).write_text(json.dumps(result, indent=2, default=str))


# ---------------------------------------------------------------- the whole run


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


BENCH_ENV = ("BENCH_DB_PREFIX", "BENCH_SIZES", "BENCH_REPEATS", "BENCH_LOAD_SECONDS", "BENCH_COLD", "BENCH_COMPARE")


def _bench_command(plan_name: str) -> str:
    """How this run was started, with the environment overrides that shortened or narrowed it."""
    overrides = " ".join(f"{name}={shlex.quote(os.environ[name])}" for name in BENCH_ENV if os.environ.get(name))
    make = MAKE_TARGETS[plan_name]
    return f"{overrides + ' ' if overrides else ''}{make}  (= .venv/bin/python -m bench.run {plan_name})"


def measure_command(
    plan: Plan, dataset: Dataset, *, base_url: str, out_dir: Path, server_pid: int, redis_url: str | None
) -> list[str]:
    """`bench.run dataset` for one dataset of a plan: the cold run on every dataset, the mix and the
    wrk runs only on load_test datasets (the repeated URLs' wrk runs only when the plan has them)."""
    command = [
        PYTHON,
        "-m",
        "bench.run",
        "dataset",
        f"--base-url={base_url}",
        f"--repeats={plan.repeats}",
        f"--heavy-reviews={HEAVY_REVIEWS}",
        f"--load-seconds={plan.load_seconds if dataset.load_test else 0}",
        f"--load-connections={','.join(map(str, plan.load_connections))}",
        f"--plans-dir={out_dir / 'plans'}",
        f"--out={out_dir / 'result.json'}",
        f"--cold={plan.cold_searches}",
        f"--mix={plan.mix_searches}",
        f"--server-pid={server_pid}",
    ]
    if not plan.repeated_load:
        command.append("--no-repeated-load")
    if redis_url:
        command.append(f"--redis-url={redis_url}")
    return command


def run_plan(plan: Plan) -> dict:
    # Shorter runs while working on the benchmark itself; the documented figures use the defaults.
    plan = dataclasses.replace(
        plan,
        repeats=int(os.environ.get("BENCH_REPEATS", plan.repeats)),
        load_seconds=int(os.environ.get("BENCH_LOAD_SECONDS", plan.load_seconds)),
        cold_searches=int(os.environ.get("BENCH_COLD", plan.cold_searches)),
    )
    prefix = os.environ.get("BENCH_DB_PREFIX", "meridian_bench")
    sizes = {int(size) for size in os.environ.get("BENCH_SIZES", "").split(",") if size.strip()}
    plan = dataclasses.replace(
        plan,
        datasets=tuple(
            dataclasses.replace(dataset, database=prefix + dataset.database)
            for dataset in plan.datasets
            if not sizes or dataset.practitioners in sizes
        ),
    )
    OUT.mkdir(parents=True, exist_ok=True)
    static_root = OUT / "static"
    port = int(os.environ.get("BENCH_PORT") or free_port())
    started = time.monotonic()
    results = {
        "plan": plan.name,
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "commit": record.git_commit(),
        "commands": {
            "bench": _bench_command(plan.name),
        },
        "repeats": plan.repeats,
        "datasets": [],
    }
    for number, dataset in enumerate(plan.datasets):
        env = server_env(dataset.database, static_root)
        if number == 0:
            manage(env, "collectstatic", "--noinput", "-v0")
        seed = prepare_dataset(dataset, env)
        out_dir = OUT / plan.name / dataset.database
        out_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as stack:
            server_env_vars = env
            if shutil.which("redis-server"):
                redis = stack.enter_context(RedisServer(free_port(), out_dir / "redis.log"))
                # The server shares Redis; the driver keeps its own empty cache, so the SQL it
                # captures for each search is the uncached (cold) set.
                server_env_vars = {**env, "REDIS_URL": redis.url}
                results["cache"] = "Redis (a fresh redis-server per dataset, shared by both workers)"
            else:
                results["cache"] = "per-process memory (redis-server is not installed; each worker caches alone)"
            server = stack.enter_context(Gunicorn(server_env_vars, port, out_dir / "gunicorn.log"))
            results["commands"]["server"] = shlex.join(server.command())
            dataset_command = measure_command(
                plan,
                dataset,
                base_url=server.base_url,
                out_dir=out_dir,
                server_pid=server.process.pid,
                redis_url=server_env_vars.get("REDIS_URL"),
            )
            print(f"{dataset.database}: measuring ({shlex.join(dataset_command[2:4])} …)", flush=True)
            subprocess.run(dataset_command, env=env, cwd=ROOT, check=True)
        measured = json.loads((out_dir / "result.json").read_text())
        compare_count = int(os.environ.get("BENCH_COMPARE", COMPARE_SEARCHES if plan.compare else 0))
        if compare_count and dataset.load_test:
            # Before/after in this run: the plain definitions and the projection, the same searches (no server).
            print(f"{dataset.database}: comparing plain and projection on {compare_count} searches …", flush=True)
            compare_out = out_dir / "projection_compare.json"
            subprocess.run(
                [PYTHON, "-m", "bench.projection_compare", f"--searches={compare_count}", f"--out={compare_out}"],
                env=env,
                cwd=ROOT,
                check=True,
            )
            measured["projection_compare"] = json.loads(compare_out.read_text())
        results["datasets"].append(
            {"database": dataset.database, "size": dataset.practitioners, "seed": seed, **measured}
        )
    results["elapsed_s"] = round(time.monotonic() - started, 1)
    results["environment"] = {
        key: value
        for key, value in server_env("<database>", static_root).items()
        if key
        in {
            "DJANGO_SETTINGS_MODULE",
            "ALLOWED_HOSTS",
            "SECURE_SSL_REDIRECT",
            "SERVER_TIMING",
            "API_ANON_RATE",
            "SEARCH_CACHE_SECONDS",
            "CONN_MAX_AGE",
        }
    }
    (OUT / plan.name).mkdir(parents=True, exist_ok=True)
    (OUT / plan.name / "results.json").write_text(json.dumps(results, indent=2, default=str))
    if plan.record is not None and results["datasets"]:
        record.write_point(plan.record, record.point_from_results(results, commit=results["commit"]))
        print(f"Recorded the {plan.datasets[-1].practitioners:,}-listing point in {_shown(plan.record)}.", flush=True)
    write_doc(plan, results)
    print(f"Wrote {_shown(plan.doc)} and bench/out/{plan.name}/ in {results['elapsed_s']:.0f} s.", flush=True)
    if plan.record is not None:
        # The growth curve of docs/performance.md gets the new point without measuring the rest again.
        with contextlib.suppress(FileNotFoundError):
            print(f"Re-rendered {_shown(rerender('full'))} with the new point.", flush=True)
    return results


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def write_doc(plan: Plan, results: dict) -> None:
    growth_point = record.read_point(record.MILLION) if plan.growth else None
    plan.doc.parent.mkdir(parents=True, exist_ok=True)
    plan.doc.write_text(report.render(results, growth=plan.growth, growth_point=growth_point))


def rerender(plan_name: str) -> Path:
    """The plan's doc again from its last results (bench/out/<plan>/results.json) and the recorded
    point, measuring nothing; FileNotFoundError when that plan has not run here."""
    plan = PLANS[plan_name]
    results = json.loads((OUT / plan_name / "results.json").read_text())
    write_doc(plan, results)
    return plan.doc


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("full", help="10k and 100k datasets; writes docs/performance.md")
    commands.add_parser("quick", help="10k dataset, short load test; writes bench/out/quick/performance.md")
    commands.add_parser(
        "million", help="1,000,000 listings: cold, mix, short repeated section; records bench/recorded/million.json"
    )
    render = commands.add_parser("render", help="re-render a plan's doc from bench/out/<plan>/results.json")
    render.add_argument("plan", nargs="?", default="full", choices=sorted(PLANS))
    one = commands.add_parser("dataset", help="(internal) measure one running server")
    one.add_argument("--base-url", required=True)
    one.add_argument("--repeats", type=int, default=30)
    one.add_argument("--heavy-reviews", type=int, default=HEAVY_REVIEWS)
    one.add_argument("--load-seconds", type=int, default=0)
    one.add_argument("--load-connections", default="16,64")
    one.add_argument("--plans-dir", required=True)
    one.add_argument("--out", required=True)
    one.add_argument("--cold", type=int, default=0, help="distinct searches asked once each")
    one.add_argument("--mix", type=int, default=0, help="distinct searches the mix draws from")
    one.add_argument("--server-pid", type=int, default=None, help="gunicorn's master (worker memory)")
    one.add_argument("--redis-url", default=None, help="the server's cache, emptied before the cold and mix runs")
    one.add_argument("--no-repeated-load", action="store_true", help="no wrk runs on the repeated URLs")
    args = parser.parse_args(argv)
    if args.command == "dataset":
        dataset_main(args)
    elif args.command == "render":
        try:
            print(f"Wrote {_shown(rerender(args.plan))}.")
        except FileNotFoundError:
            sys.exit(f"No bench/out/{args.plan}/results.json here: run `{MAKE_TARGETS[args.plan]}` first.")
    else:
        run_plan(PLANS[args.command])


if __name__ == "__main__":
    main()
