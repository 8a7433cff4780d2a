"""reviews.services: every rule, and the stored summary after every state change."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practitioners.models import Practitioner
from reviews import services
from reviews.models import HelpfulVote, Review, ReviewReply, ReviewReport
from tests.factories import PractitionerFactory, UserFactory, VerifiedUserFactory, condition

pytestmark = pytest.mark.django_db

LAST_MONTH = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def owner():
    return VerifiedUserFactory(display_name="Dr Owner")


@pytest.fixture
def practitioner(owner):
    return PractitionerFactory(owner=owner)


@pytest.fixture
def patient():
    return VerifiedUserFactory(display_name="Sam K.")


@pytest.fixture
def moderator():
    """Staff in the "Credential reviewers" group (created by a data migration), not a superuser."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Credential reviewers"))
    return user


def content(**overrides) -> dict:
    values = {
        "rating": 4,
        "bedside_rating": 5,
        "condition": condition("neck-pain"),
        "sessions": 6,
        "pain_before": 7,
        "pain_after": 2,
        "would_recommend": True,
        "title": "It helped",
        "text": "After six sessions my neck pain was much better.",
        "visit_month": LAST_MONTH,
    }
    values.update(overrides)
    return values


def create(author, practitioner, **overrides) -> Review:
    return services.review_create(author=author, practitioner=practitioner, **content(**overrides))


def summary(practitioner: Practitioner) -> tuple:
    p = Practitioner.objects.get(pk=practitioner.pk)
    return (
        p.review_count,
        p.rating_sum,
        p.bedside_sum,
        p.rating_avg,
        p.rating_1,
        p.rating_2,
        p.rating_3,
        p.rating_4,
        p.rating_5,
    )


EMPTY = (0, 0, 0, None, 0, 0, 0, 0, 0)


# ---------------------------------------------------------------- create


def test_create_is_pending_and_not_yet_counted(patient, practitioner):
    review = create(patient, practitioner, visit_month=LAST_MONTH.replace(day=1), title="  Padded  ")
    assert review.state == Review.State.PENDING
    assert review.title == "Padded"
    assert review.visit_month.day == 1
    assert summary(practitioner) == EMPTY


def test_visit_month_is_stored_as_its_first_day(patient, practitioner):
    review = create(patient, practitioner, visit_month=LAST_MONTH.replace(day=17))
    assert review.visit_month == LAST_MONTH


def test_unverified_email_cannot_review(practitioner):
    with pytest.raises(PermissionDenied, match="Confirm your email"):
        create(UserFactory(), practitioner)
    assert Review.objects.count() == 0


def test_practitioner_cannot_review_own_listing(owner, practitioner):
    with pytest.raises(PermissionDenied, match="your own listing"):
        create(owner, practitioner)
    assert Review.objects.count() == 0


@pytest.mark.parametrize("status", [Practitioner.Status.DRAFT, Practitioner.Status.SUSPENDED])
def test_unpublished_listing_cannot_be_reviewed(patient, status):
    with pytest.raises(ValidationError, match="not published"):
        create(patient, PractitionerFactory(status=status))
    assert Review.objects.count() == 0


def test_duplicate_review_is_refused_with_a_friendly_message(patient, practitioner):
    create(patient, practitioner)
    with pytest.raises(ValidationError, match="already reviewed this practitioner"):
        create(patient, practitioner, title="Second try")
    assert Review.objects.count() == 1


def test_daily_limit(patient):
    now = timezone.now()
    for _ in range(services.DAILY_REVIEW_LIMIT):
        services.review_create(author=patient, practitioner=PractitionerFactory(), now=now, **content())
    with pytest.raises(ValidationError, match="at most 3 reviews in 24 hours"):
        services.review_create(author=patient, practitioner=PractitionerFactory(), now=now, **content())
    assert Review.objects.count() == services.DAILY_REVIEW_LIMIT
    # The window is rolling: a day later the same account may write again.
    later = now + datetime.timedelta(hours=24, minutes=1)
    services.review_create(author=patient, practitioner=PractitionerFactory(), now=later, **content())
    assert Review.objects.count() == services.DAILY_REVIEW_LIMIT + 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rating": 0}, "rating", "1 to 5"),
        ({"rating": 6}, "rating", "1 to 5"),
        ({"bedside_rating": 6}, "bedside_rating", "1 to 5"),
        ({"pain_before": 11}, "pain_before", "0 (none) to 10"),
        ({"pain_after": -1}, "pain_after", "0 (none) to 10"),
        ({"pain_after": None}, "pain_after", "both before and after"),
        ({"pain_before": None}, "pain_before", "both before and after"),
        ({"sessions": 0}, "sessions", "at least 1"),
        ({"sessions": 10_000}, "sessions", "at most 200"),
        ({"text": "x" * 50_000}, "text", "at most 5000"),
        ({"title": ""}, "title", "blank"),
        ({"visit_month": datetime.date(2999, 1, 1)}, "visit_month", "future"),
    ],
)
def test_bad_content_is_refused_beside_the_field(patient, practitioner, overrides, field, message):
    with pytest.raises(ValidationError) as info:
        create(patient, practitioner, **overrides)
    assert field in info.value.message_dict
    assert message in " ".join(info.value.message_dict[field])
    assert Review.objects.count() == 0


