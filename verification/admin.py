"""Staff side of credential verification: the credential pages, the audit trail and the queue.

Verification happens here, but no decision is made here: every action (verify,
reject, mark restricted, revoke, bulk verify/reject) calls `verification.services`,
which changes the credential and writes its VerificationRecord in one transaction.
Actions require the model's *change* permission (the "Credential reviewers" group
has it); VerificationRecords can be read by reviewers and changed by nobody.

Pages:
- /admin/practitioners/verificationqueue/ — the queue (pending licenses, certifications
  and degrees, oldest first), with filters, search and bulk verify/reject.
- /admin/practitioners/<license|certification|degree>/<id>/change/ — one credential:
  its details, the board's lookup, earlier decisions and the practitioner's other credentials,
  with the decision forms (posted to …/<id>/decide/).
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from dashboard.admin import license_conflicts_html
from dashboard.models import Claim
from practitioners.admin import ReadOnlyHistoryAdmin
from practitioners.conflicts import ConflictOfInterest, credential_conflict
from practitioners.models import (
    CREDENTIAL_BOOKKEEPING_FIELDS,
    Certification,
    Degree,
    License,
    StateBoard,
    VerificationQueue,
    VerificationRecord,
    VerificationState,
)

from . import queue, services
from .forms import DECISION_FORMS, BulkDecisionForm, DecisionForm

NCCAOM_LOOKUP_URL = "https://www.nccaom.org/"
ACAHM_LOOKUP_URL = "https://acahm.org/"
QUEUE_PAGE_SIZE = 50


# ---------------------------------------------------------------- helpers


def _add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError beside the matching form field (or on top of the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _posted_versions(request: HttpRequest, credentials: list, name: Callable[[Any], str]) -> dict:
    """The version of each credential as the reviewer's page showed it (a hidden field per row).
    A missing field checks nothing; a malformed one never matches, so that decision is refused."""
    versions = {}
    for credential in credentials:
        raw = request.POST.get(name(credential))
        if raw is not None:
            versions[credential] = int(raw) if raw.isdigit() and len(raw) < 10 else -1
    return versions


def _report_bulk(request: HttpRequest, outcome: services.BulkOutcome, decision: str) -> None:
    done = "verified" if decision == "verify" else "rejected"
    if outcome.done:
        messages.success(request, f"{len(outcome.done)} credential(s) {done}.")
    for credential, error in outcome.failed:
        messages.error(request, f"{credential}: not {done}. {error}")
    for credential, reason in outcome.skipped:
        messages.warning(request, f"{credential}: not {done}. {reason}")


# ---------------------------------------------------------------- credentials


def admin_change_url(credential) -> str:
    opts = credential._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[credential.pk])


def lookup_for(credential) -> tuple[str, str]:
    """(where to check, its address) for a credential: the state board's lookup for a license."""
    if isinstance(credential, License):
        board = credential.state
        return board.board_name, board.lookup_url
    if isinstance(credential, Certification):
        return "NCCAOM certification verification", NCCAOM_LOOKUP_URL
    return (
        f"{credential.school.name} — {credential.school.get_accreditation_display()} (ACAHM directory)",
        ACAHM_LOOKUP_URL,
    )


