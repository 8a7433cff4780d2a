"""Every write to reviews, with its rules and side effects.

The rating summary stored on the practitioner (review_count, rating_sum,
bedside_sum, rating_avg, rating_1..rating_5) changes only here, in the same
transaction as the review change that causes it, with the practitioner row
locked (`SELECT ... FOR UPDATE`) first. Two reviews of one practitioner
published at the same moment therefore queue on that row and both count.
Lock order is always practitioner, then review, so two services never
deadlock each other.

Errors: `ValidationError` for input a person can correct (shown beside the
field), `PermissionDenied` for an actor who may not do this at all.
"""

import datetime
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_has_verified_email
from practitioners.conflicts import require_no_conflict, review_conflict
from practitioners.models import Condition, Practitioner

from . import summaries, tasks
from .models import REPLY_MAX_LENGTH, TEXT_MAX_LENGTH, HelpfulVote, Review, ReviewReply, ReviewReport, ReviewState
from .ratings import RatingSummary

# At most this many reviews per account in any rolling 24 hours: enough for someone who has seen
# two or three practitioners, too few for a burst of fake reviews from one account.
DAILY_REVIEW_LIMIT = 3
DAILY_WINDOW = datetime.timedelta(hours=24)

# What a review claims: every field its author writes. Any change to one of them on a published
# review sends it back to moderation, so the ratings and outcome figures a moderator approved are
# the ones that count.
CONTENT_FIELDS = (
    "rating",
    "bedside_rating",
    "condition_id",
    "sessions",
    "pain_before",
    "pain_after",
    "would_recommend",
    "title",
    "text",
    "visit_month",
)

MODERATE_PERMISSION = "reviews.change_review"
RESOLVE_REPORT_PERMISSION = "reviews.change_reviewreport"


# ---------------------------------------------------------------- summary


def _lock_practitioner(practitioner_id: int) -> Practitioner:
    return summaries.lock_practitioner(practitioner_id)


def _lock_review(review_id: int) -> Review:
    # of=("self",) keeps PostgreSQL from trying to lock the nullable side of any join.
    return Review.objects.select_for_update(of=("self",)).get(pk=review_id)


def _sync(stale: Review, fresh: Review) -> Review:
    """Copy the saved state onto the caller's instance too, so it is never left stale."""
    if stale is not fresh:
        for field in Review._meta.concrete_fields:
            setattr(stale, field.attname, getattr(fresh, field.attname))
    return fresh


def _store_summary(practitioner: Practitioner, summary: RatingSummary) -> None:
    """Stored at once, in the review change's transaction (the profile and search show it as soon as
    it commits); then rebuilt from the published reviews by a task, which corrects any drift."""
    summaries.store(practitioner, summary)
    transaction.on_commit(partial(tasks.recompute_review_summary.enqueue, practitioner_id=practitioner.pk))


def _summary_add(practitioner: Practitioner, *, rating: int, bedside: int) -> None:
    _store_summary(practitioner, RatingSummary.from_fields(practitioner).add(rating=rating, bedside=bedside))


def _summary_remove(practitioner: Practitioner, *, rating: int, bedside: int) -> None:
    _store_summary(practitioner, RatingSummary.from_fields(practitioner).remove(rating=rating, bedside=bedside))


def practitioner_summary_recompute(*, practitioner: Practitioner) -> RatingSummary:
    """Rebuild one practitioner's summary from its published reviews (locks the row)."""
    return summaries.rebuild(practitioner_id=practitioner.pk)[0]


# ---------------------------------------------------------------- checks


def _require_author(review: Review, actor: User) -> None:
    if not actor.is_authenticated or review.author_id != actor.pk:
        raise PermissionDenied("Only the author of a review can change it.")


def _require_moderator(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.is_staff and actor.has_perm(MODERATE_PERMISSION)):
        raise PermissionDenied("Only staff moderators can publish, reject or remove reviews.")


def review_moderation_conflict(*, review: Review, actor: User) -> str | None:
    """Why `actor` may not moderate `review` (they wrote it, or it is about their listing), or None.

    Author and listing owner are read from the database, not from the caller's instance.
    """
    author_id, owner_id = Review.objects.filter(pk=review.pk).values_list("author_id", "practitioner__owner_id").get()
    return review_conflict(actor_id=actor.pk, author_id=author_id, listing_owner_id=owner_id)