def test_next_month_is_the_future_but_this_month_is_fine(patient, practitioner):
    this_month = timezone.localdate().replace(day=1)
    next_month = (this_month + datetime.timedelta(days=32)).replace(day=1)
    with pytest.raises(ValidationError, match="future"):
        create(patient, practitioner, visit_month=next_month)
    assert create(patient, practitioner, visit_month=this_month).visit_month == this_month


# ---------------------------------------------------------------- moderation and the summary


def test_publish_counts_the_review_once(patient, practitioner, moderator):
    review = create(patient, practitioner, rating=4, bedside_rating=5)
    published = services.review_publish(review=review, moderator=moderator)
    assert published.state == Review.State.PUBLISHED
    assert published.published_at is not None and published.moderated_by == moderator
    assert summary(practitioner) == (1, 4, 5, Decimal("4.00"), 0, 0, 0, 1, 0)
    services.review_publish(review=review, moderator=moderator)  # idempotent
    assert summary(practitioner) == (1, 4, 5, Decimal("4.00"), 0, 0, 0, 1, 0)


def test_summary_after_several_reviews(practitioner, moderator):
    for rating in (5, 4, 4):
        services.review_publish(review=create(VerifiedUserFactory(), practitioner, rating=rating), moderator=moderator)
    assert summary(practitioner) == (3, 13, 15, Decimal("4.33"), 0, 0, 0, 2, 1)


def test_publishing_does_not_touch_the_listing_updated_at(patient, practitioner, moderator):
    before = Practitioner.objects.get(pk=practitioner.pk).updated_at
    services.review_publish(review=create(patient, practitioner), moderator=moderator)
    assert Practitioner.objects.get(pk=practitioner.pk).updated_at == before


