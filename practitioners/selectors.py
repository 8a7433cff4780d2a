"""Read-side queries for one listing. Views and the API call these; they never build querysets themselves.

The search's queries are in `search.selectors`.
"""

import datetime

from django.db.models import Prefetch
from django.http import Http404

from .models import Certification, Degree, License, PracticeLocation, Practitioner


def practitioner_profile(*, slug: str, today: datetime.date | None = None) -> Practitioner:
    """One published listing with everything its profile shows; 404 for unknown or unpublished."""
    queryset = (
        Practitioner.objects.published()
        .with_trust_facts(today)
        .with_license_state(today)
        .prefetch_related(
            "conditions",
            "techniques",
            "services",
            "insurance_carriers",
            "languages",
            "trainings",
            Prefetch(
                "locations",
                queryset=PracticeLocation.objects.select_related("state").prefetch_related("hours"),
            ),
            Prefetch("licenses", queryset=License.objects.select_related("state")),
            Prefetch("certifications", queryset=Certification.objects.all()),
            Prefetch("degrees", queryset=Degree.objects.select_related("school")),
        )
    )
    try:
        return queryset.get(slug=slug)
    except Practitioner.DoesNotExist as exc:
        raise Http404("No published practitioner has this address.") from exc
