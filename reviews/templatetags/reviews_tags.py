from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def stars(value: object) -> str:
    """Five star glyphs for a 1-5 rating (rounded to the nearest whole star); always shown beside the number."""
    if value in (None, ""):
        return ""
    filled = int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    filled = max(0, min(5, filled))
    return "★" * filled + "☆" * (5 - filled)