def test_reject_needs_a_reason_and_uncounts_a_published_review(patient, practitioner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    with pytest.raises(ValidationError, match="reason"):
        services.review_reject(review=review, moderator=moderator, reason="   ")
    assert summary(practitioner)[0] == 1
    rejected = services.review_reject(review=review, moderator=moderator, reason="Names another patient.")
    assert rejected.state == Review.State.REJECTED
    assert rejected.rejection_reason == "Names another patient."
    assert summary(practitioner) == EMPTY


def test_remove_uncounts_and_locks_the_review_for_its_author(patient, practitioner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    services.review_remove(review=review, moderator=moderator, reason="Reported as fake.")
    assert summary(practitioner) == EMPTY
    with pytest.raises(PermissionDenied, match="removed"):
        services.review_update(review=review, actor=patient, **content(title="Back again"))
    assert Review.objects.get(pk=review.pk).title == "It helped"


def test_a_removed_review_can_be_republished_by_staff(patient, practitioner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    services.review_remove(review=review, moderator=moderator)
    services.review_publish(review=review, moderator=moderator)
    assert summary(practitioner)[0] == 1


@pytest.mark.parametrize("kind", ["patient", "staff_without_permission", "inactive_moderator"])
def test_only_moderators_moderate(patient, practitioner, moderator, kind):
    review = create(patient, practitioner)
    actor = {
        "patient": patient,
        "staff_without_permission": UserFactory(is_staff=True),
        "inactive_moderator": moderator,
    }[kind]
    if kind == "inactive_moderator":
        actor.is_active = False
        actor.save()
    for call in (
        lambda: services.review_publish(review=review, moderator=actor),
        lambda: services.review_reject(review=review, moderator=actor, reason="No"),
        lambda: services.review_remove(review=review, moderator=actor),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert Review.objects.get(pk=review.pk).state == Review.State.PENDING
    assert summary(practitioner) == EMPTY


def test_superuser_can_moderate(patient, practitioner):
    admin = UserFactory(is_staff=True, is_superuser=True)
    services.review_publish(review=create(patient, practitioner), moderator=admin)
    assert summary(practitioner)[0] == 1


# ---------------------------------------------------------------- author edits and deletes


def test_editing_the_text_of_a_published_review_sends_it_back_to_moderation(patient, practitioner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    updated = services.review_update(review=review, actor=patient, **content(text="Changed my mind about it."))
    assert updated.state == Review.State.PENDING
    assert summary(practitioner) == EMPTY
    services.review_publish(review=updated, moderator=moderator)
    assert summary(practitioner)[0] == 1


CHANGED_CLAIMS = {
    "rating": {"rating": 1},
    "bedside_rating": {"bedside_rating": 1},
    "condition": {"condition": "sciatica"},  # a slug: resolved in the test
    "sessions": {"sessions": 30},
    "pain_before": {"pain_before": 9},
    "pain_after": {"pain_after": 7},
    "pain_removed": {"pain_before": None, "pain_after": None},
    "would_recommend": {"would_recommend": False},
    "visit_month": {"visit_month": (LAST_MONTH - datetime.timedelta(days=40)).replace(day=1)},
    "title": {"title": "It did not help"},
    "text": {"text": "The pain came back within a week."},
}


@pytest.mark.parametrize("change", CHANGED_CLAIMS.values(), ids=CHANGED_CLAIMS.keys())
def test_any_change_to_what_a_published_review_claims_sends_it_back_to_moderation(
    patient, practitioner, moderator, change
):
    """Hidden until re-approved: it leaves the stored summary and the outcome figures at once."""
    from reviews.selectors import outcome_reports, published_summaries

    review = services.review_publish(review=create(patient, practitioner, rating=5), moderator=moderator)
    assert summary(practitioner) == (1, 5, 5, Decimal("5.00"), 0, 0, 0, 0, 1)
    assert len(outcome_reports(practitioner_id=practitioner.pk)) == 1
    if "condition" in change:
        change = {"condition": condition(change["condition"])}
    updated = services.review_update(review=review, actor=patient, **content(**{"rating": 5, **change}))
    assert updated.state == Review.State.PENDING
    assert summary(practitioner) == EMPTY
    assert outcome_reports(practitioner_id=practitioner.pk) == []
    # The stored summary is exactly what a recount from the published reviews gives.
    recount = published_summaries([practitioner.pk])[practitioner.pk].as_fields()
    stored = Practitioner.objects.filter(pk=practitioner.pk).values(*recount).get()
    assert stored == recount
    # Approved again, the new figures count.
    services.review_publish(review=updated, moderator=moderator)
    stored = Review.objects.get(pk=review.pk)
    assert summary(practitioner)[:3] == (1, stored.rating, stored.bedside_rating)


def test_saving_a_published_review_unchanged_keeps_it_published(patient, practitioner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    before = summary(practitioner)
    updated = services.review_update(review=review, actor=patient, **content())
    assert updated.state == Review.State.PUBLISHED
    assert summary(practitioner) == before


def test_editing_a_rejected_review_resubmits_it(patient, practitioner, moderator):
    review = services.review_reject(review=create(patient, practitioner), moderator=moderator, reason="Too vague.")
    updated = services.review_update(review=review, actor=patient, **content(text="More detail now."))
    assert updated.state == Review.State.PENDING
    assert updated.rejection_reason == ""


def test_invalid_edit_changes_nothing(patient, practitioner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    before = summary(practitioner)
    with pytest.raises(ValidationError):
        services.review_update(review=review, actor=patient, **content(rating=9, text="New words"))
    stored = Review.objects.get(pk=review.pk)
    assert (stored.state, stored.rating, stored.text) == (Review.State.PUBLISHED, 4, review.text)
    assert summary(practitioner) == before


def test_only_the_author_edits_or_deletes(patient, practitioner, owner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    for actor in (VerifiedUserFactory(), owner, moderator):
        with pytest.raises(PermissionDenied):
            services.review_update(review=review, actor=actor, **content(title="Forged"))
        with pytest.raises(PermissionDenied):
            services.review_delete(review=review, actor=actor)
    stored = Review.objects.get(pk=review.pk)
    assert stored.title == "It helped" and stored.state == Review.State.PUBLISHED


def test_deleting_a_published_review_uncounts_it_and_its_dependants(patient, practitioner, owner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    services.helpful_vote_toggle(review=review, user=VerifiedUserFactory())
    services.review_reply_save(review=review, actor=owner, text="Thank you!")
    services.review_delete(review=review, actor=patient)
    assert not Review.objects.exists()
    assert not HelpfulVote.objects.exists() and not ReviewReply.objects.exists()
    assert summary(practitioner) == EMPTY


def test_deleting_a_pending_review_leaves_the_summary_alone(patient, practitioner, moderator):
    services.review_publish(review=create(VerifiedUserFactory(), practitioner), moderator=moderator)
    services.review_delete(review=create(patient, practitioner), actor=patient)
    assert summary(practitioner)[0] == 1


# ---------------------------------------------------------------- replies


def test_owner_replies_once_and_can_edit(patient, practitioner, owner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    first = services.review_reply_save(review=review, actor=owner, text="Thank you for coming in.")
    second = services.review_reply_save(review=review, actor=owner, text="Thank you, and take care.")
    assert first.pk == second.pk
    assert ReviewReply.objects.get().text == "Thank you, and take care."
    services.review_reply_delete(review=review, actor=owner)
    assert not ReviewReply.objects.exists()


def test_only_the_owner_replies(patient, practitioner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    for actor in (patient, VerifiedUserFactory(), moderator):
        with pytest.raises(PermissionDenied):
            services.review_reply_save(review=review, actor=actor, text="Forged reply")
    assert not ReviewReply.objects.exists()


def test_reply_needs_text_and_a_published_review(patient, practitioner, owner):
    review = create(patient, practitioner)
    with pytest.raises(ValidationError, match="published"):
        services.review_reply_save(review=review, actor=owner, text="Too early")
    review.state, review.published_at = Review.State.PUBLISHED, timezone.now()
    review.save()
    with pytest.raises(ValidationError):
        services.review_reply_save(review=review, actor=owner, text="   ")
    with pytest.raises(ValidationError):
        services.review_reply_save(review=review, actor=owner, text="x" * 3001)
    assert not ReviewReply.objects.exists()


# ---------------------------------------------------------------- helpful votes


def test_helpful_vote_toggles_and_counts(patient, practitioner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    voter, other = VerifiedUserFactory(), UserFactory()
    assert services.helpful_vote_toggle(review=review, user=voter) is True
    assert services.helpful_vote_toggle(review=review, user=other) is True
    assert Review.objects.get(pk=review.pk).helpful_count == 2
    assert services.helpful_vote_toggle(review=review, user=voter) is False
    assert Review.objects.get(pk=review.pk).helpful_count == 1
    assert HelpfulVote.objects.count() == 1


def test_helpful_vote_refusals(patient, practitioner):
    pending = create(patient, practitioner)
    with pytest.raises(ValidationError, match="own review"):
        services.helpful_vote_toggle(review=pending, user=patient)
    with pytest.raises(ValidationError, match="published"):
        services.helpful_vote_toggle(review=pending, user=VerifiedUserFactory())
    assert not HelpfulVote.objects.exists()
    assert Review.objects.get(pk=pending.pk).helpful_count == 0


# ---------------------------------------------------------------- reports


def test_report_once_per_user(patient, practitioner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    reporter = UserFactory()
    services.review_report_create(review=review, reporter=reporter, reason="fake", details="Never met them.")
    with pytest.raises(ValidationError, match="already reported"):
        services.review_report_create(review=review, reporter=reporter, reason="other")
    assert ReviewReport.objects.count() == 1


def test_report_refusals(patient, practitioner, moderator):
    pending = create(patient, practitioner)
    with pytest.raises(ValidationError, match="published"):
        services.review_report_create(review=pending, reporter=UserFactory(), reason="fake")
    review = services.review_publish(review=pending, moderator=moderator)
    with pytest.raises(ValidationError, match="own review"):
        services.review_report_create(review=review, reporter=patient, reason="fake")
    with pytest.raises(ValidationError):
        services.review_report_create(review=review, reporter=UserFactory(), reason="not-a-reason")
    assert not ReviewReport.objects.exists()


def test_resolving_a_report_by_removing_the_review(patient, practitioner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    report = services.review_report_create(review=review, reporter=UserFactory(), reason="offensive")
    resolved = services.review_report_resolve(report=report, moderator=moderator, remove_review=True, note="Abusive.")
    assert resolved.resolution == ReviewReport.Resolution.REMOVED and resolved.resolved_by == moderator
    assert Review.objects.get(pk=review.pk).state == Review.State.REMOVED
    assert summary(practitioner) == EMPTY
    assert ReviewReport.objects.open().count() == 0


def test_resolving_a_report_by_keeping_the_review(patient, practitioner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    report = services.review_report_create(review=review, reporter=UserFactory(), reason="fake")
    services.review_report_resolve(report=report, moderator=moderator, remove_review=False)
    assert Review.objects.get(pk=review.pk).state == Review.State.PUBLISHED
    assert summary(practitioner)[0] == 1


def test_only_staff_resolve_reports(patient, practitioner, moderator):
    review = services.review_publish(review=create(patient, practitioner), moderator=moderator)
    report = services.review_report_create(review=review, reporter=UserFactory(), reason="fake")
    with pytest.raises(PermissionDenied):
        services.review_report_resolve(report=report, moderator=patient, remove_review=True)
    assert ReviewReport.objects.open().count() == 1
    assert Review.objects.get(pk=review.pk).state == Review.State.PUBLISHED
