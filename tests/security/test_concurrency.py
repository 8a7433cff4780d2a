"""Concurrency on PostgreSQL: the same author submitting twice at once, and publishing at once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from practitioners.models import Practitioner
from reviews import services
from reviews.models import Review
from tests.factories import PractitionerFactory, ReviewerFactory, VerifiedUserFactory
from tests.reviews.test_concurrency import run_in_threads
from tests.reviews.test_services import content

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises all writers with a database-wide lock, so there is no row-level race to test.",
    ),
]


def test_the_same_authors_review_submitted_twice_at_once_is_saved_once():
    author = VerifiedUserFactory()
    practitioner = PractitionerFactory()
    errors = run_in_threads(
        *[lambda: services.review_create(author=author, practitioner=practitioner, **content()) for _ in range(2)]
    )
    assert Review.objects.filter(author=author, practitioner=practitioner).count() == 1
    # The loser gets the friendly rule, not a database error (which would be a 500 over HTTP).
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), errors


def test_publishing_many_reviews_of_one_practitioner_at_once_keeps_the_summary_exact():
    practitioner = PractitionerFactory()
    moderator = ReviewerFactory()
    reviews = [
        services.review_create(author=VerifiedUserFactory(), practitioner=practitioner, **content(rating=stars))
        for stars in (1, 2, 3, 4, 5, 5)
    ]
    errors = run_in_threads(*[lambda r=r: services.review_publish(review=r, moderator=moderator) for r in reviews])
    assert errors == []
    practitioner = Practitioner.objects.get(pk=practitioner.pk)
    assert practitioner.review_count == 6
    assert practitioner.rating_sum == 20
    assert [
        practitioner.rating_1,
        practitioner.rating_2,
        practitioner.rating_3,
        practitioner.rating_4,
        practitioner.rating_5,
    ] == [1, 1, 1, 1, 2]
    assert services.practitioner_summary_recompute(practitioner=practitioner).count == 6
