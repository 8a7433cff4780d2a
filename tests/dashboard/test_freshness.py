"""Listing freshness: one-click reconfirmation, the profile label, search ranking, reminder emails."""

import datetime
import re
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from dashboard.models import FreshnessReminder
from practitioners.models import Practitioner
from search.filters import PractitionerFilterSet
from search.selectors import search_base_qs
from tests.factories import PractitionerFactory, VerifiedUserFactory, owned_listing, refresh_search_row

pytestmark = pytest.mark.django_db

FACTS = ("new_patients_confirmed_at", "insurance_confirmed_at", "fees_confirmed_at", "phone_confirmed_at")


def confirmed(listing: Practitioner, days_ago: int) -> Practitioner:
    when = timezone.now() - datetime.timedelta(days=days_ago)
    Practitioner.objects.filter(pk=listing.pk).update(**dict.fromkeys((*FACTS, "last_confirmed_at"), when))
    refresh_search_row(listing.pk)  # written past the services: the search row follows as they would make it
    listing.refresh_from_db()
    return listing


# ---------------------------------------------------------------- the button


def test_everything_is_still_correct_reconfirms_every_fact(owner_client, listing):
    confirmed(listing, 400)
    home = owner_client.get(reverse("dashboard:home")).text
    assert "Last confirmed by the practitioner 13 months ago" in home
    assert "Everything is still correct" in home
    response = owner_client.post(reverse("dashboard:confirm"))
    assert response.status_code == 302
    listing.refresh_from_db()
    now = timezone.now()
    for fact in (*FACTS, "last_confirmed_at"):
        assert now - getattr(listing, fact) < datetime.timedelta(minutes=1), fact
    assert "Last confirmed by the practitioner" not in owner_client.get(reverse("dashboard:home")).text


def test_confirming_needs_post(owner_client, listing):
    assert owner_client.get(reverse("dashboard:confirm")).status_code == 405
    listing.refresh_from_db()
    assert listing.last_confirmed_at is None


# ---------------------------------------------------------------- the profile


def test_profile_labels_a_listing_unconfirmed_for_180_days(client, listing):
    confirmed(listing, 181)
    page = client.get(listing.get_absolute_url()).text
    assert re.search(r"Last confirmed by the practitioner [56] months ago", page)
    confirmed(listing, 7 * 31)
    assert "Last confirmed by the practitioner 7 months ago" in client.get(listing.get_absolute_url()).text


def test_profile_of_a_fresh_listing_has_no_label_but_shows_the_dates(client, listing):
    confirmed(listing, 10)
    page = client.get(listing.get_absolute_url()).text
    assert "Last confirmed by the practitioner" not in page
    assert "When the practitioner last confirmed these details" in page
    assert listing.fees_confirmed_at.strftime("%Y") in page


def test_never_confirmed_listing_says_so(client, listing):
    assert "Not yet confirmed by the practitioner" in client.get(listing.get_absolute_url()).text


def test_label_adds_no_queries_to_the_profile(client, listing):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    client.get(
        listing.get_absolute_url()
    )  # the connection's first profile prepares its statement (practitioners.prepared): not counted
    for days in (10, 300):
        confirmed(listing, days)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(listing.get_absolute_url()).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


# ---------------------------------------------------------------- search ranking


def search(**params) -> list[str]:
    filterset = PractitionerFilterSet(QueryDict(urlencode(params, doseq=True)), queryset=search_base_qs())
    assert filterset.is_valid(), filterset.errors
    return [p.slug for p in filterset.qs]


def test_stale_listings_rank_below_fresh_ones_in_best_match_only():
    """SPEC.md "Listing freshness" (corrected in issue 13): an order the patient picks is never overridden."""
    stale_star = confirmed(PractitionerFactory(slug="stale-star", practice_started_year=1990), 200)
    Practitioner.objects.filter(pk=stale_star.pk).update(review_count=1, rating_5=1, rating_sum=5, rating_avg=5)
    fresh = confirmed(PractitionerFactory(slug="fresh", practice_started_year=2020), 20)
    never = PractitionerFactory(slug="never", practice_started_year=1980)
    assert search()[0] == fresh.slug  # best match, the default: fresh first
    assert search(sort="relevance")[0] == fresh.slug
    assert search(sort="experience") == [never.slug, stale_star.slug, fresh.slug]
    assert search(sort="reviews")[0] == stale_star.slug
    # Confirmed again within 180 days: no longer below the fresh one in best match.
    confirmed(stale_star, 179)
    assert search()[-1] == never.slug


def test_search_page_and_api_use_the_same_ranking(client):
    confirmed(PractitionerFactory(name="Zed Fresh", slug="zed-fresh"), 5)
    confirmed(PractitionerFactory(name="Abe Stale", slug="abe-stale"), 365)
    page = client.get("/practitioners/").text  # best match: fresh before stale
    assert page.index("Zed Fresh") < page.index("Abe Stale")
    api = client.get("/api/v1/practitioners/").json()
    slugs = [row["slug"] for row in api["results"]]
    assert slugs.index("zed-fresh") < slugs.index("abe-stale")


# ---------------------------------------------------------------- reminders


def remind(capture_on_commit) -> None:
    """The command, with its transactions' on-commit work run (the mail is enqueued on commit)."""
    with capture_on_commit(execute=True):
        call_command("send_freshness_reminders", verbosity=0)


def test_reminder_at_150_days_sent_once_per_period(django_capture_on_commit_callbacks):
    owner = VerifiedUserFactory(email="keeper@example.com")
    listing = confirmed(owned_listing(owner), 151)
    confirmed(owned_listing(), 149)  # not yet due
    confirmed(PractitionerFactory(owner=None), 400)  # nobody to tell
    remind(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["keeper@example.com"]]
    assert "still correct" in mail.outbox[0].subject
    assert "/dashboard/" in mail.outbox[0].body
    remind(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert FreshnessReminder.objects.get().practitioner == listing

    # Confirming starts a new period: 150 days later, a new reminder.
    confirmed(listing, 0)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=151)):
        remind(django_capture_on_commit_callbacks)
        remind(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox].count(["keeper@example.com"]) == 2
    assert FreshnessReminder.objects.filter(practitioner=listing).count() == 2


def test_never_confirmed_listing_is_reminded_150_days_after_creation(django_capture_on_commit_callbacks):
    owner = VerifiedUserFactory(email="new@example.com")
    listing = owned_listing(owner)
    remind(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    Practitioner.objects.filter(pk=listing.pk).update(created_at=timezone.now() - datetime.timedelta(days=160))
    remind(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    assert "not yet confirmed" in mail.outbox[0].body


def test_dry_run_sends_nothing(capsys):
    confirmed(owned_listing(), 200)
    call_command("send_freshness_reminders", "--dry-run")
    assert mail.outbox == []
    assert not FreshnessReminder.objects.exists()
    assert "would have sent 1 reminder" in capsys.readouterr().out


def test_bad_date_is_a_command_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--now must be a date"):
        call_command("send_freshness_reminders", "--now", "yesterday")
