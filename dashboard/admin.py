"""Staff decide listing claims here. Every decision goes through `dashboard.services`.

"Claims awaiting review" (the PendingClaim proxy) is the queue; "Claims" is the
full record, read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from .models import CLAIM_NOTE_MAX_LENGTH, Claim, FreshnessReminder, PendingClaim
from .selectors import claim_license_matches
from .services import claim_approve, claim_decision_conflict, claim_reject

CLAIM_FIELDS = (
    "practitioner",
    "user",
    "license_state",
    "license_number",
    "message",
    "status",
    "reviewed_by",
    "reviewed_at",
    "note",
    "created_at",
)


class RejectClaimsForm(forms.Form):
    note = forms.CharField(
        label="Why (the claimant sees this)", max_length=CLAIM_NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReadOnlyClaimAdmin(admin.ModelAdmin):
    list_display = ("created_at", "practitioner", "user", "license", "license_on_listing", "status")
    list_select_related = ("practitioner", "user")
    search_fields = ("practitioner__name", "user__email", "license_number")
    readonly_fields = (*CLAIM_FIELDS, "license_on_listing", "listing_links")
    fields = (*CLAIM_FIELDS[:4], "license_on_listing", "listing_links", *CLAIM_FIELDS[4:])
    date_hierarchy = "created_at"

    @admin.display(description="License given")
    def license(self, claim: Claim) -> str:
        return f"{claim.license_state_id} {claim.license_number}"

    @admin.display(description="License on the listing?", boolean=True)
    def license_on_listing(self, claim: Claim) -> bool:
        return claim_license_matches(claim)

    @admin.display(description="Listing")
    def listing_links(self, claim: Claim) -> str:
        return format_html(
            '<a href="{}">Profile</a> · <a href="{}">Edit listing and licenses</a> · <a href="{}">Change history</a>',
            claim.practitioner.get_absolute_url(),
            reverse("admin:practitioners_practitioner_change", args=[claim.practitioner_id]),
            reverse("dashboard:history", args=[claim.practitioner_id]),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        claim = self.get_object(request, unquote(object_id))
        if claim is not None and (conflict := claim_decision_conflict(claim=claim, actor=request.user)):
            messages.warning(request, conflict)
        return super().change_view(request, object_id, form_url, extra_context)

    # Both changelists use the Claim permissions (the proxy's own are not needed).
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("dashboard.view_claim") or request.user.has_perm("dashboard.change_claim")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The change page is read-only; decisions are the actions, which need this permission.
        return request.user.has_perm("dashboard.change_claim")


@admin.register(Claim)
class ClaimAdmin(ReadOnlyClaimAdmin):
    list_filter = ("status", "license_state")
    actions = None


@admin.register(PendingClaim)
class PendingClaimAdmin(ReadOnlyClaimAdmin):
    """The queue: claims awaiting review, oldest first."""

    actions = ["approve_claims", "reject_claims"]
    ordering = ("created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).pending()

    @admin.action(description="Approve selected claims (only where the license is on the listing)")
    def approve_claims(self, request: HttpRequest, queryset: QuerySet) -> None:
        approved = 0
        for claim in queryset:
            try:
                claim_approve(claim=claim, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"Not approved: {claim.practitioner} — {reason}", messages.ERROR)
            else:
                approved += 1
        if approved:
            self.message_user(request, f"Approved {approved} claim(s); the claimants now keep their listings.")

    @admin.action(description="Reject selected claims…")
    def reject_claims(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = RejectClaimsForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            rejected = 0
            for claim in queryset:
                try:
                    claim_reject(claim=claim, actor=request.user, note=form.cleaned_data["note"])
                except (ValidationError, PermissionDenied) as exc:
                    reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                    self.message_user(request, f"Not rejected: {claim.practitioner} — {reason}", messages.ERROR)
                else:
                    rejected += 1
            if rejected:
                self.message_user(request, f"Rejected {rejected} claim(s); the claimants are emailed your note.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject claims",
            "claims": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "dashboard/admin/reject_claims.html", context)


@admin.register(FreshnessReminder)
class FreshnessReminderAdmin(admin.ModelAdmin):
    list_display = ("sent_at", "practitioner", "sent_to", "period_start")
    search_fields = ("practitioner__name", "sent_to")
    list_select_related = ("practitioner",)
    readonly_fields = ("practitioner", "period_start", "sent_to", "sent_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
