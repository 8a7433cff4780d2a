"""The rating summary stored on each practitioner, as plain arithmetic (no queries).

`reviews.services` applies `RatingSummary.add` / `remove` to the locked
practitioner row whenever a review enters or leaves the published state; the
`recompute_review_summaries` command builds the same value from scratch with
`RatingSummary.from_ratings`. Both paths go through `as_fields`, so they can
only agree.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from practitioners.models import REVIEW_SUMMARY_FIELDS

STARS = (1, 2, 3, 4, 5)
HISTOGRAM_FIELDS = tuple(f"rating_{star}" for star in STARS)
# The columns themselves are listed once, beside them in practitioners.models.
SUMMARY_FIELDS = REVIEW_SUMMARY_FIELDS
_CENT = Decimal("0.01")


def average(total: int, count: int) -> Decimal | None:
    """Mean rounded half-up to two places (what the practitioner's rating_avg column holds)."""
    if count == 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RatingSummary:
    count: int = 0
    rating_sum: int = 0
    bedside_sum: int = 0
    histogram: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)

    @classmethod
    def from_ratings(cls, ratings: Iterable[tuple[int, int]]) -> "RatingSummary":
        """Build from (overall, bedside) pairs of published reviews."""
        summary = cls()
        for rating, bedside in ratings:
            summary = summary.add(rating=rating, bedside=bedside)
        return summary

    @classmethod
    def from_fields(cls, obj: object) -> "RatingSummary":
        """Read the stored columns of a practitioner (or anything with the same attributes)."""
        return cls(
            count=obj.review_count,
            rating_sum=obj.rating_sum,
            bedside_sum=obj.bedside_sum,
            histogram=tuple(getattr(obj, name) for name in HISTOGRAM_FIELDS),
        )

    def _with(self, *, rating: int, bedside: int, sign: int) -> "RatingSummary":
        if rating not in STARS or bedside not in STARS:
            raise ValueError(f"Ratings must be 1-5, got overall={rating}, bedside={bedside}.")
        histogram = list(self.histogram)
        histogram[rating - 1] += sign
        result = RatingSummary(
            count=self.count + sign,
            rating_sum=self.rating_sum + sign * rating,
            bedside_sum=self.bedside_sum + sign * bedside,
            histogram=tuple(histogram),
        )
        if result.count < 0 or min(result.histogram) < 0 or result.rating_sum < 0 or result.bedside_sum < 0:
            raise ValueError("Removing a review that was never counted: the stored summary is out of step.")
        return result

    def add(self, *, rating: int, bedside: int) -> "RatingSummary":
        return self._with(rating=rating, bedside=bedside, sign=1)

    def remove(self, *, rating: int, bedside: int) -> "RatingSummary":
        return self._with(rating=rating, bedside=bedside, sign=-1)

    @property
    def rating_avg(self) -> Decimal | None:
        return average(self.rating_sum, self.count)

    @property
    def bedside_avg(self) -> Decimal | None:
        return average(self.bedside_sum, self.count)

    def as_fields(self) -> dict[str, object]:
        """The practitioner columns this summary is stored in."""
        fields: dict[str, object] = {
            "review_count": self.count,
            "rating_sum": self.rating_sum,
            "bedside_sum": self.bedside_sum,
            "rating_avg": self.rating_avg,
        }
        fields.update(zip(HISTOGRAM_FIELDS, self.histogram, strict=True))
        return fields


@dataclass(frozen=True)
class HistogramBar:
    stars: int
    count: int
    percent: int  # of all reviews, rounded; used for the bar width class


def histogram_bars(summary: RatingSummary) -> list[HistogramBar]:
    """5 stars first, as a rating histogram is read."""
    bars = []
    for stars in reversed(STARS):
        count = summary.histogram[stars - 1]
        percent = round(100 * count / summary.count) if summary.count else 0
        bars.append(HistogramBar(stars=stars, count=count, percent=percent))
    return bars
