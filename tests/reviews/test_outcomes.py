"""Outcome statistics: medians per condition and the 3-report threshold."""

import pytest

from reviews.outcomes import MIN_REPORTS, OutcomeReport, condition_outcome, condition_outcomes


def report(slug: str, before: int, after: int, sessions: int, name: str | None = None) -> OutcomeReport:
    return OutcomeReport(slug, name or slug.replace("-", " ").capitalize(), before, after, sessions)


def test_threshold_is_three_reports():
    assert MIN_REPORTS == 3


def test_medians_with_an_odd_number_of_reports():
    outcome = condition_outcome(
        [report("neck-pain", 8, 2, 6), report("neck-pain", 6, 5, 10), report("neck-pain", 9, 3, 4)]
    )
    assert outcome.reports == 3
    assert outcome.enough
    assert outcome.median_reduction == 6  # reductions 6, 1, 6
    assert outcome.median_sessions == 6  # 4, 6, 10
    assert outcome.median_pain_before == 8
    assert outcome.median_pain_after == 3


def test_medians_with_an_even_number_of_reports_average_the_middle_pair():
    outcome = condition_outcome(
        [
            report("sciatica", 7, 4, 3),
            report("sciatica", 8, 2, 8),
            report("sciatica", 5, 5, 12),
            report("sciatica", 10, 1, 5),
        ]
    )
    # reductions 3, 6, 0, 9 -> sorted 0, 3, 6, 9 -> 4.5; sessions 3, 5, 8, 12 -> 6.5
    assert outcome.median_reduction == 4.5
    assert outcome.median_sessions == 6.5


def test_a_worse_outcome_counts_as_a_negative_reduction():
    outcome = condition_outcome([report("whiplash", 3, 6, 2)] * 3)
    assert outcome.median_reduction == -3


@pytest.mark.parametrize("n", [1, 2])
def test_fewer_than_three_reports_show_no_figures(n):
    outcome = condition_outcome([report("neck-pain", 8, 2, 6)] * n)
    assert outcome.reports == n
    assert not outcome.enough
    assert outcome.median_reduction is None and outcome.median_sessions is None


def test_groups_by_condition_most_reports_first():
    outcomes = condition_outcomes(
        [report("sciatica", 8, 2, 6)] * 2 + [report("neck-pain", 6, 3, 4)] * 4 + [report("whiplash", 5, 1, 3)] * 2
    )
    assert [(o.condition_slug, o.reports, o.enough) for o in outcomes] == [
        ("neck-pain", 4, True),
        ("sciatica", 2, False),
        ("whiplash", 2, False),
    ]
    assert condition_outcomes([]) == []


def test_mixed_conditions_are_refused():
    with pytest.raises(ValueError):
        condition_outcome([report("neck-pain", 8, 2, 6), report("sciatica", 8, 2, 6)])
    with pytest.raises(ValueError):
        condition_outcome([])
