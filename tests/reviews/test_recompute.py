"""`recompute_review_summaries` rebuilds every summary; incremental updates must equal it."""

import random
from io import StringIO

import pytest
from django.core.management import call_command

from practitioners.models import Practitioner
from reviews import services
from reviews.models import Review
from reviews.ratings import SUMMARY_FIELDS
from tests.factories import PractitionerFactory, ReviewFactory, UserFactory, VerifiedUserFactory, condition
from tests.reviews.test_services import content

pytestmark = pytest.mark.django_db


def stored_summaries() -> dict[int, tuple]:
    return {row[0]: row[1:] for row in Practitioner.objects.order_by("pk").values_list("pk", *SUMMARY_FIELDS)}


def recompute(*args: str) -> str:
    out = StringIO()
    call_command("recompute_review_summaries", *args, verbosity=0, stdout=out)
    return out.getvalue()


def test_incremental_updates_equal_the_recomputation():
    """Random publish / reject / remove / edit / delete sequences through the services, then recompute."""
    rng = random.Random(20260101)
    moderator = UserFactory(is_staff=True, is_superuser=True)
    practitioners = [PractitionerFactory() for _ in range(4)]
    authors = [VerifiedUserFactory() for _ in range(12)]
    reviews: list[Review] = []
    for author in authors:
        for practitioner in rng.sample(practitioners, 2):
            reviews.append(
                services.review_create(
                    author=author,
                    practitioner=practitioner,
                    **content(rating=rng.randint(1, 5), bedside_rating=rng.randint(1, 5)),
                )
            )
    for step in range(120):
        review = Review.objects.filter(pk=rng.choice(reviews).pk).first()
        if review is None:
            continue
        action = rng.choice(
            ["publish", "publish", "publish", "reject", "remove", "edit_numbers", "edit_text", "delete"]
        )
        if action == "publish":
            services.review_publish(review=review, moderator=moderator)
        elif action == "reject":
            services.review_reject(review=review, moderator=moderator, reason=f"Reason {step}")
        elif action == "remove":
            services.review_remove(review=review, moderator=moderator)
        elif action == "delete" and rng.random() < 0.3:
            services.review_delete(review=review, actor=review.author)
        elif action.startswith("edit") and review.state != Review.State.REMOVED:
            text = f"Edited {step}" if action == "edit_text" else review.text
            services.review_update(
                review=review,
                actor=review.author,
                **content(rating=rng.randint(1, 5), bedside_rating=rng.randint(1, 5), text=text, title=review.title),
            )
    assert Review.objects.published().count() > 5  # the sequence exercised real data

    incremental = stored_summaries()
    assert "Updated 0 of 4" in recompute()
    assert stored_summaries() == incremental


def test_recompute_repairs_drifted_summaries_and_dry_run_writes_nothing():
    a, b, untouched = PractitionerFactory(), PractitionerFactory(), PractitionerFactory()
    # Rows inserted directly (as a bulk load would) are not counted until the recompute.
    for rating in (5, 4, 1):
        ReviewFactory(practitioner=a, rating=rating, bedside_rating=3, state="published")
    ReviewFactory(practitioner=b, rating=2, state="rejected", rejection_reason="No")
    ReviewFactory(practitioner=b, rating=2, state="pending")
    Practitioner.objects.filter(pk=b.pk).update(review_count=1, rating_sum=5, bedside_sum=5, rating_avg=5, rating_5=1)

    assert "Would update 2 of 3" in recompute("--dry-run")
    assert Practitioner.objects.get(pk=a.pk).review_count == 0

    assert "Updated 2 of 3 practitioner summaries (3 published reviews)" in recompute("--batch-size", "2")
    a_row = Practitioner.objects.get(pk=a.pk)
    assert (a_row.review_count, a_row.rating_sum, a_row.bedside_sum, str(a_row.rating_avg)) == (3, 10, 9, "3.33")
    assert (a_row.rating_1, a_row.rating_4, a_row.rating_5) == (1, 1, 1)
    b_row = Practitioner.objects.get(pk=b.pk)
    assert (b_row.review_count, b_row.rating_sum, b_row.rating_avg, b_row.rating_5) == (0, 0, None, 0)
    assert Practitioner.objects.get(pk=untouched.pk).review_count == 0
    assert "Updated 0 of 3" in recompute()


def test_single_practitioner_recompute_service():
    practitioner = PractitionerFactory()
    ReviewFactory(practitioner=practitioner, rating=3, bedside_rating=4, state="published", condition=condition())
    summary = services.practitioner_summary_recompute(practitioner=practitioner)
    assert summary.count == 1
    assert Practitioner.objects.get(pk=practitioner.pk).rating_3 == 1


def test_bad_batch_size_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at least 1"):
        recompute("--batch-size", "0")
