"""Outcome statistics: did the pain get better, per condition (pure functions, no ORM).

A figure is shown only when at least `MIN_REPORTS` published reviews for that
condition report pain before and after; with fewer, one or two unusual
experiences would read like a result.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

MIN_REPORTS = 3


@dataclass(frozen=True)
class OutcomeReport:
    """One published review's outcome: pain on the 0-10 scale before and after, and sessions."""

    condition_slug: str
    condition_name: str
    pain_before: int
    pain_after: int
    sessions: int

    @property
    def reduction(self) -> int:
        return self.pain_before - self.pain_after


@dataclass(frozen=True)
class ConditionOutcome:
    condition_slug: str
    condition_name: str
    reports: int
    median_reduction: float | None  # None when there are too few reports to show
    median_sessions: float | None
    median_pain_before: float | None
    median_pain_after: float | None

    @property
    def enough(self) -> bool:
        return self.median_reduction is not None


def condition_outcome(reports: list[OutcomeReport], *, min_reports: int = MIN_REPORTS) -> ConditionOutcome:
    """Medians for one condition's reports (all reports must share the condition)."""
    if not reports:
        raise ValueError("condition_outcome needs at least one report.")
    first = reports[0]
    if any(r.condition_slug != first.condition_slug for r in reports):
        raise ValueError("All reports must be for the same condition.")
    enough = len(reports) >= min_reports

    def median(values: Iterable[int]) -> float | None:
        return float(statistics.median(values)) if enough else None

    return ConditionOutcome(
        condition_slug=first.condition_slug,
        condition_name=first.condition_name,
        reports=len(reports),
        median_reduction=median(r.reduction for r in reports),
        median_sessions=median(r.sessions for r in reports),
        median_pain_before=median(r.pain_before for r in reports),
        median_pain_after=median(r.pain_after for r in reports),
    )


def condition_outcomes(reports: Iterable[OutcomeReport], *, min_reports: int = MIN_REPORTS) -> list[ConditionOutcome]:
    """One entry per condition, most reports first, then by name."""
    by_condition: dict[str, list[OutcomeReport]] = defaultdict(list)
    for report in reports:
        by_condition[report.condition_slug].append(report)
    outcomes = [condition_outcome(group, min_reports=min_reports) for group in by_condition.values()]
    return sorted(outcomes, key=lambda o: (-o.reports, o.condition_name))