def verification_panel(request: HttpRequest, credential, bound_form: DecisionForm | None = None) -> dict:
    """Everything a reviewer needs beside the credential's details: where to check it, what was decided
    before, the practitioner's other credentials, and the decisions available now."""
    practitioner = credential.practitioner
    records = (
        VerificationRecord.objects.filter(
            credential_type=ContentType.objects.get_for_model(type(credential)), credential_id=credential.pk
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
    others = [
        *License.objects.filter(practitioner=practitioner).select_related("state"),
        *Certification.objects.filter(practitioner=practitioner),
        *Degree.objects.filter(practitioner=practitioner).select_related("school"),
    ]
    others = [
        (queue.KIND_LABELS[queue.KIND_OF_MODEL[type(other)]], other, admin_change_url(other))
        for other in others
        if not (type(other) is type(credential) and other.pk == credential.pk)
    ]
    can_decide = request.user.has_perm(f"{credential._meta.app_label}.change_{credential._meta.model_name}")
    # Their own listing's credential: the reason replaces the decision buttons.
    conflict = services.credential_decision_conflict(credential=credential, actor=request.user) if can_decide else None
    decision_forms = []
    if can_decide and conflict is None:
        for decision, form_class in DECISION_FORMS.items():
            if not form_class.available_for(credential):
                continue
            if bound_form is not None and bound_form.decision == decision:
                decision_forms.append(bound_form)
            else:
                initial = {"version": credential.version}
                if "source" in form_class.base_fields:
                    initial["source"] = lookup_for(credential)[1]
                decision_forms.append(form_class(prefix=decision, initial=initial))
    lookup_name, lookup_url = lookup_for(credential)
    return {
        "credential": credential,
        "practitioner": practitioner,
        "kind_label": queue.KIND_LABELS[queue.KIND_OF_MODEL[type(credential)]],
        "lookup_name": lookup_name,
        "lookup_url": lookup_url,
        "records": records,
        # What the decision applies to, as stored now (version `credential.version`).
        "details": [
            (credential._meta.get_field(name).verbose_name, getattr(credential, name))
            for name in services.DETAIL_FIELDS[type(credential)]
        ],
        "other_credentials": others,
        "decision_forms": decision_forms,
        "can_decide": can_decide,
        "conflict": conflict,
        "decide_url": reverse(
            f"admin:{credential._meta.app_label}_{credential._meta.model_name}_decide", args=[credential.pk]
        ),
        "queue_url": reverse("admin:practitioners_verificationqueue_changelist"),
    }


class CredentialAdmin(ReadOnlyHistoryAdmin):
    """Shared by licenses, certifications and degrees."""

    change_form_template = "admin/practitioners/credential/change_form.html"
    detail_fields: tuple[str, ...] = ()
    actions = ["verify_selected", "reject_selected"]
    list_per_page = 50

    class Media:
        css = {"all": ["css/admin-verification.css"]}

    def get_fieldsets(self, request, obj=None):
        return [
            ("What the practitioner states", {"fields": ("practitioner", *self.detail_fields)}),
            ("Verification (changed only by decisions)", {"fields": CREDENTIAL_BOOKKEEPING_FIELDS}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return CREDENTIAL_BOOKKEEPING_FIELDS
        if request.user.is_superuser:
            return ("practitioner", *CREDENTIAL_BOOKKEEPING_FIELDS)
        # Reviewers decide; they do not rewrite what the practitioner stated.
        return ("practitioner", *self.detail_fields, *CREDENTIAL_BOOKKEEPING_FIELDS)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("practitioner")

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # A superuser correcting the details: the same rule as the practitioner's own edit.
        detail_changes = {name: form.cleaned_data[name] for name in form.changed_data if name in self.detail_fields}
        if detail_changes:
            services.credential_update_details(credential=obj, actor=request.user, changes=detail_changes)

    # A new credential is saved as it is above (unverified: it counts for nothing in search until a
    # decision, which goes through the services); a deletion goes through the service.

    def delete_model(self, request, obj):
        services.credential_staff_delete(credential=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for credential in queryset:
            services.credential_staff_delete(credential=credential, actor=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_view_or_change_permission(request, obj):
            extra_context["panel"] = verification_panel(request, obj)
        if not request.user.is_superuser:
            extra_context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        opts = self.opts
        return [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name=f"{opts.app_label}_{opts.model_name}_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST one decision (verify, reject, restrict, unrestrict, revoke) on one credential."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such credential.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        change_url = admin_change_url(obj)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form_class = DECISION_FORMS.get(request.POST.get("decision", ""))
        if form_class is None or not form_class.available_for(obj):
            messages.error(request, "That decision is not available for this credential in its current state.")
            return HttpResponseRedirect(change_url)
        form = form_class(request.POST, prefix=form_class.decision)
        if form.is_valid():
            try:
                record = form.apply(credential=obj, actor=request.user)
            except ConflictOfInterest as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(change_url)
            except services.CredentialChanged as exc:
                # Nothing decided: show the page again with the current details and fresh forms.
                messages.error(request, " ".join(exc.messages) + " Check the details again, then decide.")
                return HttpResponseRedirect(change_url)
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                self.log_change(request, obj, f"{record.old_state} → {record.new_state}: {form_class.title}")
                messages.success(request, f"{obj}: {form_class.title.lower()} — recorded.")
                return HttpResponseRedirect(_safe_next(request, change_url))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{form_class.title}: {obj}",
            "panel": verification_panel(request, obj, bound_form=form),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/practitioners/credential/decide.html", context)

    # ---- bulk actions on the changelist

    @admin.action(description="Verify selected credentials…", permissions=["change"])
    def verify_selected(self, request, queryset):
        return self._bulk_decision(request, queryset, "verify")

    @admin.action(description="Reject selected credentials…", permissions=["change"])
    def reject_selected(self, request, queryset):
        return self._bulk_decision(request, queryset, "reject")

    def _bulk_decision(self, request: HttpRequest, queryset: QuerySet, decision: str) -> HttpResponse | None:
        if "apply" in request.POST:
            form = BulkDecisionForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                credentials = list(queryset)
                outcome = services.credentials_decide_bulk(
                    credentials=credentials,
                    decision=data["decision"],
                    actor=request.user,
                    source=data["source"],
                    note=data["note"],
                    versions=_posted_versions(request, credentials, lambda c: f"version-{c.pk}"),
                )
                _report_bulk(request, outcome, data["decision"])
                return None
        else:
            form = BulkDecisionForm(initial={"decision": decision})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Verify or reject several credentials",
            "form": form,
            "credentials": list(queryset),
            "action": request.POST.get("action", f"{decision}_selected"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/practitioners/credential/bulk_decision.html", context)


@admin.register(License)
class LicenseAdmin(CredentialAdmin):
    # `restricted` is shown with what the practitioner states, always read-only (the restrict / lift decisions).
    detail_fields = (*services.DETAIL_FIELDS[License], "restricted")
    list_display = (
        "__str__",
        "practitioner",
        "state",
        "verification_state",
        "board_status",
        "restricted",
        "expiry_date",
    )
    list_filter = ("verification_state", "board_status", "restricted", "state")
    list_select_related = ("practitioner", "state")
    search_fields = ("number", "practitioner__name")
    raw_id_fields = ("practitioner",)

    def get_readonly_fields(self, request, obj=None):
        # `restricted` changes only through the restrict / lift decisions.
        fields = super().get_readonly_fields(request, obj)
        fields = fields if "restricted" in fields else (*fields, "restricted")
        return (*fields, "same_license_elsewhere") if obj is not None else fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        # Unverified duplicates may exist (only a verified license is unique): show them.
        return [*fieldsets, ("Conflicts", {"fields": ("same_license_elsewhere",)})]

    @admin.display(description="Same license on other listings")
    def same_license_elsewhere(self, obj: License) -> str:
        return license_conflicts_html(
            state=obj.state_id, number=obj.number, exclude_practitioner_id=obj.practitioner_id
        )


@admin.register(Certification)
class CertificationAdmin(CredentialAdmin):
    detail_fields = services.DETAIL_FIELDS[Certification]
    list_display = ("__str__", "practitioner", "verification_state", "status", "expiry_date")
    list_filter = ("verification_state", "cert_type", "status")
    search_fields = ("number", "practitioner__name")
    raw_id_fields = ("practitioner",)


@admin.register(Degree)
class DegreeAdmin(CredentialAdmin):
    detail_fields = services.DETAIL_FIELDS[Degree]
    list_display = ("__str__", "practitioner", "verification_state", "school", "graduation_year")
    list_filter = ("verification_state", "degree", "school__accreditation")
    list_select_related = ("practitioner", "school")
    search_fields = ("practitioner__name", "school__name")
    raw_id_fields = ("practitioner", "school")


# ---------------------------------------------------------------- audit trail


@admin.register(VerificationRecord)
class VerificationRecordAdmin(admin.ModelAdmin):
    """Append-only: nobody adds, changes or deletes records through the admin, superusers included."""

    list_display = ("created_at", "credential_label", "practitioner", "old_state", "new_state", "actor_label", "source")
    list_filter = ("new_state", "credential_type")
    list_select_related = ("practitioner",)
    search_fields = ("credential_label", "practitioner__name", "note", "actor_label")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# ---------------------------------------------------------------- the queue


@admin.register(VerificationQueue)
class VerificationQueueAdmin(admin.ModelAdmin):
    """One page listing every pending license, certification and degree, oldest first."""

    def has_view_permission(self, request, obj=None) -> bool:
        user = request.user
        return any(user.has_perm(f"practitioners.view_{model._meta.model_name}") for model in queue.KINDS.values())

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "", self.admin_site.admin_view(self.changelist_view), name="practitioners_verificationqueue_changelist"
            )
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        filters = queue.parse_queue_filters(request.GET, set(StateBoard.objects.values_list("state", flat=True)))
        bulk_form = BulkDecisionForm()
        selection_error = ""
        if request.method == "POST":
            bulk_form = BulkDecisionForm(request.POST)
            selected = self._selected_credentials(request)
            if not selected:
                selection_error = "Select at least one credential."
            elif bulk_form.is_valid():
                data = bulk_form.cleaned_data
                outcome = services.credentials_decide_bulk(
                    credentials=selected,
                    decision=data["decision"],
                    actor=request.user,
                    source=data["source"],
                    note=data["note"],
                    versions=_posted_versions(
                        request, selected, lambda c: f"version-{queue.KIND_OF_MODEL[type(c)]}-{c.pk}"
                    ),
                )
                _report_bulk(request, outcome, data["decision"])
                return HttpResponseRedirect(self._url(filters))
        entries = queue.queue_entries(filters)
        page = Paginator(entries, QUEUE_PAGE_SIZE).get_page(request.GET.get("p"))
        can_decide = {kind: request.user.has_perm(f"practitioners.change_{kind}") for kind in queue.KINDS}
        checked = set(request.POST.getlist("selected")) if request.method == "POST" else set()
        rows = [
            {
                "row": row,
                "key": f"{row.kind}:{row.credential.pk}",
                "selectable": can_decide[row.kind] and conflict is None,
                "conflict": conflict,
                "checked": f"{row.kind}:{row.credential.pk}" in checked,
                "change_url": admin_change_url(row.credential),
            }
            for row, conflict in (
                # Their own listing's credentials: shown, never selectable, with the reason.
                (
                    row,
                    credential_conflict(
                        actor_id=request.user.pk, listing_owner_id=row.credential.practitioner.owner_id
                    ),
                )
                for row in queue.load_page(list(page.object_list))
            )
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Verification queue",
            "filters": filters,
            "filter_groups": self._filter_groups(filters),
            "page": page,
            "rows": rows,
            "now": timezone.now(),
            "today": timezone.localdate(),
            "can_decide": can_decide,
            "any_decision": any(can_decide.values()),
            "bulk_form": bulk_form,
            "selection_error": selection_error,
            "search_value": filters.q,
            "hidden_params": {k: v for k, v in filters.as_params().items() if k != "q"},
            "page_params": filters.as_params(),
            # Listing claims are checked against the same license records: show them beside the queue.
            "pending_claims": (
                Claim.objects.pending().count() if request.user.has_perm("dashboard.view_pendingclaim") else None
            ),
        }
        return TemplateResponse(request, "admin/practitioners/verificationqueue/queue.html", context)

    def _url(self, filters: queue.QueueFilters, **overrides: str | None) -> str:
        params = {**filters.as_params(), **overrides}
        query = QueryDict(mutable=True)
        for key, value in params.items():
            if value:
                query[key] = value
        base = reverse("admin:practitioners_verificationqueue_changelist")
        return f"{base}?{query.urlencode()}" if query else base

    def _filter_groups(self, filters: queue.QueueFilters) -> list[dict]:
        """Sidebar filters in the admin's own markup: (title, [(label, url, selected)])."""
        groups = [
            ("credential type", "kind", [(None, "All"), *queue.KIND_LABELS.items()]),
            (
                "verification state",
                "status",
                [(VerificationState.PENDING, "Pending (the queue)"), (queue.ANY_STATUS, "Any state")]
                + [(value, label) for value, label in VerificationState.choices if value != VerificationState.PENDING],
            ),
            ("waiting", "waited", [(None, "Any time"), *queue.WAITED_CHOICES.items()]),
            ("expiry", "expiring", [(None, "Any"), *queue.EXPIRING_CHOICES.items()]),
            ("state", "state", [(None, "All states"), *queue.state_choices()]),
        ]
        result = []
        for title, param, choices in groups:
            current = getattr(filters, param)
            links = [
                {
                    "label": label,
                    "url": self._url(filters, **{param: value}),
                    "selected": (current or None) == value,
                }
                for value, label in choices
            ]
            # The long list of states starts folded unless one is chosen.
            result.append({"title": title, "links": links, "open": param != "state" or bool(current)})
        return result

    def _selected_credentials(self, request: HttpRequest) -> list:
        """The credentials ticked on the queue page ("license:12"), only those this user may decide."""
        wanted: dict[str, list[int]] = {}
        for value in request.POST.getlist("selected"):
            kind, _, pk = value.partition(":")
            if kind in queue.KINDS and pk.isdigit():
                wanted.setdefault(kind, []).append(int(pk))
        selected = []
        for kind, pks in wanted.items():
            if not request.user.has_perm(f"practitioners.change_{kind}"):
                raise PermissionDenied
            selected.extend(queue.KINDS[kind].objects.filter(pk__in=pks).select_related("practitioner"))
        return selected
