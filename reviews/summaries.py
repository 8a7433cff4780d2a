"""Writing the rating summary stored on a practitioner, shared by the review services (which keep it
in step as each review changes) and the recomputation task (which rebuilds it from the published
reviews after each change, so a summary that ever drifted is corrected)."""

from django.db import transaction

from practitioners.models import Practitioner
from practitioners.search_rows import search_rows_changed

from .ratings import SUMMARY_FIELDS, RatingSummary
from .selectors import published_summaries


def lock_practitioner(practitioner_id: int) -> Practitioner:
    return Practitioner.objects.select_for_update().only("pk", "owner", *SUMMARY_FIELDS).get(pk=practitioner_id)


def store(practitioner: Practitioner, summary: RatingSummary) -> None:
    # update(), not save(): only the summary columns change, and the listing's updated_at
    # (its "last edited" date) must not move because somebody reviewed it.
    Practitioner.objects.filter(pk=practitioner.pk).update(**summary.as_fields())
    for name, value in summary.as_fields().items():
        setattr(practitioner, name, value)
    # Ratings sort and filter searches: the listing's search row copies them, and cached searches
    # must not keep the old ones.
    search_rows_changed([practitioner.pk])


def rebuild(*, practitioner_id: int) -> tuple[RatingSummary, bool]:
    """(the summary of the published reviews, whether the stored one differed and was rewritten).
    Locks the practitioner row, so a review published meanwhile waits and counts on top."""
    with transaction.atomic():
        locked = lock_practitioner(practitioner_id)
        summary = published_summaries([locked.pk])[locked.pk]
        stale = RatingSummary.from_fields(locked) != summary or locked.rating_avg != summary.rating_avg
        if stale:
            store(locked, summary)
    return summary, stale
