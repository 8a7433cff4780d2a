"""The stored rating summary as arithmetic: add/remove, rounding, histogram bars."""

from decimal import Decimal

import pytest

from reviews.ratings import RatingSummary, average, histogram_bars


def test_add_and_remove_are_inverse():
    summary = RatingSummary().add(rating=5, bedside=4).add(rating=3, bedside=2)
    assert summary == RatingSummary(count=2, rating_sum=8, bedside_sum=6, histogram=(0, 0, 1, 0, 1))
    assert summary.remove(rating=3, bedside=2) == RatingSummary(
        count=1, rating_sum=5, bedside_sum=4, histogram=(0, 0, 0, 0, 1)
    )
    assert summary.remove(rating=3, bedside=2).remove(rating=5, bedside=4) == RatingSummary()


def test_averages_round_half_up_to_two_places():
    assert average(0, 0) is None
    assert average(14, 3) == Decimal("4.67")
    assert average(9, 8) == Decimal("1.13")  # 1.125 -> 1.13, not banker's 1.12
    summary = RatingSummary.from_ratings([(5, 1), (4, 2)])
    assert summary.rating_avg == Decimal("4.50")
    assert summary.bedside_avg == Decimal("1.50")


def test_as_fields_names_the_practitioner_columns():
    fields = RatingSummary.from_ratings([(5, 5), (1, 3)]).as_fields()
    assert fields == {
        "review_count": 2,
        "rating_sum": 6,
        "bedside_sum": 8,
        "rating_avg": Decimal("3.00"),
        "rating_1": 1,
        "rating_2": 0,
        "rating_3": 0,
        "rating_4": 0,
        "rating_5": 1,
    }


@pytest.mark.parametrize(("rating", "bedside"), [(0, 3), (6, 3), (3, 0), (3, 6)])
def test_out_of_range_ratings_are_refused(rating, bedside):
    with pytest.raises(ValueError, match="1-5"):
        RatingSummary().add(rating=rating, bedside=bedside)


def test_removing_what_was_never_counted_is_an_error():
    with pytest.raises(ValueError, match="out of step"):
        RatingSummary().add(rating=4, bedside=4).remove(rating=5, bedside=4)


def test_histogram_bars_five_stars_first_with_percentages():
    bars = histogram_bars(RatingSummary.from_ratings([(5, 5), (5, 5), (1, 1)]))
    assert [(b.stars, b.count, b.percent) for b in bars] == [(5, 2, 67), (4, 0, 0), (3, 0, 0), (2, 0, 0), (1, 1, 33)]
    assert all(b.percent == 0 for b in histogram_bars(RatingSummary()))