def _first_of_month(value: datetime.date) -> datetime.date:
    return value.replace(day=1)


def _clean_content(
    *,
    review: Review,
    today: datetime.date,
) -> None:
    """Rules beyond single fields, with messages a patient can act on; then the model's own checks."""
    errors: dict[str, list[str]] = {}
    if (review.pain_before is None) != (review.pain_after is None):
        missing = "pain_after" if review.pain_after is None else "pain_before"
        errors.setdefault(missing, []).append("Give your pain both before and after treatment, or leave both empty.")
    # TextField's max_length is not a model validator, so say it here (the database checks it too).
    if len(review.text) > TEXT_MAX_LENGTH:
        errors.setdefault("text", []).append(
            f"Your review can be at most {TEXT_MAX_LENGTH} characters long (it has {len(review.text)})."
        )
    if review.visit_month and review.visit_month > _first_of_month(today):
        errors.setdefault("visit_month", []).append("The visit month can't be in the future.")
    if errors:
        raise ValidationError(errors)
    review.full_clean()


# ---------------------------------------------------------------- author actions


def review_create(
    *,
    author: User,
    practitioner: Practitioner,
    rating: int,
    bedside_rating: int,
    condition: Condition,
    sessions: int,
    pain_before: int | None,
    pain_after: int | None,
    would_recommend: bool,
    title: str,
    text: str,
    visit_month: datetime.date,
    now: datetime.datetime | None = None,
) -> Review:
    """A patient's new review; it waits for moderation (state pending). No auto-publish rule."""
    now = now or timezone.now()
    if not author.is_authenticated or not author.is_active:
        raise PermissionDenied("Sign in to write a review.")
    if practitioner.owner_id is not None and practitioner.owner_id == author.pk:
        raise PermissionDenied("You can't review your own listing.")
    if not user_has_verified_email(author):
        raise PermissionDenied("Confirm your email address before writing a review.")
    if practitioner.status != Practitioner.Status.PUBLISHED:
        raise ValidationError("This practitioner's listing is not published, so it can't be reviewed.")

    with transaction.atomic():
        # Locking the author's row serialises one account's submissions, so the daily limit
        # can't be beaten by sending several at once.
        User.objects.select_for_update().filter(pk=author.pk).exists()
        if Review.objects.filter(author=author, practitioner=practitioner).exists():
            raise ValidationError(
                "You have already reviewed this practitioner. You can edit your review instead.", code="duplicate"
            )
        recent = Review.objects.filter(author=author, created_at__gte=now - DAILY_WINDOW).count()
        if recent >= DAILY_REVIEW_LIMIT:
            raise ValidationError(
                f"You can write at most {DAILY_REVIEW_LIMIT} reviews in 24 hours. Please try again tomorrow.",
                code="daily_limit",
            )
        review = Review(
            practitioner=practitioner,
            author=author,
            rating=rating,
            bedside_rating=bedside_rating,
            condition=condition,
            sessions=sessions,
            pain_before=pain_before,
            pain_after=pain_after,
            would_recommend=would_recommend,
            title=title.strip(),
            text=text.strip(),
            visit_month=_first_of_month(visit_month) if visit_month else visit_month,
            state=ReviewState.PENDING,
        )
        _clean_content(review=review, today=timezone.localdate(now))
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError as exc:
            # Only reachable if the same author submits twice at the same instant.
            raise ValidationError(
                "You have already reviewed this practitioner. You can edit your review instead.", code="duplicate"
            ) from exc
    return review


