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
    target = (root / path).resolve()
    content_type = UPLOAD_TYPES.get(target.suffix.lower())
    if content_type is None or not target.is_relative_to(root) or not target.is_file():
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
