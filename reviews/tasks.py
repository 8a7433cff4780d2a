"""The rating summary's recomputation, enqueued on commit by every review change that moves it."""

from django.tasks import task

from practitioners.models import Practitioner

from . import summaries


@task
def recompute_review_summary(*, practitioner_id: int) -> str:
    """Rebuild the practitioner's stored summary from its published reviews. Idempotent: a second
    run (or a run after a later change) finds it in step and writes nothing."""
    if not Practitioner.objects.filter(pk=practitioner_id).exists():
        return "listing deleted"
    summary, stale = summaries.rebuild(practitioner_id=practitioner_id)
    return f"{'corrected' if stale else 'in step'}: {summary.count} published review(s)"