def review_update(
    *,
    review: Review,
    actor: User,
    rating: int,
    bedside_rating: int,
    condition: Condition,
    sessions: int,
    pain_before: int | None,
    pain_after: int | None,
    would_recommend: bool,
    title: str,
    text: str,
    visit_month: datetime.date,
) -> Review:
    """The author edits their review.

    A published review whose content changed in any way (`CONTENT_FIELDS`: ratings,
    condition, sessions, pain scores, would-recommend, visit month, title, text)
    goes back to moderation and is hidden until it is published again: it leaves
    the rating summary and the outcome figures at once. Saving it unchanged keeps
    it published. A rejected review that is edited is resubmitted (pending).
    Removed reviews can't be edited.
    """
    _require_author(review, actor)
    with transaction.atomic():
        practitioner = _lock_practitioner(review.practitioner_id)
        locked = _lock_review(review.pk)
        if locked.state == ReviewState.REMOVED:
            raise PermissionDenied("This review was removed by our moderators and can't be edited.")
        old_state, old_rating, old_bedside = locked.state, locked.rating, locked.bedside_rating
        before = [getattr(locked, name) for name in CONTENT_FIELDS]

        locked.rating = rating
        locked.bedside_rating = bedside_rating
        locked.condition = condition
        locked.sessions = sessions
        locked.pain_before = pain_before
        locked.pain_after = pain_after
        locked.would_recommend = would_recommend
        locked.title = title.strip()
        locked.text = text.strip()
        locked.visit_month = _first_of_month(visit_month) if visit_month else visit_month
        content_changed = before != [getattr(locked, name) for name in CONTENT_FIELDS]
        if old_state == ReviewState.REJECTED or (old_state == ReviewState.PUBLISHED and content_changed):
            locked.state = ReviewState.PENDING
            locked.rejection_reason = ""
        _clean_content(review=locked, today=timezone.localdate())

        if old_state == ReviewState.PUBLISHED:
            # One store (one search row refresh) for the old rating out and the new one in.
            summary = RatingSummary.from_fields(practitioner).remove(rating=old_rating, bedside=old_bedside)
            if locked.state == ReviewState.PUBLISHED:
                summary = summary.add(rating=locked.rating, bedside=locked.bedside_rating)
            _store_summary(practitioner, summary)
        locked.save()
    return _sync(review, locked)


def review_delete(*, review: Review, actor: User) -> None:
    """The author deletes their review (with its reply, votes and reports)."""
    _require_author(review, actor)
    with transaction.atomic():
        practitioner = _lock_practitioner(review.practitioner_id)
        locked = _lock_review(review.pk)
        if locked.state == ReviewState.PUBLISHED:
            _summary_remove(practitioner, rating=locked.rating, bedside=locked.bedside_rating)
        locked.delete()


# ---------------------------------------------------------------- moderation


def _moderate(
    *, review: Review, moderator: User, new_state: str, reason: str = "", now: datetime.datetime | None = None
) -> Review:
    _require_moderator(moderator)
    now = now or timezone.now()
    with transaction.atomic():
        practitioner = _lock_practitioner(review.practitioner_id)
        locked = _lock_review(review.pk)
        # No one moderates their own review or a review of their own listing: another moderator must.
        require_no_conflict(
            review_conflict(actor_id=moderator.pk, author_id=locked.author_id, listing_owner_id=practitioner.owner_id)
        )
        if locked.state == new_state and (new_state == ReviewState.PUBLISHED or locked.rejection_reason == reason):
            return _sync(review, locked)
        was_published = locked.state == ReviewState.PUBLISHED
        locked.state = new_state
        locked.rejection_reason = reason
        locked.moderated_at = now
        locked.moderated_by = moderator
        if new_state == ReviewState.PUBLISHED and locked.published_at is None:
            locked.published_at = now
        locked.full_clean()
        if was_published and new_state != ReviewState.PUBLISHED:
            _summary_remove(practitioner, rating=locked.rating, bedside=locked.bedside_rating)
        elif not was_published and new_state == ReviewState.PUBLISHED:
            _summary_add(practitioner, rating=locked.rating, bedside=locked.bedside_rating)
        locked.save()
    return _sync(review, locked)


def review_publish(*, review: Review, moderator: User, now: datetime.datetime | None = None) -> Review:
    """Make a review public and count it in the practitioner's summary (idempotent)."""
    return _moderate(review=review, moderator=moderator, new_state=ReviewState.PUBLISHED, now=now)


