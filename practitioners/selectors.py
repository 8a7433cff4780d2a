"""Read-side queries for one listing. Views and the API call these; they never build querysets themselves.

The search's queries are in `search.selectors`.
"""

import datetime

from django.db.models import Prefetch
from django.http import Http404

from .inline_rows import attach_inline_rows, with_inline_rows
from .models import Certification, Degree, License, PracticeLocation, Practitioner
from .prepared import marker, prepared

# The profile's short lists, read in the listing's own query and the locations' (see inline_rows).
PROFILE_LISTS = {
    "conditions": ("slug", "name"),
    "techniques": ("slug", "name"),
    "services": ("slug", "name"),
    "insurance_carriers": ("slug", "name"),
    "languages": ("code", "name"),
    "trainings": ("title", "provider", "year"),
}
LOCATION_LISTS = {"hours": ("weekday", "opens", "closes")}


def practitioner_profile(*, slug: str, today: datetime.date | None = None) -> Practitioner:
    """One published listing with everything its profile shows; 404 for unknown or unpublished."""
    locations = with_inline_rows(PracticeLocation.objects.select_related("state"), LOCATION_LISTS)
    queryset = with_inline_rows(
        Practitioner.objects.published().with_trust_facts(today).with_license_state(today), PROFILE_LISTS
    ).prefetch_related(
        Prefetch("locations", queryset=locations),
        Prefetch("licenses", queryset=License.objects.select_related("state")),
        Prefetch("certifications", queryset=Certification.objects.all()),
        Prefetch("degrees", queryset=Degree.objects.select_related("school")),
    )
    # A prepared statement on PostgreSQL (practitioners.prepared: the listing's subqueries took longer to plan than to run).
    found = prepared(queryset.filter(slug=marker(1)), [slug])
    if found is not None:
        rows = list(found.prefetch_related(*queryset._prefetch_related_lookups))
    else:
        rows = list(queryset.filter(slug=slug))
    if not rows:
        raise Http404("No published practitioner has this address.")
    practitioner = rows[0]
    attach_inline_rows(practitioner, PROFILE_LISTS)
    for location in practitioner.locations.all():
        attach_inline_rows(location, LOCATION_LISTS)
    return practitioner
