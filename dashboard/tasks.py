"""The daily freshness reminders as a task, for the scheduler (`manage.py run_scheduler`)."""

from io import StringIO

from django.core.management import call_command
from django.tasks import task


@task
def send_freshness_reminders() -> str:
    """`manage.py send_freshness_reminders` for now; its summary line is the task's result."""
    out = StringIO()
    call_command("send_freshness_reminders", stdout=out)
    return out.getvalue().strip()