def review_reject(*, review: Review, moderator: User, reason: str, now: datetime.datetime | None = None) -> Review:
    """Refuse a review; the reason is shown to its author, who may edit and resubmit."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"rejection_reason": "Give the author a reason for the rejection."})
    return _moderate(review=review, moderator=moderator, new_state=ReviewState.REJECTED, reason=reason, now=now)


def review_remove(*, review: Review, moderator: User, reason: str = "", now: datetime.datetime | None = None) -> Review:
    """Take a review down for good (e.g. after a report); the author can no longer edit it."""
    return _moderate(review=review, moderator=moderator, new_state=ReviewState.REMOVED, reason=reason.strip(), now=now)


# ---------------------------------------------------------------- replies, votes, reports


def _require_published(review: Review, action: str) -> None:
    if review.state != ReviewState.PUBLISHED:
        raise ValidationError(f"Only published reviews can be {action}.")


def review_reply_save(*, review: Review, actor: User, text: str) -> ReviewReply:
    """The listing owner's public reply: created the first time, edited after that."""
    if not actor.is_authenticated or review.practitioner.owner_id != actor.pk:
        raise PermissionDenied("Only the practitioner who owns this listing can reply to its reviews.")
    _require_published(review, "replied to")
    text = text.strip()
    if len(text) > REPLY_MAX_LENGTH:
        raise ValidationError({"text": f"Your reply can be at most {REPLY_MAX_LENGTH} characters long."})
    with transaction.atomic():
        reply = ReviewReply.objects.select_for_update().filter(review=review).first()
        if reply is None:
            reply = ReviewReply(review=review)
        reply.author = actor
        reply.text = text
        reply.full_clean()
        reply.save()
    return reply


def review_reply_delete(*, review: Review, actor: User) -> None:
    if not actor.is_authenticated or review.practitioner.owner_id != actor.pk:
        raise PermissionDenied("Only the practitioner who owns this listing can delete its replies.")
    ReviewReply.objects.filter(review=review).delete()


def helpful_vote_toggle(*, review: Review, user: User) -> bool:
    """Mark a review helpful, or take the mark back. Returns whether the user now marks it helpful."""
    if not user.is_authenticated:
        raise PermissionDenied("Sign in to mark reviews helpful.")
    if review.author_id == user.pk:
        raise ValidationError("You can't mark your own review as helpful.")
    if review.practitioner.owner_id == user.pk:
        # "Most helpful" is a sort order; the practitioner must not be able to push up their favourite reviews.
        raise ValidationError("You can't mark reviews of your own listing as helpful.")
    _require_published(review, "marked helpful")
    with transaction.atomic():
        deleted, _ = HelpfulVote.objects.filter(review=review, user=user).delete()
        if deleted:
            Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") - 1)
            return False
        try:
            with transaction.atomic():
                HelpfulVote.objects.create(review=review, user=user)
        except IntegrityError:
            return True  # a simultaneous click from the same user already counted
        Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") + 1)
    return True


def review_report_create(*, review: Review, reporter: User, reason: str, details: str = "") -> ReviewReport:
    """Flag a published review for the moderators (once per user per review)."""
    if not reporter.is_authenticated:
        raise PermissionDenied("Sign in to report a review.")
    if review.author_id == reporter.pk:
        raise ValidationError("You can't report your own review; edit or delete it instead.")
    _require_published(review, "reported")
    report = ReviewReport(review=review, reporter=reporter, reason=reason, details=details.strip())
    report.full_clean()  # includes the once-per-reviewer constraint, with its message
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        raise ValidationError("You have already reported this review; our moderators will look at it.") from exc
    return report


def review_report_resolve(
    *, report: ReviewReport, moderator: User, remove_review: bool, note: str = "", now: datetime.datetime | None = None
) -> ReviewReport:
    """Close a report: keep the review, or remove it (which updates the summary)."""
    if not (moderator.is_authenticated and moderator.is_staff and moderator.has_perm(RESOLVE_REPORT_PERMISSION)):
        raise PermissionDenied("Only staff moderators can resolve reports.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = ReviewReport.objects.select_for_update().get(pk=report.pk)
        if locked.resolved_at is not None:
            return locked
        # Keeping a review up is as much a decision on it as taking it down.
        require_no_conflict(review_moderation_conflict(review=locked.review, actor=moderator))
        if remove_review:
            review_remove(review=locked.review, moderator=moderator, reason=note or "Removed after a report.", now=now)
        locked.resolved_at = now
        locked.resolved_by = moderator
        locked.resolution = ReviewReport.Resolution.REMOVED if remove_review else ReviewReport.Resolution.KEPT
        locked.resolution_note = note.strip()
        locked.full_clean()
        locked.save()
    return locked
