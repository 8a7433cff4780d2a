"""Cold searches timed in one process against any checkout: before/after of a change on one machine.

    git worktree add /tmp/before <commit>
    ROOT=/tmp/before DB=meridian_bench .venv/bin/python -m bench.cold_inprocess   # then ROOT=. for the change

Each of N distinct generated searches (`bench.searches`, seed SEED) is asked once through Django's
test client with production settings and a per-process cache (so every search is a first request),
half as the page and half through the API, after 30 warm-up searches of another seed; it prints the
p50 and p95 of each kind in ms, as JSON. No HTTP server, so the figures are the application's own
time (views, ORM, SQL, templates) without gunicorn or the network. Run the two checkouts alternately
(before, after, after, before) and compare ratios, not milliseconds: the machine is shared.

With KIND=profile it times N different profiles instead (a seeded sample of published listings, each
asked once after 30 others) and reports their queries per page too.

Environment: ROOT (the checkout, default this one), DB (a database seeded by `make bench`, default
meridian_bench), N (default 300), SEED (default 501), KIND (search, the default, or profile),
STATIC_ROOT (collected static files of that checkout: production settings need the manifest).
"""

import json
import os
import sys
import time
from pathlib import Path


def p50_p95(values: list[float]) -> dict[str, float]:
    """The benchmark's percentiles (bench.measure.percentile), in ms to one decimal."""
    from bench.measure import percentile

    return {"p50_ms": round(percentile(values, 50), 1), "p95_ms": round(percentile(values, 95), 1)}


def main() -> None:
    root = Path(os.environ.get("ROOT", Path(__file__).resolve().parent.parent)).resolve()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings.prod")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("API_ANON_RATE", "100000000/minute")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.pop("REDIS_URL", None)  # a per-process cache: nothing from another run is reused
    base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    os.environ["DATABASE_URL"] = f"{base}/{os.environ.get('DB', 'meridian_bench')}"
    sys.path.insert(0, str(root))
    os.chdir(root)
    import django

    django.setup()
    from django.test import Client

    if os.environ.get("KIND") == "profile":
        print(json.dumps({"root": str(root), "profile": profiles(Client())}))
        return

    from bench.searches import WARMUP_SEED, benchmark_urls, generate_searches

    urls = benchmark_urls(generate_searches(int(os.environ.get("N", "300")), seed=int(os.environ.get("SEED", "501"))))
    client = Client()
    for url in benchmark_urls(generate_searches(30, seed=WARMUP_SEED)):
        client.get(url)
    times: dict[str, list[float]] = {"page": [], "api": []}
    for url in urls:
        started = time.perf_counter()
        client.get(url)
        times["api" if "/api/" in url else "page"].append((time.perf_counter() - started) * 1000)
    summary = {kind: {"n": len(values), **p50_p95(values)} for kind, values in times.items()}
    print(json.dumps({"root": str(root), **summary}))


def profiles(client) -> dict:
    """N different published profiles, each asked once: p50/p95 ms and the fewest and most queries."""
    import random

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from practitioners.models import Practitioner

    n = int(os.environ.get("N", "300"))
    slugs = list(Practitioner.objects.published().order_by("pk").values_list("slug", flat=True))
    chosen = random.Random(int(os.environ.get("SEED", "501"))).sample(slugs, min(len(slugs), n + 30))
    for slug in chosen[:30]:
        client.get(f"/practitioners/{slug}/")
    times, queries = [], []
    for slug in chosen[30:]:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(f"/practitioners/{slug}/")
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, slug
        queries.append(len(captured))
    return {"n": len(times), **p50_p95(times), "queries": [min(queries), max(queries)]}


if __name__ == "__main__":
    main()
