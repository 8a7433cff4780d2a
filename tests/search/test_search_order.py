"""Every sort is exactly what it says (issue 13): over listings that mix fresh and stale,
verified and unverified, the order follows the sort's key and nothing else; the best-match
score's documented components move results the documented way."""

import datetime
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.utils import timezone

from practitioners.models import Practitioner
from search.filters import BEST_MATCH_WEIGHTS, RATING_PRIOR_REVIEWS, PractitionerFilterSet
from search.selectors import search_base_qs
from search.vocabulary import load_vocabulary
from tests.factories import refresh_search_row, searchable_practitioner

pytestmark = pytest.mark.django_db


def results(**params) -> list[Practitioner]:
    search = PractitionerFilterSet(QueryDict(urlencode(params, doseq=True)), queryset=search_base_qs())
    assert search.is_valid(), search.errors
    return list(search.qs)


def slugs(**params) -> list[str]:
    return [p.slug for p in results(**params)]


def listing(
    slug: str,
    *,
    name: str | None = None,
    zip_code: str = "94110",
    verified: bool = False,
    fresh: bool = False,
    stars: tuple[int, ...] = (),
    year: int | None = None,
    **fields,
) -> Practitioner:
    practitioner = searchable_practitioner(
        slug=slug, name=name or slug.title(), zip_code=zip_code, verified=verified, practice_started_year=year, **fields
    )
    Practitioner.objects.filter(pk=practitioner.pk).update(
        last_confirmed_at=timezone.now() - datetime.timedelta(days=1 if fresh else 400),
        review_count=len(stars),
        rating_sum=sum(stars),
        rating_avg=Decimal(sum(stars)) / len(stars) if stars else None,
        **{f"rating_{n}": stars.count(n) for n in range(1, 6)},
    )
    refresh_search_row(practitioner.pk)
    return practitioner


@pytest.fixture
def mixed():
    """Fresh and stale, verified and unverified, near and far, rated and not, in every combination
    that could reveal an override: the stale and unverified ones are the best by each sort's key."""
    listing("stale-near", zip_code="94110", stars=(5,) * 23 + (4,) * 23, year=1990)  # stale, unverified
    listing("fresh-mid", zip_code="94607", verified=True, fresh=True, stars=(4, 4), year=2010)
    listing("fresh-far", zip_code="95113", verified=True, fresh=True, stars=(5,), year=2015)
    listing("stale-mid-b", name="Bee", zip_code="94612", verified=True, stars=(3, 3, 3), year=2000)
    listing("stale-mid-a", name="Ay", zip_code="94612", fresh=False, stars=(2,), year=None)
    listing("fresh-unrated", zip_code="94103", fresh=True, year=2020)


def shrunk(p: Practitioner, mean: float) -> float:
    return (RATING_PRIOR_REVIEWS * mean + p.rating_sum) / (RATING_PRIOR_REVIEWS + p.review_count)


def test_distance_is_strictly_nearest_first_ties_by_name(mixed):
    found = results(location="94110", radius="100", sort="distance")
    distances = [p.distance for p in found]
    assert distances == sorted(distances)
    assert found[0].slug == "stale-near"  # stale and unverified, yet nearest: first
    tied = [p.slug for p in found if p.slug.startswith("stale-mid")]
    assert tied == ["stale-mid-a", "stale-mid-b"]  # same ZIP, same distance: by name (Ay before Bee)
    assert [p.slug for p in found] == [p.slug for p in sorted(found, key=lambda p: (p.distance, p.name))]


def test_rating_is_the_shrunken_average_descending(mixed):
    mean = load_vocabulary().rating_mean
    everything = Practitioner.objects.published()
    assert mean == pytest.approx(sum(p.rating_sum for p in everything) / sum(p.review_count for p in everything))
    found = results(sort="rating")
    keys = [round(shrunk(p, mean), 9) for p in found]
    assert keys == sorted(keys, reverse=True)
    order = [p.slug for p in found]
    # 46 reviews averaging 4.5 outrank one 5-star review; stale and unverified do not matter.
    assert order.index("stale-near") < order.index("fresh-far")
    assert order[0] == "stale-near"


