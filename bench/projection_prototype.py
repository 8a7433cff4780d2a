"""A measurement, not product code: how fast facet counts would be from a search projection (issue 14).

    PYTHONPATH=. DATABASE_URL=postgres://postgres@127.0.0.1:5432/meridian_bench \
        DJANGO_SETTINGS_MODULE=directory.settings.test .venv/bin/python -m bench.projection_prototype

Builds a TEMP table (this session only; nothing is kept) with the trust facts as booleans for
today and the vocabulary ids as arrays, then times today's facet queries (`search_facets`, the
cache off) against one pass over the projection, for the bare search and for four yes/no filters,
and checks that the totals agree. The one-pass SQL counts what the product's facets count only
for searches without insurance, language, gender or rating filters (no exclusions needed).
"""

import time

import django

FACETS_IN_ONE_SCAN = """
WITH f AS MATERIALIZED (SELECT * FROM proj WHERE {where})
SELECT 'total', 0, count(*) FROM f
UNION ALL SELECT 'verified', 0, count(*) FILTER (WHERE is_verified) FROM f
UNION ALL SELECT 'nccaom', 0, count(*) FILTER (WHERE is_nccaom_certified) FROM f
UNION ALL SELECT 'medicare', 0, count(*) FILTER (WHERE meets_medicare) FROM f
UNION ALL SELECT 'sliding', 0, count(*) FILTER (WHERE sliding_scale) FROM f
UNION ALL SELECT 'new', 0, count(*) FILTER (WHERE accepting_new_patients) FROM f
UNION ALL SELECT 'gender:' || gender, 0, count(*) FROM f GROUP BY gender
UNION ALL SELECT 'rating4', 0, count(*) FILTER (WHERE rating_avg >= 4) FROM f
UNION ALL SELECT 'condition', x, count(*) FROM f, unnest(condition_ids) x GROUP BY x
UNION ALL SELECT 'technique', x, count(*) FROM f, unnest(technique_ids) x GROUP BY x
UNION ALL SELECT 'insurance', x, count(*) FROM f, unnest(insurance_ids) x GROUP BY x
UNION ALL SELECT 'language', x, count(*) FROM f, unnest(language_ids) x GROUP BY x
"""


def timed(label, fn, runs=3):
    best = None
    for _ in range(runs):
        started = time.perf_counter()
        value = fn()
        ms = (time.perf_counter() - started) * 1000
        best = ms if best is None else min(best, ms)
    print(f"{label}: best of {runs} {best:.0f} ms")
    return best, value


def main() -> None:
    django.setup()
    from django.db import connection
    from django.http import QueryDict
    from django.utils import timezone

    from practitioners.models import Practitioner
    from search.filters import PractitionerFilterSet
    from search.selectors import search_base_qs, search_facets

    today = timezone.localdate()

    def one_pass(where):
        with connection.cursor() as cursor:
            cursor.execute(FACETS_IN_ONE_SCAN.format(where=where))
            return cursor.fetchall()

    qs = (
        Practitioner.objects.published()
        .with_trust_facts(today)
        .values(
            "id",
            "gender",
            "rating_avg",
            "sliding_scale",
            "accepting_new_patients",
            "is_verified",
            "is_nccaom_certified",
            "meets_medicare",
        )
    )
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("CREATE TEMP TABLE proj AS " + sql, params)
        for name, table, column in (
            ("condition_ids", "practitioners_practitioner_conditions", "condition_id"),
            ("technique_ids", "practitioners_practitioner_techniques", "technique_id"),
            ("insurance_ids", "practitioners_practitioner_insurance_carriers", "insurancecarrier_id"),
            ("language_ids", "practitioners_practitioner_languages", "language_id"),
        ):
            cursor.execute(f"ALTER TABLE proj ADD COLUMN {name} int[] NOT NULL DEFAULT '{{}}'")
            cursor.execute(
                f"UPDATE proj SET {name} = x.ids FROM (SELECT practitioner_id, array_agg({column}) ids FROM {table} "  # noqa: S608 (fixed names)
                f"GROUP BY practitioner_id) x WHERE x.practitioner_id = proj.id"
            )
        cursor.execute("ANALYZE proj")
        print(f"projection built in {(time.perf_counter() - started) * 1000:.0f} ms")

    for label, query, where in (
        ("bare search", "", "true"),
        (
            "four yes/no filters",
            "verified=true&nccaom=true&sliding_scale=true&new_patients=true",
            "is_verified AND is_nccaom_certified AND sliding_scale AND accepting_new_patients",
        ),
    ):
        filterset = PractitionerFilterSet(QueryDict(query), queryset=search_base_qs())
        filterset.form.is_valid()
        now_ms, facets = timed(f"{label}: today's facet queries", lambda f=filterset: search_facets(f), runs=1)
        proj_ms, rows = timed(f"{label}: one pass over the projection", lambda w=where: one_pass(w))
        total = next(n for kind, _, n in rows if kind == "total")
        print(f"  totals agree: {facets.total} == {total}: {facets.total == total}; ratio {now_ms / proj_ms:.1f}x")


if __name__ == "__main__":
    main()
