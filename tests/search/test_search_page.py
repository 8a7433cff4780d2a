"""The search page (/practitioners/): form, chips, pagination, messages, htmx fragment, query counts."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import searchable_practitioner
from tests.search.test_search_filters import BAD_INPUT
from tests.search_queries import index_queries, prepares

pytestmark = pytest.mark.django_db

URL = reverse("practitioners:list")


def text_of(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def make_listings(n: int, **fields) -> None:
    for i in range(n):
        searchable_practitioner(slug=f"p-{i:03d}", name=f"Practitioner {i:03d}", **fields)


def test_every_form_field_has_a_visible_label(client):
    make_listings(1, conditions=("neck-pain",))
    page = text_of(client.get(URL, {"location": "94110"}))
    ids = set(re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', page))
    labelled = set(re.findall(r'<label for="([^"]+)"', page))
    assert ids and ids <= labelled, ids - labelled
    for name in ("location", "radius", "q", "condition", "technique", "insurance", "language", "gender"):
        assert f'name="{name}"' in page, name
    for name in ("verified", "nccaom", "medicare", "sliding_scale", "new_patients", "min_rating", "sort"):
        assert f'name="{name}"' in page, name


def test_results_show_what_a_card_promises(client):
    searchable_practitioner(
        slug="mei",
        name="Mei Chen",
        display_credentials="L.Ac., Dipl. Ac.",
        zip_code="94607",
        conditions=("neck-pain", "sciatica"),
        verified=True,
        nccaom=True,
        medicare=True,
        first_visit_fee=95,
        sliding_scale=True,
    )
    page = text_of(client.get(URL, {"location": "94110", "condition": "neck-pain"}))
    for expected in (
        "Mei Chen",
        "L.Ac., Dipl. Ac.",
        "Verified license",
        "NCCAOM certified",
        "Meets Medicare criteria",
        "Oakland, CA",
        "Neck pain",
        "No reviews yet",
        "First visit $95",
        "Sliding-scale fees",
        "Accepting new patients",
        "img/placeholder.svg",
    ):
        assert expected in page, expected
    assert re.search(r"\d+\.\d mi", page)
    assert "1 practitioner" in page


def test_active_filters_are_removable_chips(client):
    make_listings(2, conditions=("neck-pain", "sciatica"), insurance=("aetna",))
    response = client.get(URL, {"location": "94110", "condition": ["neck-pain", "sciatica"], "insurance": "aetna"})
    chips = dict(
        (html.unescape(label).strip(), html.unescape(href))
        for href, label in re.findall(r'<a class="chip" href="([^"]+)"[^>]*>([^<]+)<', response.content.decode())
    )
    assert set(chips) == {"Within 25 miles of 94110 (San Francisco, CA)", "Neck pain", "Sciatica", "Takes Aetna"}
    without_neck = parse_qs(urlsplit(chips["Neck pain"]).query)
    assert without_neck == {"location": ["94110"], "condition": ["sciatica"], "insurance": ["aetna"]}
    assert "location" not in parse_qs(urlsplit(chips["Within 25 miles of 94110 (San Francisco, CA)"]).query)


def test_pagination_keeps_the_query(client):
    make_listings(45, conditions=("neck-pain",))
    page = client.get(URL, {"location": "94110", "condition": "neck-pain", "q": ""}, follow=True).content.decode()
    assert len(re.findall(r'class="card"', page)) == 20
    next_url = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', page).group(1))
    assert parse_qs(urlsplit(next_url).query) == {"location": ["94110"], "condition": ["neck-pain"], "page": ["2"]}
    last = text_of(client.get(URL, {"location": "94110", "condition": "neck-pain", "page": "3"}))
    assert len(re.findall(r'class="card"', last)) == 5
    assert "Page 3 of 3" in last


@pytest.mark.parametrize(
    ("page", "shown", "message"),
    [
        ("0", 1, "Page numbers start at 1; showing page 1."),
        ("-3", 1, "Page numbers start at 1; showing page 1."),
        ("abc", 1, "“abc” is not a page number; showing page 1."),
        ("99999", 2, "There are only 2 pages of results, so no page 99999; showing page 2."),
        (["1", "2"], 1, "Give one page number only; showing page 1."),
    ],
)
def test_bad_page_numbers_show_a_message_and_a_sensible_page(client, page, shown, message):
    make_listings(25)
    text = text_of(client.get(URL, {"page": page}))
    assert message in text
    assert f"Page {shown} of 2" in text


def test_a_page_past_the_end_of_a_single_page(client):
    make_listings(3)
    text = text_of(client.get(URL, {"page": "7"}))
    assert "There is only one page of results, so no page 7; showing page 1." in text
    assert len(re.findall(r'class="card"', text)) == 3


@pytest.mark.parametrize(("params", "field", "message"), BAD_INPUT)
def test_bad_input_is_shown_on_the_page_never_a_500(client, params, field, message):
    make_listings(2, conditions=("neck-pain",))
    text = text_of(client.get(URL, params))
    assert message in text
    assert 'role="alert"' in text


def test_an_unknown_location_shows_no_results_and_advice(client):
    make_listings(2)
    text = text_of(client.get(URL, {"location": "ABCDE"}))
    assert "0 practitioners" in text
    assert "No results are shown until the location is fixed." in text
    assert "Check the location" in text


def test_empty_results_advise_a_wider_radius_and_dropping_filters(client):
    searchable_practitioner(slug="sacramento", zip_code="95814", conditions=("neck-pain",))
    text = text_of(client.get(URL, {"location": "94110", "radius": "25", "condition": "neck-pain"}, follow=True))
    assert "No practitioners match this search" in text
    wider = re.search(r'<a href="([^"]+)">Search a wider area</a>', text).group(1)
    assert parse_qs(urlsplit(wider).query)["radius"] == ["50"]
    assert "Remove a filter above" in text
    assert "1 practitioner" in text_of(
        client.get(URL, {"location": "94110", "radius": "100", "condition": "neck-pain"})
    )


def test_htmx_requests_get_only_the_results_and_the_filters_out_of_band(client):
    make_listings(3, conditions=("neck-pain",))
    response = client.get(
        URL, {"location": "94110", "condition": "neck-pain", "q": "", "radius": "25"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "<html" not in body and "<header" not in body
    assert body.count('id="results"') == 1
    assert 'id="filters" class="filters" hx-swap-oob="true"' in body
    assert response["HX-Push-Url"] == f"{URL}?location=94110&condition=neck-pain"
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client):
    response = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_full_page_loads_htmx_from_our_static_files_with_a_csp_safe_config(client):
    page = client.get(URL).content.decode()
    assert re.search(r'<script src="/static/js/vendor/htmx.min.js" defer></script>', page)
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page).group(1)
    assert '"includeIndicatorStyles": false' in config and '"allowEval": false' in config
    assert "<script>" not in page and " style=" not in page and "onclick" not in page


@pytest.mark.parametrize("n_results", [5, 50])
@pytest.mark.parametrize(
    "params",
    [{}, {"location": "94110", "condition": "neck-pain", "verified": "true"}, {"q": "practitioner", "sort": "rating"}],
)
def test_search_page_query_count_is_constant(client, django_assert_num_queries, n_results, params):
    make_listings(n_results, conditions=("neck-pain", "sciatica"), insurance=("aetna",), verified=True)
    # vocabulary 1 + the index (facet counts, the page's ordered entries with the cards' condition and
    # insurer ids) + its rows 1 + their locations 1, + the cards' outcome figures 1 with a condition filter
    with django_assert_num_queries(3 + index_queries(params) + ("condition" in params) + prepares()):
        response = client.get(URL, params)
    shown = len(re.findall(r'class="card"', response.content.decode()))
    assert shown == min(n_results, 20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "q",
                "location",
                "radius",
                "condition",
                "technique",
                "insurance",
                "language",
                "gender",
                "verified",
                "min_rating",
                "sort",
                "page",
            ]
        ),
        st.lists(st.text(max_size=30), min_size=1, max_size=3),
    )
)
def test_any_parameters_give_a_page_never_a_500(client, params):
    response = client.get(URL, params, follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "options", "selected"),
    [
        ({}, ["Best match", "Highest rated", "Most reviews", "Most years in practice"], ""),
        ({"location": "94110"}, ["Best match", "Nearest first", "Highest rated", "Most reviews"], ""),
        ({"q": "neck", "location": "94110", "sort": "distance"}, ["Best match", "Nearest first"], "distance"),
        ({"sort": "rating"}, ["Best match", "Highest rated"], "rating"),
    ],
)
def test_sort_control_offers_what_makes_sense_and_keeps_the_default_out_of_the_address(
    client, params, options, selected
):
    page = client.get(URL, params).content.decode()
    select = re.search(r'<select id="f-sort" name="sort"[^>]*>(.*?)</select>', page, re.S).group(1)
    labels = [html.unescape(label) for label in re.findall(r">([^<]+)</option>", select)]
    assert labels[: len(options)] == options
    assert re.search(r'<option value="([^"]*)" selected>', select).group(1) == selected
    assert '<option value="">' in select or '<option value="" selected>' in select


def test_the_page_links_to_how_results_are_ordered_and_the_guide_says_no_one_pays(client):
    page = client.get(URL).content.decode()
    assert '<a class="ordering-link" href="/guide/#ordering">How results are ordered</a>' in page
    guide = client.get("/guide/").content.decode()
    assert 'id="ordering"' in guide and "No one can pay for placement." in guide


@pytest.mark.parametrize(
    ("query", "clean"),
    [
        ("q=&insurance=&location=10001", "location=10001"),
        ("location=10001&radius=25&q=&sort=", "location=10001"),  # the default radius says nothing either
        ("condition=neck-pain&q=+&condition=sciatica&radius=50", "condition=neck-pain&condition=sciatica&radius=50"),
        ("q=&utm_source=mail", "utm_source=mail"),  # parameters the page does not know are kept
        ("page=&sort=", ""),
    ],
)
def test_a_form_sent_without_javascript_is_redirected_to_an_address_without_blank_parameters(client, query, clean):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 302
    assert response["Location"] == (f"{URL}?{clean}" if clean else URL)
    assert client.get(response["Location"]).status_code == 200  # and that address is not redirected again


def test_live_updates_are_not_redirected_and_push_the_clean_address(client):
    response = client.get(URL, {"q": "", "location": "10001", "radius": "25"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"{URL}?location=10001"


def test_filters_sit_in_a_disclosure_that_counts_the_active_ones(client):
    make_listings(2, conditions=("neck-pain",), insurance=("aetna",))
    page = client.get(URL, {"location": "94110", "condition": "neck-pain", "insurance": "aetna"}).content.decode()
    # Closed in the markup (a phone shows the results first), the filters inside it, the results after it.
    disclosure = re.search(r'<details id="filters-disclosure"[^>]*>', page).group(0)
    assert " open" not in disclosure
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", summary) == "Filters (3 active)"
    assert page.index("<details") < page.index('id="filters"') < page.index("</details>") < page.index('id="results"')
    bare = client.get(URL).content.decode()
    assert "Filters (none active)" in bare


@pytest.mark.parametrize(
    "params",
    [{}, {"condition": "neck-pain"}, {"location": "ABCDE"}, {"location": "94110", "min_rating": "9"}],
)
def test_the_filters_are_open_while_there_is_no_place_or_a_field_has_an_error(client, params):
    """The location box is in the disclosure: open until the person has said where, and open to show an error."""
    page = client.get(URL, params).content.decode()
    assert re.search(r'<details id="filters-disclosure" class="filters-disclosure" open>', page)


def test_the_sort_has_its_own_button_beside_the_results(client):
    make_listings(1)
    page = client.get(URL, {"location": "94110"}).content.decode()
    results = page[page.index('<section id="results"') :]
    sort_field = re.search(r'<div class="field sort-field">.*?</div>', results, re.S).group(0)
    assert '<select id="f-sort" name="sort"' in sort_field
    assert '<button type="submit" class="button sort-apply">Sort</button>' in sort_field


def test_skip_link_reaches_the_results_heading_on_every_screen(client):
    page = client.get(URL).content.decode()
    assert page.index("Skip to main content") < page.index(
        '<a class="skip-link" href="#result-count">Skip to results</a>'
    )
    assert re.search(r'<h2 id="result-count" class="result-count" tabindex="-1">', page)
    assert '<div id="search-status" class="visually-hidden" role="status"></div>' in page  # empty until a live update


def test_a_live_update_renews_the_heading_the_title_the_filter_count_and_announces_the_count(client):
    make_listings(3, conditions=("neck-pain",))
    body = client.get(URL, {"location": "94110", "condition": "neck-pain"}, headers={"HX-Request": "true"}).text
    heading = "Acupuncturists for neck pain near 94110 (San Francisco, CA)"
    assert f'<h1 id="search-heading" hx-swap-oob="true">{heading}</h1>' in body
    assert f"<title>{heading} · Meridian</title>" in body
    assert '<span id="filters-summary-text" hx-swap-oob="true">Filters (2 active)</span>' in body
    assert '<div id="search-status" hx-swap-oob="innerHTML">3 practitioners found.</div>' in body
