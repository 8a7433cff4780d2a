"""The words of a search matched in memory (`search.memory`), with PostgreSQL's own answers.

A common word matches most listings, and PostgreSQL tests and ranks each listing's text vector
(about 2–3 µs a listing: seconds at a million). So each worker also holds the directory's most
common lexemes (PostgreSQL's own statistics of the text vector, `pg_stats.most_common_elems`),
each as one byte per listing: 0 when the listing's vector lacks it, otherwise a code for the
weights of its positions ("B", "BC", …), read from the stored vectors.

What stays with PostgreSQL:

- The parsing. `websearch_to_tsquery` turns the words into lexemes (stemming, stop words,
  quotes, "or", "-"); its text form is parsed here (`parse`). A query with a phrase (quoted words,
  hyphenated words), or with any lexeme not held, is matched in SQL, but only on the listings that
  hold every held lexeme it needs (`superset`).
- The definition of ts_rank. Best match scores by `ts_rank(vector, query)`. For a query whose
  top operator is not AND (one word, "or", "-"), PostgreSQL's calc_rank_or depends only on each
  query lexeme's position weights in the vector: per lexeme E = wmax + Σ w_j/(j+1)² − wmax/(jm+1)²
  in single precision, summed as res = (float)(res + E / 1.64493406685) over the lexemes in
  PostgreSQL's order (byte order, shorter first), then divided by their number. `rank_term`
  computes E per weights code the same way, and `check_terms` asks PostgreSQL to rank a vector
  with each code's weights: if any value differs, ranks are not computed here (the SQL ranks).
  An AND query's rank depends on the distances between positions, which are not held: SQL.

tests/search/test_search_projection.py compares every answer with the plain definitions on
random data, words and writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

# Lexemes held in memory: in at least this share of listings and at least this many (a rarer
# lexeme is quick in SQL through the GIN index), the most common first, at most this many.
HELD_LEXEME_SHARE = 0.02
HELD_LEXEME_LISTINGS = 2000
HELD_LEXEMES_MAX = 256
# PostgreSQL's default weights (tsrank.c: D, C, B, A) and calc_rank_or's divisor (π²/6).
WEIGHTS = {"D": np.float32(0.1), "C": np.float32(0.2), "B": np.float32(0.4), "A": np.float32(1.0)}
RANK_DIVISOR = 1.64493406685
MAX_CODES = 256  # codes are one byte; 0: the listing's vector lacks the lexeme

_TOKEN = re.compile(r"\s*(?:'((?:[^'\\]|''|\\.)*)'(:[*A-Da-d]+)?|(<\d*-?>)|([!&|()]))")


@dataclass(frozen=True)
class Lexeme:
    text: str


@dataclass(frozen=True)
class Op:
    op: str  # "!", "&", "|" or a phrase operator ("<->", "<2>", …)
    args: tuple


def parse(query_text: str, *, phrases: bool = False) -> Lexeme | Op | None:
    """A tsquery's text form (`'back' & !'neck'`) as a tree; None when it is empty or has what is not
    matched in memory (a prefix or weight restriction; a phrase operator unless `phrases`, for `superset`)."""
    tokens, position = [], 0
    query_text = query_text.strip()
    while position < len(query_text):
        found = _TOKEN.match(query_text, position)
        if found is None:
            return None
        lexeme, suffix, phrase, operator = found.groups()
        if suffix or (phrase and not phrases):
            return None
        if lexeme is not None:
            tokens.append(Lexeme(re.sub(r"''|\\(.)", lambda m: m.group(1) or "'", lexeme)))
        else:
            tokens.append(phrase or operator)
        position = found.end()
    if not tokens:
        return None
    try:
        tree, rest = _or(tokens)
    except ValueError:  # not a form PostgreSQL writes: leave it to SQL
        return None
    return tree if not rest else None


def _or(tokens: list) -> tuple:
    return _chain(tokens, "|", _and)


def _and(tokens: list) -> tuple:
    return _chain(tokens, "&", _phrase)


def _phrase(tokens: list) -> tuple:
    return _chain(tokens, "<", _not)


def _chain(tokens: list, operator: str, operand) -> tuple:
    """Operands joined by one binary operator ("<": any phrase operator), grouped from the left (how
    PostgreSQL writes them)."""
    left, rest = operand(tokens)
    while rest and isinstance(rest[0], str) and rest[0].startswith(operator):
        joined = rest[0]
        right, rest = operand(rest[1:])
        left = Op(joined, (left, right))
    return left, rest


def _not(tokens: list) -> tuple:
    if not tokens:
        raise ValueError("A tsquery ended where an operand was expected.")
    if tokens[0] == "!":
        operand, rest = _not(tokens[1:])
        return Op("!", (operand,)), rest
    if tokens[0] == "(":
        inner, rest = _or(tokens[1:])
        if not rest or rest[0] != ")":
            raise ValueError("A tsquery's parenthesis is not closed.")
        return inner, rest[1:]
    if isinstance(tokens[0], Lexeme):
        return tokens[0], tokens[1:]
    raise ValueError(f"Unexpected {tokens[0]!r} in a tsquery.")


def lexemes(tree: Lexeme | Op) -> list[str]:
    """The query's distinct lexemes in PostgreSQL's order for ranking (SortAndUniqItems: bytes, shorter first)."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, Lexeme):
            found.add(node.text)
        else:
            for arg in node.args:
                walk(arg)

    walk(tree)
    return sorted(found, key=lambda text: text.encode())


