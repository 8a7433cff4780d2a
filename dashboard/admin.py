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
from django.utils.html import format_html, format_html_join

from .models import CLAIM_NOTE_MAX_LENGTH, Claim, FreshnessReminder, PendingClaim
from .selectors import claim_license_matches, license_conflicts
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
PROOF_FIELDS = ("proof", "code_sends", "code_attempts", "proof_override_note")


def license_conflicts_html(*, state: str, number: str, exclude_practitioner_id: int | None) -> str:
    """Other listings carrying the same state and number (a squatter, a duplicate import), linked."""
    others = license_conflicts(state=state, number=number, exclude_practitioner_id=exclude_practitioner_id)
    if not others:
        return "None"
    return format_html_join(
        "; ",
        '<a href="{}">{}</a> ({}, license {}, {})',
        (
            (
                reverse("admin:practitioners_practitioner_change", args=[lic.practitioner_id]),
                lic.practitioner.name,
                f"kept by {lic.practitioner.owner}" if lic.practitioner.owner_id else "unclaimed",
                lic.get_verification_state_display().lower(),
                lic.practitioner.get_status_display().lower(),
            )
            for lic in others
        ),
    )


class ApproveWithoutProofForm(forms.Form):
    override_note = forms.CharField(
        label="How you checked instead (kept on the claim)",
        max_length=CLAIM_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="e.g. called the practice at the number on the state board's roster and spoke to the practitioner.",
    )


class RejectClaimsForm(forms.Form):
    note = forms.CharField(
        label="Why (the claimant sees this)", max_length=CLAIM_NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReadOnlyClaimAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "practitioner",
        "user",
        "license",
        "license_on_listing",
        "proof",
        "same_license_elsewhere",
        "status",
    )
    list_select_related = ("practitioner", "user")
    search_fields = ("practitioner__name", "user__email", "license_number")
    readonly_fields = (*CLAIM_FIELDS, *PROOF_FIELDS, "license_on_listing", "same_license_elsewhere", "listing_links")
    fields = (
        *CLAIM_FIELDS[:4],
        "license_on_listing",
        "same_license_elsewhere",
        *PROOF_FIELDS,
        "listing_links",
        *CLAIM_FIELDS[4:],
    )
    date_hierarchy = "created_at"

    @admin.display(description="License given")
    def license(self, claim: Claim) -> str:
        return f"{claim.license_state_id} {claim.license_number}"

    @admin.display(description="License on the listing?", boolean=True)
    def license_on_listing(self, claim: Claim) -> bool:
        return claim_license_matches(claim)

    @admin.display(description="Proof of control")
    def proof(self, claim: Claim) -> str:
        return claim.proof_label

    @admin.display(description="Same license on other listings")
    def same_license_elsewhere(self, claim: Claim) -> str:
        return license_conflicts_html(
            state=claim.license_state_id, number=claim.license_number, exclude_practitioner_id=claim.practitioner_id
        )

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

    actions = ["approve_claims", "approve_without_proof", "reject_claims"]
    ordering = ("created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).pending()

    @admin.action(description="Approve selected claims (only with a confirmed code and the license on the listing)")
    def approve_claims(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._approve(request, queryset, override_note="")

    @admin.action(description="Approve selected claims without a confirmed code (override, with a note)…")
    def approve_without_proof(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = ApproveWithoutProofForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._approve(request, queryset, override_note=form.cleaned_data["override_note"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Approve claims without a confirmed code",
            "claims": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "dashboard/admin/approve_without_proof.html", context)

    def _approve(self, request: HttpRequest, queryset: QuerySet, *, override_note: str) -> None:
        approved = 0
        for claim in queryset:
            try:
                claim_approve(claim=claim, actor=request.user, override_note=override_note)
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
