"""Staff's view of the background work: the outbox, the daily runs, the imports (started here with
an upload, run by a worker, their progress on their page), and the queue's tasks with the failed
ones' errors and a "retry" action (django-tasks-db's own task admin, plus the action)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from practitioners.models import StateBoard
from verification.roster import PRESETS, parse_mapping

from . import services
from .models import ImportRun, OutboundEmail, ScheduledRun, TaskRetry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ("subject", "to", "status", "attempts", "last_error", "created_at", "sent_at")
    list_filter = ("status",)
    search_fields = ("to", "subject", "key")


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = ("job", "day", "task_id", "enqueued_at")
    list_filter = ("job",)


@admin.register(TaskRetry)
class TaskRetryAdmin(ReadOnlyAdmin):
    list_display = ("failed_task_id", "retry_task_id", "retried_by", "retried_at")


class ImportStartForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportRun.Kind.choices, label="What the file is")
    file = forms.FileField(
        label="CSV file",
        help_text="The CSV itself (not zipped). Larger files: the command line (docs/deployment.md).",
    )
    state = forms.ModelChoiceField(
        queryset=StateBoard.objects.issuing_credentials().order_by("state"),
        required=False,
        help_text="Rosters only: the board whose roster this is.",
    )
    preset = forms.ChoiceField(
        choices=[(name, f"{name}: {preset.description}") for name, preset in sorted(PRESETS.items())],
        initial="meridian",
        required=False,
        help_text="Rosters only: the file's column layout.",
    )
    columns = forms.CharField(
        required=False, max_length=500, help_text="Rosters only: field=column pairs overriding the preset."
    )
    license_types = forms.CharField(
        required=False, max_length=300, help_text="Rosters only: keep rows of these license types (comma-separated)."
    )
    apply = forms.BooleanField(
        required=False,
        help_text="Rosters only: verify exact matches and update verified licenses (otherwise only a report).",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        services.import_upload_check(upload)
        return upload

    def clean_columns(self) -> str:
        text = self.cleaned_data["columns"]
        try:
            parse_mapping(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        return text

    def clean(self):
        data = super().clean()
        if data.get("kind") == ImportRun.Kind.ROSTER and not data.get("state"):
            self.add_error("state", "A roster import needs the board's state.")
        return data

    def options(self) -> dict:
        data = self.cleaned_data
        if data["kind"] == ImportRun.Kind.NPPES:
            return {}
        return {
            "state": data["state"].pk,
            "preset": data["preset"] or "meridian",
            "columns": data["columns"],
            "license_types": [t.strip() for t in data["license_types"].split(",") if t.strip()],
            "apply": data["apply"],
        }


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """ "Add" is the upload form (staff with jobs.add_importrun); a run's page shows its progress and
    reloads itself (a meta refresh, no script) while the run is queued or running."""

    list_display = (
        "original_name",
        "kind",
        "state",
        "rows_read",
        "created",
        "updated",
        "skipped",
        "errors",
        "created_at",
    )
    list_filter = ("kind", "state")
    change_form_template = "admin/jobs/importrun/change_form.html"
    fields = (
        ("kind", "state"),
        ("original_name", "size"),
        "options",
        ("rows_read", "created", "updated", "unchanged", "skipped", "errors"),
        "error",
        "problems",
        "summary",
        ("started_by", "created_at", "started_at", "finished_at"),
        "task_id",
    )
    readonly_fields = [name for row in fields for name in (row if isinstance(row, tuple) else (row,))]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.IMPORT_PERMISSION)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        # Who may start imports may follow them.
        return self.has_add_permission(request) or super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportStartForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                run = services.import_run_start(
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    options=form.options(),
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, f"Import of {run.original_name} queued.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:jobs_importrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Start an import",
            "form": form,
        }
        return TemplateResponse(request, "admin/jobs/importrun/start.html", context)


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ("task_name", "status", "error", "enqueued_at", "finished_at", "queue_name", "id")
    actions = ["retry_failed"]

    @admin.display(description="error")
    def error(self, obj: DBTaskResult) -> str:
        if not obj.traceback:
            return "-"
        return obj.traceback.strip().splitlines()[-1][:200]

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.RETRY_PERMISSION)

    @admin.action(description="Retry the selected failed tasks", permissions=["retry"])
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[DBTaskResult]) -> None:
        retried = 0
        for result in queryset:
            try:
                services.task_retry(result=result, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request,
                    f"{result.task_name} ({result.id}): {' '.join(exc.messages) if hasattr(exc, 'messages') else exc}",
                    messages.WARNING,
                )
            else:
                retried += 1
        if retried:
            self.message_user(request, f"Enqueued {retried} task(s) again.", messages.SUCCESS)
