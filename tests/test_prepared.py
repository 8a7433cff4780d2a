"""Prepared statements (`practitioners.prepared`): the result cards' rows and a profile's listing read through
one are the same model instances as the ORM's, and each statement is prepared once per connection."""

import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from practitioners import prepared
from practitioners import selectors as profile_selectors
from practitioners.models import Practitioner
from search import selectors
from search.filters import PractitionerFilterSet
from tests.factories import searchable_practitioner

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="prepared statements are PostgreSQL's; SQLite runs the queryset"
)


@pytest.fixture
def listings():
    return [
        searchable_practitioner(name="Ann", verified=True, conditions=("neck-pain",)),
        searchable_practitioner(name="Bea", nccaom=True, zip_code="10001"),
        searchable_practitioner(name="Cy", medicare=True, zip_code="73301"),
        searchable_practitioner(name="Di"),
    ]


def view(row) -> tuple:
    """What a card or profile can read: every loaded field and annotation, what is deferred, the prefetched rows."""
    fields = {key: value for key, value in vars(row).items() if not key.startswith("_")}
    prefetched = {
        name: [view(child) for child in children]
        for name, children in getattr(row, "_prefetched_objects_cache", {}).items()
    }
    return fields, row.get_deferred_fields(), prefetched


def cards(ids, today=None) -> list[Practitioner]:
    filterset = PractitionerFilterSet(QueryDict(""), queryset=selectors.search_base_qs(), today=today)
    return sorted(selectors.card_rows(filterset, ids, recheck=False, license_state=True), key=lambda row: row.pk)


def without_prepared(monkeypatch, module) -> None:
    monkeypatch.setattr(module, "prepared", lambda *args, **kwargs: None)


@on_postgresql
def test_card_rows_are_the_orms(listings, monkeypatch):
    ids = [listing.pk for listing in listings]
    with CaptureQueriesContext(connection) as queries:
        through_statement = cards(ids)
    assert any(query["sql"].startswith("EXECUTE meridian_") for query in queries)
    without_prepared(monkeypatch, selectors)
    through_orm = cards(ids)
    assert [row.license_state for row in through_orm] == ["verified", "unchecked", "verified", "unchecked"]
    assert [view(row) for row in through_statement] == [view(row) for row in through_orm]


@on_postgresql
def test_a_profile_is_the_orms(listings, monkeypatch):
    with CaptureQueriesContext(connection) as queries:
        through_statement = profile_selectors.practitioner_profile(slug=listings[0].slug)
    assert any(query["sql"].startswith("EXECUTE meridian_") for query in queries)
    without_prepared(monkeypatch, profile_selectors)
    through_orm = profile_selectors.practitioner_profile(slug=listings[0].slug)
    assert view(through_statement) == view(through_orm)


def test_an_unknown_slug_is_a_404_either_way(listings):
    from django.http import Http404

    with pytest.raises(Http404):
        profile_selectors.practitioner_profile(slug="no-such-listing")
    with pytest.raises(Http404):
        profile_selectors.practitioner_profile(slug=prepared.marker(1))


@on_postgresql
def test_a_statement_is_prepared_once_per_connection_and_per_day(listings):
    ids = [listing.pk for listing in listings]

    def prepares(**kwargs) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert [row.pk for row in cards(ids, **kwargs)] == ids
        return sum(query["sql"].startswith("PREPARE") for query in queries)

    assert prepares() == 1
    assert prepares() == 0
    assert prepares(today=datetime.date(2031, 1, 1)) == 1  # another day's trust facts: another statement
    prepared.forget()  # as a new connection: prepared again, under a new name
    assert prepares() == 1


def test_sqlite_runs_the_queryset(listings):
    if connection.vendor == "postgresql":
        pytest.skip("the PostgreSQL path is tested above")
    query = Practitioner.objects.filter(slug=prepared.marker(1))
    assert prepared.prepared(query, ["ann"]) is None
    assert [row.name for row in cards([listing.pk for listing in listings])] == ["Ann", "Bea", "Cy", "Di"]
