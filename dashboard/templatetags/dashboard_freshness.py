"""`{% listing_freshness p as f %}`: what the profile says about how fresh a listing is."""

from dataclasses import dataclass

from django import template
from django.utils import timezone

from practitioners import freshness

register = template.Library()


@dataclass(frozen=True)
class Freshness:
    is_fresh: bool
    stale_label: str
    facts: list[tuple[str, object]]


@register.simple_tag
def listing_freshness(practitioner) -> Freshness:
    now = timezone.now()
    return Freshness(
        is_fresh=freshness.is_fresh(practitioner.last_confirmed_at, now),
        stale_label=freshness.stale_label(practitioner.last_confirmed_at, now),
        facts=[(label, getattr(practitioner, fact)) for fact, label in freshness.FACT_LABELS.items()],
    )
