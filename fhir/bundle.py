"""Searchset Bundles, their paging links, and OperationOutcomes."""

from urllib.parse import urlencode

from django.utils import timezone

from . import codes
from .resources import compact, instant
from .search import Issue, ParsedSearch
from .selectors import SearchPage


def page_url(base: str, resource_type: str, query, page: int) -> str:
    """The search's own parameters (in their order) with `_page` set."""
    pairs = [(key, value) for key in query for value in query.getlist(key) if key != "_page"]
    if page > 1:
        pairs.append(("_page", str(page)))
    encoded = urlencode(pairs)
    return f"{base}{resource_type}" + (f"?{encoded}" if encoded else "")


def searchset(
    *,
    base: str,
    search: ParsedSearch,
    query,
    page: SearchPage,
    matches: list[dict],
    included: list[dict],
    distances: list[float | None],
) -> dict:
    resource_type = search.definition.type
    links = [("self", page.page), ("first", 1)]
    if search.count:
        if page.page > 1:
            links.append(("previous", page.page - 1))
        if page.page < page.pages:
            links.append(("next", page.page + 1))
        links.append(("last", page.pages))
    entries = [
        {
            "fullUrl": f"{base}{resource['resourceType']}/{resource['id']}",
            "resource": resource,
            "search": {
                "mode": "match",
                "extension": [
                    {
                        "url": codes.LOCATION_DISTANCE_EXTENSION,
                        "valueDistance": {
                            "value": round(miles, 3),
                            "unit": "mi",
                            "system": codes.UCUM_SYSTEM,
                            "code": "[mi_i]",
                        },
                    }
                ]
                if miles is not None
                else None,
            },
        }
        for resource, miles in zip(matches, distances, strict=True)
    ]
    entries += [
        {
            "fullUrl": f"{base}{resource['resourceType']}/{resource['id']}",
            "resource": resource,
            "search": {"mode": "include"},
        }
        for resource in included
    ]
    return compact(
        {
            "resourceType": "Bundle",
            "meta": {"lastUpdated": instant(timezone.now())},
            "type": "searchset",
            "total": page.total,
            "link": [
                {"relation": relation, "url": page_url(base, resource_type, query, number)}
                for relation, number in links
            ],
            "entry": entries,
        }
    )


def operation_outcome(issues: list[Issue]) -> dict:
    return compact(
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": issue.code,
                    "diagnostics": issue.diagnostics,
                    # The parameter's name, for clients (Issue.expression is not FHIRPath, so not `expression`).
                    "details": {"text": issue.expression} if issue.expression else None,
                }
                for issue in issues
            ],
        }
    )
