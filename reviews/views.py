"""Thin views: find the objects (404 for what the user may not see), call a service, render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import user_has_verified_email
from practitioners.models import Practitioner

from . import services
from .forms import ReplyForm, ReportForm, ReviewForm
from .models import Review, ReviewReply, ReviewState
from .selectors import reviews_by_author


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "reviews/forbidden.html", {"message": message}, status=403)


def _published_practitioner(slug: str) -> Practitioner:
    return get_object_or_404(Practitioner.objects.published(), slug=slug)


def _next_or(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Redirect to a same-site `next` (e.g. the dashboard), else to the fallback."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def _review_anchor(review: Review) -> str:
    return f"{review.practitioner.get_absolute_url()}#review-{review.pk}"


def _content(form: ReviewForm) -> dict:
    return {name: form.cleaned_data[name] for name in form.fields}


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, slug: str) -> HttpResponse:
    practitioner = _published_practitioner(slug)
    if practitioner.owner_id == request.user.pk:
        return _forbidden(request, "You can't review your own listing.")
    existing = Review.objects.filter(author=request.user, practitioner=practitioner).first()
    if existing is not None:
        messages.info(request, "You have already reviewed this practitioner. You can edit your review here.")
        return redirect("reviews:edit", slug=slug, pk=existing.pk)
    if not user_has_verified_email(request.user):
        return _forbidden(
            request, "Confirm your email address before writing a review: use the link in the email we sent you."
        )

    form = ReviewForm(request.POST or None, treats=list(practitioner.conditions.order_by("name")))
    if request.method == "POST" and form.is_valid():
        try:
            services.review_create(author=request.user, practitioner=practitioner, **_content(form))
        except PermissionDenied as exc:
            return _forbidden(request, str(exc))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, "Thank you. Your review will appear on the profile once a moderator has checked it."
            )
            return redirect("my_reviews")
    return render(request, "reviews/review_form.html", {"form": form, "p": practitioner, "review": None})


def _own_review(request: HttpRequest, slug: str, pk: int) -> Review:
    """The signed-in author's review; anyone else's (or a wrong slug) is a 404, so pk guessing reveals nothing."""
    return get_object_or_404(
        Review.objects.select_related("practitioner", "condition"),
        pk=pk,
        practitioner__slug=slug,
        author=request.user,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    review = _own_review(request, slug, pk)
    if review.state == ReviewState.REMOVED:
        return _forbidden(request, "This review was removed by our moderators and can't be edited.")
    form = ReviewForm(
        request.POST or None,
        initial=ReviewForm.initial_from(review),
        treats=list(review.practitioner.conditions.order_by("name")),
    )
    if request.method == "POST" and form.is_valid():
        old_state = review.state
        try:
            updated = services.review_update(review=review, actor=request.user, **_content(form))
        except PermissionDenied as exc:
            return _forbidden(request, str(exc))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            if updated.state == ReviewState.PENDING and old_state != ReviewState.PENDING:
                messages.success(request, "Your review was updated and will be checked by a moderator again.")
            else:
                messages.success(request, "Your review was updated.")
            return redirect("my_reviews")
    return render(request, "reviews/review_form.html", {"form": form, "p": review.practitioner, "review": review})


@login_required
@require_http_methods(["GET", "POST"])
def review_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    review = _own_review(request, slug, pk)
    if request.method == "POST":
        services.review_delete(review=review, actor=request.user)
        messages.success(request, "Your review was deleted.")
        return redirect("my_reviews")
    return render(request, "reviews/review_confirm_delete.html", {"review": review, "p": review.practitioner})


def _published_review(slug: str, pk: int) -> Review:
    return get_object_or_404(
        Review.objects.published().select_related("practitioner"),
        pk=pk,
        practitioner__slug=slug,
        practitioner__status=Practitioner.Status.PUBLISHED,
    )


@login_required
@require_POST
def review_helpful(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    review = _published_review(slug, pk)
    try:
        voted = services.helpful_vote_toggle(review=review, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, "Thanks, marked as helpful." if voted else "Removed your “helpful” mark from this review."
        )
    return _next_or(request, _review_anchor(review))


@login_required
@require_http_methods(["GET", "POST"])
def review_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    review = _published_review(slug, pk)
    if review.author_id == request.user.pk:
        return _forbidden(request, "You can't report your own review; edit or delete it instead.")
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_report_create(
                review=review,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Thank you. Our moderators will look at this review.")
            return redirect(_review_anchor(review))
    return render(request, "reviews/report_form.html", {"form": form, "review": review, "p": review.practitioner})


@login_required
@require_http_methods(["GET", "POST"])
def review_reply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    review = _published_review(slug, pk)
    if review.practitioner.owner_id != request.user.pk:
        return _forbidden(request, "Only the practitioner who owns this listing can reply to its reviews.")
    reply = ReviewReply.objects.filter(review=review).first()
    form = ReplyForm(request.POST or None, initial={"text": reply.text if reply else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.review_reply_save(review=review, actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your reply is published." if reply is None else "Your reply was updated.")
            return _next_or(request, _review_anchor(review))
    context = {
        "form": form,
        "review": review,
        "reply": reply,
        "p": review.practitioner,
        "next": request.GET.get("next", ""),
    }
    return render(request, "reviews/reply_form.html", context)


@login_required
@require_POST
def review_reply_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    review = _published_review(slug, pk)
    if review.practitioner.owner_id != request.user.pk:
        return _forbidden(request, "Only the practitioner who owns this listing can delete its replies.")
    services.review_reply_delete(review=review, actor=request.user)
    messages.success(request, "Your reply was deleted.")
    return _next_or(request, _review_anchor(review))


@login_required
def my_reviews(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reviews/my_reviews.html",
        {"reviews": reviews_by_author(user=request.user), "create_hint_url": reverse("practitioners:list")},
    )
