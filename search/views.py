"""The search page (/practitioners/): the HTML face of `search.selectors.search_practitioners`."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from practitioners import places
from reviews.outcomes import MIN_REPORTS
from reviews.selectors import listing_outcomes

from . import page as search_page
from .selectors import SearchResults, kept_answer, search_practitioners


def is_htmx_fragment_request(request: HttpRequest) -> bool:
    """htmx asking for a part of the page (not restoring history, which needs the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def add_outcomes(search: SearchResults) -> None:
    """With a condition filter, each card shows that condition's outcome figures (one query for the page)."""
    slugs = search.filterset.value("condition") or []
    if not slugs or not search.results:
        return
    found = listing_outcomes(practitioner_ids=[p.pk for p in search.results], condition_slugs=slugs)
    names = {slug: search.filterset.vocabulary.name("condition", slug) for slug in slugs}
    for practitioner in search.results:
        practitioner.card_outcomes = [(names[slug], found.get((practitioner.pk, slug))) for slug in slugs]


def add_profile_links(search: SearchResults, location_text: str) -> None:
    """After a search by place, each card's profile link carries it (`?location=`): the profile's summary
    then shows the location nearest to it. Cards without one (landing pages) link the plain profile."""
    if not search.filterset.place:
        return
    query = urlencode({"location": location_text.strip()})
    for practitioner in search.results:
        practitioner.profile_url = f"{practitioner.get_absolute_url()}?{query}"


def practitioner_list(request: HttpRequest) -> HttpResponse:
    """The search page. For htmx requests only the results (plus the filters, out of band) are sent.

    What a search renders depends only on its query string, so it is kept with the search cache
    (`search.cache`: SEARCH_CACHE_SECONDS, a new generation after every write that reaches search):
    the same search asked again is served from that HTML. A search not asked before is searched
    and rendered. The site's header (who is signed in) is rendered for each request."""
    path = reverse("practitioners:list")
    fragment = is_htmx_fragment_request(request)
    if not fragment and (clean := search_page.without_blank_params(request.GET)) is not None:
        # The form without JavaScript sends every field ("q=&insurance=&…"): keep the address clean.
        return redirect(search_page.url_with(path, clean))
    rendered = kept_answer(
        "page-html", request.GET, lambda: render_search(request, path, fragment=fragment), fragment=fragment
    )
    if fragment:
        response = HttpResponse(rendered["html"])
        # A clean, shareable address (no blank parameters) for the browser's location bar.
        response["HX-Push-Url"] = search_page.url_with(path, search_page.clean_query(request.GET))
    else:
        page = {
            "heading": rendered["heading"],
            "noindex": rendered["noindex"],
            "content": mark_safe(rendered["content"]),
        }
        response = render(request, "practitioners/search.html", page)
    patch_vary_headers(response, ["HX-Request"])
    return response


def render_search(request: HttpRequest, path: str, *, fragment: bool) -> dict:
    """The search's own HTML (the htmx fragment, or the page's content with its heading and robots
    flag) and the ids of the listings it shows."""
    search = search_practitioners(params=request.GET, page_values=request.GET.getlist("page"))
    add_outcomes(search)
    add_profile_links(search, request.GET.get("location", ""))
    context = search_page.page_context(search, request.GET, path)
    context["min_outcome_reports"] = MIN_REPORTS
    ids = [practitioner.pk for practitioner in search.results]
    if fragment:
        return {"ids": ids, "html": render_to_string("practitioners/includes/search_fragment.html", context, request)}
    return {
        "ids": ids,
        "heading": context["heading"],
        "noindex": bool(context["chips"] or context["notices"] or search.page.number > 1),
        "content": render_to_string("practitioners/includes/search_content.html", context, request),
    }


@require_GET
def place_suggestions(request: HttpRequest) -> JsonResponse:
    """GET /places/suggest/?q=aus → ["Austin, TX", …]: city names for the location box's
    autocomplete, from the in-memory city index (no SQL); the same answer for everyone."""
    query = request.GET.get("q", "")
    if len(query) > places.MAX_LENGTH:
        return JsonResponse({"q": [f"At most {places.MAX_LENGTH} characters."]}, status=400)
    response = JsonResponse(places.suggest(query), safe=False)
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response
