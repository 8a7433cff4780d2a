from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from contact.selectors import profile_contact, review_visit_confirmed
from reviews.selectors import profile_reviews
from search.selectors import nearest_location, tel_href

from . import geo, maps, places, trust
from .jsonld import profile_json_ld
from .models import Condition, PracticeLocation, Practitioner, StateBoard
from .selectors import practitioner_profile


def guide(request: HttpRequest) -> HttpResponse:
    boards = StateBoard.objects.exclude(regulation=StateBoard.Regulation.LICENSE).order_by("state_name")
    context = {
        "conditions": Condition.objects.all(),
        "unlicensed_states": [b for b in boards if b.regulation == StateBoard.Regulation.NONE],
        "contact_retention_days": settings.CONTACT_RETENTION_DAYS,
        "registering_states": [b for b in boards if b.regulation == StateBoard.Regulation.REGISTRATION],
    }
    return render(request, "practitioners/guide.html", context)


def practitioner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    today = timezone.localdate()
    practitioner = practitioner_profile(slug=slug, today=today)
    canonical_url = request.build_absolute_uri(practitioner.get_absolute_url())
    review_section = profile_reviews(
        practitioner=practitioner,
        user=request.user,
        sort=request.GET.get("sort"),
        page=request.GET.get("page"),
        condition=request.GET.get("condition"),
        annotations={"visit_confirmed": review_visit_confirmed()},
    )
    coverage = practitioner.state_coverage(today)
    boards = {location.state_id: location.state for location in practitioner.locations.all()}
    context = {
        "p": practitioner,
        "today": today,
        # Per location state: what covers its rule, its board row (checked date, source), the no-licensure wording.
        "state_rules": [
            (
                c,
                boards[c.state],
                trust.no_licensure_explanation(c.state_name) if c.covered_by == trust.COVERED_BY_NCCAOM else "",
            )
            for c in coverage
        ],
        "covered_states": [c.state_name for c in coverage if c.covered],
        "uncovered_states": [c.state_name for c in coverage if not c.covered],
        "licenses": [(lic, lic.is_current(today)) for lic in practitioner.licenses.all()],
        "certifications": [(cert, cert.is_current(today)) for cert in practitioner.certifications.all()],
        "degrees": [(deg, deg.qualifies_for_medicare()) for deg in practitioner.degrees.all()],
        "trust": trust,
        "canonical_url": canonical_url,
        "json_ld": profile_json_ld(practitioner, canonical_url),
        # Reviews section: a fixed number of queries whatever the number of reviews.
        "review_section": review_section,
        # Contact requests: the request button, the response figures, which reviewers' visits were confirmed.
        "contact": profile_contact(practitioner=practitioner, user=request.user),
        "confirmed_authors": {r.author_id for r in review_section.page.object_list if r.visit_confirmed},
    }
    context.update(profile_glance(practitioner, context, location_text=request.GET.get("location", "")))
    return render(request, "practitioners/detail.html", context)


def profile_glance(practitioner: Practitioner, context: dict, *, location_text: str) -> dict:
    """The summary card's facts and each location's map, from what the page already loaded (no query).

    `location` is the searched place when the patient came from a search (optional): the card then
    shows the location nearest to it, else the primary one."""
    resolution = places.resolve(location_text) if location_text.strip() else None
    searched = resolution.place if resolution else None
    nearest = nearest_location(practitioner, searched)
    phone = practitioner.phone or (nearest.phone if nearest else "")
    outcomes = context["review_section"].outcomes
    return {
        "license_sentence": trust.license_state_sentence(
            practitioner.license_state,
            practitioner.license_verified_at,
            state_names=[c.state_name for c, _board, _text in context["state_rules"] if c.covered_by == "license"],
            state_name=nearest.state.state_name if nearest else "",
            regulation=nearest.state.regulation if nearest else trust.REGULATION_LICENSE,
        ),
        "glance_phone": phone,
        "glance_tel": tel_href(phone),
        "glance_location": nearest,
        "glance_searched": searched,
        "glance_distance": (
            geo.haversine_miles(searched.latitude, searched.longitude, nearest.latitude, nearest.longitude)
            if searched and nearest and nearest.latitude is not None
            else None
        ),
        "glance_location_error": resolution.message if resolution and not searched else "",
        "glance_outcome": outcomes[0] if outcomes else None,  # the most-reported condition
        "location_maps": [(location, *location_display(location)) for location in practitioner.locations.all()],
    }


def location_display(location: PracticeLocation) -> tuple[maps.LocationMap | None, str]:
    """One location's map and its directions link."""
    return (
        maps.location_map(
            state=location.state_id, city=location.city, latitude=location.latitude, longitude=location.longitude
        ),
        maps.directions_url(
            street=location.street, city=location.city, state=location.state_id, zip_code=location.zip_code
        ),
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: this page must render when the database is down.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)


def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap_url = request.build_absolute_uri(reverse("sitemap_index"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /dashboard/",
        "Disallow: /accounts/",
        "Disallow: /api/",
        "Disallow: /fhir/",
        "",
        f"Sitemap: {sitemap_url}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
