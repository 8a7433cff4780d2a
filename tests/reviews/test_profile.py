"""The reviews section of a profile: summary, histogram, outcomes, sorting, paging, constant queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews import services
from reviews.selectors import REVIEWS_PAGE_SIZE
from tests.factories import PractitionerFactory, UserFactory, VerifiedUserFactory, condition
from tests.reviews.test_services import content

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


def publish(practitioner, staff, **overrides):
    review = services.review_create(author=VerifiedUserFactory(), practitioner=practitioner, **content(**overrides))
    return services.review_publish(review=review, moderator=staff)


def section(html: str) -> str:
    return html[html.index('id="reviews"') :]


def review_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li id="review-(\d+)">', html)]


def test_summary_histogram_and_numbers_beside_stars(client, staff):
    practitioner = PractitionerFactory()
    for rating, bedside in [(5, 5), (5, 4), (4, 4), (2, 3)]:
        publish(practitioner, staff, rating=rating, bedside_rating=bedside)
    html = section(client.get(practitioner.get_absolute_url()).text)
    assert "<strong>4.0 out of 5</strong> overall" in html  # 16 / 4
    assert "from 4 reviews" in html
    assert "<strong>4.0 out of 5</strong> for bedside manner" in html
    assert '<span class="stars" aria-hidden="true">★★★★☆</span>' in html
    rows = re.findall(r'<th scope="row">(\d) stars?</th>.*?<td>(\d+) \((\d+)%\)</td>', html, flags=re.S)
    assert rows == [("5", "2", "50"), ("4", "1", "25"), ("3", "0", "0"), ("2", "1", "25"), ("1", "0", "0")]


def test_no_reviews_yet(client):
    html = section(client.get(PractitionerFactory().get_absolute_url()).text)
    assert "No published reviews yet." in html
    assert "No patient has reported their pain before and after treatment yet." in html
    assert "Write a review" in html


def test_only_published_reviews_are_listed(client, staff):
    practitioner = PractitionerFactory()
    shown = publish(practitioner, staff, title="Shown review")
    services.review_create(author=VerifiedUserFactory(), practitioner=practitioner, **content(title="Pending review"))
    rejected = services.review_create(author=VerifiedUserFactory(), practitioner=practitioner, **content(title="Nope"))
    services.review_reject(review=rejected, moderator=staff, reason="No")
    html = section(client.get(practitioner.get_absolute_url()).text)
    assert review_ids(html) == [shown.pk]
    assert "Pending review" not in html and "Nope" not in html


def test_review_card_shows_author_name_never_email(client, staff):
    practitioner = PractitionerFactory(owner=VerifiedUserFactory())
    author = VerifiedUserFactory(display_name="Sam K.", email="sam.private@example.com")
    review = services.review_create(
        author=author,
        practitioner=practitioner,
        **content(
            condition=condition("sciatica"),
            sessions=8,
            pain_before=8,
            pain_after=3,
            visit_month=datetime.date(2025, 3, 1),
        ),
    )
    services.review_publish(review=review, moderator=staff)
    services.review_reply_save(review=review, actor=practitioner.owner, text="Glad it helped, Sam.")
    html = section(client.get(practitioner.get_absolute_url()).text)
    assert "Sam K. · visited March 2025" in html
    assert "treated for sciatica · 8 sessions" in html
    assert "pain 8 → 3 out of 10" in html
    assert "Reply from" in html and "Glad it helped, Sam." in html
    assert "sam.private@example.com" not in client.get(practitioner.get_absolute_url()).text


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["c", "b", "a"]),
        ("highest", ["b", "c", "a"]),
        ("lowest", ["a", "c", "b"]),
        ("helpful", ["a", "b", "c"]),
    ],
)
def test_sorting(client, staff, sort, expected):
    practitioner = PractitionerFactory()
    now = timezone.now()
    reviews = {}
    for i, (key, rating) in enumerate([("a", 1), ("b", 5), ("c", 3)]):
        review = services.review_create(
            author=VerifiedUserFactory(), practitioner=practitioner, **content(rating=rating)
        )
        reviews[key] = services.review_publish(review=review, moderator=staff, now=now + datetime.timedelta(minutes=i))
    for voter_count, key in [(2, "a"), (1, "b")]:
        for _ in range(voter_count):
            services.helpful_vote_toggle(review=reviews[key], user=UserFactory())
    html = client.get(practitioner.get_absolute_url(), {"sort": sort}).text
    assert review_ids(html) == [reviews[key].pk for key in expected]
    assert f'<option value="{sort}" selected>' in html


def test_unknown_sort_says_so_and_falls_back_to_newest(client, staff):
    practitioner = PractitionerFactory()
    publish(practitioner, staff)
    response = client.get(practitioner.get_absolute_url(), {"sort": "<b>best</b>"})
    assert response.status_code == 200
    assert "Unknown sort order “&lt;b&gt;best&lt;/b&gt;”; showing newest first." in response.text


def test_pagination(client, staff):
    practitioner = PractitionerFactory()
    for _ in range(REVIEWS_PAGE_SIZE + 2):
        publish(practitioner, staff)
    first = client.get(practitioner.get_absolute_url()).text
    second = client.get(practitioner.get_absolute_url(), {"page": "2", "sort": "lowest"}).text
    assert len(review_ids(first)) == REVIEWS_PAGE_SIZE
    assert len(review_ids(second)) == 2
    assert "Page 1 of 2" in first and "?page=2#reviews" in first
    assert "sort=lowest" in second  # the sort survives paging
    assert client.get(practitioner.get_absolute_url(), {"page": "abc"}).status_code == 200
    assert client.get(practitioner.get_absolute_url(), {"page": "999"}).status_code == 200


def test_outcomes_shown_from_three_reports_with_medians(client, staff):
    practitioner = PractitionerFactory()
    for before, after, sessions in [(8, 2, 6), (6, 5, 10), (9, 3, 4)]:
        publish(
            practitioner,
            staff,
            condition=condition("neck-pain"),
            pain_before=before,
            pain_after=after,
            sessions=sessions,
        )
    for _ in range(2):
        publish(practitioner, staff, condition=condition("sciatica"), pain_before=7, pain_after=1, sessions=3)
    publish(practitioner, staff, condition=condition("whiplash"), pain_before=None, pain_after=None)  # no outcome
    html = section(client.get(practitioner.get_absolute_url()).text)
    outcomes = html[html.index('id="outcomes-h"') : html.index("</section>")]
    assert "not a clinical study" in outcomes
    row = re.search(
        r'<th scope="row">Neck pain</th>\s*<td data-label="Reports">3</td>\s*<td data-label="Median pain reduction">6 points</td>\s*<td data-label="Median pain before → after">8 → 3</td>\s*<td data-label="Median sessions">6</td>',
        outcomes,
    )
    assert row, outcomes
    assert "Too few reports to show figures yet (fewer than 3)" in outcomes
    assert "Sciatica (2 reports)" in outcomes
    assert "Whiplash" not in outcomes


def test_pending_reviews_do_not_feed_outcomes(client, staff):
    practitioner = PractitionerFactory()
    for _ in range(2):
        publish(practitioner, staff, condition=condition("neck-pain"))
    services.review_create(
        author=VerifiedUserFactory(), practitioner=practitioner, **content(condition=condition("neck-pain"))
    )
    html = section(client.get(practitioner.get_absolute_url()).text)
    assert "Neck pain (2 reports)" in html


def test_own_review_and_owner_views(client, staff):
    owner = VerifiedUserFactory()
    practitioner = PractitionerFactory(owner=owner)
    review = publish(practitioner, staff)
    client.force_login(review.author)
    mine = section(client.get(practitioner.get_absolute_url()).text)
    assert "Edit your review" in mine and "Write a review" not in mine
    assert "aria-pressed" not in mine  # no helpful button on one's own review
    client.force_login(owner)
    theirs = section(client.get(practitioner.get_absolute_url()).text)
    assert "not review yourself" in theirs and "Reply publicly" in theirs
    assert "aria-pressed" not in theirs
    client.force_login(VerifiedUserFactory())
    other = section(client.get(practitioner.get_absolute_url()).text)
    assert 'aria-pressed="false"' in other and "Report this review" in other


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("signed_in", [False, True])
def test_profile_query_count_is_constant_whatever_the_number_of_reviews(
    client, staff, signed_in, django_assert_num_queries
):
    small, big = PractitionerFactory(), PractitionerFactory()
    publish(small, staff)
    conditions = ["neck-pain", "sciatica", "whiplash"]
    for i in range(30):
        publish(big, staff, condition=condition(conditions[i % 3]), rating=1 + i % 5)
    if signed_in:
        viewer = VerifiedUserFactory()
        services.helpful_vote_toggle(review=big.reviews.first(), user=viewer)
        client.force_login(viewer)
    client.get(
        small.get_absolute_url()
    )  # the connection's first profile prepares its statement (practitioners.prepared): not counted
    small_count = _queries(client, small.get_absolute_url())
    with django_assert_num_queries(small_count):
        client.get(big.get_absolute_url())
    with django_assert_num_queries(small_count):
        client.get(big.get_absolute_url(), {"sort": "helpful", "page": "2"})


def test_replies_do_not_add_queries(client, staff, django_assert_num_queries):
    owner = VerifiedUserFactory()
    practitioner = PractitionerFactory(owner=owner)
    reviews = [publish(practitioner, staff) for _ in range(5)]
    client.get(
        practitioner.get_absolute_url()
    )  # the connection's first profile prepares its statement (practitioners.prepared): not counted
    baseline = _queries(client, practitioner.get_absolute_url())
    for review in reviews:
        services.review_reply_save(review=review, actor=owner, text="Thank you.")
    with django_assert_num_queries(baseline):
        client.get(practitioner.get_absolute_url())


def test_reviews_can_be_filtered_by_condition_and_a_bad_condition_is_named(client, staff):
    practitioner = PractitionerFactory()
    practitioner.conditions.set([condition("neck-pain"), condition("sciatica")])
    neck = publish(practitioner, staff, condition=condition("neck-pain"))
    sciatica = publish(practitioner, staff, condition=condition("sciatica"))
    url = practitioner.get_absolute_url()
    assert set(review_ids(client.get(url).content.decode())) == {neck.pk, sciatica.pk}
    assert review_ids(client.get(url, {"condition": "sciatica"}).content.decode()) == [sciatica.pk]
    page = client.get(url, {"condition": "drop table"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "is not a condition this practitioner lists; showing all reviews." in html
    assert set(review_ids(html)) == {neck.pk, sciatica.pk}
    assert '<option value="sciatica">Sciatica</option>' in section(client.get(url).content.decode())
