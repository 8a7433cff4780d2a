"""Moderation in the admin. Every state change goes through reviews.services (which keeps the
practitioner's rating summary right); the admin never edits a review's fields or deletes one."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from . import services
from .forms import RejectForm
from .models import Review, ReviewReply, ReviewReport


def _apply(
    modeladmin: admin.ModelAdmin, request: HttpRequest, objects: QuerySet, action: Callable[[object], object], done: str
) -> None:
    """Run a service on each selected object; report successes and each refusal with its reason."""
    count = 0
    for obj in objects:
        try:
            action(obj)
        except (PermissionDenied, ValidationError) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            modeladmin.message_user(request, f"{obj}: {text}", messages.ERROR)
        else:
            count += 1
    if count:
        modeladmin.message_user(request, f"{count} {done}.", messages.SUCCESS)


class OpenReportsFilter(admin.SimpleListFilter):
    title = "reports"
    parameter_name = "reported"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("open", "Has open reports")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(reports__resolved_at__isnull=True).distinct()
        return queryset


def state_badge(state: str, label: str) -> str:
    """A review state as the admin's readable badge (static/css/admin-meridian.css)."""
    return render_to_string("admin/includes/state_badge.html", {"state": state, "label": label})


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("title", "practitioner", "author_name", "rating", "state_badge", "open_reports", "created_at")
    list_filter = ("state", OpenReportsFilter, "rating", "created_at")
    list_select_related = ("practitioner", "author")
    search_fields = (
        "title",
        "text",
        "practitioner__name",
        "practitioner__slug",
        "author__email",
        "author__display_name",
    )
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = ("publish_selected", "reject_selected", "remove_selected")
    readonly_fields = (
        "practitioner",
        "author",
        "author_name",
        "rating",
        "bedside_rating",
        "condition",
        "sessions",
        "pain_before",
        "pain_after",
        "would_recommend",
        "title",
        "text",
        "visit_month",
        "state",
        "rejection_reason",
        "moderated_at",
        "moderated_by",
        "published_at",
        "helpful_count",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("practitioner", "author", "author_name", "state", "rejection_reason")}),
        (
            "Review",
            {
                "fields": (
                    "title",
                    "text",
                    ("rating", "bedside_rating", "would_recommend"),
                    ("condition", "sessions", "visit_month"),
                    ("pain_before", "pain_after"),
                )
            },
        ),
        (
            "Moderation",
            {"fields": ("moderated_at", "moderated_by", "published_at", "helpful_count", "created_at", "updated_at")},
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(open_report_count=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
        )

    @admin.display(description="state", ordering="state")
    def state_badge(self, obj: Review) -> str:
        return state_badge(obj.state, obj.get_state_display())

    @admin.display(description="author (display name)")
    def author_name(self, obj: Review) -> str:
        return obj.author.public_name()

    @admin.display(description="open reports", ordering="open_report_count")
    def open_reports(self, obj: Review) -> int:
        return obj.open_report_count

    def change_view(self, request, object_id, form_url="", extra_context=None):
        review = self.get_object(request, unquote(object_id))
        if review is not None and (conflict := services.review_moderation_conflict(review=review, actor=request.user)):
            messages.warning(request, conflict)
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # patients write reviews on the site

    def has_delete_permission(self, request: HttpRequest, obj: Review | None = None) -> bool:
        return False  # "remove" keeps the record and updates the summary; deleting is the author's right

    @admin.action(description="Publish selected reviews", permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        _apply(
            self, request, queryset, lambda r: services.review_publish(review=r, moderator=request.user), "published"
        )

    def _with_reason(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        *,
        action: str,
        done: str,
        title: str,
        reason_required: bool,
        run: Callable[[Review, str], object],
    ) -> HttpResponse | None:
        """An intermediate page that asks for the reason the author will read, then runs `run`."""
        form = RejectForm(request.POST if "apply" in request.POST else None)
        form.fields["reason"].required = reason_required
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            _apply(self, request, queryset, lambda r: run(r, reason), done)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action": f"{action}_selected",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/reviews/review/moderation_reason.html", context)

    @admin.action(description="Reject selected reviews (with a reason for the author)", permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._with_reason(
            request,
            queryset,
            action="reject",
            done="rejected",
            title="Reject reviews",
            reason_required=True,
            run=lambda r, reason: services.review_reject(review=r, moderator=request.user, reason=reason),
        )

    @admin.action(description="Remove selected reviews", permissions=["change"])
    def remove_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._with_reason(
            request,
            queryset,
            action="remove",
            done="removed",
            title="Remove reviews",
            reason_required=False,
            run=lambda r, reason: services.review_remove(review=r, moderator=request.user, reason=reason),
        )


class ReportStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(ReviewReport)
class ReviewReportAdmin(admin.ModelAdmin):
    list_display = ("review_link", "review_state", "reason", "reporter", "created_at", "resolution", "resolved_at")
    list_filter = (ReportStateFilter, "reason", "resolution")
    list_select_related = ("review", "review__practitioner", "reporter")
    search_fields = ("review__title", "review__text", "details", "reporter__email")
    ordering = ("-created_at",)
    actions = ("resolve_keep", "resolve_remove")
    readonly_fields = (
        "review_link",
        "review_text",
        "reporter",
        "reason",
        "details",
        "created_at",
        "resolved_at",
        "resolved_by",
        "resolution",
        "resolution_note",
    )
    fields = readonly_fields

    @admin.display(description="review")
    def review_link(self, obj: ReviewReport) -> str:
        url = reverse("admin:reviews_review_change", args=[obj.review_id])
        return format_html('<a href="{}">{}</a> ({})', url, obj.review.title, obj.review.practitioner.name)

    @admin.display(description="review state", ordering="review__state")
    def review_state(self, obj: ReviewReport) -> str:
        return state_badge(obj.review.state, obj.review.get_state_display())

    @admin.display(description="review text")
    def review_text(self, obj: ReviewReport) -> str:
        return obj.review.text

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, unquote(object_id))
        if report is not None and (
            conflict := services.review_moderation_conflict(review=report.review, actor=request.user)
        ):
            messages.warning(request, conflict)
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ReviewReport | None = None) -> bool:
        return False

    @admin.action(description="Resolve: keep the review", permissions=["change"])
    def resolve_keep(self, request: HttpRequest, queryset: QuerySet) -> None:
        _apply(
            self,
            request,
            queryset.select_related("review"),
            lambda r: services.review_report_resolve(report=r, moderator=request.user, remove_review=False),
            "reports resolved (reviews kept)",
        )

    @admin.action(description="Resolve: remove the review", permissions=["change"])
    def resolve_remove(self, request: HttpRequest, queryset: QuerySet) -> None:
        _apply(
            self,
            request,
            queryset.select_related("review"),
            lambda r: services.review_report_resolve(report=r, moderator=request.user, remove_review=True),
            "reports resolved (reviews removed)",
        )


@admin.register(ReviewReply)
class ReviewReplyAdmin(admin.ModelAdmin):
    """Staff can read and, if a reply breaks the rules, delete it (replies don't affect the summary)."""

    list_display = ("review", "author", "updated_at")
    list_select_related = ("review", "author")
    search_fields = ("text", "review__title")
    readonly_fields = ("review", "author", "text", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
