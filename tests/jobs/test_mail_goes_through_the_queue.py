"""Mail always goes through jobs.services.email_enqueue (a task, on commit): no code of ours outside
jobs/tasks.py calls Django's mail API itself. Parsed from the source, like tests/test_architecture.py."""

import ast

from tests.test_architecture import APPS, ROOT

# Django's ways of sending mail, by the name a module imports or calls.
MAIL_API = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers", "EmailMessage", "EmailMultiAlternatives"}
# The one sender: the task that delivers the outbox.
SENDER = ROOT / "jobs" / "tasks.py"


def mail_api_uses(path) -> list[str]:
    uses = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core.mail"):
            uses += [f"{path.relative_to(ROOT)}:{node.lineno} imports {a.name}" for a in node.names]
        elif isinstance(node, ast.Attribute) and node.attr in MAIL_API:
            uses.append(f"{path.relative_to(ROOT)}:{node.lineno} uses .{node.attr}")
    return uses


def test_only_the_send_email_task_uses_djangos_mail_api():
    uses = [
        use
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if path != SENDER and "migrations" not in path.parts
        for use in mail_api_uses(path)
    ]
    assert not uses, f"send these through jobs.services.email_enqueue: {uses}"


def test_the_check_sees_a_direct_send():
    assert mail_api_uses(SENDER) == ["jobs/tasks.py:15 imports send_mail"]
