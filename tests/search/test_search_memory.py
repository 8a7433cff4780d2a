"""Each worker's memory index of the search projection (`search.memory`) stays current across
processes: what another connection commits is in the next search, whatever order transactions
commit in; a search inside a transaction that has written does not leave its rows to others.

These tests commit (transactional_db), as two workers and a write would; the answers themselves
are compared with the plain definitions in tests/search/test_search_projection.py.
PostgreSQL only: SQLite searches the projection in SQL.
"""

import datetime

import numpy as np
import psycopg
import pytest
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import F, FloatField
from django.db.models.functions import Cast
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practitioners import services as listing_services
from practitioners.expressions import SEARCH_CONFIG
from practitioners.models import PracticeLocation, Practitioner, SearchRow, SearchRowChange
from practitioners.search_rows import prune_search_row_changes, rebuild_search_rows
from search import memory
from search import words as text_words
from search.filters import PractitionerFilterSet
from search.selectors import search_base_qs
from tests.factories import UserFactory, searchable_practitioner

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the memory index serves PostgreSQL only"),
]


def found(**params) -> list[str]:
    """The names a search finds through this worker's memory index, in its order (with no years in
    practice, sort=experience is by name)."""
    query = QueryDict(mutable=True)
    query.update(params)
    search = memory.MemorySearch(PractitionerFilterSet(query, queryset=search_base_qs()))
    ids = [entry.pk for entry in search.page_entries(0, 100)]
    names = dict(Practitioner.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [names[pk] for pk in ids]


def other_connection() -> psycopg.Connection:
    """A second connection to the test database, as another worker or job would hold."""
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], dbname=settings["NAME"]
    )


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


def test_a_committed_write_is_in_the_next_search_without_a_reload(staff):
    ann = searchable_practitioner(name="Ann", conditions=("neck-pain",), verified=True)  # may be republished
    searchable_practitioner(name="Bea", conditions=("neck-pain",))
    assert found(condition="neck-pain", sort="experience") == ["Ann", "Bea"]
    held = memory.current_snapshot("default")

    listing_services.listing_set_status(practitioner=ann, actor=staff, status=Practitioner.Status.DRAFT)
    assert found(condition="neck-pain", sort="experience") == ["Bea"]
    listing_services.listing_staff_update(
        practitioner=Practitioner.objects.get(name="Bea"), actor=staff, changes={"gender": "female"}
    )
    with CaptureQueriesContext(connection) as queries:
        assert found(gender="female") == ["Bea"]
    ranked = [query["sql"] for query in queries if 'ORDER BY "practitioners_searchrow"."name"' in query["sql"]]
    assert not ranked  # the same names: their order is not read again
    cal = searchable_practitioner(name="Aaron", conditions=("neck-pain",))  # a new listing, first by name
    assert found(condition="neck-pain", sort="experience") == ["Aaron", "Bea"]
    listing_services.listing_set_status(practitioner=ann, actor=staff, status=Practitioner.Status.PUBLISHED)
    assert found(condition="neck-pain", sort="experience") == ["Aaron", "Ann", "Bea"]  # back in its place by name
    assert memory.current_snapshot("default") is held  # caught up from the log, not reloaded
    assert cal.pk in {int(pk) for pk in held.columns["pk"][: held.n]}


def test_a_transaction_that_commits_after_a_later_one_is_not_missed(staff):
    ann = searchable_practitioner(name="Ann", gender="female")
    bea = searchable_practitioner(name="Bea", gender="female")
    assert found(gender="male") == []
    with other_connection() as other:
        # Another process's write: it takes its transaction id first, and commits last.
        other.execute("UPDATE practitioners_searchrow SET gender = 'male' WHERE practitioner_id = %s", [ann.pk])
        other.execute(
            "INSERT INTO practitioners_searchrowchange (practitioner_id, xid, created_at) "
            "VALUES (%s, pg_current_xact_id()::text::bigint, now())",
            [ann.pk],
        )
        listing_services.listing_staff_update(practitioner=bea, actor=staff, changes={"gender": "male"})
        assert found(gender="male") == ["Bea"]  # the later transaction, committed first
        other.commit()
    assert found(gender="male") == ["Ann", "Bea"]


