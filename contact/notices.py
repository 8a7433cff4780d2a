"""The emails about contact requests: only that something is waiting, and a link.

Never the message, the condition, the insurance, a name or an address: an email can be read by
whoever shares the mailbox or the screen. The practitioner's notice goes to the account that
claimed the listing (never shown to the patient); the patient's to their account's address.
"""

from django.conf import settings
from django.urls import reverse

from accounts.models import User
from jobs.services import email_enqueue
from practitioners.models import Practitioner

from .models import ContactRequest, Side

SUBJECTS = {
    "new": "You have a new request on Meridian",
    "message": "You have a new message on Meridian",
    "propose": "You have a new reply on Meridian",
    "decline": "You have a new reply on Meridian",
    "visit": "You have a new reply on Meridian",
    "close": "A request on Meridian was closed",
}
BODY = (
    "Hello,\n\n"
    "{what} waiting for you on Meridian. For your privacy this email does not include it; "
    "sign in to read it:\n\n{url}\n\n— Meridian\n"
)
WHAT = {
    "new": "A new appointment request is",
    "message": "A new message is",
    "propose": "A reply to your request is",
    "decline": "A reply to your request is",
    "visit": "An update on your request is",
    "close": "An update on a request is",
}


def thread_url(request: ContactRequest, side: str) -> str:
    name = "contact:inbox_thread" if side == Side.PRACTITIONER else "contact:my_thread"
    return settings.SITE_URL + reverse(name, kwargs={"pk": request.pk})


def notify(*, request: ContactRequest, to_side: str, event: str) -> bool:
    """Enqueue the notice for one side of `request` on commit; False when that side has no address."""
    if to_side == Side.PRACTITIONER:
        to = Practitioner.objects.filter(pk=request.practitioner_id).values_list("owner__email", flat=True).first()
    else:
        to = User.objects.filter(pk=request.patient_id).values_list("email", flat=True).first()
    if not to:
        return False
    email_enqueue(
        to=to,
        subject=SUBJECTS[event],
        body=BODY.format(what=WHAT[event], url=thread_url(request, to_side)),
    )
    return True
