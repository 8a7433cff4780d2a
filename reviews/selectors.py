"""Read-side queries for reviews. The profile's review section costs a fixed number of queries
(2 for a visitor, 4 for a signed-in member) however many reviews a practitioner has."""

import math
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Expression, Q, QuerySet, Sum, Window

from accounts.models import User
from practitioners.models import Practitioner

from .models import HelpfulVote, Review
from .outcomes import MIN_REPORTS, ConditionOutcome, OutcomeReport, condition_outcomes
from .ratings import STARS, HistogramBar, RatingSummary, histogram_bars

REVIEWS_PAGE_SIZE = 10
DEFAULT_SORT = "newest"
# sort value -> (label, ORDER BY); every ordering ends on pk so pages never overlap.
SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "newest": ("Newest first", ("-published_at", "-pk")),
    "highest": ("Highest rated", ("-rating", "-published_at", "-pk")),
    "lowest": ("Lowest rated", ("rating", "-published_at", "-pk")),
    "helpful": ("Most helpful", ("-helpful_count", "-published_at", "-pk")),
}


def published_reviews_qs(*, practitioner_id: int, sort: str = DEFAULT_SORT) -> QuerySet[Review]:
    """Published reviews of one listing with what a review card shows (author, condition, reply) joined in."""
    return (
        Review.objects.published()
        .for_practitioner(practitioner_id)
        .select_related("author", "condition", "reply")
        .order_by(*SORTS[sort][1])
    )


def outcome_reports(*, practitioner_id: int) -> list[OutcomeReport]:
    rows = (
        Review.objects.published()
        .for_practitioner(practitioner_id)
        .with_outcome()
        .values_list("condition__slug", "condition__name", "pain_before", "pain_after", "sessions")
    )
    return [OutcomeReport(*row) for row in rows]


def listing_outcomes(
    *, practitioner_ids: list[int], condition_slugs: list[str]
) -> dict[tuple[int, str], ConditionOutcome]:
    """(practitioner id, condition slug) -> that condition's outcome figures, for a page of search
    results, in one query; a pair with no report is absent. Below MIN_REPORTS only the count is set."""
    rows = (
        Review.objects.published()
        .with_outcome()
        .filter(practitioner_id__in=practitioner_ids, condition__slug__in=condition_slugs)
        .values_list("practitioner_id", "condition__slug", "condition__name", "pain_before", "pain_after", "sessions")
    )
    by_pair: dict[tuple[int, str], list[OutcomeReport]] = {}
    for practitioner_id, *report in rows:
        by_pair.setdefault((practitioner_id, report[0]), []).append(OutcomeReport(*report))
    return {pair: condition_outcomes(reports)[0] for pair, reports in by_pair.items()}


class CountingPaginator(Paginator):
    """A page and the number of items in one query (`COUNT(*) OVER ()` beside the page's rows).

    `get_page` as Django's (its own check of the number, with no last page to compare with): a page
    number that is not a number shows page 1. Only a page past the end (or below 1) costs a second
    query, the count, to show the last page instead."""

    def get_page(self, number) -> Page:
        try:
            wanted = self._validate_number(number, math.inf)
        except PageNotAnInteger:
            wanted = 1
        except EmptyPage:  # below 1
            return super().get_page(number)
        if self.orphans:
            return super().get_page(number)
        bottom = (wanted - 1) * self.per_page
        rows = list(self.object_list.annotate(_paginator_total=Window(Count("pk")))[bottom : bottom + self.per_page])
        if not rows and wanted > 1:
            return super().get_page(number)  # past the end: count, then the last page
        self.__dict__["count"] = rows[0]._paginator_total if rows else 0
        return self._get_page(rows, wanted, self)