def test_a_search_inside_a_writing_transaction_leaves_nothing_behind(staff):
    ann = searchable_practitioner(name="Ann", gender="female")
    assert found(gender="female") == ["Ann"]
    with transaction.atomic():
        listing_services.listing_staff_update(practitioner=ann, actor=staff, changes={"gender": "male"})
        assert found(gender="male") == ["Ann"]  # its own write, from a private copy
        transaction.set_rollback(True)
    assert found(gender="male") == []
    assert found(gender="female") == ["Ann"]


def test_a_full_rebuild_and_a_long_silence_reload_everything(monkeypatch):
    searchable_practitioner(name="Ann")
    held = memory.current_snapshot("default")
    SearchRow.objects.filter(name="Ann").update(name="Zed")  # outside the services: only a rebuild tells
    assert memory.current_snapshot("default") is held
    rebuild_search_rows()
    reloaded = memory.current_snapshot("default")
    assert reloaded is not held
    assert memory.current_snapshot("default") is reloaded
    monkeypatch.setattr(memory, "RELOAD_AFTER_SECONDS", -1)
    assert memory.current_snapshot("default") is not reloaded


def test_a_long_transaction_elsewhere_does_not_make_every_search_reload(staff):
    """While any transaction with an id stays open (a report, a dump, another database's job), the
    snapshot's xmin stays behind it and each look reads the changes since: one already loaded,
    a rebuild's most of all, is not applied again."""
    ann = searchable_practitioner(name="Ann")
    with other_connection() as other:
        other.execute("SELECT pg_current_xact_id()")  # holds the xmin from now on
        memory.forget()
        assert found() == ["Ann"]
        first = memory.current_snapshot("default")
        rebuild_search_rows()
        reloaded = memory.current_snapshot("default")
        assert reloaded is not first and memory.current_snapshot("default") is reloaded
        listing_services.listing_staff_update(practitioner=ann, actor=staff, changes={"name": "Ada"})
        assert found() == ["Ada"] and memory.current_snapshot("default") is reloaded
        memory.forget()  # a worker that starts now loads after the rebuild and the rename
        started = memory.current_snapshot("default")
        assert memory.current_snapshot("default") is started and found() == ["Ada"]
        other.rollback()


def test_changes_older_than_a_day_are_pruned():
    ann = searchable_practitioner(name="Ann")
    assert SearchRowChange.objects.filter(practitioner_id=ann.pk).exists()
    SearchRowChange.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    searchable_practitioner(name="Bea")
    kept = SearchRowChange.objects.count() - SearchRowChange.objects.filter(practitioner_id=ann.pk).count()
    assert prune_search_row_changes() > 0
    assert SearchRowChange.objects.count() == kept and not SearchRowChange.objects.filter(practitioner_id=ann.pk)


@pytest.fixture
def held_words(monkeypatch):
    """Every lexeme of the listings is held in memory (search.words), as the most common ones are on
    a large directory: call it after the listings exist (PostgreSQL's statistics choose them)."""
    monkeypatch.setattr(text_words, "HELD_LEXEME_SHARE", 0)
    monkeypatch.setattr(text_words, "HELD_LEXEME_LISTINGS", 0)

    def hold() -> memory.Snapshot:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Practitioner._meta.db_table}")
        memory.forget()
        snapshot = memory.current_snapshot("default")
        snapshot.hold_lexemes()
        return snapshot

    return hold


def words_in_sql(queries) -> list[str]:
    return [query["sql"] for query in queries if "@@" in query["sql"]]


def ranks_in_sql(text: str) -> dict[int, float]:
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    ranked = Practitioner.objects.filter(search_vector=query).annotate(
        rank=Cast(SearchRank(F("search_vector"), query), FloatField())
    )
    return dict(ranked.values_list("pk", "rank"))


