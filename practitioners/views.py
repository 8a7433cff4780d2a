from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from reviews.selectors import profile_reviews

from . import search_page, trust
from .models import Condition
from .profile import profile_json_ld
from .selectors import practitioner_profile, search_practitioners


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "practitioners/home.html", {"conditions": Condition.objects.all()})


def guide(request: HttpRequest) -> HttpResponse:
    return render(request, "practitioners/guide.html", {"conditions": Condition.objects.all()})


def is_htmx_fragment_request(request: HttpRequest) -> bool:
    """htmx asking for a part of the page (not restoring history, which needs the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def practitioner_list(request: HttpRequest) -> HttpResponse:
    """The search page. For htmx requests only the results (plus the filters, out of band) are sent."""
    search = search_practitioners(params=request.GET, page_values=request.GET.getlist("page"))
    path = reverse("practitioners:list")
    context = search_page.page_context(search, request.GET, path)
    if is_htmx_fragment_request(request):
        response = render(request, "practitioners/includes/search_fragment.html", context)
        # A clean, shareable address (no blank parameters) for the browser's location bar.
        response["HX-Push-Url"] = search_page.url_with(path, search_page.clean_query(request.GET))
    else:
        response = render(request, "practitioners/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def practitioner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    today = timezone.localdate()
    practitioner = practitioner_profile(slug=slug, today=today)
    canonical_url = request.build_absolute_uri(practitioner.get_absolute_url())
    context = {
        "p": practitioner,
        "today": today,
        "licenses": [(lic, lic.is_current(today)) for lic in practitioner.licenses.all()],
        "certifications": [(cert, cert.is_current(today)) for cert in practitioner.certifications.all()],
        "degrees": [(deg, deg.qualifies_for_medicare()) for deg in practitioner.degrees.all()],
        "trust": trust,
        "canonical_url": canonical_url,
        "json_ld": profile_json_ld(practitioner, canonical_url),
        # Reviews section: a fixed number of queries whatever the number of reviews.
        "review_section": profile_reviews(
            practitioner=practitioner, user=request.user, sort=request.GET.get("sort"), page=request.GET.get("page")
        ),
    }
    return render(request, "practitioners/detail.html", context)


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
        "",
        f"Sitemap: {sitemap_url}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