@dataclass
class ProfileReviews:
    summary: RatingSummary
    bars: list[HistogramBar]
    page: Page
    sort: str
    sort_error: str
    sort_options: list[tuple[str, str]]
    outcomes: list[ConditionOutcome]
    min_reports: int
    condition: str = ""  # the condition the reviews are filtered by ("" for all)
    condition_error: str = ""
    condition_options: list[tuple[str, str]] = field(default_factory=list)
    own_review: Review | None = None
    voted_ids: set[int] = field(default_factory=set)
    is_owner: bool = False

    @property
    def shown_outcomes(self) -> list[ConditionOutcome]:
        return [o for o in self.outcomes if o.enough]

    @property
    def thin_outcomes(self) -> list[ConditionOutcome]:
        return [o for o in self.outcomes if not o.enough]


def profile_reviews(
    *,
    practitioner: Practitioner,
    user: User | AnonymousUser,
    sort: str | None = None,
    page: str | int | None = None,
    condition: str | None = None,
    annotations: dict[str, Expression] | None = None,
) -> ProfileReviews:
    """Everything the profile's reviews section shows.

    The summary and histogram come from the columns stored on the practitioner
    (no query); then one page of reviews with their number, one outcome query, and for
    a signed-in member their votes on this page and their own review.
    `annotations` are read with the page's reviews (e.g. what another app knows about each review).
    """
    sort_error = ""
    if sort and sort not in SORTS:
        sort_error = f"Unknown sort order “{sort[:40]}”; showing newest first."
    sort = sort if sort in SORTS else DEFAULT_SORT
    # The conditions a visitor can filter the reviews by: the ones this listing treats (prefetched).
    condition_options = [(item.slug, item.name) for item in practitioner.conditions.all()]
    condition = (condition or "").strip()
    condition_error = ""
    if condition and condition not in dict(condition_options):
        condition_error = f"“{condition[:40]}” is not a condition this practitioner lists; showing all reviews."
        condition = ""
    reviews = published_reviews_qs(practitioner_id=practitioner.pk, sort=sort)
    if condition:
        reviews = reviews.filter(condition__slug=condition)
    if annotations:
        reviews = reviews.annotate(**annotations)
    summary = RatingSummary.from_fields(practitioner)
    paginator = CountingPaginator(reviews, REVIEWS_PAGE_SIZE)
    review_page = paginator.get_page(page)
    section = ProfileReviews(
        summary=summary,
        bars=histogram_bars(summary),
        page=review_page,
        sort=sort,
        sort_error=sort_error,
        sort_options=[(value, label) for value, (label, _) in SORTS.items()],
        outcomes=condition_outcomes(outcome_reports(practitioner_id=practitioner.pk)),
        min_reports=MIN_REPORTS,
        condition=condition,
        condition_error=condition_error,
        condition_options=condition_options,
        is_owner=user.is_authenticated and practitioner.owner_id == user.pk,
    )
    if user.is_authenticated:
        page_ids = [review.pk for review in review_page.object_list]
        section.voted_ids = set(
            HelpfulVote.objects.filter(user=user, review_id__in=page_ids).values_list("review_id", flat=True)
        )
        section.own_review = Review.objects.filter(author=user, practitioner_id=practitioner.pk).first()
    return section


def reviews_by_author(*, user: User) -> QuerySet[Review]:
    """A member's own reviews in every state, for their "My reviews" page."""
    return Review.objects.filter(author=user).select_related("practitioner", "condition").order_by("-created_at")


def published_summaries(practitioner_ids: list[int]) -> dict[int, RatingSummary]:
    """practitioner id -> summary of its published reviews (an empty summary when it has none)."""
    histogram = {f"r{star}": Count("pk", filter=Q(rating=star)) for star in STARS}
    rows = (
        Review.objects.published()
        .filter(practitioner_id__in=practitioner_ids)
        .values("practitioner_id")
        .annotate(n=Count("pk"), rating_total=Sum("rating"), bedside_total=Sum("bedside_rating"), **histogram)
        .order_by()
    )
    found = {
        row["practitioner_id"]: RatingSummary(
            count=row["n"],
            rating_sum=row["rating_total"],
            bedside_sum=row["bedside_total"],
            histogram=tuple(row[f"r{star}"] for star in STARS),
        )
        for row in rows
    }
    return {pk: found.get(pk, RatingSummary()) for pk in practitioner_ids}
