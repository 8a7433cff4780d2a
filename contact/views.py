"""Contact requests: the patient's form and "My requests", the practitioner's inbox, one thread both see.

Thin views: a request is always looked up inside the signed-in side's own requests (another's id
is a 404); the services decide. A service's refusal becomes a message or a form error, never a 500.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.views import listing_required
from practitioners.fields import add_service_errors
from practitioners.models import Practitioner

from . import selectors, services
from .forms import ContactRequestForm, PatientMessageForm, PractitionerAnswerForm, StateForm
from .models import ContactRequest, Side


def _refused(request: HttpRequest, message: str, practitioner: Practitioner | None = None) -> HttpResponse:
    return render(request, "contact/refused.html", {"message": message, "p": practitioner}, status=403)


def _posted(request: HttpRequest):
    """The POST data for a bound form (even when empty), None on GET."""
    return request.POST if request.method == "POST" else None


def _expected_state(form) -> str | None:
    return form.cleaned_data.get("state") or None


# ---------------------------------------------------------------- patient


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, slug: str) -> HttpResponse:
    practitioner = Practitioner.objects.published().filter(slug=slug).prefetch_related("conditions").first()
    if practitioner is None:
        raise Http404("No published practitioner has this address.")
    if reason := services.request_refusal(practitioner=practitioner, user=request.user):
        return _refused(request, reason, practitioner)
    open_id = (
        ContactRequest.objects.open()
        .filter(practitioner=practitioner, patient=request.user)
        .values_list("pk", flat=True)
    ).first()
    if open_id is not None:
        messages.info(request, services.OPEN_REQUEST_EXISTS)
        return redirect("contact:my_thread", pk=open_id)
    form = ContactRequestForm(_posted(request), practitioner=practitioner)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.contact_request_create(
                patient=request.user, practitioner=practitioner, **form.service_kwargs()
            )
        except PermissionDenied as exc:
            return _refused(request, str(exc), practitioner)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your request was sent. We will email you when the practitioner answers.")
            return redirect("contact:my_thread", pk=created.pk)
    return render(
        request, "contact/request_form.html", {"form": form, "p": practitioner}, status=400 if form.errors else 200
    )


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    context = {
        "requests": selectors.patient_requests(user=request.user),
        "retention_days": settings.CONTACT_RETENTION_DAYS,
    }
    return render(request, "contact/my_requests.html", context)


def _thread_page(request, thread: ContactRequest, side: str, form, status: int = 200) -> HttpResponse:
    context = {
        "r": thread,
        "side": side,
        "form": form,
        "entries": list(thread.messages.all()),
        "state_form": StateForm(initial={"state": thread.state}),
        "blocked": side == Side.PRACTITIONER
        and selectors.is_blocked(practitioner_id=thread.practitioner_id, patient_id=thread.patient_id),
    }
    return render(request, "contact/thread.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def my_thread(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's side of one thread; POST writes a message."""
    thread = selectors.patient_thread(user=request.user, pk=pk)
    form = PatientMessageForm(_posted(request), initial={"state": thread.state})
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_patient_message(
                request=thread, actor=request.user, text=form.cleaned_data["text"], expected_state=_expected_state(form)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your message was sent.")
            return redirect("contact:my_thread", pk=thread.pk)
    return _thread_page(request, thread, Side.PATIENT, form, status=400 if form.errors else 200)


def _state_action(request, pk: int, *, side: str, run, done: str) -> HttpResponse:
    """POST-only actions without input (close, block, report): run, then back to the thread."""
    if side == Side.PATIENT:
        thread = selectors.patient_thread(user=request.user, pk=pk)
        target = "contact:my_thread"
    else:
        thread = selectors.practitioner_thread(practitioner=request.listing, pk=pk)
        target = "contact:inbox_thread"
    form = StateForm(request.POST)
    form.is_valid()  # a hidden optional field: always valid
    try:
        run(thread, _expected_state(form))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(target, pk=thread.pk)


@login_required
@require_POST
def my_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_action(
        request,
        pk,
        side=Side.PATIENT,
        run=lambda t, expected: services.contact_request_act(
            request=t, actor=request.user, action="close", expected_state=expected
        ),
        done="The request is closed.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_delete(request: HttpRequest, pk: int) -> HttpResponse:
    thread = selectors.patient_thread(user=request.user, pk=pk)
    if request.method == "POST":
        services.contact_request_delete(request=thread, actor=request.user)
        messages.success(request, "Your request and its messages are deleted.")
        return redirect("contact:my_requests")
    return render(request, "contact/confirm_delete.html", {"r": thread})


# ---------------------------------------------------------------- practitioner


@listing_required
def inbox(request: HttpRequest, listing: Practitioner) -> HttpResponse:
    show = request.GET.get("show", "open")
    error = ""
    if show not in selectors.INBOX_FILTERS:
        error = f"“{show[:40]}” is not a list of requests; showing the open ones."
        show = "open"
    context = {
        "p": listing,
        "requests": selectors.inbox(practitioner=listing, show=show),
        "show": show,
        "show_label": selectors.INBOX_LABELS[show],
        "filters": selectors.INBOX_LABELS,
        "show_error": error,
        "stats": selectors.response_stats(practitioner_id=listing.pk),
    }
    return render(request, "contact/inbox.html", context, status=400 if error else 200)


@listing_required
@require_http_methods(["GET", "POST"])
def inbox_thread(request: HttpRequest, listing: Practitioner, pk: int) -> HttpResponse:
    """The practitioner's side of one thread; POST is one answer action."""
    thread = selectors.practitioner_thread(practitioner=listing, pk=pk)
    form = PractitionerAnswerForm(_posted(request), initial={"state": thread.state})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_request_act(
                request=thread,
                actor=request.user,
                action=data["action"],
                text=data["text"],
                proposed_time=data["proposed_time"],
                decline_reason=data["decline_reason"],
                expected_state=_expected_state(form),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Done: the patient gets an email notice (without your message).")
            return redirect("contact:inbox_thread", pk=thread.pk)
    return _thread_page(request, thread, Side.PRACTITIONER, form, status=400 if form.errors else 200)


def _practitioner_action(run, done: str):
    """A POST-only practitioner action on a thread of their own listing (block, report)."""

    @require_POST
    @listing_required
    def view(request: HttpRequest, listing: Practitioner, pk: int) -> HttpResponse:
        request.listing = listing
        return _state_action(
            request, pk, side=Side.PRACTITIONER, run=lambda t, expected: run(request=t, actor=request.user), done=done
        )

    return view


inbox_block = _practitioner_action(
    services.contact_patient_block, "This patient can no longer send requests to your listing."
)
inbox_report = _practitioner_action(
    services.contact_request_report_spam, "Reported to Meridian staff as spam; the sender is blocked."
)
