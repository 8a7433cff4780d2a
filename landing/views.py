"""The pages people arrive at: home, a condition (/conditions/<slug>/), a city (/acupuncturists/<state>/<city>/).

Landing pages are indexable and canonical: another spelling of the address (case, a state's
name, an alias of a condition) answers 301 to the canonical one, and a city without published
listings is a 404. Filtered searches stay `noindex` (templates/practitioners/search.html).
"""

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from practitioners.jsonld import json_for_script
from reviews.outcomes import MIN_REPORTS
from search.views import add_outcomes

from . import selectors
from .cities import find_city
from .content import CONDITION_CONTENT, sources_for
from .jsonld import item_list_structured_data


def search_url(**params: str) -> str:
    return f"{reverse('practitioners:list')}?{urlencode(params)}"


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "landing/home.html", {"entry": selectors.home_entry_points()})


def condition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    canonical = selectors.condition_slug_for(slug)
    if canonical != slug:
        if not selectors.condition_exists(canonical):
            raise Http404("No such condition.")
        return redirect("condition", canonical, permanent=True)
    search = selectors.condition_listings(slug=slug)
    if not search.filterset.value("condition"):  # the search's own check: a known condition slug
        raise Http404("No such condition.")
    name = search.filterset.vocabulary.name("condition", slug)
    add_outcomes(search)
    canonical_url = request.build_absolute_uri(reverse("condition", args=[slug]))
    content = CONDITION_CONTENT.get(slug)
    context = {
        "name": name,
        "slug": slug,
        "content": content,
        "sources": sources_for(content) if content else [],
        "results": search.results,
        "total": search.facets.total,
        "outcome": selectors.directory_outcome(slug=slug, name=name),
        "min_outcome_reports": MIN_REPORTS,
        "search_url": search_url(condition=slug),
        "verified_search_url": search_url(condition=slug, verified="true"),
        "canonical_url": canonical_url,
        "json_ld": json_for_script(
            item_list_structured_data(
                name=f"Acupuncturists who treat {name.lower()}", url=canonical_url, practitioners=search.results
            )
        ),
    }
    return render(request, "landing/condition.html", context)


def city_detail(request: HttpRequest, state: str, city: str) -> HttpResponse:
    found = find_city(selectors.city_index(), state, city)
    if found is None:
        raise Http404("No published listings in that city.")
    if (state, city) != (found.state_slug, found.slug):
        return redirect("city", found.state_slug, found.slug, permanent=True)
    page = selectors.city_page(city=found)
    canonical_url = request.build_absolute_uri(reverse("city", args=[found.state_slug, found.slug]))
    context = {
        "page": page,
        "city": found,
        "results": page.practitioners,
        "search_url": search_url(location=found.label),
        "condition_links": [
            (item.name, count, search_url(location=found.label, condition=item.slug)) for item, count in page.conditions
        ],
        "canonical_url": canonical_url,
        "json_ld": json_for_script(
            item_list_structured_data(
                name=f"Acupuncturists in {found.label}", url=canonical_url, practitioners=page.practitioners
            )
        ),
    }
    return render(request, "landing/city.html", context)
