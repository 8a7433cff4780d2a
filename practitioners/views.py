from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from reviews.selectors import profile_reviews

from . import trust
from .models import Condition
from .selectors import practitioner_list_qs, practitioner_profile

PAGE_SIZE = 20


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "practitioners/home.html", {"conditions": Condition.objects.all()})


def guide(request: HttpRequest) -> HttpResponse:
    return render(request, "practitioners/guide.html", {"conditions": Condition.objects.all()})


def practitioner_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(practitioner_list_qs(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "practitioners/list.html", {"page": page})


def practitioner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    today = timezone.localdate()
    practitioner = practitioner_profile(slug=slug, today=today)
    context = {
        "p": practitioner,
        "today": today,
        "licenses": [(lic, lic.is_current(today)) for lic in practitioner.licenses.all()],
        "certifications": [(cert, cert.is_current(today)) for cert in practitioner.certifications.all()],
        "degrees": [(deg, deg.qualifies_for_medicare()) for deg in practitioner.degrees.all()],
        "trust": trust,
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
