"""The daily retention job, for the scheduler (settings.DAILY_TASKS, `manage.py run_scheduler`)."""

from django.tasks import task

from .services import contact_requests_delete_expired


@task
def delete_expired_requests() -> str:
    """Delete contact requests ended more than CONTACT_RETENTION_DAYS ago; the summary is the result."""
    requests, reports = contact_requests_delete_expired()
    return f"Deleted {requests} expired contact request(s) and {reports} resolved spam report(s)."
