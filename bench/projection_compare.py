"""Before and after in one run: the search's database work by the plain definitions and by the projection.

    PYTHONPATH=. DATABASE_URL=postgres://postgres@127.0.0.1:5432/meridian_bench \
        DJANGO_SETTINGS_MODULE=directory.settings.prod SECRET_KEY=x ALLOWED_HOSTS=localhost \
        .venv/bin/python -m bench.projection_compare --searches 200 --out bench/out/projection_compare.json

For each of the first N searches of `bench/searches.py` (the cold run's; page parameters), with the
search cache off, it runs what a first request of that search computes — the facet counts, and
the page's ordered ids — once through `search.selectors.PlainSearch` (the plain definitions, what
the search used before the projection) and once through `search.projection.ProjectedSearch`,
alternating which goes first, and checks that both give the same total, facets and ids. Prints
p50/p95/max of each and the ratio; the machine's load average before and after.
"""

import argparse
import json
import os
import statistics
import time


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = (len(ordered) - 1) * q
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def compare(count: int) -> dict:
    """Both ways for the first `count` searches (Django set up, the search cache off)."""
    from django.http import QueryDict

    from bench.searches import generate_searches
    from search.filters import PractitionerFilterSet
    from search.projection import ProjectedSearch
    from search.selectors import PAGE_SIZE, PlainSearch, search_base_qs, search_facets
    from search.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    load_before = os.getloadavg()
    times: dict[str, list[float]] = {"plain": [], "projection": []}
    by_kind: dict[str, dict[str, list[float]]] = {"broad": {"plain": [], "projection": []}}
    by_kind["located"] = {"plain": [], "projection": []}
    mismatches = []
    for number, search in enumerate(generate_searches(count)):
        data = QueryDict(search.query)
        page = int(data.get("page") or 1)
        filterset = PractitionerFilterSet(data, queryset=search_base_qs(), vocabulary=vocabulary)
        filterset.form.is_valid()
        answers = {}
        order = [("plain", PlainSearch), ("projection", ProjectedSearch)]
        if number % 2:
            order.reverse()
        for name, index_class in order:
            index = index_class(filterset)
            started = time.perf_counter()
            facets = search_facets(filterset, index=index)
            start = (page - 1) * PAGE_SIZE
            ids = list(index.ranked().values_list("pk", flat=True)[start : start + PAGE_SIZE])
            elapsed = (time.perf_counter() - started) * 1000
            times[name].append(elapsed)
            by_kind["located" if search.located else "broad"][name].append(elapsed)
            answers[name] = (facets, ids)
        if answers["plain"] != answers["projection"]:
            mismatches.append(search.query)
    load_after = os.getloadavg()

    def summary(values: list[float]) -> dict:
        return {
            "n": len(values),
            "p50_ms": round(percentile(values, 0.5), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "max_ms": round(max(values), 1) if values else 0.0,
            "mean_ms": round(statistics.fmean(values), 1) if values else 0.0,
        }

    return {
        "searches": count,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "all": {name: summary(values) for name, values in times.items()},
        **{kind: {name: summary(values) for name, values in parts.items()} for kind, parts in by_kind.items()},
        "mismatches": mismatches,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--out", default="")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    settings.SEARCH_CACHE_SECONDS = 0
    result = compare(args.searches)
    for kind in ("all", "broad", "located"):
        plain, projected = result[kind]["plain"], result[kind]["projection"]
        ratio_50 = plain["p50_ms"] / projected["p50_ms"] if projected["p50_ms"] else 0
        ratio_95 = plain["p95_ms"] / projected["p95_ms"] if projected["p95_ms"] else 0
        print(
            f"{kind:8} n={plain['n']:4}  plain p50 {plain['p50_ms']:8.1f} p95 {plain['p95_ms']:8.1f} ms | "
            f"projection p50 {projected['p50_ms']:7.1f} p95 {projected['p95_ms']:7.1f} ms | "
            f"{ratio_50:.1f}× / {ratio_95:.1f}×"
        )
    print(f"different answers: {len(result['mismatches'])}; load {result['load_before']} → {result['load_after']}")
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(result, handle, indent=2)


if __name__ == "__main__":
    main()
