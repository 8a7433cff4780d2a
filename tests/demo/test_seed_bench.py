"""seed_bench: the same rows as seed_demo (deterministic, fictional), one listing with exactly N reviews,
summaries equal to the recomputation. On PostgreSQL it writes with COPY; on SQLite it falls back to
seed_demo's bulk inserts, so this file checks both paths across the two suite runs."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from practitioners.models import Certification, Degree, License, OpeningHours, PracticeLocation, Practitioner
from practitioners.search_rows import SearchRow, build_search_rows
from reviews.models import HelpfulVote, Review, ReviewReply
from reviews.ratings import SUMMARY_FIELDS

# VACUUM (after a COPY seed on PostgreSQL) cannot run inside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def seed(command: str, n: int = 30, *extra: str) -> str:
    out = StringIO()
    call_command(
        command,
        "--practitioners",
        str(n),
        "--seed",
        "5",
        "--batch-size",
        "12",
        "--reviews-per-listing",
        "4",
        *extra,
        stdout=out,
        verbosity=0,
    )
    return out.getvalue()


def snapshot() -> dict[str, list[tuple]]:
    """Everything a seed writes, without database ids and creation times."""
    return {
        "practitioners": list(
            Practitioner.objects.order_by("slug").values_list(
                "slug",
                "name",
                "bio",
                "first_visit_fee",
                "gender",
                "search_document",
                "accepting_new_patients",
                *SUMMARY_FIELDS,
            )
        ),
        "locations": list(
            PracticeLocation.objects.order_by("practitioner__slug", "-is_primary", "zip_code").values_list(
                "practitioner__slug", "name", "zip_code", "latitude", "longitude", "is_primary"
            )
        ),
        "hours": list(
            OpeningHours.objects.order_by("location__practitioner__slug", "weekday").values_list(
                "location__practitioner__slug", "weekday", "opens", "closes"
            )
        ),
        "licenses": list(License.objects.order_by("number").values_list("number", "verification_state", "expiry_date")),
        "certifications": list(Certification.objects.order_by("number").values_list("number", "status")),
        "degrees": list(Degree.objects.order_by("practitioner__slug").values_list("practitioner__slug", "degree")),
        "conditions": list(
            Practitioner.conditions.through.objects.order_by("practitioner__slug", "condition__slug").values_list(
                "practitioner__slug", "condition__slug"
            )
        ),
        "reviews": list(
            Review.objects.order_by("practitioner__slug", "author__email").values_list(
                "practitioner__slug", "author__email", "rating", "state", "text", "pain_before", "helpful_count"
            )
        ),
        "votes": list(
            HelpfulVote.objects.order_by(
                "review__practitioner__slug", "review__author__email", "user__email"
            ).values_list("review__practitioner__slug", "review__author__email", "user__email")
        ),
        "replies": list(ReviewReply.objects.order_by("review__practitioner__slug", "text").values_list("text")),
    }


def test_writes_exactly_what_seed_demo_writes_plus_the_heavy_listing():
    seed("seed_demo", 30, "--plain")  # seed_bench leaves out the demo site's dressing
    expected = snapshot()
    Practitioner.objects.all().delete()
    out = seed("seed_bench", 30, "--heavy-listing-reviews", "0")
    assert "Created 30 demo practitioners" in out
    assert snapshot() == expected
    if connection.vendor == "postgresql":
        assert "VACUUM ANALYZE" in out


def test_last_listing_has_exactly_the_heavy_review_count_and_summaries_match():
    seed("seed_bench", 20, "--heavy-listing-reviews", "45")
    heavy = Practitioner.objects.order_by("-pk").first()
    assert heavy.slug.endswith("-20")
    assert heavy.review_count == 45
    assert Review.objects.published().filter(practitioner=heavy).count() == 45
    assert not Review.objects.filter(practitioner=heavy).exclude(state="published").exists()
    assert Practitioner.objects.filter(review_count=0).exists()  # the 0-review profile the benchmark needs
    recompute = StringIO()
    call_command("recompute_review_summaries", "--dry-run", stdout=recompute, verbosity=0)
    assert "Would update 0 of 20" in recompute.getvalue()


def test_leaves_one_search_row_per_published_listing_as_the_services_would_build_it():
    out = seed("seed_bench", 30, "--heavy-listing-reviews", "5")
    published = set(Practitioner.objects.published().values_list("pk", flat=True))
    assert published
    assert set(SearchRow.objects.values_list("pk", flat=True)) == published
    assert f"search rows: {len(published)} in " in out
    fields = [field.attname for field in SearchRow._meta.concrete_fields]
    stored = {row.pk: [getattr(row, name) for name in fields] for row in SearchRow.objects.all()}
    built = {row.pk: [getattr(row, name) for name in fields] for row in build_search_rows(published)}
    assert stored == built


def test_pks_come_from_the_sequences_so_later_inserts_still_work():
    seed("seed_bench", 5, "--heavy-listing-reviews", "3")
    seed("seed_bench", 5, "--heavy-listing-reviews", "3")  # appends, numbering after the first five
    assert Practitioner.objects.count() == 10
    later = Practitioner.objects.create(name="Added later", slug="added-later")
    assert later.pk > max(Practitioner.objects.exclude(pk=later.pk).values_list("pk", flat=True))
    location = PracticeLocation.objects.create(practitioner=later, city="Austin", state_id="TX", zip_code="78701")
    assert location.pk > 0


def test_rejects_more_heavy_reviews_than_demo_reviewers():
    with pytest.raises(CommandError, match="heavy-listing-reviews"):
        seed("seed_bench", 2, "--heavy-listing-reviews", "5000")
