"""The location box in-process: building the city index, `places.suggest` and `places.resolve`.

    .venv/bin/python -m bench.places            # prints a Markdown table
    .venv/bin/python -m bench.places --json     # the same figures as JSON

Every distinct 3-letter prefix of a normalized city name (letters only, no space) is suggested `--rounds` times (the
order shuffled each round); p50/p95/p99/max are over all those calls. The build figures are
for one process: the ZIP table (`geo`, already preloaded by the wsgi before this work) and
then the city index on top of it; their memory is what tracemalloc sees kept, in a fresh process. With
`--endpoint` the suggest view is also timed through Django's test client (no database needed:
it runs no queries).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import distribution

RESOLVE_SAMPLES = {
    "found: City, ST": "Austin, TX",
    "found: city alone": "austin",
    "found: ZIP+4": "10001-2345",
    "ambiguous": "Springfield",
    "misspelled, state given": "Austn, TX",
    "misspelled, city alone": "Sprngfield",
    "unknown": "Qwxyzzy",
}


def _timed_us(fn, *args) -> float:
    start = time.perf_counter_ns()
    fn(*args)
    return (time.perf_counter_ns() - start) / 1000


def _summary(samples: list[float]) -> dict:
    found = distribution(samples, unit="us")
    return {"calls": found.pop("n"), **found}


def measure(rounds: int, seed: int, endpoint: bool) -> dict:
    from practitioners import geo, places

    start = time.perf_counter()
    geo.zip_rows()
    zip_s = time.perf_counter() - start
    start = time.perf_counter()
    index = places.city_index()
    index_s = time.perf_counter() - start
    memory = _memory()

    prefixes = sorted({key[:3] for key in index.by_key if " " not in key[:3]})
    rng = random.Random(seed)
    samples: list[float] = []
    for _ in range(rounds):
        rng.shuffle(prefixes)
        samples.extend(_timed_us(places.suggest, prefix) for prefix in prefixes)
    worst = max(prefixes, key=lambda p: _timed_us(places.suggest, p))

    resolve = {}
    for name, text in RESOLVE_SAMPLES.items():
        resolve[name] = {"text": text, **_summary([_timed_us(places.resolve, text) for _ in range(200)])}

    result = {
        "build": {
            "zip_table_s": round(zip_s, 3),
            "zip_table_mib": memory["zip_table_mib"],
            "city_index_s": round(index_s, 3),
            "city_index_mib": memory["city_index_mib"],
            "cities": len(index.by_state),
            "names": len(index.by_key),
        },
        "suggest_3_letters": {
            "prefixes": len(prefixes),
            "rounds": rounds,
            "slowest_prefix": worst,
            **_summary(samples),
        },
        "resolve": resolve,
    }
    if endpoint:
        result["endpoint_3_letters"] = _endpoint(prefixes, rng)
    return result


MEMORY_PROBE = """
import json, tracemalloc
tracemalloc.start()
from practitioners import geo, places
geo.zip_rows()
zip_bytes = tracemalloc.get_traced_memory()[0]
places.city_index()
index_bytes = tracemalloc.get_traced_memory()[0] - zip_bytes
print(json.dumps({"zip_table_mib": round(zip_bytes / 2**20, 1), "city_index_mib": round(index_bytes / 2**20, 1)}))
"""


def _memory() -> dict:
    """What tracemalloc sees kept, in a fresh process (the `zipcodes` data loads on import)."""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", MEMORY_PROBE], cwd=root, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _endpoint(prefixes: list[str], rng: random.Random) -> dict:
    """The suggest view through Django's test client: URL resolving, middleware, JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings.test")
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    client = Client()
    url = reverse("places-suggest")
    chosen = rng.sample(prefixes, min(2000, len(prefixes)))
    client.get(url, {"q": chosen[0]})
    samples = []
    for prefix in chosen:
        start = time.perf_counter_ns()
        response = client.get(url, {"q": prefix})
        samples.append((time.perf_counter_ns() - start) / 1000)
        assert response.status_code == 200, response.status_code
    return _summary(samples)


def markdown(result: dict) -> str:
    b, s = result["build"], result["suggest_3_letters"]
    lines = [
        "| figure | value |",
        "| --- | --- |",
        f"| ZIP table load (`geo`) | {b['zip_table_s'] * 1000:.0f} ms, {b['zip_table_mib']} MiB |",
        f"| city index build (`places.city_index`) | {b['city_index_s'] * 1000:.0f} ms, {b['city_index_mib']} MiB "
        f"({b['cities']:,} cities, {b['names']:,} names) |",
        f"| `suggest`, 3-letter prefix ({s['prefixes']:,} prefixes × {s['rounds']}) | p50 {s['p50_us']} µs, "
        f"p95 {s['p95_us']} µs, p99 {s['p99_us']} µs, max {s['max_us']} µs (slowest: “{s['slowest_prefix']}”) |",
    ]
    if "endpoint_3_letters" in result:
        e = result["endpoint_3_letters"]
        lines.append(
            f"| `GET /places/suggest/?q=…` via test client ({e['calls']:,} prefixes) | p50 {e['p50_us']} µs, "
            f"p95 {e['p95_us']} µs, max {e['max_us']} µs |"
        )
    for name, r in result["resolve"].items():
        lines.append(f"| `resolve` {name} (“{r['text']}”) | p50 {r['p50_us']} µs, p95 {r['p95_us']} µs |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--endpoint", action="store_true", help="also time the view through the test client")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.rounds, args.seed, args.endpoint)
    print(json.dumps(result, indent=2) if args.json else markdown(result))


if __name__ == "__main__":
    main()
