"""Bulk inserts for demo reviews (used by `seed_demo`). Rows bypass the services on purpose:
the caller stores each listing's summary computed from the same generated reviews
(`demo.reviews.demo_summary`), and `recompute_review_summaries` can confirm it."""

import datetime
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db.models import Model

from accounts.models import User
from practitioners.models import Practitioner
from reviews.models import HelpfulVote, Review, ReviewReply, ReviewState

from .reviews import DEMO_REVIEWER_EMAIL, DemoReview, reviewer_display_name

INSERT_BATCH = 2000


def _bulk_create(model: type[Model], rows: list[Model]) -> None:
    model.objects.bulk_create(rows, batch_size=INSERT_BATCH)


def ensure_demo_reviewers(pool_size: int) -> list[int]:
    """The pks of the demo reviewer accounts, in pool order, creating any that are missing.
    They can't sign in (unusable password) and exist only to author demo reviews."""
    emails = [DEMO_REVIEWER_EMAIL.format(i) for i in range(pool_size)]
    existing = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    unusable = make_password(None)
    missing = [
        User(email=email, display_name=reviewer_display_name(i), password=unusable, is_active=True)
        for i, email in enumerate(emails)
        if email not in existing
    ]
    User.objects.bulk_create(missing, batch_size=INSERT_BATCH)
    existing = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    return [existing[email] for email in emails]


def insert_demo_reviews(
    pairs: list[tuple[Practitioner, list[DemoReview]]],
    *,
    reviewer_ids: list[int],
    condition_ids: dict[str, int],
    now: datetime.datetime,
    save: Callable[[type[Model], list[Model]], None] | None = None,
) -> dict[str, int]:
    """Insert the reviews (and their helpful votes and replies) of already-saved listings.

    `save(model, rows)` inserts rows and sets their pks: bulk_create by default;
    `seed_bench` passes its PostgreSQL COPY writer."""
    save = save or _bulk_create
    rows: list[Review] = []
    sources: list[DemoReview] = []
    for practitioner, demo_reviews in pairs:
        for demo in demo_reviews:
            published_at = now - datetime.timedelta(days=demo.published_days_ago) if demo.published else None
            rows.append(
                Review(
                    practitioner_id=practitioner.pk,
                    author_id=reviewer_ids[demo.reviewer],
                    rating=demo.rating,
                    bedside_rating=demo.bedside_rating,
                    condition_id=condition_ids[demo.condition_slug],
                    sessions=demo.sessions,
                    pain_before=demo.pain_before,
                    pain_after=demo.pain_after,
                    would_recommend=demo.would_recommend,
                    title=demo.title,
                    text=demo.text,
                    visit_month=demo.visit_month,
                    state=ReviewState.PUBLISHED if demo.published else ReviewState.PENDING,
                    published_at=published_at,
                    moderated_at=published_at,
                    helpful_count=len(demo.helpful_voters),
                )
            )
            sources.append(demo)
    save(Review, rows)
    votes = [
        HelpfulVote(review_id=review.pk, user_id=reviewer_ids[voter])
        for review, demo in zip(rows, sources, strict=True)
        for voter in demo.helpful_voters
    ]
    save(HelpfulVote, votes)
    replies = [
        ReviewReply(review_id=review.pk, text=demo.reply)
        for review, demo in zip(rows, sources, strict=True)
        if demo.reply
    ]
    save(ReviewReply, replies)
    return {"reviews": len(rows), "helpful_votes": len(votes), "replies": len(replies)}