def test_common_words_are_matched_and_ranked_in_memory_and_follow_writes(staff, held_words):
    ann = searchable_practitioner(name="Ann", bio="Needles for back pain.")
    searchable_practitioner(name="Bea Needle", bio="Cupping, and needles for neck pain and back pain.")
    searchable_practitioner(name="Cal", bio="Massage.")
    held = held_words()
    assert {"needl", "back", "pain", "bea"} <= set(held.lexemes)
    assert held.ranks_exact
    with CaptureQueriesContext(connection) as queries:
        assert found(q="needles") == ["Bea Needle", "Ann"]  # the name's weight first
        assert found(q="needles or massage", sort="experience") == ["Ann", "Bea Needle", "Cal"]
        assert found(q="pain -neck", sort="experience") == ["Ann"]  # matched in memory (ranked in SQL: an AND)
    assert not words_in_sql(queries)
    # No query of their own: the look for changes has PostgreSQL read the words.
    assert not [query for query in queries if query["sql"].startswith("SELECT websearch_to_tsquery")]
    assert [query for query in queries if query["sql"].startswith("SELECT look.xmin") and "websearch" in query["sql"]]
    for text in ("needles", "needles or massage or bea", "-cupping"):
        mask, ranks = held.match_words(text, ranked=True)
        pks = held.columns["pk"][: held.n]
        assert {int(pks[slot]): float(ranks[slot]) for slot in np.flatnonzero(mask)} == ranks_in_sql(text)

    listing_services.listing_staff_update(practitioner=ann, actor=staff, changes={"bio": "Massage only."})
    with CaptureQueriesContext(connection) as queries:
        assert found(q="needles") == ["Bea Needle"]
        assert found(q="massage", sort="experience") == ["Ann", "Cal"]
    assert not words_in_sql(queries)
    assert memory.current_snapshot("default") is held  # caught up from the log

    with CaptureQueriesContext(connection) as queries:
        assert found(q="back pain") == ["Bea Needle"]  # an AND query's rank needs positions: SQL
        assert found(q='"back pain"', sort="experience") == ["Bea Needle"]  # a phrase: SQL
        assert found(q="needles or zebra") == ["Bea Needle"]  # a lexeme not held: SQL
    in_sql = words_in_sql(queries)
    assert len(in_sql) == 3
    # The AND and the phrase are tested only on the listings holding their lexemes (Bea's), by id.
    bea = Practitioner.objects.get(name="Bea Needle").pk
    assert f"ANY('{{{bea}}}'" in in_sql[0] and f"ANY('{{{bea}}}'" in in_sql[1]


def test_places_are_held_in_memory_and_follow_location_writes(staff):
    """A search by place reads the worker's points (no location query), and a location moved, added or
    removed through the services is where the next search looks, without a reload."""
    ann = searchable_practitioner(name="Ann", zip_code="94110")  # San Francisco
    searchable_practitioner(name="Bea", zip_code="10001")  # New York
    assert found(location="94110", radius="25") == ["Ann"]
    held = memory.current_snapshot("default")
    assert held.points is not None and len(held.points) == 2
    with CaptureQueriesContext(connection) as queries:
        assert found(location="10001", radius="25") == ["Bea"]
    assert not [query for query in queries if "practitioners_practicelocation" in query["sql"]]

    location = ann.locations.get()
    location.zip_code, location.state_id, location.city = "10003", "NY", "New York"  # the service geocodes it
    listing_services.location_staff_save(location=location, actor=staff)
    assert found(location="94110", radius="25") == []
    assert found(location="10001", radius="25", sort="experience") == ["Ann", "Bea"]
    second = listing_services.location_staff_save(
        location=PracticeLocation(practitioner=ann, city="Oakland", state_id="CA", zip_code="94607"), actor=staff
    )
    assert found(location="94110", radius="25") == ["Ann"]
    listing_services.location_staff_delete(location=second, actor=staff)
    assert found(location="94110", radius="25") == []
    assert memory.current_snapshot("default") is held  # caught up from the log, not reloaded
