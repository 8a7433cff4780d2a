"""The daily credential upkeep as a task, for the scheduler (`manage.py run_scheduler`)."""

from io import StringIO

from django.core.management import call_command
from django.tasks import task


@task
def expire_credentials() -> str:
    """`manage.py expire_credentials` for today; its summary line is the task's result."""
    out = StringIO()
    call_command("expire_credentials", stdout=out)
    return out.getvalue().strip()
