"""Two reviews of one practitioner published at the same moment both count (PostgreSQL, real threads).

Each thread has its own database connection. A short pause is added right after
a service reads the stored summary, so without the row lock both threads would
read the same old total and one publish would be lost; with the lock the second
thread waits for the first to commit and reads the new total.
"""

import threading
import time

import pytest
from django.db import connection, connections

from practitioners.models import Practitioner
from reviews import ratings, services
from tests.factories import PractitionerFactory, ReviewFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises all writers with a database-wide lock, so there is no row-level race to test.",
    ),
]


@pytest.fixture
def slow_summary_reads(monkeypatch):
    original = ratings.RatingSummary.from_fields.__func__

    def slow(cls, obj):
        summary = original(cls, obj)
        time.sleep(0.3)  # widen the read-modify-write window
        return summary

    monkeypatch.setattr(ratings.RatingSummary, "from_fields", classmethod(slow))


def run_in_threads(*calls) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(calls))

    def worker(call):
        try:
            barrier.wait()
            call()
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_two_simultaneous_publishes_both_count(slow_summary_reads):
    practitioner = PractitionerFactory()
    first = ReviewFactory(practitioner=practitioner, rating=5, bedside_rating=4)
    second = ReviewFactory(practitioner=practitioner, rating=3, bedside_rating=2)
    moderator = UserFactory(is_staff=True, is_superuser=True)

    errors = run_in_threads(
        lambda: services.review_publish(review=first, moderator=moderator),
        lambda: services.review_publish(review=second, moderator=moderator),
    )

    assert errors == []
    stored = Practitioner.objects.get(pk=practitioner.pk)
    assert (stored.review_count, stored.rating_sum, stored.bedside_sum) == (2, 8, 6)
    assert (stored.rating_3, stored.rating_5) == (1, 1)
    assert str(stored.rating_avg) == "4.00"


def test_the_same_review_published_twice_at_once_counts_once(slow_summary_reads):
    practitioner = PractitionerFactory()
    review = ReviewFactory(practitioner=practitioner, rating=4)
    moderator = UserFactory(is_staff=True, is_superuser=True)

    errors = run_in_threads(
        lambda: services.review_publish(review=review, moderator=moderator),
        lambda: services.review_publish(review=review, moderator=moderator),
    )

    assert errors == []
    assert Practitioner.objects.get(pk=practitioner.pk).review_count == 1


def test_simultaneous_submissions_cannot_beat_the_daily_limit(monkeypatch):
    from reviews.models import Review
    from tests.factories import VerifiedUserFactory
    from tests.reviews.test_services import content

    original = services._clean_content

    def slow_clean(**kwargs):
        time.sleep(0.3)  # between counting today's reviews and inserting the new one
        return original(**kwargs)

    monkeypatch.setattr(services, "_clean_content", slow_clean)
    author = VerifiedUserFactory()
    for _ in range(services.DAILY_REVIEW_LIMIT - 1):
        services.review_create(author=author, practitioner=PractitionerFactory(), **content())
    targets = [PractitionerFactory(), PractitionerFactory()]

    errors = run_in_threads(
        *[lambda p=p: services.review_create(author=author, practitioner=p, **content()) for p in targets]
    )

    assert Review.objects.filter(author=author).count() == services.DAILY_REVIEW_LIMIT
    assert len(errors) == 1 and "at most 3 reviews" in str(errors[0])
