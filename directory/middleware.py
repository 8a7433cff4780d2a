"""Request-body cap; response headers Django has no setting for (and, for benchmarks only, Server-Timing)."""

import time
from collections.abc import Callable
from contextlib import ExitStack
from http import HTTPStatus

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.urls import reverse
from django.utils.html import escape

from search.cache import search_cache_lookups

# A directory needs none of these browser features; deny them to every frame. Geolocation only for
# our own pages: "Use my location" on the search form (static/js/place-suggest.js) asks the browser.
PERMISSIONS_POLICY = ", ".join(
    [
        "geolocation=(self)",
        *(
            f"{feature}=()"
            for feature in (
                "accelerometer",
                "camera",
                "gyroscope",
                "magnetometer",
                "microphone",
                "payment",
                "usb",
                "interest-cohort",
            )
        ),
    ]
)


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is larger than REQUEST_BODY_MAX_BYTES with a 413,
    before anything (CSRF, forms, upload handlers) reads a byte of it.

    Under WSGI, Django reads at most CONTENT_LENGTH bytes of a body (a body without one
    reads as empty), so checking the declared length bounds what is streamed. The proxy in
    front refuses earlier still (`client_max_body_size`, docs/deployment.md).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads such a body as empty
        limit = settings.REQUEST_BODY_MAX_BYTES
        if request.path_info == reverse("admin:jobs_importrun_add"):
            limit += settings.IMPORT_UPLOAD_MAX_BYTES  # staff only: the admin checks permission before reading
        if declared > limit:
            megabytes = limit // (1024 * 1024)
            message = (
                f"This request is {declared / 1024 / 1024:.1f} MB; Meridian accepts at most {megabytes} MB "
                "(photos: 5 MB). Go back and choose a smaller file."
            )
            page = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Too large</title></head>'
                f"<body><h1>Too large</h1><p>{escape(message)}</p></body></html>"
            )
            return HttpResponse(page, status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        return self.get_response(request)


# Text worth compressing; images (photos from /media/) are compressed already.
COMPRESSIBLE_TYPES = ("text/", "application/json", "application/javascript", "application/xml", "image/svg+xml")


class AnonymousGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (which pads each response with 0–99 random bytes against BREACH), for
    text responses to visitors without a session only.

    BREACH reads a secret out of a compressed page by injecting guesses into the same page and
    watching its size. An anonymous page carries one secret, the CSRF token, and Django masks it
    anew on every response. Pages for someone with a session (signed in, or mid sign-up or reset)
    carry their personal data and the admin's, beside reflected input such as search terms, so
    they are sent uncompressed. See docs/deployment.md ("Compression").
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session_cookie = settings.SESSION_COOKIE_NAME
        if session_cookie in request.COOKIES or session_cookie in response.cookies:
            return response
        if not response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES):
            return response
        return super().process_response(request, response)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class ServerTimingMiddleware:
    """Benchmarks only: a `Server-Timing` header with the request's time in Django and in SQL.

    `total` is everything from this middleware inwards (the other middleware, the view,
    template rendering); `sql` is the time spent executing queries on every database
    connection, with the number of queries in its description, e.g.
    `total;dur=12.345, sql;dur=3.210;desc="6 queries", cache;desc="hits=2 misses=1"` (the search
    cache's lookups, `search.cache.cached_search_value`). It tells anyone how long the
    database took, so it is installed only when SERVER_TIMING=true (settings/base.py),
    outermost, by the benchmark (bench/).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sql = _SqlClock()
        hits_before, misses_before = search_cache_lookups()
        started = time.perf_counter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(sql))
            response = self.get_response(request)
        total = (time.perf_counter() - started) * 1000
        hits, misses = search_cache_lookups()
        response.headers["Server-Timing"] = (
            f'total;dur={total:.3f}, sql;dur={sql.seconds * 1000:.3f};desc="{sql.queries} queries", '
            f'cache;desc="hits={hits - hits_before} misses={misses - misses_before}"'
        )
        return response


class _SqlClock:
    """An execute wrapper that adds up the time and the number of the queries it sees."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1
