"""Directory-wide outcome figures for one condition, from grouped counts (pure, no ORM).

The database groups a condition's outcome reports by (pain before, pain after, sessions) and
counts each group, so a condition with thousands of reports costs a few hundred rows; the medians
are then the same as `reviews.outcomes.condition_outcome` over the individual reports.
"""

from reviews.outcomes import MIN_REPORTS, ConditionOutcome


def weighted_median(counts: dict[int, int]) -> float:
    """The median of a multiset given as value -> how many times (as `statistics.median` computes it)."""
    total = sum(counts.values())
    if total <= 0:
        raise ValueError("weighted_median needs at least one value.")
    middle = ((total - 1) // 2, total // 2)  # the two middle positions (equal when total is odd)
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while len(found) < 2 and seen > middle[len(found)]:
            found.append(value)
    return (found[0] + found[1]) / 2


def grouped_outcome(
    groups: list[tuple[int, int, int, int]], *, slug: str, name: str, min_reports: int = MIN_REPORTS
) -> ConditionOutcome | None:
    """(pain before, pain after, sessions, reports) groups -> the condition's figures; None without reports."""
    reports = sum(n for *_, n in groups)
    if reports == 0:
        return None

    def median(position) -> float | None:
        if reports < min_reports:
            return None
        counts: dict[int, int] = {}
        for group in groups:
            value = position(group)
            counts[value] = counts.get(value, 0) + group[3]
        return weighted_median(counts)

    return ConditionOutcome(
        condition_slug=slug,
        condition_name=name,
        reports=reports,
        median_reduction=median(lambda g: g[0] - g[1]),
        median_sessions=median(lambda g: g[2]),
        median_pain_before=median(lambda g: g[0]),
        median_pain_after=median(lambda g: g[1]),
    )