def test_one_five_star_review_does_not_outrank_twenty_three_averaging_four_and_a_half():
    listing("one-five", fresh=True, verified=True, stars=(5,))
    listing("many-4-5", stars=(5,) * 12 + (4,) * 11 + (5,) * 0)  # 23 reviews, 4.52
    listing("background", stars=(4, 4, 4, 4, 3, 3))  # pulls the site mean below 5
    assert slugs(sort="rating")[:2] == ["many-4-5", "one-five"]


def test_reviews_and_experience_are_what_they_say(mixed):
    found = results(sort="reviews")
    counts = [p.review_count for p in found]
    assert counts == sorted(counts, reverse=True)
    assert found[0].slug == "stale-near"
    years = [p.practice_started_year for p in results(sort="experience")]
    known = [y for y in years if y is not None]
    assert known == sorted(known) and years[len(known) :] == [None] * (len(years) - len(known))
    assert slugs(sort="experience")[0] == "stale-near"


@pytest.mark.parametrize("sort", ["distance", "rating", "reviews", "experience"])
def test_staleness_never_reorders_an_explicit_sort(mixed, sort):
    params = {"location": "94110", "radius": "100", "sort": sort}
    before = slugs(**params)
    # Make every stale listing fresh and every fresh one stale: an explicit order must not move.
    now = timezone.now()
    for p in Practitioner.objects.all():
        stale = p.last_confirmed_at < now - datetime.timedelta(days=180)
        Practitioner.objects.filter(pk=p.pk).update(
            last_confirmed_at=now - datetime.timedelta(days=1 if stale else 400)
        )
        refresh_search_row(p.pk)
    assert slugs(**params) == before


# ---------------------------------------------------------------- best match


def test_best_match_is_the_default_and_puts_stale_listings_after_fresh_ones(mixed):
    found = results(location="94110", radius="100")
    fresh = [p.last_confirmed_at >= timezone.now() - datetime.timedelta(days=180) for p in found]
    assert fresh == sorted(fresh, reverse=True)  # every fresh listing before every stale one
    assert found[-1].slug.startswith("stale") and found[0].slug.startswith("fresh")


def test_best_match_weighs_a_verified_license():
    listing("plain", name="A Same", fresh=True)
    listing("checked", name="B Same", fresh=True, verified=True)
    assert slugs() == ["checked", "plain"]


def test_best_match_weighs_proximity():
    listing("far", name="A Same", zip_code="94612", fresh=True)
    listing("near", name="B Same", zip_code="94110", fresh=True)
    assert slugs(location="94110", radius="50") == ["near", "far"]


def test_best_match_weighs_the_shrunken_rating():
    listing("low", name="A Same", fresh=True, stars=(2, 2, 2))
    listing("high", name="B Same", fresh=True, stars=(5, 5, 5))
    assert slugs() == ["high", "low"]


def test_best_match_weighs_the_text_match():
    listing("elsewhere", name="A Practitioner", fresh=True, bio="Treats neck pain.", verified=True)
    listing("in-name", name="B Neck Specialist", fresh=True, bio="Treats neck pain.")
    # The text weight (3) outweighs a verified license (1): the better text match comes first.
    assert BEST_MATCH_WEIGHTS["text"] > BEST_MATCH_WEIGHTS["verified"]
    assert slugs(q="neck") == ["in-name", "elsewhere"]


def test_a_fresh_listing_comes_before_a_better_stale_one_in_best_match_only():
    listing("stale-best", name="A", verified=True, stars=(5,) * 10)
    listing("fresh-plain", name="B", fresh=True)
    assert slugs() == ["fresh-plain", "stale-best"]
    assert slugs(sort="rating") == ["stale-best", "fresh-plain"]
