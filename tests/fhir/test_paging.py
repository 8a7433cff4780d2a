"""Searchset paging (_count, _page, next/previous links) and _include / _revinclude."""

from urllib.parse import urlsplit

import pytest

from tests.factories import location_at_zip, searchable_practitioner
from tests.fhir.conftest import ids, included, matches

pytestmark = pytest.mark.django_db


def link(bundle: dict, relation: str) -> str | None:
    found = [item["url"] for item in bundle["link"] if item["relation"] == relation]
    return found[0] if found else None


def path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.fixture
def listings():
    return [searchable_practitioner(name=f"Pat {n:02d} Lee", zip_code="10001", verified=n % 2 == 0) for n in range(25)]


def test_default_page_is_20_and_the_links_walk_every_result_once(fhir, listings):
    first = fhir.search("/fhir/Practitioner")
    assert first["total"] == 25 and len(matches(first)) == 20
    assert link(first, "previous") is None
    assert path(link(first, "last")) == "/fhir/Practitioner?_page=2"
    second = fhir.search(path(link(first, "next")))
    assert len(matches(second)) == 5 and link(second, "next") is None
    assert path(link(second, "previous")) == "/fhir/Practitioner"
    assert ids(first) + ids(second) == [str(p.pk) for p in listings]  # name order, each once


def test_count_and_the_links_keep_the_search(fhir, listings):
    bundle = fhir.search("/fhir/Practitioner?verified=true&_count=5")
    assert bundle["total"] == 13 and len(matches(bundle)) == 5
    pages = [bundle]
    while link(pages[-1], "next"):
        pages.append(fhir.search(path(link(pages[-1], "next"))))
    assert len(pages) == 3
    assert path(link(pages[1], "self")) == "/fhir/Practitioner?verified=true&_count=5&_page=2"
    found = [pk for page in pages for pk in ids(page)]
    assert found == [str(p.pk) for p in listings if listings.index(p) % 2 == 0]


def test_count_zero_gives_only_the_total(fhir, listings):
    bundle = fhir.search("/fhir/Practitioner?_count=0")
    assert bundle["total"] == 25 and "entry" not in bundle


def test_count_up_to_100(fhir, listings):
    assert len(matches(fhir.search("/fhir/PractitionerRole?_count=100"))) == 25


def test_an_empty_search_has_one_empty_page(fhir):
    bundle = fhir.search("/fhir/Location?address-city=nowhere")
    assert bundle["total"] == 0 and "entry" not in bundle
    assert link(bundle, "next") is None


def test_include_practitioner_and_location_on_roles(fhir):
    two_places = searchable_practitioner(name="Two Places", zip_code="10001")
    second = location_at_zip(two_places, "11201")
    one = searchable_practitioner(name="Zed One", zip_code="19103")
    bundle = fhir.search(
        "/fhir/PractitionerRole?_include=PractitionerRole:practitioner&_include=PractitionerRole:location:Location"
    )
    roles = matches(bundle)
    assert [r["id"] for r in roles] == [
        str(two_places.locations.first().pk),
        str(second.pk),
        str(one.locations.get().pk),
    ]
    extra = included(bundle)
    practitioners = sorted(r["id"] for r in extra if r["resourceType"] == "Practitioner")
    assert practitioners == sorted([str(two_places.pk), str(one.pk)])  # each once
    assert sorted(r["id"] for r in extra if r["resourceType"] == "Location") == sorted(r["id"] for r in roles)
    assert bundle["total"] == 3  # included resources are not counted
    for role in roles:  # every reference resolves inside the Bundle
        assert role["practitioner"]["reference"].split("/")[1] in practitioners


def test_no_include_unless_asked(fhir):
    searchable_practitioner(zip_code="10001")
    assert included(fhir.search("/fhir/PractitionerRole")) == []
    assert included(fhir.search("/fhir/Practitioner")) == []
    only_location = fhir.search("/fhir/PractitionerRole?_include=PractitionerRole:location")
    assert {r["resourceType"] for r in included(only_location)} == {"Location"}


def test_revinclude_roles_on_practitioners(fhir):
    two_places = searchable_practitioner(name="Two Places", zip_code="10001")
    location_at_zip(two_places, "11201")
    none_yet = searchable_practitioner(name="No Location", zip_code=None)
    bundle = fhir.search("/fhir/Practitioner?_revinclude=PractitionerRole:practitioner")
    assert ids(bundle) == [str(none_yet.pk), str(two_places.pk)]
    roles = included(bundle)
    assert sorted(r["id"] for r in roles) == sorted(str(loc.pk) for loc in two_places.locations.all())
    assert {r["practitioner"]["reference"] for r in roles} == {f"Practitioner/{two_places.pk}"}
    assert all(
        e["fullUrl"].endswith(f"/fhir/{e['resource']['resourceType']}/{e['resource']['id']}") for e in bundle["entry"]
    )
