"""Staff's view of the background work: the outbox, the daily runs, and the queue's tasks with the
failed ones' errors and a "retry" action (django-tasks-db's own task admin, plus the action)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from . import services
from .models import OutboundEmail, ScheduledRun, TaskRetry


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
