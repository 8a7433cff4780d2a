"""Free-text search: PostgreSQL full-text search with weights and the GIN index; SQLite icontains."""

import pytest
from django.db import connection
from django.http import QueryDict

from practitioners.models import Practitioner
from search.filters import PractitionerFilterSet, text_matches
from search.selectors import search_base_qs
from tests.factories import searchable_practitioner

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search (stemming, weights, GIN index) is PostgreSQL's"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's simpler icontains match")


def found(query: str) -> list[str]:
    search = PractitionerFilterSet(QueryDict(query), queryset=search_base_qs())
    assert search.is_valid(), search.errors
    return [p.slug for p in search.qs]


# ---------------------------------------------------------------- both databases


def test_text_matches_name_practice_condition_and_bio():
    searchable_practitioner(slug="by-name", name="Ingrid Johansson")
    searchable_practitioner(slug="by-practice", practice_name="Lotus Spine Clinic")
    searchable_practitioner(slug="by-condition", conditions=("whiplash",))
    searchable_practitioner(slug="by-bio", bio="Former dancer who understands hamstrings.")
    searchable_practitioner(slug="nothing")
    assert found("q=johansson") == ["by-name"]
    assert found("q=lotus") == ["by-practice"]
    assert found("q=whiplash") == ["by-condition"]
    assert found("q=dancer") == ["by-bio"]


def test_text_matches_techniques_and_complementary_services():
    searchable_practitioner(slug="cups", techniques=("cupping",))
    searchable_practitioner(slug="electro", techniques=("electroacupuncture",))
    searchable_practitioner(slug="massage", services=("massage-therapy",))
    searchable_practitioner(slug="nothing")
    assert found("q=cupping") == ["cups"]
    assert found("q=electroacupuncture") == ["electro"]
    assert found("q=Electroacupuncture") == ["electro"]
    assert found("q=massage") == ["massage"]


def test_text_match_is_case_insensitive_and_needs_every_word():
    searchable_practitioner(slug="both-words", bio="Gentle treatment for office workers.")
    searchable_practitioner(slug="one-word", bio="Gentle hands.")
    assert found("q=GENTLE%20office") == ["both-words"]


def test_text_can_be_combined_with_filters():
    searchable_practitioner(slug="match", bio="Sports injuries.", conditions=("neck-pain",))
    searchable_practitioner(slug="wrong-condition", bio="Sports injuries.", conditions=("sciatica",))
    assert found("q=sports&condition=neck-pain") == ["match"]


def test_a_name_match_ranks_above_a_bio_match():
    searchable_practitioner(slug="bio-mentions", name="Avery Park", bio="Trained with Dr. Willow for years.")
    searchable_practitioner(slug="named", name="Sage Willow")
    assert found("q=willow") == ["named", "bio-mentions"]


# ---------------------------------------------------------------- PostgreSQL


@postgres_only
def test_postgres_stems_words():
    searchable_practitioner(slug="stemmed", bio="I treated many runners.")
    assert found("q=treating%20runner") == ["stemmed"]


@postgres_only
def test_postgres_weights_practice_names_and_conditions_above_the_bio():
    searchable_practitioner(slug="bio", name="A", bio="Harmony of body and mind.")
    searchable_practitioner(slug="practice", name="B", practice_name="Harmony Acupuncture")
    assert found("q=harmony") == ["practice", "bio"]


@postgres_only
def test_postgres_weights_techniques_above_the_bio():
    searchable_practitioner(slug="bio", name="A", bio="I sometimes mention cupping.")
    searchable_practitioner(slug="technique", name="B", techniques=("cupping",))
    assert found("q=cupping") == ["technique", "bio"]


@postgres_only
def test_postgres_understands_web_search_syntax():
    searchable_practitioner(slug="cupping", bio="Cupping and moxa.")
    searchable_practitioner(slug="cupping-herbs", bio="Cupping and herbs.")
    assert found("q=cupping%20-herbs") == ["cupping"]
    assert sorted(found('q="and herbs"%20OR%20moxa')) == ["cupping", "cupping-herbs"]


@postgres_only
def test_postgres_uses_the_gin_index():
    searchable_practitioner(slug="someone", bio="Back pain.")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = text_matches(Practitioner.objects.order_by(), "back").explain()
    assert "prac_search_vector_gin" in plan


@postgres_only
def test_postgres_ignores_punctuation_that_is_not_search_syntax():
    searchable_practitioner(slug="someone", bio="Back pain.")
    for odd in ("back%20%26%20pain", "(back", "back:*", "'back'", "back!!", "%5C"):
        found(f"q={odd}")  # never an error


# ---------------------------------------------------------------- SQLite


@sqlite_only
def test_sqlite_matches_word_fragments():
    searchable_practitioner(slug="fragment", name="Dmitri Kowalski")
    assert found("q=kowal") == ["fragment"]