def evaluate(tree: Lexeme | Op, present) -> np.ndarray:
    """The boolean mask of the query over the slots, `present(lexeme)` giving each lexeme's mask."""
    if isinstance(tree, Lexeme):
        return present(tree.text)
    if tree.op == "!":
        return ~evaluate(tree.args[0], present)
    left, right = (evaluate(arg, present) for arg in tree.args)
    return left & right if tree.op == "&" else left | right


def superset(tree: Lexeme | Op, present) -> np.ndarray | None:
    """A mask of the slots that can match the query, from the lexemes `present(lexeme)` knows (None for
    the others): every operand of an AND or a phrase must match, so their masks are intersected; None
    when nothing is known (a NOT, an OR with an unknown side)."""
    if isinstance(tree, Lexeme):
        return present(tree.text)
    if tree.op == "!":
        return None
    masks = [superset(arg, present) for arg in tree.args]
    if tree.op == "|":
        return None if any(mask is None for mask in masks) else masks[0] | masks[1]
    known = [mask for mask in masks if mask is not None]
    return None if not known else known[0] & known[-1]


def ranked_as_or(tree: Lexeme | Op) -> bool:
    """Whether PostgreSQL ranks this query with calc_rank_or (its top operator is not AND, or it has one lexeme)."""
    return not (isinstance(tree, Op) and tree.op == "&") or len(lexemes(tree)) < 2


def rank_term(weights: str) -> np.float32:
    """calc_rank_or's per-lexeme E for positions of these weights (in position order), in single precision."""
    resj, wjm, jm = np.float32(0.0), np.float32(-1.0), 0
    for j, letter in enumerate(weights or "D"):  # a lexeme without positions counts as one of weight D
        weight = WEIGHTS[letter]
        resj = np.float32(resj + weight / np.float32((j + 1) * (j + 1)))
        if weight > wjm:
            wjm, jm = weight, j
    return np.float32(np.float32(wjm + resj) - wjm / np.float32((jm + 1) * (jm + 1)))


def rank_or(terms_by_lexeme: list[np.ndarray]) -> np.ndarray:
    """ts_rank by calc_rank_or: `terms_by_lexeme` holds, per query lexeme in ranking order, E for each
    listing (NaN where the vector lacks the lexeme)."""
    res = np.zeros(len(terms_by_lexeme[0]) if terms_by_lexeme else 0, np.float32)
    for terms in terms_by_lexeme:
        present = ~np.isnan(terms)
        added = (res.astype(np.float64) + terms.astype(np.float64) / RANK_DIVISOR).astype(np.float32)
        res = np.where(present, added, res)
    if terms_by_lexeme:
        res = res / np.float32(len(terms_by_lexeme))
    return res


def vector_literal(weights: str) -> str:
    """A one-lexeme tsvector with positions of these weights: 'x':1B,2C."""
    return "'x':" + ",".join(f"{j + 1}{'' if letter == 'D' else letter}" for j, letter in enumerate(weights or "D"))


def check_terms(cursor, weight_strings: list[str]) -> bool:
    """Whether PostgreSQL's ts_rank of a one-lexeme vector with each of these weights is rank_or's."""
    if not weight_strings:
        return True
    cursor.execute(
        "SELECT ts_rank(literal::tsvector, 'x'::tsquery)::double precision FROM unnest(%s::text[]) WITH ORDINALITY AS t(literal, n) "
        "ORDER BY n",
        [[vector_literal(weights) for weights in weight_strings]],
    )
    theirs = [row[0] for row in cursor.fetchall()]
    ours = rank_or([np.array([rank_term(weights) for weights in weight_strings], np.float32)])
    return [float(value) for value in ours] == theirs
