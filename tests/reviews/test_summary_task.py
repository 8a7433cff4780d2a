"""The rating summary after a review change: stored at once in the change's transaction (what a
patient sees right after publication) and rebuilt from the published reviews by a task enqueued on
commit, which corrects a summary that drifted and keeps the search cache in step."""

import re

import pytest
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from practitioners.models import Practitioner
from reviews import services
from reviews.ratings import SUMMARY_FIELDS, RatingSummary
from reviews.tasks import recompute_review_summary
from tests.factories import UserFactory, VerifiedUserFactory, refresh_search_row, searchable_practitioner
from tests.jobs.conftest import DATABASE_BACKEND, run_worker
from tests.reviews.test_services import content

pytestmark = pytest.mark.django_db

SEARCH = reverse("practitioners:list")


@pytest.fixture
def queue(settings):
    """The database backend: enqueued tasks wait for a worker."""
    settings.TASKS = DATABASE_BACKEND


@pytest.fixture
def moderator():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def listing():
    return searchable_practitioner(slug="reviewed", name="Reviewed Listing", conditions=("neck-pain",))


def pending_review(listing, **overrides):
    return services.review_create(author=VerifiedUserFactory(), practitioner=listing, **content(**overrides))


def card_rating(client) -> str:
    html = client.get(SEARCH, {"condition": "neck-pain"}).text
    return re.search(r'<p class="card-rating">(.*?)</p>', html, flags=re.S).group(1)


def rated_four_or_more(client) -> bool:
    """Is the listing among the results of a search for ratings of 4 and up (a cached search keeps its
    ids until a write invalidates the cache)?"""
    html = client.get(SEARCH, {"condition": "neck-pain", "min_rating": "4"}).text
    return 'href="/practitioners/reviewed/"' in html


def summary(listing) -> tuple:
    return Practitioner.objects.filter(pk=listing.pk).values_list(*SUMMARY_FIELDS).get()


# A worker in this process commits and closes connections (as tests/jobs/test_email.py).
@pytest.mark.django_db(transaction=True)
def test_a_patient_sees_the_review_counted_right_after_publication_before_any_worker_runs(
    client, settings, queue, moderator, listing, django_capture_on_commit_callbacks
):
    settings.SEARCH_CACHE_SECONDS = 60
    assert "No reviews yet" in card_rating(client)
    assert not rated_four_or_more(client)  # now cached
    review = pending_review(listing, rating=4)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_publish(review=review, moderator=moderator)
    # The recomputation waits in the queue; the profile and the (invalidated) cached search already count it.
    assert DBTaskResult.objects.get().task_path == "reviews.tasks.recompute_review_summary"
    assert "4.0 out of 5 (1 review)" in card_rating(client)
    assert rated_four_or_more(client)
    assert "from 1 review" in client.get(listing.get_absolute_url()).text
    before = summary(listing)
    run_worker()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert summary(listing) == before


def test_the_task_corrects_a_summary_that_drifted_and_invalidates_cached_searches(
    client, settings, moderator, listing, django_capture_on_commit_callbacks
):
    settings.SEARCH_CACHE_SECONDS = 60
    services.review_publish(review=pending_review(listing, rating=5), moderator=moderator)
    correct = summary(listing)
    drifted = RatingSummary.from_ratings([(1, 1), (2, 2)])  # out of step, within the constraints
    Practitioner.objects.filter(pk=listing.pk).update(**drifted.as_fields())
    refresh_search_row(listing.pk)  # the drift reaches the search row too, as a rebuild from these columns would
    assert "1.5 out of 5 (2 reviews)" in card_rating(client)
    assert not rated_four_or_more(client)  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        result = recompute_review_summary.call(practitioner_id=listing.pk)
    assert result == "corrected: 1 published review(s)"
    assert summary(listing) == correct
    assert "5.0 out of 5 (1 review)" in card_rating(client)
    assert rated_four_or_more(client)
    # Idempotent: run again, it finds the summary in step and writes nothing.
    assert recompute_review_summary.call(practitioner_id=listing.pk) == "in step: 1 published review(s)"


def test_each_change_that_moves_the_summary_enqueues_the_task_on_commit_only(queue, moderator, listing):
    review = pending_review(listing)
    with transaction.atomic():
        services.review_publish(review=review, moderator=moderator)
        transaction.set_rollback(True)  # a rolled-back publication enqueues nothing
    assert not DBTaskResult.objects.exists()


def test_the_task_is_enqueued_by_publication_and_by_removal(
    queue, moderator, listing, django_capture_on_commit_callbacks
):
    review = pending_review(listing)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_publish(review=review, moderator=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_remove(review=review, moderator=moderator, reason="Not a patient.")
    enqueued = DBTaskResult.objects.values_list("task_path", "args_kwargs")
    assert (
        sorted(enqueued)
        == [("reviews.tasks.recompute_review_summary", {"args": [], "kwargs": {"practitioner_id": listing.pk}})] * 2
    )


def test_the_task_for_a_deleted_listing_does_nothing(listing):
    pk = listing.pk
    listing.delete()
    assert recompute_review_summary.call(practitioner_id=pk) == "listing deleted"
