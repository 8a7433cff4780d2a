"""The rows behind each FHIR resource, in a fixed number of queries per page.

A search page costs: one COUNT, one query for the page's rows, and the prefetches their
resources need; none of it grows with the page size:

    Practitioner      count + rows + languages + licenses + certifications + degrees   = 6
      _revinclude=PractitionerRole:practitioner                 + locations + hours    = 8
    PractitionerRole  count + rows (with practitioner and state) + hours               = 3
      _include=PractitionerRole:practitioner                    + 5 (as above)        = 8
      _include=PractitionerRole:location                        + 0 (the same rows)
    Location          count + rows + hours                                             = 3
    Organization      state boards + schools (the issuers are a short list)            = 2

Only published listings appear, and only their locations.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from practitioners.expressions import great_circle_miles
from practitioners.models import Certification, Degree, License, PracticeLocation, Practitioner, School, StateBoard

from .search import Issue as SearchIssue
from .search import ParsedSearch, SearchError, apply_filters, practitioner_last_updated

NCCAOM_NAME = "National Certification Commission for Acupuncture and Oriental Medicine (NCCAOM)"
NCCAOM_URL = "https://www.nccaom.org/"


class NotFound(Exception):
    pass


# ---------------------------------------------------------------- base rows


def practitioner_qs(today: datetime.date) -> QuerySet:
    """Published listings with what a Practitioner resource shows (trust facts, lastUpdated, credentials)."""
    return (
        Practitioner.objects.published()
        .defer("search_document", "search_vector", "nppes_snapshot")
        .with_trust_facts(today)
        .annotate(last_updated=practitioner_last_updated())
        .prefetch_related(
            "languages",
            Prefetch("licenses", queryset=License.objects.select_related("state").order_by("state_id", "number")),
            Prefetch("certifications", queryset=Certification.objects.order_by("cert_type", "number")),
            Prefetch("degrees", queryset=Degree.objects.select_related("school").order_by("-graduation_year", "pk")),
        )
    )


def published_locations() -> QuerySet:
    return PracticeLocation.objects.filter(practitioner__status=Practitioner.Status.PUBLISHED)


def location_rows(queryset: QuerySet) -> QuerySet:
    """Locations with their state, hours and the few listing fields a role or location shows."""
    return queryset.select_related("state", "practitioner").prefetch_related("hours")


# ---------------------------------------------------------------- issuers (Organization)


@dataclass(frozen=True)
class Issuer:
    """An issuer of credentials: a state board, NCCAOM or a school."""

    id: str
    kind: str  # "board", "nccaom" or "school"
    name: str
    state: str = ""
    city: str = ""
    url: str = ""
    accreditation: str = ""


def board_issuer(board: StateBoard) -> Issuer:
    return Issuer(
        id=f"board-{board.state}", kind="board", name=board.board_name, state=board.state, url=board.lookup_url
    )


def school_issuer(school: School) -> Issuer:
    return Issuer(
        id=f"school-{school.pk}",
        kind="school",
        name=school.name,
        state=school.state,
        city=school.city,
        accreditation=school.accreditation,
    )


NCCAOM = Issuer(id="nccaom", kind="nccaom", name=NCCAOM_NAME, url=NCCAOM_URL)


def issuer_list() -> list[Issuer]:
    """Every issuer, in a stable order (2 queries)."""
    return [
        *(board_issuer(board) for board in StateBoard.objects.order_by("state")),
        NCCAOM,
        *(school_issuer(school) for school in School.objects.order_by("name", "pk")),
    ]


def issuer_by_id(organization_id: str) -> Issuer:
    from .search import BOARD_ID, NCCAOM_ID, SCHOOL_ID

    if organization_id == NCCAOM_ID:
        return NCCAOM
    if board := BOARD_ID.match(organization_id):
        found = StateBoard.objects.filter(state=board["state"]).first()
        if found:
            return board_issuer(found)
    if school := SCHOOL_ID.match(organization_id):
        found = School.objects.filter(pk=int(school["pk"])).first()
        if found:
            return school_issuer(found)
    raise NotFound


# ---------------------------------------------------------------- reads


def read_practitioner(resource_id: int | None, *, today: datetime.date | None = None) -> Practitioner:
    found = practitioner_qs(today or timezone.localdate()).filter(pk=resource_id).first() if resource_id else None
    if found is None:
        raise NotFound
    return found


def read_location(resource_id: int | None) -> PracticeLocation:
    found = location_rows(published_locations()).filter(pk=resource_id).first() if resource_id else None
    if found is None:
        raise NotFound
    return found


# ---------------------------------------------------------------- search


@dataclass
class SearchPage:
    total: int
    page: int
    pages: int
    matches: list
    included: list[tuple[str, object]] = field(default_factory=list)  # (resource type, row)
    distances: dict[int, float] = field(default_factory=dict)  # location pk -> miles from the near point


def _page_bounds(search: ParsedSearch, total: int) -> tuple[int, int]:
    pages = max(1, math.ceil(total / search.count)) if search.count else 1
    if search.page > pages:
        raise SearchError(
            [
                SearchIssue(
                    "invalid",
                    f"_page={search.page} does not exist; there {'is' if pages == 1 else 'are'} {pages} "
                    f"page{'' if pages == 1 else 's'} of {search.count}.",
                    "_page",
                )
            ]
        )
    return pages, (search.page - 1) * search.count


def run_search(search: ParsedSearch) -> SearchPage:
    resource_type = search.definition.type
    if resource_type == "Organization":
        return _search_issuers(search)
    if resource_type == "Practitioner":
        filtered = apply_filters(search, Practitioner.objects.published())
    else:
        filtered = apply_filters(search, published_locations())
    total = filtered.count()
    pages, offset = _page_bounds(search, total)
    if search.count == 0:
        return SearchPage(total=total, page=search.page, pages=pages, matches=[])
    if resource_type == "Practitioner":
        rows = _slice(filtered, search, offset)
        return _with_revincludes(search, SearchPage(total=total, page=search.page, pages=pages, matches=rows))
    return _location_page(search, filtered, total, pages, offset)


def _slice(filtered: QuerySet, search: ParsedSearch, offset: int) -> list[Practitioner]:
    return list(
        practitioner_qs(search.context.today)
        .filter(pk__in=filtered.values("pk"))
        .order_by("name", "pk")[offset : offset + search.count]
    )


def _with_revincludes(search: ParsedSearch, page: SearchPage) -> SearchPage:
    if "PractitionerRole:practitioner" in search.revincludes and page.matches:
        by_id = {practitioner.pk: practitioner for practitioner in page.matches}
        roles = (
            PracticeLocation.objects.filter(practitioner_id__in=by_id)
            .select_related("state")
            .prefetch_related("hours")
            .order_by("practitioner_id", "-is_primary", "pk")
        )
        for role in roles:
            role.practitioner = by_id[role.practitioner_id]  # already loaded: no query
            page.included.append(("PractitionerRole", role))
    return page


def _location_page(search: ParsedSearch, filtered: QuerySet, total: int, pages: int, offset: int) -> SearchPage:
    rows = location_rows(PracticeLocation.objects.filter(pk__in=filtered.values("pk"))).defer(
        "practitioner__search_document", "practitioner__search_vector", "practitioner__nppes_snapshot"
    )
    near = search.context.near
    if near is not None:
        rows = rows.annotate(distance=great_circle_miles(near.latitude, near.longitude)).order_by("distance", "pk")
    elif search.definition.type == "PractitionerRole":
        rows = rows.order_by("practitioner__name", "practitioner_id", "-is_primary", "pk")
    else:
        rows = rows.order_by("pk")
    matches = list(rows[offset : offset + search.count])
    page = SearchPage(total=total, page=search.page, pages=pages, matches=matches)
    if near is not None:
        page.distances = {row.pk: row.distance for row in matches}
    if search.definition.type == "PractitionerRole":
        if "PractitionerRole:practitioner" in search.includes and matches:
            ids = {row.practitioner_id for row in matches}
            for practitioner in practitioner_qs(search.context.today).filter(pk__in=ids).order_by("name", "pk"):
                page.included.append(("Practitioner", practitioner))
        if "PractitionerRole:location" in search.includes:
            page.included += [("Location", row) for row in matches]
    return page


def _search_issuers(search: ParsedSearch) -> SearchPage:
    issuers = issuer_list()
    for param, values, modifier in search.filters:
        issuers = param.apply(issuers, values, modifier, search.context)
    total = len(issuers)
    pages, offset = _page_bounds(search, total)
    return SearchPage(total=total, page=search.page, pages=pages, matches=issuers[offset : offset + search.count])
