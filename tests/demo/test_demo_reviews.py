"""Demo reviews from `seed_demo`: deterministic, plausible, with outcomes, and summaries that match."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import User
from demo.reviews import DemoReviewGenerator, demo_summary
from practitioners.models import Practitioner
from reviews.models import HelpfulVote, Review, ReviewReply
from reviews.ratings import SUMMARY_FIELDS

pytestmark = pytest.mark.django_db

NAMES = {"neck-pain": "Neck pain", "sciatica": "Sciatica", "whiplash": "Whiplash"}


def seed(n: int = 60, *extra: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--practitioners", str(n), "--batch-size", "25", *extra, stdout=out, verbosity=0)
    return out.getvalue()


def test_generator_is_deterministic_and_in_range():
    today = datetime.date(2026, 6, 15)
    make = lambda seed: DemoReviewGenerator(seed=seed, today=today, condition_names=NAMES, mean_per_listing=8)  # noqa: E731
    first = [make(1).reviews_for(i, list(NAMES)) for i in range(50)]
    assert first == [make(1).reviews_for(i, list(NAMES)) for i in range(50)]
    assert first != [make(2).reviews_for(i, list(NAMES)) for i in range(50)]
    reviews = [r for listing in first for r in listing]
    assert len(reviews) > 200
    for review in reviews:
        assert 1 <= review.rating <= 5 and 1 <= review.bedside_rating <= 5
        assert 1 <= review.sessions <= 200
        assert (review.pain_before is None) == (review.pain_after is None)
        assert review.pain_before is None or 0 <= review.pain_after <= 10
        assert review.visit_month.day == 1 and review.visit_month <= today
        assert review.reviewer not in review.helpful_voters
    for listing in first:
        assert len({r.reviewer for r in listing}) == len(listing)  # one review per author per listing
    assert 0.5 < sum(r.pain_before is not None for r in reviews) / len(reviews) < 0.8
    assert {r.rating for r in reviews} == {1, 2, 3, 4, 5}


def test_no_reviews_when_asked_for_none():
    generator = DemoReviewGenerator(seed=1, today=datetime.date(2026, 1, 1), condition_names=NAMES, mean_per_listing=0)
    assert generator.reviews_for(3, list(NAMES)) == []


def test_seeded_summaries_equal_the_recomputation():
    out = seed()
    assert "reviews in" in out
    assert Review.objects.published().count() > 100
    assert Review.objects.pending().exists()  # something for the moderation queue
    stored = list(Practitioner.objects.order_by("pk").values_list(*SUMMARY_FIELDS))
    recompute = StringIO()
    call_command("recompute_review_summaries", stdout=recompute, verbosity=0)
    assert "Updated 0 of 60" in recompute.getvalue()
    assert list(Practitioner.objects.order_by("pk").values_list(*SUMMARY_FIELDS)) == stored


def test_seeded_reviews_are_plausible():
    seed()
    # Outcomes with at least 3 reports exist for some listings and conditions.
    groups = (
        Review.objects.published()
        .with_outcome()
        .values("practitioner_id", "condition_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=3)
    )
    assert groups.exists()
    # Helpful counts match the vote rows; replies exist; authors are demo accounts that can't sign in.
    for review in Review.objects.filter(helpful_count__gt=0)[:20]:
        assert HelpfulVote.objects.filter(review=review).count() == review.helpful_count
    assert ReviewReply.objects.exists()
    author = User.objects.filter(reviews__isnull=False).first()
    assert author.email.endswith("@example.invalid") and not author.has_usable_password()
    assert author.display_name


def test_same_seed_same_reviews_and_reviewers_are_reused():
    seed(20)
    first = list(
        Review.objects.order_by("practitioner__slug", "author__email").values_list("title", "rating", "author__email")
    )
    users = User.objects.count()
    Practitioner.objects.all().delete()
    seed(20)
    again = list(
        Review.objects.order_by("practitioner__slug", "author__email").values_list("title", "rating", "author__email")
    )
    assert again == first
    assert User.objects.count() == users


def test_dry_run_creates_no_reviews_or_users():
    out = seed(10, "--dry-run")
    assert "Would create 10" in out
    assert not Review.objects.exists() and not User.objects.exists()


def test_demo_summary_counts_published_only():
    generator = DemoReviewGenerator(seed=3, today=datetime.date(2026, 1, 1), condition_names=NAMES, mean_per_listing=30)
    reviews = [r for i in range(10) for r in generator.reviews_for(i, list(NAMES))]
    assert demo_summary(reviews).count == sum(r.published for r in reviews)


def test_negative_review_mean_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="zero or more"):
        seed(5, "--reviews-per-listing", "-1")
