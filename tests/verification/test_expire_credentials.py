"""manage.py expire_credentials: expiry at the date boundary, reminders once each, idempotent."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from practitioners.models import Certification, License, VerificationRecord, VerificationState
from tests.factories import CertificationFactory, LicenseFactory, PractitionerFactory, UserFactory
from verification.services import SYSTEM_ACTOR_LABEL, reminder_due

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the command as of a date; emails go out on commit, so run those callbacks too."""

    def _run(today: datetime.date = TODAY, *args: str) -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("expire_credentials", f"--today={today.isoformat()}", *args, stdout=out)
        return out.getvalue()

    return _run


def owned(**kwargs):
    return PractitionerFactory(owner=UserFactory(), **kwargs)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.mark.parametrize(
    ("days_left", "due_60", "due_30"),
    [(61, False, False), (60, True, False), (31, True, False), (30, False, True), (0, False, True), (-1, False, False)],
)
def test_reminder_windows(days_left, due_60, due_30):
    expiry = days(days_left)
    assert reminder_due(expiry_date=expiry, today=TODAY, days_before=60) is due_60
    assert reminder_due(expiry_date=expiry, today=TODAY, days_before=30) is due_30


def test_expires_the_day_after_the_expiry_date_not_on_it(run):
    on_the_day = LicenseFactory(practitioner=owned(), expiry_date=TODAY)
    day_after = LicenseFactory(practitioner=owned(), expiry_date=days(-1))
    cert = CertificationFactory(practitioner=owned(), expiry_date=days(-400))
    output = run()
    assert "expired 2 credential(s)" in output
    assert License.objects.get(pk=on_the_day.pk).verification_state == VerificationState.VERIFIED
    assert License.objects.get(pk=day_after.pk).verification_state == VerificationState.EXPIRED
    assert Certification.objects.get(pk=cert.pk).verification_state == VerificationState.EXPIRED
    records = VerificationRecord.objects.all()
    assert {(r.old_state, r.new_state, r.actor_id, r.actor_label) for r in records} == {
        ("verified", "expired", None, SYSTEM_ACTOR_LABEL)
    }
    assert len(records) == 2
    expired_mails = [m for m in mail.outbox if "expired" in m.subject]
    assert len(expired_mails) == 2


def test_second_run_changes_nothing_and_sends_nothing(run):
    LicenseFactory(practitioner=owned(), expiry_date=days(-1))
    LicenseFactory(practitioner=owned(), expiry_date=days(45))
    run()
    records, mails = VerificationRecord.objects.count(), len(mail.outbox)
    assert (records, mails) == (1, 2)
    assert "expired 0 credential(s); sent 0 60-day and 0 30-day" in run()
    assert VerificationRecord.objects.count() == records
    assert len(mail.outbox) == mails


def test_pending_and_rejected_credentials_are_not_expired_by_the_job(run):
    LicenseFactory(expiry_date=days(-1), verification_state="pending", verified_at=None)
    LicenseFactory(expiry_date=days(-1), verification_state="rejected", verified_at=None)
    run()
    assert VerificationRecord.objects.count() == 0


def test_60_then_30_day_reminders_once_each(run):
    owner = UserFactory(email="lac@example.com")
    lic = LicenseFactory(practitioner=PractitionerFactory(owner=owner), expiry_date=days(60))
    run()
    assert [m.subject for m in mail.outbox] == [f"Your credential expires in 60 days: {lic}"]
    assert mail.outbox[0].to == ["lac@example.com"]
    run(days(1))  # 59 days left: already reminded
    run(days(29))  # 31 days left: still the 60-day window
    assert len(mail.outbox) == 1
    run(days(30))  # 30 days left
    assert len(mail.outbox) == 2
    assert "30 days" in mail.outbox[1].subject
    run(days(31))
    run(days(60))  # expiry day: still verified, already reminded
    assert len(mail.outbox) == 2
    lic.refresh_from_db()
    assert lic.expiry_notice_60_sent_for == lic.expiry_date
    assert lic.expiry_notice_30_sent_for == lic.expiry_date


def test_first_seen_inside_30_days_gets_only_the_30_day_reminder(run):
    LicenseFactory(practitioner=owned(), expiry_date=days(10))
    run()
    run(days(1))
    assert len(mail.outbox) == 1
    assert "10 days" in mail.outbox[0].subject


def test_a_renewed_credential_gets_new_reminders(run):
    cert = CertificationFactory(practitioner=owned(), expiry_date=days(20))
    run()
    assert len(mail.outbox) == 1
    Certification.objects.filter(pk=cert.pk).update(expiry_date=days(50))  # renewed (new date on file)
    run()
    assert len(mail.outbox) == 2
    assert "50 days" in mail.outbox[1].subject


def test_no_address_no_mail_and_not_marked_sent(run):
    lic = LicenseFactory(practitioner=PractitionerFactory(owner=None, contact_email=""), expiry_date=days(40))
    run()
    assert mail.outbox == []
    lic.refresh_from_db()
    assert lic.expiry_notice_60_sent_for is None
    lic.practitioner.owner = UserFactory()
    lic.practitioner.save()
    run()
    assert len(mail.outbox) == 1


def test_rejected_credentials_get_no_reminder(run):
    LicenseFactory(practitioner=owned(), expiry_date=days(40), verification_state="rejected", verified_at=None)
    run()
    assert mail.outbox == []


def test_dry_run_changes_and_sends_nothing(run):
    expired = LicenseFactory(practitioner=owned(), expiry_date=days(-3))
    soon = LicenseFactory(practitioner=owned(), expiry_date=days(45))
    output = run(TODAY, "--dry-run")
    assert "Dry run: would have expired 1 credential(s); sent 1 60-day" in output
    assert mail.outbox == []
    assert VerificationRecord.objects.count() == 0
    assert License.objects.get(pk=expired.pk).verification_state == VerificationState.VERIFIED
    assert License.objects.get(pk=soon.pk).expiry_notice_60_sent_for is None


def test_defaults_to_the_local_date(django_capture_on_commit_callbacks):
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        LicenseFactory(practitioner=owned(), expiry_date=timezone.localdate() - datetime.timedelta(days=1))
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("expire_credentials", stdout=out)
    assert "expired 1 credential(s)" in out.getvalue()


def test_bad_date_option_is_a_clear_error():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--today must be a date"):
        call_command("expire_credentials", "--today=15/06/2026")
