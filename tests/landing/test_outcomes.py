"""Directory-wide medians from grouped counts agree with the per-review medians of reviews.outcomes."""

import random
import statistics

import pytest

from landing.outcomes import grouped_outcome, weighted_median
from reviews.outcomes import MIN_REPORTS, OutcomeReport, condition_outcome


@pytest.mark.parametrize("values", [[5], [1, 2], [3, 1, 2], [4, 4, 1, 9], [0, 10, 10, 10, 2, 2], [-3, 0, 7]])
def test_weighted_median_is_the_median(values):
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    assert weighted_median(counts) == statistics.median(values)


def test_weighted_median_needs_a_value():
    with pytest.raises(ValueError):
        weighted_median({})


def test_grouped_outcome_matches_the_outcome_of_the_individual_reports():
    rng = random.Random(17)
    for _ in range(200):
        reports = [
            OutcomeReport("sciatica", "Sciatica", rng.randint(0, 10), rng.randint(0, 10), rng.randint(1, 20))
            for _ in range(rng.randint(1, 30))
        ]
        groups: dict[tuple[int, int, int], int] = {}
        for r in reports:
            key = (r.pain_before, r.pain_after, r.sessions)
            groups[key] = groups.get(key, 0) + 1
        grouped = grouped_outcome([(*key, n) for key, n in groups.items()], slug="sciatica", name="Sciatica")
        assert grouped == condition_outcome(reports)


def test_grouped_outcome_without_reports_is_none_and_below_the_minimum_has_only_the_count():
    assert grouped_outcome([], slug="sciatica", name="Sciatica") is None
    few = grouped_outcome([(8, 2, 6, MIN_REPORTS - 1)], slug="sciatica", name="Sciatica")
    assert few.reports == MIN_REPORTS - 1 and not few.enough and few.median_sessions is None
