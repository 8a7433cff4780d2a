"""Contact requests: every transition, the database constraints behind them, rate limits, blocking,
spam reports, retention, the response figures and confirmed visits."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contact import selectors, services
from contact.models import ConfirmedVisit, ContactBlock, ContactMessage, ContactRequest, SpamReport
from practitioners.conflicts import ConflictOfInterest
from practitioners.models import InsuranceCarrier
from tests.factories import (
    PractitionerFactory,
    ReviewerFactory,
    UserFactory,
    VerifiedUserFactory,
    condition,
    contact_request,
    owned_listing,
)

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def listing():
    return owned_listing()


@pytest.fixture
def patient():
    return VerifiedUserFactory()


def act(request, actor, action, **kwargs):
    return services.contact_request_act(request=request, actor=actor, action=action, **kwargs)


# ---------------------------------------------------------------- sending


def test_a_request_starts_sent_with_the_message_as_first_thread_entry(listing, patient):
    request = contact_request(listing, patient)
    assert request.state == "sent"
    assert request.answered_at is None and request.ended_at is None
    assert list(request.messages.values_list("kind", "side", "text")) == [
        ("request", "patient", "I have had neck pain for three weeks.")
    ]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: PractitionerFactory(owner=None), "Online requests start once the practitioner claims"),
        (lambda p: owned_listing(status="draft"), "not published"),
        (lambda p: owned_listing(owner=p), "your own listing"),
    ],
)
def test_requests_are_refused_to_unclaimed_unpublished_and_own_listings(patient, make, message):
    with pytest.raises(PermissionDenied, match=message):
        contact_request(make(patient), patient)
    assert not ContactRequest.objects.exists()


def test_an_unverified_email_cannot_send_a_request(listing):
    with pytest.raises(PermissionDenied, match="Confirm your email"):
        contact_request(listing, UserFactory())


def test_condition_and_insurance_must_be_the_listings_own(listing, patient):
    carrier = InsuranceCarrier.objects.first()
    with pytest.raises(ValidationError) as exc:
        contact_request(listing, patient, condition=condition("sciatica"), insurance=carrier)
    assert set(exc.value.message_dict) == {"condition", "insurance"}
    listing.insurance_carriers.add(carrier)
    request = contact_request(listing, patient, condition=None, insurance=carrier)
    assert request.condition is None and request.insurance == carrier


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"preferred_days": 0}, "preferred_days"),
        ({"preferred_days": 128}, "preferred_days"),
        ({"preferred_times": 0}, "preferred_times"),
        ({"preferred_times": 8}, "preferred_times"),
        ({"patient_status": "vip"}, "patient_status"),
        ({"channel": "fax"}, "channel"),
        ({"channel": "phone", "phone": "  "}, "phone"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 1001}, "message"),
    ],
)
def test_each_field_is_checked_with_its_own_message(listing, patient, fields, field):
    with pytest.raises(ValidationError) as exc:
        contact_request(listing, patient, **fields)
    assert field in exc.value.message_dict


def test_a_phone_is_kept_only_when_the_patient_chose_the_phone(listing, patient):
    request = contact_request(listing, patient, channel="email", phone="555-0100")
    assert request.phone == ""
    act(request, patient, "close")
    assert contact_request(listing, patient, channel="phone", phone=" 555-0100 ").phone == "555-0100"


def test_one_open_request_per_patient_and_listing(listing, patient):
    first = contact_request(listing, patient)
    with pytest.raises(ValidationError, match="already have an open request"):
        contact_request(listing, patient)
    act(first, patient, "close")
    assert contact_request(listing, patient).state == "sent"


def test_patient_daily_limit_from_settings(settings, patient):
    settings.CONTACT_REQUESTS_PER_PATIENT_PER_DAY = 2
    for _ in range(2):
        contact_request(owned_listing(), patient)
    with pytest.raises(ValidationError, match="at most 2 requests in 24 hours"):
        contact_request(owned_listing(), patient)
    # A day later the window has moved on.
    later = timezone.now() + datetime.timedelta(days=1, minutes=1)
    assert contact_request(owned_listing(), patient, now=later).state == "sent"


def test_listing_hourly_limit_from_settings(settings, listing):
    settings.CONTACT_REQUESTS_PER_LISTING_PER_HOUR = 2
    for _ in range(2):
        contact_request(listing, VerifiedUserFactory())
    with pytest.raises(ValidationError, match="many requests in the last hour"):
        contact_request(listing, VerifiedUserFactory())
    later = timezone.now() + datetime.timedelta(hours=1, minutes=1)
    assert contact_request(listing, VerifiedUserFactory(), now=later).state == "sent"


def test_a_blocked_patient_cannot_send_another_request(listing, patient):
    request = contact_request(listing, patient)
    services.contact_patient_block(request=request, actor=listing.owner)
    request.refresh_from_db()
    assert request.state == "closed" and request.closed_by == "practitioner"
    with pytest.raises(PermissionDenied, match="does not accept online requests from you"):
        contact_request(listing, patient)
    # Other listings still can be asked.
    assert contact_request(owned_listing(), patient).state == "sent"


# ---------------------------------------------------------------- transitions


def test_answer_then_confirm_visit(listing, patient):
    request = contact_request(listing, patient)
    act(request, listing.owner, "message", text="Happy to help. Tuesday?")
    assert request.state == "answered" and request.answered_at is not None
    first_answer = request.answered_at
    when = timezone.now() + datetime.timedelta(days=2)
    act(request, listing.owner, "propose", proposed_time=when, text="Tuesday 10am?")
    assert request.answered_at == first_answer  # the first answer counts for the response time
    assert request.messages.get(kind="proposal").proposed_time == when
    act(request, listing.owner, "visit")
    assert request.state == "confirmed" and request.ended_at is not None
    assert ConfirmedVisit.objects.filter(practitioner=listing, patient=patient).exists()


def test_a_visit_cannot_be_confirmed_before_an_answer(listing, patient):
    request = contact_request(listing, patient)
    with pytest.raises(ValidationError, match="can't be marked as visited before you have answered"):
        act(request, listing.owner, "visit")
    assert not ConfirmedVisit.objects.exists()


@pytest.mark.parametrize("start", ["sent", "answered"])
def test_decline_needs_a_reason_from_the_list(listing, patient, start):
    request = contact_request(listing, patient)
    if start == "answered":
        act(request, listing.owner, "message", text="Let me check.")
    with pytest.raises(ValidationError, match="Choose a reason"):
        act(request, listing.owner, "decline", decline_reason="because")
    act(request, listing.owner, "decline", decline_reason="not_accepting")
    assert request.state == "declined" and request.decline_reason == "not_accepting"
    assert request.answered_at is not None  # a decline is an answer


@pytest.mark.parametrize("side", ["patient", "practitioner"])
def test_either_side_closes_an_open_request(listing, patient, side):
    request = contact_request(listing, patient)
    act(request, patient if side == "patient" else listing.owner, "close")
    assert request.state == "closed" and request.closed_by == side and request.ended_at is not None


@pytest.mark.parametrize("ended", ["confirmed", "declined", "closed"])
@pytest.mark.parametrize("action", ["message", "propose", "decline", "visit", "close"])
def test_an_ended_request_refuses_every_action(listing, patient, ended, action):
    request = contact_request(listing, patient)
    act(request, listing.owner, "message", text="Hello")
    act(
        request,
        listing.owner,
        {"confirmed": "visit", "declined": "decline", "closed": "close"}[ended],
        decline_reason="no_times",
    )
    with pytest.raises(ValidationError) as exc:
        act(
            request,
            listing.owner,
            action,
            text="again",
            proposed_time=timezone.now() + datetime.timedelta(days=1),
            decline_reason="no_times",
        )
    assert exc.value.code == "wrong_state"
    with pytest.raises(ValidationError, match="no more messages"):
        services.contact_patient_message(request=request, actor=patient, text="Hello?")


def test_a_stale_form_from_a_second_tab_is_refused(listing, patient):
    request = contact_request(listing, patient)
    act(request, listing.owner, "decline", decline_reason="no_times", expected_state="sent")
    stale = ContactRequest.objects.get(pk=request.pk)
    stale.state = "sent"  # the other tab still shows "sent"
    with pytest.raises(ValidationError) as exc:
        act(stale, listing.owner, "message", text="Tuesday?", expected_state="sent")
    assert exc.value.code == "stale" and "it is now “Declined”" in exc.value.messages[0]
    assert ContactMessage.objects.filter(request=request, kind="message").count() == 0


def test_a_proposal_needs_a_future_time(listing, patient):
    request = contact_request(listing, patient)
    with pytest.raises(ValidationError, match="Give the date and time"):
        act(request, listing.owner, "propose")
    with pytest.raises(ValidationError, match="in the future"):
        act(request, listing.owner, "propose", proposed_time=timezone.now() - datetime.timedelta(hours=1))


def test_the_patient_only_writes_or_closes_and_others_do_nothing(listing, patient):
    request = contact_request(listing, patient)
    with pytest.raises(PermissionDenied):
        act(request, patient, "visit")
    for stranger in (VerifiedUserFactory(), ReviewerFactory(), UserFactory(is_staff=True, is_superuser=True)):
        with pytest.raises(PermissionDenied):
            act(request, stranger, "close")
        with pytest.raises(PermissionDenied):
            services.contact_patient_message(request=request, actor=stranger, text="hi")
    with pytest.raises(PermissionDenied):
        services.contact_patient_message(request=request, actor=listing.owner, text="hi")
    services.contact_patient_message(request=request, actor=patient, text="Any news?")
    request.refresh_from_db()
    assert request.state == "sent"


# ---------------------------------------------------------------- the database says the same


def _raw_update(request, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactRequest.objects.filter(pk=request.pk).update(**fields)


def test_the_database_refuses_states_without_their_dates_and_fields(listing, patient):
    request = contact_request(listing, patient)
    _raw_update(request, state="answered")  # no answered_at
    _raw_update(request, state="confirmed", answered_at=None, ended_at=NOW)  # confirmed without an answer
    _raw_update(request, state="declined", answered_at=NOW, ended_at=NOW)  # no reason
    _raw_update(request, state="closed", ended_at=NOW)  # no side
    _raw_update(request, state="sent", ended_at=NOW)
    _raw_update(request, state="lost")
    _raw_update(request, preferred_days=0)
    _raw_update(request, channel="phone")  # phone channel without a phone
    _raw_update(request, decline_reason="no_times")  # a reason on a request that is not declined


def test_the_database_allows_one_open_request_per_patient_and_listing(listing, patient):
    request = contact_request(listing, patient)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactRequest.objects.create(
            **{
                f.attname: getattr(request, f.attname)
                for f in ContactRequest._meta.concrete_fields
                if f.attname not in ("id", "updated_at")
            }
        )


# ---------------------------------------------------------------- spam, deletion, retention


def test_report_as_spam_keeps_a_copy_for_staff_blocks_and_closes(listing, patient):
    request = contact_request(listing, patient, message="Buy cheap watches")
    report = services.contact_request_report_spam(request=request, actor=listing.owner)
    request.refresh_from_db()
    assert request.state == "closed"
    assert ContactBlock.objects.filter(practitioner=listing, patient=patient).exists()
    with pytest.raises(ValidationError, match="already reported"):
        services.contact_request_report_spam(request=request, actor=listing.owner)
    services.contact_request_delete(request=request, actor=patient)
    report.refresh_from_db()
    assert report.request is None and report.message_copy == "Buy cheap watches"
    with pytest.raises(PermissionDenied):
        services.contact_request_report_spam(request=contact_request(owned_listing(), patient), actor=listing.owner)


def test_staff_resolve_reports_but_never_their_own_case(listing, patient):
    report = services.contact_request_report_spam(request=contact_request(listing, patient), actor=listing.owner)
    for conflicted in (listing.owner, patient):
        conflicted.is_staff = conflicted.is_superuser = True
        conflicted.save()
        with pytest.raises(ConflictOfInterest):
            services.spam_report_resolve(report=report, actor=conflicted, resolution="spam")
    with pytest.raises(PermissionDenied):
        services.spam_report_resolve(report=report, actor=VerifiedUserFactory(), resolution="spam")
    staff = UserFactory(is_staff=True, is_superuser=True)
    with pytest.raises(ValidationError):
        services.spam_report_resolve(report=report, actor=staff, resolution="maybe")
    resolved = services.spam_report_resolve(report=report, actor=staff, resolution="spam")
    assert resolved.resolution == "spam" and resolved.resolved_by == staff
    with pytest.raises(ValidationError, match="already been resolved"):
        services.spam_report_resolve(report=report, actor=staff, resolution="not_spam")


def test_the_patient_deletes_their_own_request_at_any_time(listing, patient):
    request = contact_request(listing, patient)
    with pytest.raises(PermissionDenied):
        services.contact_request_delete(request=request, actor=listing.owner)
    services.contact_request_delete(request=request, actor=patient)
    assert not ContactRequest.objects.exists() and not ContactMessage.objects.exists()


def test_retention_deletes_requests_ended_longer_ago_than_the_setting(settings, listing, patient):
    settings.CONTACT_RETENTION_DAYS = 30
    long_ago = NOW - datetime.timedelta(days=40)
    old = contact_request(listing, patient, now=long_ago)
    act(old, listing.owner, "message", text="Hi", now=long_ago)
    act(old, listing.owner, "visit", now=NOW - datetime.timedelta(days=31))
    recent = contact_request(listing, patient)
    act(recent, patient, "close")
    still_open = contact_request(owned_listing(), patient)
    report = SpamReport.objects.create(
        practitioner=listing,
        patient=patient,
        message_copy="x",
        resolved_at=NOW - datetime.timedelta(days=31),
        resolution="not_spam",
    )
    assert services.contact_requests_delete_expired(now=NOW) == (1, 1)
    assert set(ContactRequest.objects.values_list("pk", flat=True)) == {recent.pk, still_open.pk}
    assert not ContactMessage.objects.filter(request_id=old.pk).exists()
    assert not SpamReport.objects.filter(pk=report.pk).exists()
    # The confirmed visit (no health detail) outlives its request, so the review keeps its label.
    assert ConfirmedVisit.objects.filter(practitioner=listing, patient=patient).exists()


def test_the_retention_task_is_scheduled_daily(settings):
    from jobs.schedule import daily_jobs

    assert "delete_expired_requests" in daily_jobs()


# ---------------------------------------------------------------- figures and labels


def _answered_after(listing, delay: datetime.timedelta | None, *, created: datetime.datetime):
    request = contact_request(listing, VerifiedUserFactory(), now=created)
    if delay is not None:
        act(request, listing.owner, "message", text="Hello", now=created + delay)
    return request


def test_response_figures_appear_from_five_requests(settings, listing):
    settings.CONTACT_STATS_MIN_REQUESTS = 5
    start = NOW - datetime.timedelta(days=10)
    hours = [2, 5, 30, 40]
    for h in hours:
        _answered_after(listing, datetime.timedelta(hours=h), created=start)
    assert selectors.response_stats(practitioner_id=listing.pk, now=NOW) is None
    _answered_after(listing, None, created=start)
    stats = selectors.response_stats(practitioner_id=listing.pk, now=NOW)
    assert (stats.requests, stats.answered, stats.rate_percent) == (5, 4, 80)
    assert stats.median == datetime.timedelta(hours=17.5) and stats.typical == "within 18 hours"


def test_response_figures_ignore_old_and_withdrawn_requests(settings, listing):
    settings.CONTACT_STATS_MIN_REQUESTS = 1
    _answered_after(listing, datetime.timedelta(days=1), created=NOW - datetime.timedelta(days=91))
    withdrawn = _answered_after(listing, None, created=NOW - datetime.timedelta(days=3))
    act(withdrawn, withdrawn.patient, "close")
    assert selectors.response_stats(practitioner_id=listing.pk, now=NOW) is None
    _answered_after(listing, datetime.timedelta(hours=36), created=NOW - datetime.timedelta(days=3))
    stats = selectors.response_stats(practitioner_id=listing.pk, now=NOW)
    assert (stats.requests, stats.typical) == (1, "within 2 days")


def test_confirmed_authors_are_only_those_this_listing_confirmed(listing, patient):
    other = VerifiedUserFactory()
    request = contact_request(listing, patient)
    act(request, listing.owner, "message", text="Hello")
    assert selectors.confirmed_authors(practitioner_id=listing.pk, author_ids=[patient.pk, other.pk]) == set()
    act(request, listing.owner, "visit")
    elsewhere = owned_listing()
    assert selectors.confirmed_authors(practitioner_id=listing.pk, author_ids=[patient.pk, other.pk]) == {patient.pk}
    assert selectors.confirmed_authors(practitioner_id=elsewhere.pk, author_ids=[patient.pk]) == set()
