"""Deterministic, clearly fictional demo reviews (plain dataclasses, no ORM).

`seed_demo` asks `DemoReviewGenerator.reviews_for(index, condition_slugs)` for each
demo listing; the same seed and listing index always give the same reviews,
whatever the batch size. `demo.seeding` turns them into rows.

Ratings lean positive, as real review sites do, with a per-listing "quality"
so averages differ between listings. About two thirds of reviews report pain
before and after, and the pain reduction follows the rating loosely, so the
outcome figures on the demo site look plausible without pretending to be data.
"""

import datetime
import random
from dataclasses import dataclass

from reviews.models import SESSIONS_MAX
from reviews.ratings import RatingSummary

DEMO_REVIEWER_EMAIL = "demo-reviewer-{:05d}@example.invalid"
DEMO_REVIEWER_POOL = 1000
MAX_REVIEWS_PER_LISTING = 60

FIRST_NAMES = [
    "Alex",
    "Bea",
    "Cam",
    "Dana",
    "Eli",
    "Fran",
    "Gabe",
    "Hana",
    "Ivy",
    "Jon",
    "Kai",
    "Lena",
    "Mo",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sol",
    "Tess",
    "Uma",
    "Vic",
    "Wren",
    "Yuki",
    "Zoe",
]

TITLES = {
    5: ("Finally some relief", "My back feels years younger", "Worth every visit", "Life-changing for my neck pain"),
    4: ("Real improvement", "Helped more than I expected", "Good care, steady progress", "Recommended"),
    3: ("Some improvement", "Mixed results", "Helped a little", "Okay experience"),
    2: ("Not much change", "Didn't help my pain much", "Disappointed"),
    1: ("No improvement at all", "Would not go back", "Did not help"),
}
OPENERS = (
    "I came in with {condition} that had bothered me for {months} months.",
    "After {months} months of {condition} and little luck with other treatments, I tried acupuncture.",
    "My doctor suggested acupuncture for my {condition}.",
)
MIDDLES = {
    5: ("The first sessions were relaxing and by the fourth the pain was clearly easing.",),
    4: ("Progress was gradual but real, and the practitioner explained each step.",),
    3: ("Some sessions helped for a few days, others less so.",),
    2: ("The practice was friendly, but the pain came back soon after each visit.",),
    1: ("I felt rushed and my pain was no better after several visits.",),
}
CLOSERS = (
    "I had {sessions} sessions in total.",
    "Booking was easy and the clinic was calm and clean.",
    "I also got useful advice on stretching and posture.",
)
REPLIES = (
    "Thank you for taking the time to write this. I'm glad you're moving more freely.",
    "Thank you for the feedback. Please get in touch if you'd like to talk about a different approach.",
)


@dataclass(frozen=True)
class DemoReview:
    reviewer: int  # position in the demo reviewer pool
    rating: int
    bedside_rating: int
    condition_slug: str
    sessions: int
    pain_before: int | None
    pain_after: int | None
    would_recommend: bool
    title: str
    text: str
    visit_month: datetime.date
    published_days_ago: int
    published: bool
    helpful_voters: tuple[int, ...]  # pool positions, never the author
    reply: str


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _month_back(today: datetime.date, months: int) -> datetime.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return datetime.date(year, month + 1, 1)


class DemoReviewGenerator:
    def __init__(
        self,
        *,
        seed: int,
        today: datetime.date,
        condition_names: dict[str, str],
        mean_per_listing: float,
        pool_size: int = DEMO_REVIEWER_POOL,
        showcase: bool = False,
    ) -> None:
        """`showcase` (the demo site): at least a few reviews per listing, most about the listing's
        main condition and most with pain scores, so most profiles show outcome figures. Off, the
        plain reviews `seed_bench` stores, unchanged."""
        if pool_size < MAX_REVIEWS_PER_LISTING + 5:
            raise ValueError("The reviewer pool must be larger than the most reviews one listing can get.")
        self.seed = seed
        self.today = today
        self.condition_names = condition_names
        self.mean = mean_per_listing
        self.pool_size = pool_size
        self.showcase = showcase

    def reviews_for(self, index: int, condition_slugs: list[str]) -> list[DemoReview]:
        rng = random.Random(f"reviews:{self.seed}:{index}")
        if self.mean <= 0 or not condition_slugs:
            return []
        count = min(MAX_REVIEWS_PER_LISTING, int(rng.expovariate(1 / self.mean)))
        if self.showcase:
            count = min(MAX_REVIEWS_PER_LISTING, count + 3)
        quality = rng.uniform(-1.3, 0.5)
        reviewers = rng.sample(range(self.pool_size), count)
        return [self._review(rng, reviewer, quality, condition_slugs) for reviewer in reviewers]

    def _review(self, rng: random.Random, reviewer: int, quality: float, condition_slugs: list[str]) -> DemoReview:
        rating = _clamp(rng.gauss(4.3 + quality, 0.9), 1, 5)
        condition = rng.choice(condition_slugs)
        if self.showcase and rng.random() < 0.6:
            condition = condition_slugs[0]  # the listing's main condition, as in real practices
        sessions = _clamp(rng.lognormvariate(1.8, 0.6), 1, min(40, SESSIONS_MAX))
        pain_before = pain_after = None
        if rng.random() < (0.85 if self.showcase else 0.65):
            pain_before = rng.randint(4, 9)
            pain_after = _clamp(pain_before - rng.gauss(rating - 1.5, 1.3), 0, 10)
        months_ago = rng.randint(0, 36)
        condition_name = self.condition_names[condition].lower()
        text = " ".join(
            [
                rng.choice(OPENERS).format(condition=condition_name, months=rng.randint(2, 30)),
                rng.choice(MIDDLES[rating]),
                rng.choice(CLOSERS).format(sessions=sessions),
            ]
        )
        published = rng.random() >= 0.03  # a few wait in the moderation queue
        voters: tuple[int, ...] = ()
        if published and rng.random() < 0.15:
            voters = tuple(v for v in rng.sample(range(self.pool_size), rng.randint(1, 4)) if v != reviewer)
        return DemoReview(
            reviewer=reviewer,
            rating=rating,
            bedside_rating=_clamp(rating + rng.gauss(0.3, 0.7), 1, 5),
            condition_slug=condition,
            sessions=sessions,
            pain_before=pain_before,
            pain_after=pain_after,
            would_recommend=rating >= 4 or (rating == 3 and rng.random() < 0.4),
            title=rng.choice(TITLES[rating]),
            text=text,
            visit_month=_month_back(self.today, months_ago),
            published_days_ago=max(0, months_ago * 30 - rng.randint(0, 25)),
            published=published,
            helpful_voters=voters,
            reply=rng.choice(REPLIES) if published and rng.random() < 0.1 else "",
        )


def demo_summary(reviews: list[DemoReview]) -> RatingSummary:
    """The stored summary a listing gets: its published demo reviews only."""
    return RatingSummary.from_ratings((r.rating, r.bedside_rating) for r in reviews if r.published)


def reviewer_display_name(position: int) -> str:
    return f"{FIRST_NAMES[position % len(FIRST_NAMES)]} {chr(ord('A') + (position // len(FIRST_NAMES)) % 26)}."
