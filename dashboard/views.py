"""The practitioner's dashboard. Thin views: every object is looked up inside the
signed-in user's own listing (so another listing's id is a 404), services do the writing.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import user_has_verified_email
from practitioners import freshness, trust
from practitioners import services as listing_services
from practitioners.fields import add_service_errors
from practitioners.models import CREDENTIAL_KIND_LABELS, CREDENTIAL_KINDS, LISTING_M2M_FIELDS, Practitioner, StateBoard
from practitioners.services import LISTING_FIELDS, LOCATION_FIELDS
from reviews import services as review_services
from reviews.models import Review

from . import selectors, services
from .forms import (
    CREDENTIAL_FORMS,
    ClaimCodeConfirmForm,
    ClaimCodeSendForm,
    ClaimForm,
    ClaimSearchForm,
    DegreeForm,
    ListingCreateForm,
    ListingForm,
    LocationForm,
    OpeningHoursForm,
    PhotoForm,
    ReplyForm,
    sign_loaded,
)
from .history import listing_history
from .rules import LicenseFacts, location_license_warning, missing_steps

View = Callable[..., HttpResponse]


def _posted(request: HttpRequest):
    """The POST data for a bound form (even when empty), None on GET."""
    return request.POST if request.method == "POST" else None


def _files(request: HttpRequest):
    return request.FILES if request.method == "POST" else None


def listing_required(view: View) -> View:
    """Signed in and keeping a listing; the listing is passed to the view.

    Without a listing the user is sent to the dashboard's start page (claim or create).
    A suspended listing can be looked at but not changed.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        listing = selectors.listing_for_user(request.user)
        if listing is None:
            return redirect("dashboard:home")
        if request.method == "POST" and listing.status == Practitioner.Status.SUSPENDED:
            raise PermissionDenied("This listing is suspended; contact Meridian staff.")
        return view(request, listing, *args, **kwargs)

    return wrapper


# ---------------------------------------------------------------- home


@login_required
def home(request: HttpRequest) -> HttpResponse:
    listing = selectors.dashboard_listing(user=request.user)
    if listing is None:
        return render(
            request,
            "dashboard/start.html",
            {
                "claims": selectors.claims_for_user(user=request.user)[:5],
                "pending_claim": selectors.pending_claim_for_user(user=request.user),
                "email_verified": user_has_verified_email(request.user),
            },
        )
    now = timezone.now()
    licenses = list(listing.licenses.all())
    certifications = list(listing.certifications.all())
    license_states = {lic.state_id for lic in licenses}
    locations = [
        (
            loc,
            location_license_warning(
                location_state=loc.state_id,
                license_states=license_states,
                licenses_there=loc.state.issues_credentials,
            ),
        )
        for loc in listing.locations.all()
    ]
    unlicensed = sorted({loc.state.state_name for loc, _ in locations if not loc.state.issues_credentials})
    coverage = listing.state_coverage()
    context = {
        "p": listing,
        "state_rules": [(c, None, "") for c in coverage],
        "steps": missing_steps(
            status=listing.status,
            requirement_met=trust.state_requirement_met(coverage),
            licenses=[
                LicenseFacts(
                    state=lic.state_id,
                    verification_state=lic.verification_state,
                    board_status=lic.board_status,
                    restricted=lic.restricted,
                    expiry_date=lic.expiry_date,
                )
                for lic in licenses
            ],
            location_states=[loc.state_id for loc, _ in locations],
            today=timezone.localdate(),
            certification_states=[cert.verification_state for cert in certifications],
            unlicensed_states=unlicensed,
            all_locations_unlicensed=bool(locations) and all(not loc.state.issues_credentials for loc, _ in locations),
        ),
        "locations": locations,
        "licenses": licenses,
        "certifications": certifications,
        "degrees": list(listing.degrees.all()),
        "facts": [
            (label, getattr(listing, fact), freshness.is_fresh(getattr(listing, fact), now))
            for fact, label in freshness.FACT_LABELS.items()
        ],
        "is_fresh": freshness.is_fresh(listing.last_confirmed_at, now),
        "stale_label": freshness.stale_label(listing.last_confirmed_at, now),
        "stale_after_days": freshness.STALE_AFTER_DAYS,
        "review_count": Review.objects.published().filter(practitioner=listing).count(),
        "unanswered_count": Review.objects.published().filter(practitioner=listing, reply__isnull=True).count(),
    }
    return render(request, "dashboard/home.html", context)


