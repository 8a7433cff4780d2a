"""The response figures a profile shows, from the requests of the last 90 days (pure, no ORM)."""

import datetime
import math
import statistics
from dataclasses import dataclass

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class ResponseFigures:
    requests: int  # requests counted (withdrawn-before-answer ones are not)
    answered: int
    median: datetime.timedelta | None  # None when none was answered

    @property
    def rate_percent(self) -> int:
        return round(100 * self.answered / self.requests)

    @property
    def typical(self) -> str:
        """'within 3 hours', 'within a day', 'within 2 days' — the median, rounded up."""
        if self.median is None:
            return ""
        if self.median <= HOUR:
            return "within an hour"
        if self.median < DAY:
            return f"within {math.ceil(self.median / HOUR)} hours"
        days = math.ceil(self.median / DAY)
        return "within a day" if days == 1 else f"within {days} days"


def response_figures(delays: list[datetime.timedelta | None], *, min_requests: int) -> ResponseFigures | None:
    """`delays`: for each counted request, the time to its first answer (None: never answered).
    None below `min_requests`: a rate from two requests says nothing."""
    if len(delays) < min_requests:
        return None
    answered = [d for d in delays if d is not None]
    return ResponseFigures(
        requests=len(delays),
        answered=len(answered),
        median=statistics.median(answered) if answered else None,
    )
