"""The database itself refuses every out-of-range or duplicate row, whatever code writes it."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from reviews.models import HelpfulVote, ReviewReply, ReviewReport
from tests.factories import (
    HelpfulVoteFactory,
    PractitionerFactory,
    ReviewFactory,
    ReviewReplyFactory,
    ReviewReportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fields",
    [
        {"rating": 0},
        {"rating": 6},
        {"bedside_rating": 0},
        {"bedside_rating": 6},
        {"pain_before": 11},
        {"pain_after": 11},
        {"pain_before": 5, "pain_after": None},
        {"pain_before": None, "pain_after": 5},
        {"sessions": 0},
        {"sessions": 201},
        {"sessions": 10_000},
        {"state": "approved"},
        {"title": ""},
        {"text": ""},
        {"text": "x" * 5001},
        {"visit_month": datetime.date(2024, 3, 15)},
        {"visit_month": datetime.date(1980, 1, 1)},
        {"state": "rejected", "rejection_reason": ""},
        {"state": "published", "published_at": None},
    ],
    ids=lambda f: ",".join(f"{k}={str(v)[:12]}" for k, v in f.items()),
)
def test_out_of_range_review_rows_are_refused(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(**fields)


def test_negative_pain_is_refused():
    # PositiveSmallIntegerField adds its own CHECK (>= 0) on every backend.
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(pain_before=-1, pain_after=3)


def test_boundaries_are_accepted():
    ReviewFactory(rating=1, bedside_rating=5, pain_before=0, pain_after=10, sessions=200, text="x" * 5000)
    ReviewFactory(rating=5, bedside_rating=1, pain_before=None, pain_after=None, sessions=1)


def test_one_review_per_author_and_practitioner():
    review = ReviewFactory()
    ReviewFactory(author=review.author)  # another practitioner: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(author=review.author, practitioner=review.practitioner)


def test_one_reply_per_review():
    reply = ReviewReplyFactory(review__practitioner__owner=UserFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewReply.objects.create(review=reply.review, author=reply.author, text="A second reply")


def test_one_report_per_reviewer_and_review():
    report = ReviewReportFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewReport.objects.create(review=report.review, reporter=report.reporter, reason="other")


def test_report_resolution_must_be_consistent():
    report = ReviewReportFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewReport.objects.filter(pk=report.pk).update(resolution="kept")  # resolved_at still empty


def test_one_helpful_vote_per_user_and_review():
    vote = HelpfulVoteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        HelpfulVote.objects.create(review=vote.review, user=vote.user)


def test_practitioner_histogram_must_match_count():
    practitioner = PractitionerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(practitioner).objects.filter(pk=practitioner.pk).update(review_count=1)
