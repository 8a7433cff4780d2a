"""Project-level views: uploaded files, served safely; a health check."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

# Only re-encoded images are ever stored; anything else under MEDIA_ROOT is not served.
UPLOAD_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


@require_safe
def serve_upload(request: HttpRequest, path: str) -> FileResponse:
    """Serve a user upload as an image, never as HTML or script.

    In a multi-machine deployment uploads live in shared storage and are served
    by it; this view is for a single machine and for development.
    """
    root = Path(settings.MEDIA_ROOT).resolve()
    try:
        target = (root / path).resolve()
        content_type = UPLOAD_TYPES.get(target.suffix.lower())
        found = content_type is not None and target.is_relative_to(root) and target.is_file()
    except (ValueError, OSError):
        # A NUL byte in the path (ValueError), a name longer than the file system allows (OSError).
        found = False
    if not found:
        raise Http404("No such upload.")
    response = FileResponse(target.open("rb"), content_type=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers, and the benchmark's baseline: answers "ok" without touching the
    database or a template, so it measures only Django's request handling and middleware."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
