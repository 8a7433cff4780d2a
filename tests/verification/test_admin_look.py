"""The admin as reviewers see it: Meridian's header and stylesheet on every page, state badges in the
queue and the moderation lists, the queue at full width, and Verify and Reject as visibly different actions."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from practitioners.models import VerificationState
from reviews.models import ReportReason, ReviewReport
from tests.factories import LicenseFactory, PractitionerFactory, UserFactory
from tests.reviews.test_admin import pending as pending_reviews
from tests.verification.test_admin import QUEUE_URL, change_url, pending

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(client, staff_reviewer):
    client.force_login(staff_reviewer)
    return client


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize("url", ["/admin/", QUEUE_URL])
def test_every_admin_page_is_branded_and_loads_the_staff_stylesheet(reviewer_client, url):
    soup = soup_of(reviewer_client.get(url))
    assert soup.select_one("#site-name a").get_text(" ", strip=True) == "Meridian staff"
    assert soup.title.get_text().endswith("| Meridian staff")
    styles = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    assert any(href.endswith("css/admin-meridian.css") for href in styles)


def test_queue_shows_each_state_as_a_badge_and_uses_the_full_width(reviewer_client):
    pending(LicenseFactory)
    soup = soup_of(reviewer_client.get(QUEUE_URL))
    badge = soup.select_one("#result_list td .state-badge")
    assert badge["class"] == ["state-badge", "state-pending"]
    assert badge.get_text() == "Pending verification"
    assert not soup.select_one("#nav-sidebar")  # the app list would squeeze the table on a tablet


def test_credential_page_states_the_badge_and_keeps_verify_and_reject_apart(reviewer_client):
    license_ = pending(LicenseFactory)
    soup = soup_of(reviewer_client.get(change_url(license_)))
    assert soup.select_one(".verification-panel .state-badge.state-pending").get_text() == "Pending verification"
    verify = soup.select_one("form.vp-decision-verify input[type=submit]")
    reject = soup.select_one("form.vp-decision-reject input[type=submit]")
    assert (verify["value"], reject["value"]) == ("Verify", "Reject")
    assert verify.find_parent("form") is not reject.find_parent("form")
    assert license_.verification_state == VerificationState.PENDING


def test_moderation_lists_show_review_states_as_badges(reviewer_client):
    review = pending_reviews(PractitionerFactory())[0]
    ReviewReport.objects.create(review=review, reporter=UserFactory(), reason=ReportReason.choices[0][0])
    for url in (reverse("admin:reviews_review_changelist"), reverse("admin:reviews_reviewreport_changelist")):
        badge = soup_of(reviewer_client.get(url)).select_one("#result_list td .state-badge")
        assert badge["class"] == ["state-badge", "state-pending"], url
        assert badge.get_text() == "Pending moderation", url
