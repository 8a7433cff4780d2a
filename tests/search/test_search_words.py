"""PostgreSQL's reading of a search's words, parsed for the memory index (`search.words`): what it
matches in memory, what it leaves to SQL, and ts_rank's per-lexeme term against PostgreSQL's own."""

import numpy as np
import pytest
from django.db import connection

from search import words
from search.words import Lexeme, Op


@pytest.mark.parametrize(
    ("query_text", "tree"),
    [
        ("'back'", Lexeme("back")),
        ("'back' & 'pain'", Op("&", (Lexeme("back"), Lexeme("pain")))),
        ("'back' | 'neck' & 'pain'", Op("|", (Lexeme("back"), Op("&", (Lexeme("neck"), Lexeme("pain")))))),
        (
            "( 'back' | 'neck' ) & !'pain'",
            Op("&", (Op("|", (Lexeme("back"), Lexeme("neck"))), Op("!", (Lexeme("pain"),)))),
        ),
        ("!!'back'", Op("!", (Op("!", (Lexeme("back"),)),))),
        ("'o''brien' & 'a\\\\b'", Op("&", (Lexeme("o'brien"), Lexeme("a\\b")))),
    ],
)
def test_a_query_text_is_parsed_with_tsquery_precedence(query_text, tree):
    assert words.parse(query_text) == tree


@pytest.mark.parametrize(
    "query_text",
    [
        "",
        "   ",
        "'low' <-> 'back'",
        "'low' <2> 'back'",
        "'back':*",
        "'back':AB",
        "'back' &",
        "( 'back'",
        "'back' 'pain'",
    ],
)
def test_what_memory_does_not_match_is_left_to_sql(query_text):
    assert words.parse(query_text) is None


def test_lexemes_come_in_postgresqls_ranking_order():
    tree = words.parse("'ab' | 'b' | 'abc' & !'a' | 'ab'")
    assert words.lexemes(tree) == ["a", "ab", "abc", "b"]
    assert words.ranked_as_or(words.parse("'a' & 'b' | 'c'"))  # & binds tighter: the top is "|"
    assert not words.ranked_as_or(words.parse("( 'a' | 'b' ) & 'c'"))
    assert words.ranked_as_or(words.parse("'a' & 'a'"))  # one lexeme: PostgreSQL ranks it as an OR


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="ts_rank is PostgreSQL's")
@pytest.mark.django_db
def test_the_rank_terms_are_postgresqls_for_every_kind_of_positions():
    kinds = ["A", "B", "C", "D", "", "AB", "BC", "CC", "ABBC", "BBBBBBBBBBC", "C" * 40, "ABCD" * 20]
    with connection.cursor() as cursor:
        assert words.check_terms(cursor, kinds)
        vector = words.vector_literal("BC") + " " + words.vector_literal("CCA").replace("'x'", "'y'")
        cursor.execute("SELECT ts_rank(%s::tsvector, 'x | y'::tsquery)::double precision", [vector])
        both = cursor.fetchone()[0]
    terms = [np.array([words.rank_term(kind)], np.float32) for kind in ("BC", "CCA")]
    assert float(words.rank_or(terms)[0]) == both
    assert words.rank_term("B") != words.rank_term("BC")


def test_a_phrase_bounds_its_matches_by_the_lexemes_it_needs():
    """Words matched in SQL (a phrase, a rare lexeme, a NOT) are tested only on the listings that hold
    every lexeme they need: the superset of their matches from the held lexemes."""
    masks = {
        "low": np.array([1, 1, 0, 1], bool),
        "back": np.array([1, 0, 1, 1], bool),
        "pain": np.array([0, 0, 1, 1], bool),
    }

    def known(text):
        return words.superset(words.parse(text, phrases=True), masks.get)

    assert words.parse("'low-back' <-> 'low' <-> 'back'", phrases=True) == Op(
        "<->", (Op("<->", (Lexeme("low-back"), Lexeme("low"))), Lexeme("back"))
    )
    assert known("'low-back' <-> 'low' <-> 'back'").tolist() == [True, False, False, True]  # 'low-back' not held
    assert known("'low' <2> 'back' & 'pain'").tolist() == [False, False, False, True]
    assert known("!'low' <-> 'back'").tolist() == [True, False, True, True]  # a NOT bounds nothing
    assert known("'low' | 'zebra'") is None and known("!'low'") is None and known("'zebra'") is None
    assert known("'low' | 'pain'").tolist() == [True, True, True, True]
