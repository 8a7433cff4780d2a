"""The FHIR endpoints: thin views that parse, call the selectors and return application/fhir+json.

Read-only and public: GET and HEAD only (405 with an OperationOutcome otherwise; CSRF-exempt
so that a POST is told 405, not 403, since nothing here changes state).
"""

import json
import math
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from rest_framework.throttling import AnonRateThrottle

from . import codes, selectors
from .bundle import operation_outcome, searchset
from .capability import capability_statement
from .params import parse_int_id
from .resources import (
    location_resource,
    organization_resource,
    practitioner_resource,
    practitioner_role_resource,
)
from .search import RESOURCES, Issue, SearchError, parse_search

ALLOWED_METHODS = ("GET", "HEAD")


def fhir_response(body: dict, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type=f"{codes.CONTENT_TYPE}; charset=utf-8",
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def outcome(status: int, code: str, message: str, expression: str | None = None, **headers) -> HttpResponse:
    return fhir_response(operation_outcome([Issue(code, message, expression)]), status, **headers)


class _AnonymousCaller:
    """What DRF's AnonRateThrottle reads of a request. Every FHIR caller is anonymous, as every
    JSON API caller is, so both APIs draw on the same per-address rate (API_ANON_RATE)."""

    def __init__(self, request: HttpRequest) -> None:
        self.META = request.META
        self.headers = request.headers
        self.user = AnonymousUser()


def fhir_view(view: Callable) -> Callable:
    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if request.method not in ALLOWED_METHODS:
            return outcome(
                405, "not-supported", f"This API is read-only; {request.method} is not allowed.", Allow="GET, HEAD"
            )
        throttle = AnonRateThrottle()
        if not throttle.allow_request(_AnonymousCaller(request), None):
            wait = throttle.wait()
            return outcome(
                429,
                "throttled",
                "Too many requests from this address; try again shortly.",
                Retry_After=str(math.ceil(wait or 1)),
            )
        try:
            return view(request, *args, **kwargs)
        except SearchError as error:
            return fhir_response(operation_outcome(error.issues), 400)
        except selectors.NotFound:
            return outcome(
                404, "not-found", f"No {kwargs.get('resource_type')} has the id “{kwargs.get('resource_id', '')[:64]}”."
            )

    return wrapped


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("metadata")


def unknown_type(resource_type: str) -> HttpResponse:
    supported = ", ".join(RESOURCES)
    return outcome(404, "not-supported", f"This server has no {resource_type[:64]} resources; it serves {supported}.")


def _render(request: HttpRequest, resource_type: str, row) -> dict:
    if resource_type == "Practitioner":
        profile_url = request.build_absolute_uri(row.get_absolute_url())
        return practitioner_resource(row, today=timezone.localdate(), profile_url=profile_url)
    if resource_type == "PractitionerRole":
        return practitioner_role_resource(row)
    if resource_type == "Location":
        return location_resource(row)
    return organization_resource(row)


@fhir_view
def metadata(request: HttpRequest) -> HttpResponse:
    return fhir_response(capability_statement(base=base_url(request)))


@fhir_view
def search(request: HttpRequest, resource_type: str) -> HttpResponse:
    if resource_type not in RESOURCES:
        return unknown_type(resource_type)
    parsed = parse_search(resource_type, request.GET)
    page = selectors.run_search(parsed)
    body = searchset(
        base=base_url(request),
        search=parsed,
        query=request.GET,
        page=page,
        matches=[_render(request, resource_type, row) for row in page.matches],
        included=[_render(request, kind, row) for kind, row in page.included],
        distances=[page.distances.get(row.pk) if page.distances else None for row in page.matches],
    )
    return fhir_response(body)


@fhir_view
def read(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    if resource_type not in RESOURCES:
        return unknown_type(resource_type)
    if resource_type == "Organization":
        row = selectors.issuer_by_id(resource_id)
    elif resource_type == "Practitioner":
        row = selectors.read_practitioner(parse_int_id(resource_id))
    else:
        row = selectors.read_location(parse_int_id(resource_id))
    return fhir_response(_render(request, resource_type, row))