# ---------------------------------------------------------------- claim or create


def _no_listing_yet(request: HttpRequest) -> HttpResponse | None:
    """Redirect people who already keep a listing (or wait on a claim) away from claim/create."""
    if selectors.listing_for_user(request.user) is not None:
        messages.info(request, "Your account already keeps a listing.")
        return redirect("dashboard:home")
    if selectors.pending_claim_for_user(user=request.user) is not None:
        messages.info(request, "You have a claim awaiting review. Withdraw it first to claim or create another.")
        return redirect("dashboard:home")
    return None


@login_required
def claim_search(request: HttpRequest) -> HttpResponse:
    if (response := _no_listing_yet(request)) is not None:
        return response
    form = ClaimSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid() and (form.cleaned_data["q"] or form.cleaned_data["state"]):
        state = form.cleaned_data["state"]
        results = list(selectors.claimable_listings(q=form.cleaned_data["q"], state=state.state if state else None))
    return render(request, "dashboard/claim_search.html", {"form": form, "results": results})


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest, slug: str) -> HttpResponse:
    if (response := _no_listing_yet(request)) is not None:
        return response
    practitioner = selectors.claimable_listing(slug=slug)
    if practitioner is None:
        raise Http404("No listing that can be claimed has this address.")
    form = ClaimForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_create(
                user=request.user,
                practitioner=practitioner,
                license_state=form.cleaned_data["license_state"],
                license_number=form.cleaned_data["license_number"],
                message=form.cleaned_data["message"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your claim is saved. Now show that the practice is yours.")
            return redirect("dashboard:claim_proof", pk=claim.pk)
    return render(request, "dashboard/claim_form.html", {"form": form, "listing": practitioner})


@login_required
@require_http_methods(["GET", "POST"])
def claim_proof(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a one-time code to an address on record, then confirm it (the claimant's own pending claim)."""
    claim = get_object_or_404(selectors.claims_for_user(user=request.user).pending(), pk=pk)
    channels = selectors.claim_code_channels(claim.practitioner)
    # A POST is a code confirmation when it says so, otherwise a request for a code.
    action = ("confirm" if request.POST.get("action") == "confirm" else "send") if request.method == "POST" else None
    send_form = ClaimCodeSendForm(request.POST if action == "send" else None, channels=channels, prefix="send")
    confirm_form = ClaimCodeConfirmForm(request.POST if action == "confirm" else None, prefix="confirm")
    status = 200
    if action == "send" and send_form.is_valid():
        try:
            masked = services.claim_code_send(
                claim=claim, actor=request.user, channel=send_form.cleaned_data["channel"]
            )
        except ValidationError as exc:
            add_service_errors(send_form, exc)
        else:
            messages.success(request, f"We sent a code to {masked}.")
            return redirect("dashboard:claim_proof", pk=claim.pk)
    elif action == "confirm" and confirm_form.is_valid():
        try:
            services.claim_code_confirm(claim=claim, actor=request.user, code=confirm_form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(confirm_form, exc)
        else:
            messages.success(request, "Code confirmed. Staff will review your claim and email you the outcome.")
            return redirect("dashboard:home")
    if send_form.errors or confirm_form.errors:
        status = 400
    claim.refresh_from_db()
    context = {"claim": claim, "send_form": send_form, "confirm_form": confirm_form}
    return render(request, "dashboard/claim_proof.html", context, status=status)


@login_required
@require_POST
def claim_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(selectors.claims_for_user(user=request.user), pk=pk)
    try:
        services.claim_withdraw(claim=claim, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Your claim is withdrawn.")
    return redirect("dashboard:home")


@login_required
@require_http_methods(["GET", "POST"])
def listing_create(request: HttpRequest) -> HttpResponse:
    if (response := _no_listing_yet(request)) is not None:
        return response
    form = ListingCreateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_create(user=request.user, **form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "Your listing is created as a draft. Add a practice location; it is published once staff verify "
                "your license.",
            )
            return redirect("dashboard:home")
    return render(request, "dashboard/create.html", {"form": form})


# ---------------------------------------------------------------- listing


def _listing_display(name: str, value) -> str:
    """A canonical listing value (`listing_value`) as the practitioner reads it."""
    field = Practitioner._meta.get_field(name)
    if name in LISTING_M2M_FIELDS:
        names = [str(row) for row in field.related_model.objects.filter(pk__in=value)]
        return ", ".join(sorted(names)) or "(none)"
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(dict(field.choices).get(value, value)) if field.choices else str(value)


def _conflict_rows(form: ListingForm, conflicts: dict) -> list[dict]:
    return [
        {
            "field": form[name],
            "name": f"resolve_{name}",
            "mine": _listing_display(name, mine),
            "saved": _listing_display(name, saved),
            "choice": form.data.get(f"resolve_{name}", ""),
        }
        for name, (mine, saved) in conflicts.items()
    ]


@listing_required
@require_http_methods(["GET", "POST"])
def listing_edit(request: HttpRequest, listing: Practitioner) -> HttpResponse:
    """Edit the listing. The form carries the values it was loaded with; a field saved elsewhere
    since (another tab) is merged, and a field changed in both places is shown with both values
    for the practitioner to choose (keep mine / keep the saved one) — never overwritten silently."""
    form = ListingForm(_posted(request), instance=Practitioner.objects.get(pk=listing.pk))
    conflicts: dict = {}
    status = 200
    if request.method == "POST" and form.is_valid():
        loaded = form.cleaned_data["loaded"]
        # Conflicts shown on the previous page: each needs a choice; "saved" leaves the field alone.
        pending = {name: None for name in (loaded or {}).get("conflicts", []) if name in LISTING_FIELDS}
        choices = {name: request.POST.get(f"resolve_{name}") for name in pending}
        if any(choice not in ("mine", "saved") for choice in choices.values()):
            mine = {name: listing_services.listing_value(name, form.cleaned_data[name]) for name in pending}
            conflicts = {name: (mine[name], loaded["values"][name]) for name in pending}
            form.add_error(None, "Choose which value to keep for each field changed in another tab.")
            status = 400
        else:
            changes = {name: form.cleaned_data[name] for name in LISTING_FIELDS if choices.get(name) != "saved"}
            try:
                stamped = listing_services.listing_update(
                    practitioner=listing,
                    actor=request.user,
                    changes=changes,
                    loaded=loaded["values"] if loaded else None,
                )
            except listing_services.ListingEditConflict as exc:
                data = request.POST.copy()
                data["loaded"] = sign_loaded(listing.pk, exc.snapshot, tuple(exc.conflicts))
                form = ListingForm(data, instance=Practitioner.objects.get(pk=listing.pk))
                form.is_valid()
                form.add_error(None, exc.message)
                conflicts = exc.conflicts
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                confirmed = [freshness.FACT_LABELS[fact].lower() for fact in stamped]
                note = f" Confirmed today: {', '.join(confirmed)}." if confirmed else ""
                messages.success(request, f"Your listing is saved.{note}")
                return redirect("dashboard:home")
    context = {"form": form, "p": listing, "conflicts": _conflict_rows(form, conflicts)}
    return render(request, "dashboard/listing_form.html", context, status=status)


@listing_required
@require_POST
def confirm_facts(request: HttpRequest, listing: Practitioner) -> HttpResponse:
    listing_services.listing_confirm_facts(practitioner=listing, actor=request.user)
    messages.success(request, "Thank you. Your listing shows today as the date you last confirmed it.")
    return redirect("dashboard:home")


# ---------------------------------------------------------------- locations


def _location_forms(request: HttpRequest, location=None):
    data = request.POST if request.method == "POST" else None
    return (
        LocationForm(data, instance=location, prefix="loc"),
        OpeningHoursForm(data, location=location, prefix="hours"),
    )


def _location_fields(form: LocationForm) -> dict:
    return {name: form.cleaned_data[name] for name in LOCATION_FIELDS}


def _warn_about_state(request: HttpRequest, listing: Practitioner, state: str) -> None:
    warning = location_license_warning(
        location_state=state,
        license_states=listing.licenses.values_list("state_id", flat=True),
        licenses_there=StateBoard.objects.issuing_credentials().filter(state=state).exists(),
    )
    if warning:
        messages.warning(request, warning)


@listing_required
@require_http_methods(["GET", "POST"])
def location_add(request: HttpRequest, listing: Practitioner) -> HttpResponse:
    form, hours_form = _location_forms(request)
    if request.method == "POST" and form.is_valid() & hours_form.is_valid():
        try:
            location = listing_services.location_create(
                practitioner=listing, actor=request.user, fields=_location_fields(form), hours=hours_form.slots()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Location added.")
            _warn_about_state(request, listing, location.state_id)
            return redirect("dashboard:home")
    return render(request, "dashboard/location_form.html", {"form": form, "hours_form": hours_form, "location": None})


def _own_location(listing: Practitioner, pk: int):
    return get_object_or_404(listing.locations.select_related("state").prefetch_related("hours"), pk=pk)


@listing_required
@require_http_methods(["GET", "POST"])
def location_edit(request: HttpRequest, listing: Practitioner, pk: int) -> HttpResponse:
    location = _own_location(listing, pk)
    form, hours_form = _location_forms(request, location)
    saved_now = None
    if request.method == "GET":
        form.initial["loaded"] = listing_services.location_fingerprint(location)
    elif form.is_valid() & hours_form.is_valid():
        try:
            location = listing_services.location_update(
                location=location,
                actor=request.user,
                fields=_location_fields(form),
                hours=hours_form.slots(),
                loaded=form.cleaned_data["loaded"] or None,
            )
        except listing_services.LocationEditConflict as exc:
            form.add_error(None, exc)
            saved_now = _own_location(listing, pk)
            data = request.POST.copy()  # a second save is a deliberate choice of this edit's values
            data[form.add_prefix("loaded")] = listing_services.location_fingerprint(saved_now)
            form.data = data
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Location saved.")
            _warn_about_state(request, listing, location.state_id)
            return redirect("dashboard:home")
    return render(
        request,
        "dashboard/location_form.html",
        {"form": form, "hours_form": hours_form, "location": location, "saved_now": saved_now},
        status=409 if saved_now else 200,
    )


@listing_required
@require_http_methods(["GET", "POST"])
def location_delete(request: HttpRequest, listing: Practitioner, pk: int) -> HttpResponse:
    location = _own_location(listing, pk)
    if request.method == "POST":
        listing_services.location_delete(location=location, actor=request.user)
        messages.success(request, "Location removed.")
        return redirect("dashboard:home")
    return render(request, "dashboard/location_confirm_delete.html", {"location": location})


# ---------------------------------------------------------------- credentials


def _credential_form_class(kind: str):
    if kind not in CREDENTIAL_FORMS:
        raise Http404("No such kind of credential.")
    return CREDENTIAL_FORMS[kind]


def _credential_form(kind: str, listing: Practitioner, data=None, instance=None):
    form_class = _credential_form_class(kind)
    if form_class is DegreeForm:
        return form_class(data, instance=instance, practitioner=listing)
    return form_class(data, instance=instance)


@listing_required
@require_http_methods(["GET", "POST"])
def credential_add(request: HttpRequest, listing: Practitioner, kind: str) -> HttpResponse:
    form = _credential_form(kind, listing, _posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.credential_add(
                practitioner=listing,
                actor=request.user,
                credential_type=CREDENTIAL_KINDS[kind],
                fields={name: form.cleaned_data[name] for name in form.fields},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Your {CREDENTIAL_KIND_LABELS[kind]} is added and waiting for verification.")
            return redirect("dashboard:home")
    context = {"form": form, "kind": kind, "kind_label": CREDENTIAL_KIND_LABELS[kind], "credential": None}
    return render(request, "dashboard/credential_form.html", context)


@listing_required
@require_http_methods(["GET", "POST"])
def credential_edit(request: HttpRequest, listing: Practitioner, kind: str, pk: int) -> HttpResponse:
    _credential_form_class(kind)  # 404 for an unknown kind
    credential = get_object_or_404(CREDENTIAL_KINDS[kind].objects.filter(practitioner=listing), pk=pk)
    # The form works on its own copy: the stored values are what the change is compared with.
    form = _credential_form(
        kind, listing, _posted(request), instance=CREDENTIAL_KINDS[kind].objects.get(pk=credential.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            queued = services.credential_edit(
                credential=credential,
                actor=request.user,
                changes={name: form.cleaned_data[name] for name in form.fields},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if queued:
                messages.success(
                    request,
                    f"Saved. Your {CREDENTIAL_KIND_LABELS[kind]} is waiting for verification; its badge shows again once "
                    "staff have checked it.",
                )
            else:
                messages.success(request, "Saved.")
            return redirect("dashboard:home")
    context = {"form": form, "kind": kind, "kind_label": CREDENTIAL_KIND_LABELS[kind], "credential": credential}
    return render(request, "dashboard/credential_form.html", context)


# ---------------------------------------------------------------- photo


@listing_required
@require_http_methods(["GET", "POST"])
def photo(request: HttpRequest, listing: Practitioner) -> HttpResponse:
    form = PhotoForm(_posted(request), _files(request))
    if request.method == "POST" and form.is_valid():
        services.photo_set(practitioner=listing, actor=request.user, renditions=form.cleaned_data["photo"])
        messages.success(request, "Your photo is saved.")
        return redirect("dashboard:home")
    return render(request, "dashboard/photo_form.html", {"form": form, "p": listing})


@listing_required
@require_POST
def photo_remove(request: HttpRequest, listing: Practitioner) -> HttpResponse:
    services.photo_remove(practitioner=listing, actor=request.user)
    messages.success(request, "Your photo is removed.")
    return redirect("dashboard:home")


# ---------------------------------------------------------------- reviews


@listing_required
def reviews(request: HttpRequest, listing: Practitioner) -> HttpResponse:
    items = [
        (
            review,
            ReplyForm(
                initial={"text": review.reply.text} if hasattr(review, "reply") else None, prefix=f"r{review.pk}"
            ),
        )
        for review in selectors.listing_reviews(practitioner=listing)
    ]
    return render(request, "dashboard/reviews.html", {"p": listing, "items": items})


def _own_review(listing: Practitioner, pk: int) -> Review:
    return get_object_or_404(selectors.listing_reviews(practitioner=listing), pk=pk)


@listing_required
@require_POST
def review_reply(request: HttpRequest, listing: Practitioner, pk: int) -> HttpResponse:
    review = _own_review(listing, pk)
    form = ReplyForm(request.POST, prefix=f"r{review.pk}")
    if form.is_valid():
        try:
            review_services.review_reply_save(review=review, actor=request.user, text=form.cleaned_data["text"])
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
        else:
            messages.success(request, "Your reply is published under the review.")
            return redirect("dashboard:reviews")
    items = [
        (item, form if item.pk == review.pk else ReplyForm(prefix=f"r{item.pk}"))
        for item in selectors.listing_reviews(practitioner=listing)
    ]
    return render(request, "dashboard/reviews.html", {"p": listing, "items": items}, status=400)


@listing_required
@require_POST
def review_reply_delete(request: HttpRequest, listing: Practitioner, pk: int) -> HttpResponse:
    review = _own_review(listing, pk)
    review_services.review_reply_delete(review=review, actor=request.user)
    messages.success(request, "Your reply is deleted.")
    return redirect("dashboard:reviews")


# ---------------------------------------------------------------- staff: change history


@staff_member_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything that changed on one listing — fields, locations, hours, credentials — newest first."""
    practitioner = get_object_or_404(Practitioner, pk=pk)
    return render(
        request, "dashboard/history.html", {"p": practitioner, "entries": listing_history(practitioner=practitioner)}
    )
