"""The profile's review pages: the page and the number of reviews in one query, the same pages as Django's
Paginator for every page number a visitor can send."""

import pytest
from django.core.paginator import Paginator

from reviews.models import ReviewState
from reviews.selectors import REVIEWS_PAGE_SIZE, CountingPaginator, published_reviews_qs
from reviews.services import review_publish
from tests.factories import PractitionerFactory, ReviewerFactory, ReviewFactory

pytestmark = pytest.mark.django_db

PAGE_NUMBERS = [None, "", "1", "2", "3", "4", "999", "0", "-1", "abc", "1.5", 2.0, 2.5, "²"]


@pytest.mark.parametrize("n_reviews", [0, 1, REVIEWS_PAGE_SIZE, REVIEWS_PAGE_SIZE + 1, 2 * REVIEWS_PAGE_SIZE + 5])
def test_pages_match_djangos_paginator(n_reviews):
    practitioner = PractitionerFactory()
    moderator = ReviewerFactory()
    for _ in range(n_reviews):
        review_publish(review=ReviewFactory(practitioner=practitioner, state=ReviewState.PENDING), moderator=moderator)
    ReviewFactory(practitioner=practitioner, state=ReviewState.PENDING)  # not published: never counted
    reviews = published_reviews_qs(practitioner_id=practitioner.pk)
    for number in PAGE_NUMBERS:
        expected = Paginator(reviews, REVIEWS_PAGE_SIZE).get_page(number)
        page = CountingPaginator(reviews, REVIEWS_PAGE_SIZE).get_page(number)
        assert page.number == expected.number, number
        assert [r.pk for r in page] == [r.pk for r in expected], number
        assert page.paginator.count == expected.paginator.count == n_reviews, number
        assert page.paginator.num_pages == expected.paginator.num_pages, number
        assert page.has_next() == expected.has_next() and page.start_index() == expected.start_index(), number


def test_a_page_and_its_count_are_one_query(django_assert_num_queries):
    practitioner = PractitionerFactory()
    moderator = ReviewerFactory()
    for _ in range(REVIEWS_PAGE_SIZE + 3):
        review_publish(review=ReviewFactory(practitioner=practitioner, state=ReviewState.PENDING), moderator=moderator)
    with django_assert_num_queries(1):
        page = CountingPaginator(published_reviews_qs(practitioner_id=practitioner.pk), REVIEWS_PAGE_SIZE).get_page("2")
        assert (page.paginator.count, page.paginator.num_pages, len(page)) == (REVIEWS_PAGE_SIZE + 3, 2, 3)
