"""Staff see spam reports (with the copy of the reported message) and resolve them through
`contact.services.spam_report_resolve`, never on a report about themselves or their own listing.
Requests themselves are shown without their messages or health details: staff have no need to read them."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from practitioners.conflicts import spam_report_conflict

from . import services
from .models import ContactRequest, SpamReport


@admin.register(SpamReport)
class SpamReportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "practitioner", "patient", "excerpt", "resolution", "resolved_at")
    list_filter = ("resolution",)
    list_select_related = ("practitioner", "patient")
    readonly_fields = (
        "practitioner",
        "patient",
        "request",
        "message_copy",
        "created_at",
        "resolved_at",
        "resolved_by",
        "resolution",
    )
    fields = readonly_fields
    actions = ["resolve_spam", "resolve_not_spam"]

    @admin.display(description="message")
    def excerpt(self, obj: SpamReport) -> str:
        return obj.message_copy[:120]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, unquote(object_id))
        if report is not None and (conflict := self._conflict(report, request)):
            messages.warning(request, conflict)
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _conflict(report: SpamReport, request: HttpRequest) -> str | None:
        return spam_report_conflict(
            actor_id=request.user.pk, patient_id=report.patient_id, listing_owner_id=report.practitioner.owner_id
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SpamReport | None = None) -> bool:
        return False

    def _resolve(self, request: HttpRequest, queryset: QuerySet, resolution: str) -> None:
        done = 0
        for report in queryset:
            try:
                services.spam_report_resolve(report=report, actor=request.user, resolution=resolution)
            except (PermissionDenied, ValidationError) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{report}: {text}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} report(s) resolved.", messages.SUCCESS)

    @admin.action(description="Resolve: it is spam", permissions=["change"])
    def resolve_spam(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._resolve(request, queryset, SpamReport.Resolution.SPAM)

    @admin.action(description="Resolve: not spam", permissions=["change"])
    def resolve_not_spam(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._resolve(request, queryset, SpamReport.Resolution.NOT_SPAM)


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    """Read only, and without the message, condition, insurance or contact details."""

    list_display = ("pk", "practitioner", "state", "created_at", "answered_at", "ended_at")
    list_filter = ("state",)
    list_select_related = ("practitioner",)
    fields = readonly_fields = ("practitioner", "state", "created_at", "answered_at", "ended_at", "closed_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ContactRequest | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ContactRequest | None = None) -> bool:
        return False
