"""The search projection held in each worker's memory (PostgreSQL): facet counts and a page's order
without reading the matching rows in SQL.

`search.projection.ProjectedSearch` counts and orders a search by reading its rows from `SearchRow`;
a broad search reads about every row, so its time grows with the directory. Here each process keeps
the same rows as columns (numpy arrays, one slot per listing) and every vocabulary item as a bitmap
over the slots, so a search is a few vector operations and a facet count is a population count of
(item AND matches): its cost grows with the number of listings only by memory bandwidth (about
12 KB a vocabulary item at 100,000 listings).

The words (`q`) are matched here too when every lexeme of the query is one of the directory's most
common ones, which each snapshot holds (`search.words`: what the text vectors say, read like the rows;
best match's ts_rank computed as PostgreSQL computes it, for queries it ranks as an OR). Otherwise
the words are asked of PostgreSQL, live (the listing's text vector: ids and, for best match,
`ts_rank`), with the same expressions as the plain definitions, so their answers are the same values.
The place (`location`: the listings with a location inside the radius and the distance to the nearest)
is searched among the locations each snapshot holds (`search.points`, the plain definition's distance,
PostgreSQL's value wherever it decides an answer); a private snapshot asks PostgreSQL
(`PracticeLocation.objects.within`).

Staying current: every rebuild of a row (`practitioners.search_rows.refresh_search_rows`) logs the
listing in `SearchRowChange` with the id of its transaction, in that transaction. Before a search the
worker reads, in one query, the changes of every transaction its previous look could not see
(transaction id at least that look's `pg_snapshot_xmin`) and re-reads those rows (and their held
lexemes, from the text vectors, and their locations), so a write is in
the next search that starts after it commits, in every worker. A search inside a transaction that
has written (its own rows not committed yet) uses a private copy read through that transaction.

A snapshot is changed in place when it catches up, so a process serves one search at a time with it
(gunicorn's sync workers, as deployed); threads would need a copy per catch-up.

The order is the plain definition's: the same keys (`search.filters.search_order_by`), computed from
the same stored values with the same floating-point operations in the same order, and ties broken
by (name, pk) through the rank of each row in PostgreSQL's `ORDER BY name, pk`.
tests/search/test_search_projection.py compares its answers with the plain definitions on random
data and writes; tests/search/test_search_memory.py checks what other workers see after commits.
"""

from __future__ import annotations

import datetime
import itertools
import math
import threading
import time
from collections.abc import Iterable
from decimal import Decimal
from functools import cached_property

import numpy as np
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections, router
from django.db.models import BooleanField, F, FloatField, Min
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from practitioners import freshness
from practitioners.expressions import SEARCH_CONFIG, great_circle_miles
from practitioners.models import PracticeLocation, Practitioner, SearchRow, SearchRowChange
from practitioners.search_rows import UPDATED_FIELDS

from . import words as text_words
from .answers import FacetCounts, PageEntry
from .filters import BEST_MATCH_WEIGHTS, FLAG_LABELS, GENDER_CHOICES, MIN_RATING_CHOICES, RATING_PRIOR_REVIEWS
from .points import SLACK, Near, Points
from .projection import SELF_EXCLUDING_FILTERS, row_list_field
from .vocabulary import VOCABULARY_KINDS

# A worker that has not looked for changes for this long reloads everything (the log keeps a day).
RELOAD_AFTER_SECONDS = 6 * 3600
LOAD_CHUNK = 5000
# Best match's coarse key: fresh listings first, whatever the score (far above any score).
FRESH_FIRST = 1e6
# Words are tested in SQL on the listings the other filters leave when they are fewer than this
# (read by primary key, each text vector tested and ranked: about 4 µs a listing); otherwise on all.
TEXT_CANDIDATES_LIMIT = 5_000
NO_DATE = -1  # a date column's NULL: before every day
NO_YEAR = 32767  # practice_started_year NULL: last in "most years in practice"
NO_TIME = np.iinfo(np.int64).min  # last_confirmed_at NULL: never fresh
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
ROW_FIELDS = ("practitioner_id", *UPDATED_FIELDS)  # what a row holds, read by name
COLUMNS = {
    "pk": np.int64,
    "alive": np.bool_,
    "name_rank": np.int64,
    "name_hash": np.int64,  # hash() of the name: a changed name needs new ranks
    "gender": np.int16,
    "sliding_scale": np.bool_,
    "accepting_new_patients": np.bool_,
    "year": np.int32,
    "confirmed": np.int64,
    "review_count": np.int64,
    "rating_sum": np.int64,
    "rating_avg": np.int32,  # hundredths of a star (the column is numeric(3, 2)); NULL: -1
    "verified_until": np.int32,  # date ordinals
    "nccaom_until": np.int32,
    "medicare_until": np.int32,
}
# The yes/no filters: the trust facts' last day (compared with today), the copied flags.
FLAG_COLUMNS = {"verified": "verified_until", "nccaom": "nccaom_until", "medicare": "medicare_until"}
FLAG_FIELDS = {"sliding_scale": "sliding_scale", "new_patients": "accepting_new_patients"}


def enabled(using: str) -> bool:
    """The memory index serves searches on this database (PostgreSQL, unless settings say not)."""
    return getattr(settings, "SEARCH_MEMORY_INDEX", True) and connections[using].vendor == "postgresql"


def _microseconds(moment: datetime.datetime | None) -> int:
    return NO_TIME if moment is None else (moment - EPOCH) // datetime.timedelta(microseconds=1)


def _ordinal(day: datetime.date | None) -> int:
    return NO_DATE if day is None else day.toordinal()


def _hundredths(value) -> int:
    return -1 if value is None else int(Decimal(value) * 100)


class Snapshot:
    """The projection's rows as columns, one slot per listing (a slot is reused when its listing's
    row comes back), with a bitmap per vocabulary item (numpy packed bits, little-endian)."""

    def __init__(self, using: str) -> None:
        self.using = using
        self.n = 0
        self.capacity = 0
        self.columns = {name: np.zeros(0, dtype) for name, dtype in COLUMNS.items()}
        self.slot_of_pk = np.full(0, -1, np.int64)
        self.bits: dict[str, np.ndarray] = {kind: np.zeros((0, 0), np.uint8) for kind in VOCABULARY_KINDS}
        self.item_row: dict[str, dict[int, int]] = {kind: {} for kind in VOCABULARY_KINDS}
        self.gender_code: dict[str, int] = {}
        # The common lexemes (search.words): per lexeme a weights code per slot (0: not in the vector);
        # None until a search with words (or the worker's warm-up) reads them: `hold_lexemes`.
        self.lexemes: dict[str, np.ndarray] | None = None
        self.weight_code: dict[str, int] = {"": 0}
        self.terms = np.full(text_words.MAX_CODES, np.nan, np.float32)  # calc_rank_or's E per code
        self.ranks_exact = False  # PostgreSQL's ts_rank agreed with search.words.rank_term on every code
        # The listings' locations (search.points); None until a search with a place (or the worker's warm-up)
        # reads them, unless `read_points` is False (a private snapshot: its places are asked of SQL).
        self.points: Points | None = None
        self.read_points = True
        self.xmin = 0  # transactions from this id on may not have been visible to the last look
        self.applied: dict[int, int] = {}  # change id → its transaction id, for changes read since xmin
        self.looked_at = time.monotonic()

    # ------------------------------------------------------------ building

    @classmethod
    def load(cls, using: str, xmin: int, applied: Iterable[tuple[int, int | None, int]] = ()) -> Snapshot:
        """Every row as committed now. `applied`: the logged changes (change id, listing id, transaction
        id) that a look before the load saw committed, so the load holds them: the next look does not apply
        them again (a rebuild's among them would reload again, on every search while a transaction
        anywhere in the cluster holds the xmin back)."""
        snapshot = cls(using)
        snapshot.xmin = xmin
        snapshot.applied = {change_id: xid for change_id, _pk, xid in applied if xid >= xmin}
        # In PostgreSQL's (name, pk) order, so a row's slot is its name rank (one query, read in
        # chunks so the rows never all sit in memory as Python objects).
        rows = SearchRow.objects.using(using).order_by("name", "pk").values_list(*ROW_FIELDS)
        for chunk in itertools.batched(rows.iterator(chunk_size=LOAD_CHUNK), LOAD_CHUNK):
            snapshot._append(chunk)
        snapshot.columns["name_rank"] = np.arange(snapshot.capacity, dtype=np.int64)  # slots in that order
        return snapshot

    def _grow(self, needed: int) -> None:
        if needed <= self.capacity:
            return
        capacity = max(64, -(-max(needed, self.capacity * 2) // 64) * 64)
        for name, column in self.columns.items():
            grown = np.zeros(capacity, column.dtype)
            grown[: self.n] = column[: self.n]
            self.columns[name] = grown
        for kind, bits in self.bits.items():
            grown = np.zeros((bits.shape[0], capacity // 8), np.uint8)
            grown[:, : bits.shape[1]] = bits
            self.bits[kind] = grown
        for lexeme, codes in (self.lexemes or {}).items():
            grown = np.zeros(capacity, np.uint8)
            grown[: self.n] = codes[: self.n]
            self.lexemes[lexeme] = grown
        self.capacity = capacity

    def _cover(self, pk: int) -> None:
        """The pk → slot table reaches `pk`."""
        if pk >= len(self.slot_of_pk):
            grown = np.full(max(pk + 1, len(self.slot_of_pk) * 2, 1024), -1, np.int64)
            grown[: len(self.slot_of_pk)] = self.slot_of_pk
            self.slot_of_pk = grown

    def _slot(self, pk: int) -> int:
        self._cover(pk)
        slot = int(self.slot_of_pk[pk])
        if slot < 0:
            self._grow(self.n + 1)
            slot = self.n
            self.n += 1
            self.slot_of_pk[pk] = slot
        return slot

    def _item_row(self, kind: str, item_id: int) -> int:
        rows = self.item_row[kind]
        if item_id not in rows:
            rows[item_id] = len(rows)
            bits = self.bits[kind]
            self.bits[kind] = np.vstack([bits, np.zeros((1, self.capacity // 8), np.uint8)])
        return rows[item_id]

    def _append(self, rows) -> None:
        """Put rows of listings not held yet in the next slots (the load)."""
        values = dict(zip(ROW_FIELDS, zip(*rows, strict=True), strict=True))
        pks = np.array(values["practitioner_id"], np.int64)
        self._cover(int(pks.max()))
        self._grow(self.n + len(pks))
        slots = np.arange(self.n, self.n + len(pks))
        self.slot_of_pk[pks] = slots
        self.n += len(pks)
        self._put(slots, values, [hash(name) for name in values["name"]])

    def _write(self, rows) -> bool:
        """Put these rows (ROW_FIELDS tuples) in their slots, replacing what the slots held. True when
        a row is new, back or renamed (the name ranks must be renewed)."""
        if not rows:
            return False
        values = dict(zip(ROW_FIELDS, zip(*rows, strict=True), strict=True))
        slots = np.array([self._slot(pk) for pk in values["practitioner_id"]], np.int64)
        name_hashes = np.array([hash(name) for name in values["name"]], np.int64)
        columns = self.columns
        renamed = bool((~columns["alive"][slots] | (columns["name_hash"][slots] != name_hashes)).any())
        for slot in slots:
            self._clear(int(slot))
        self._clear_words(slots)
        self._put(slots, values, name_hashes)
        return renamed

    def _put(self, slots: np.ndarray, values: dict, name_hashes) -> None:
        """Write the rows' values (ROW_FIELDS → one value per slot) into these cleared slots."""
        columns = self.columns
        columns["pk"][slots] = values["practitioner_id"]
        columns["alive"][slots] = True
        columns["name_hash"][slots] = name_hashes
        columns["gender"][slots] = [
            self.gender_code.setdefault(gender, len(self.gender_code)) for gender in values["gender"]
        ]
        columns["sliding_scale"][slots] = values["sliding_scale"]
        columns["accepting_new_patients"][slots] = values["accepting_new_patients"]
        columns["year"][slots] = [NO_YEAR if year is None else year for year in values["practice_started_year"]]
        columns["confirmed"][slots] = [_microseconds(moment) for moment in values["last_confirmed_at"]]
        columns["review_count"][slots] = values["review_count"]
        columns["rating_sum"][slots] = values["rating_sum"]
        columns["rating_avg"][slots] = [_hundredths(value) for value in values["rating_avg"]]
        for name in FLAG_COLUMNS.values():
            columns[name][slots] = [_ordinal(day) for day in values[name]]
        for kind in VOCABULARY_KINDS:
            lists = values[row_list_field(kind)]
            held_slots = np.repeat(slots, [len(items) for items in lists])
            if not len(held_slots):
                continue
            items = [item_id for items in lists for item_id in items]
            rows_of = {item_id: self._item_row(kind, item_id) for item_id in set(items)}  # may grow the bitmap
            item_rows = np.fromiter((rows_of[item_id] for item_id in items), np.int64, len(items))
            np.bitwise_or.at(self.bits[kind], (item_rows, held_slots >> 3), (1 << (held_slots & 7)).astype(np.uint8))

    def _clear(self, slot: int) -> None:
        self.columns["alive"][slot] = False
        byte, keep = slot >> 3, np.uint8(0xFF ^ (1 << (slot & 7)))
        for bits in self.bits.values():
            if bits.shape[0]:
                bits[:, byte] &= keep

    def _clear_words(self, slots: np.ndarray) -> None:
        for codes in (self.lexemes or {}).values():
            codes[slots] = 0

    def hold_lexemes(self) -> None:
        """Choose the common lexemes (PostgreSQL's statistics of the text vector) and read them for every
        slot (about 3 s at 100,000 listings: once per snapshot, at the worker's start or its first words)."""
        column = Practitioner._meta.get_field("search_vector").column
        table = Practitioner._meta.db_table
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                "SELECT found.lexeme FROM pg_stats AS stats "
                "CROSS JOIN LATERAL unnest(stats.most_common_elems::text::text[], stats.most_common_elem_freqs) "
                "AS found(lexeme, share) "
                "JOIN pg_class AS class ON class.oid = %s::regclass "
                "WHERE stats.schemaname = current_schema() AND stats.tablename = %s AND stats.attname = %s "
                "AND found.lexeme IS NOT NULL AND found.share >= %s AND found.share * class.reltuples >= %s "
                "ORDER BY found.share DESC, found.lexeme LIMIT %s",
                [
                    table,
                    table,
                    column,
                    text_words.HELD_LEXEME_SHARE,
                    text_words.HELD_LEXEME_LISTINGS,
                    text_words.HELD_LEXEMES_MAX,
                ],
            )
            held = [row[0] for row in cursor.fetchall()]
        self.lexemes = {lexeme: np.zeros(self.capacity, np.uint8) for lexeme in held}
        self._read_words(None)

    def hold_points(self) -> None:
        """Read every location of the listings held (about 0.3 s at 100,000 listings)."""
        self.points = Points.read(self.using, self.slot_of_pk)

    def located(self) -> Points | None:
        """The points, read now if they were not (None for a private snapshot that was not asked to)."""
        if self.points is None and self.read_points:
            self.hold_points()
        return self.points

    def _read_words(self, pks: list[int] | None) -> None:
        """Each held lexeme's weights code for these listings (all when None), from their stored vectors."""
        if not self.lexemes or (pks is not None and not pks):
            return
        table = Practitioner._meta.db_table
        column = Practitioner._meta.get_field("search_vector").column
        only = " AND listing.id = ANY(%s)" if pks is not None else ""
        new_codes = []
        connection = connections[self.using]
        with connection.chunked_cursor() as cursor:  # a group at a time: millions of ids as text at once is 1 GB
            cursor.execute(
                "SELECT word.lexeme, array_to_string(word.weights, ''), string_agg(listing.id::text, ',') "  # noqa: S608 -- our table and column
                f"FROM {table} AS listing CROSS JOIN LATERAL unnest(listing.{column}) AS word "
                f"WHERE word.lexeme = ANY(%s){only} GROUP BY 1, 2",
                [list(self.lexemes), *([pks] if pks is not None else [])],
            )
            while groups := cursor.fetchmany(20):
                for lexeme, weights, ids in groups:
                    code = self.weight_code.get(weights)
                    if code is None:
                        if len(self.weight_code) >= text_words.MAX_CODES:  # too many kinds of positions: SQL
                            self.lexemes = {}
                            return
                        code = self.weight_code[weights] = len(self.weight_code)
                        self.terms[code] = text_words.rank_term(weights)
                        new_codes.append(weights)
                    found = np.fromstring(ids, np.int64, sep=",")  # no list of millions of strings
                    found = found[found < len(self.slot_of_pk)]
                    slots = self.slot_of_pk[found]
                    self.lexemes[lexeme][slots[slots >= 0]] = code
        with connection.cursor() as cursor:
            if pks is None:
                self.ranks_exact = text_words.check_terms(cursor, [w for w in self.weight_code if w])
            elif new_codes and self.ranks_exact:
                self.ranks_exact = text_words.check_terms(cursor, new_codes)

    def _rank_names(self) -> None:
        """Each slot's position in PostgreSQL's `ORDER BY name, pk` over the rows (the sorts' last keys)."""
        ordered = np.fromiter(
            SearchRow.objects.using(self.using).order_by("name", "pk").values_list("pk", flat=True), np.int64
        )
        # A row committed after this snapshot's rows were read is not in a slot yet (the next look adds it).
        ordered = ordered[ordered < len(self.slot_of_pk)]
        slots = self.slot_of_pk[ordered]
        slots = slots[slots >= 0]
        ranks = np.zeros(self.capacity, np.int64)
        ranks[slots] = np.arange(len(slots), dtype=np.int64)
        self.columns["name_rank"] = ranks

    # ------------------------------------------------------------ staying current

    def catch_up(self, changes: list[tuple[int, int | None, int]], xmin: int) -> Snapshot:
        """Apply the logged changes (change id, listing id or None for all, transaction id) not read
        before; the next look starts from `xmin`. Returns the snapshot to use (a new one after a
        full rebuild)."""
        new = [(change_id, pk, xid) for change_id, pk, xid in changes if change_id not in self.applied]
        if any(pk is None for _change_id, pk, _xid in new):
            return Snapshot.load(self.using, xmin, changes)
        if new:
            pks = sorted({pk for _change_id, pk, _xid in new})
            rows = list(SearchRow.objects.using(self.using).filter(pk__in=pks).values_list(*ROW_FIELDS))
            present = {row[0] for row in rows}
            for pk in pks:  # listings no longer published: their rows are gone
                slot = self.slot_of_pk[pk] if pk < len(self.slot_of_pk) and pk not in present else -1
                if slot >= 0:
                    self._clear(int(slot))
                    self._clear_words(np.array([slot]))
            if self._write(rows):  # new, back or renamed: the name order changed
                self._rank_names()
            self._read_words(sorted(present))
            if self.points is not None:
                self.points.replace(self.using, self.slot_of_pk, pks, sorted(present))
            for change_id, _pk, xid in new:
                self.applied[change_id] = xid
        self.applied = {change_id: xid for change_id, xid in self.applied.items() if xid >= xmin}
        self.xmin = xmin
        self.looked_at = time.monotonic()
        return self

    # ------------------------------------------------------------ reading

    def item_mask(self, kind: str, item_id: int) -> np.ndarray:
        row = self.item_row[kind].get(item_id)
        if row is None:
            return np.zeros(self.n, bool)
        return np.unpackbits(self.bits[kind][row], count=self.n, bitorder="little").view(bool)

    def item_counts(self, kind: str, mask: np.ndarray) -> dict[int, int]:
        """{item id: number of slots in `mask` that hold it}, items held by none left out."""
        bits = self.bits[kind]
        if not bits.shape[0]:
            return {}
        packed = np.packbits(mask, bitorder="little")
        counts = np.bitwise_count(bits[:, : len(packed)] & packed).sum(axis=1, dtype=np.int64)
        return {item_id: int(counts[row]) for item_id, row in self.item_row[kind].items() if counts[row]}

    def match_words(self, text: str, *, ranked: bool) -> tuple[np.ndarray, np.ndarray] | None:
        """(slot mask, ts_rank per slot as double precision) of the words `text` from the held lexemes
        (the rank only when `ranked`), or None when they must be matched in SQL (search.words)."""
        if self.lexemes is None:
            self.hold_lexemes()
        if not self.lexemes:
            return None
        tree = parsed_words(self.using, text)
        if tree is None:
            return None
        ordered = text_words.lexemes(tree)
        if any(lexeme not in self.lexemes for lexeme in ordered):
            return None
        if ranked and not (self.ranks_exact and text_words.ranked_as_or(tree)):
            return None
        n = self.n
        mask = text_words.evaluate(tree, lambda lexeme: self.lexemes[lexeme][:n] > 0)
        mask &= self.columns["alive"][:n]
        if not ranked:
            return mask, np.zeros(n, np.float64)
        ranks = text_words.rank_or([self.terms[self.lexemes[lexeme][:n]] for lexeme in ordered])
        return mask, np.where(mask, ranks.astype(np.float64), 0.0)

    def words_superset(self, text: str) -> np.ndarray | None:
        """A mask of the slots that can match the words, from the held lexemes (search.words.superset),
        for words matched in SQL (a phrase, a rarer lexeme, a ranked AND); None when it says nothing."""
        if not self.lexemes:
            return None
        tree = parsed_words(self.using, text, phrases=True)
        if tree is None:
            return None
        n = self.n
        return text_words.superset(
            tree, lambda lexeme: self.lexemes[lexeme][:n] > 0 if lexeme in self.lexemes else None
        )

    def held(self, kind: str, slot: int) -> tuple[int, ...]:
        byte, bit = slot >> 3, np.uint8(1 << (slot & 7))
        column = self.bits[kind][:, byte] & bit
        return tuple(sorted(item_id for item_id, row in self.item_row[kind].items() if column[row]))


_snapshots: dict[tuple[str, str], Snapshot] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop every worker snapshot (tests, after the database was emptied without the log)."""
    with _lock:
        _snapshots.clear()
        _parsed.clear()


_parsed: dict[tuple[str, str], str] = {}  # (database, words) → websearch_to_tsquery(words)::text
PARSED_KEPT = 10_000


def parsed_words(using: str, text: str, *, phrases: bool = False):
    """PostgreSQL's reading of the words (`websearch_to_tsquery`, as the search's SQL) as a search.words
    tree, or None (see search.words.parse); kept per process, as the reading depends only on the text."""
    key = (using, text)
    if key not in _parsed:  # not read with the look (current_snapshot's `words`)
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT websearch_to_tsquery(%s::regconfig, %s)::text", [SEARCH_CONFIG, text])
            _keep_parsed(using, text, cursor.fetchone()[0])
    return text_words.parse(_parsed[key], phrases=phrases)


def _keep_parsed(using: str, text: str, query_text: str) -> None:
    if len(_parsed) >= PARSED_KEPT:
        _parsed.clear()
    _parsed[(using, text)] = query_text


def current_snapshot(using: str, *, words: str = "") -> Snapshot:
    """This worker's snapshot of the projection with every committed change in it (one query when
    nothing changed); a private one when this transaction has written. `words`: a search's words, which
    the same query has PostgreSQL read (`parsed_words`) unless this process has read them before."""
    connection = connections[using]
    key = (using, connection.settings_dict["NAME"])
    with _lock:
        snapshot = _snapshots.get(key)
        since = snapshot.xmin if snapshot is not None else None  # a first load: the changes since the look's xmin
        table = SearchRowChange._meta.db_table
        read = bool(words) and (using, words) not in _parsed
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT look.xmin, look.own, look.words, change.id, change.practitioner_id, change.xid FROM ("  # noqa: S608
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin, "
                "pg_current_xact_id_if_assigned()::text::bigint AS own, "
                f"{'websearch_to_tsquery(%s::regconfig, %s)::text' if read else 'NULL'} AS words) AS look "
                f"LEFT JOIN {table} AS change ON change.xid >= COALESCE(%s, look.xmin)",
                [*([SEARCH_CONFIG, words] if read else []), since],
            )
            found = cursor.fetchall()
        xmin, own = found[0][0], found[0][1]
        if read:
            _keep_parsed(using, words, found[0][2])
        changes = [(change_id, pk, xid) for _x, _o, _w, change_id, pk, xid in found if change_id is not None]
        if own is not None:  # this transaction wrote: what it sees is not everyone's yet
            private = Snapshot.load(using, xmin)
            private.lexemes = {}  # for one search: its words are matched in SQL (hold_lexemes reads them)
            private.read_points = False  # and its places (hold_points reads them)
            return private
        stale = snapshot is None or time.monotonic() - snapshot.looked_at > RELOAD_AFTER_SECONDS
        snapshot = Snapshot.load(using, xmin, changes) if stale else snapshot.catch_up(changes, xmin)
        _snapshots[key] = snapshot
        return snapshot


def _pk_in(model, pks: np.ndarray) -> RawSQL:
    """`model`'s primary key among `pks`, as one array parameter (not thousands of IN parameters to
    send, parse and plan)."""
    column = f"{model._meta.db_table}.{model._meta.pk.column}"
    return RawSQL(f"{column} = ANY(%s)", [pks.tolist()], output_field=BooleanField())  # noqa: S611 -- our column; ids as a parameter


class MemorySearch:
    """One search (a bound `PractitionerFilterSet`) on this worker's snapshot: what the selectors ask
    of `ProjectedSearch` (`count`, `page_entries`, `facet_counts`), with the same answers."""

    def __init__(self, filterset, *, facets: bool = True) -> None:
        self.filterset = filterset
        self.facets = facets  # False: only the count and pages (the API), so words need testing on fewer
        self.using = router.db_for_read(Practitioner)
        self.words_narrowed = False  # the words were tested only on the listings the other filters leave

    @cached_property
    def snapshot(self) -> Snapshot:
        return current_snapshot(self.using, words=self.filterset.text)

    # ------------------------------------------------------------ what is asked of PostgreSQL

    @cached_property
    def _nearby(self) -> Near | None:
        """The listings with a location inside the radius from the snapshot's points (search.points), or
        None when it holds none (then they are asked of PostgreSQL)."""
        place = self.filterset.place
        points = self.snapshot.located() if place is not None else None
        if points is None:
            return None
        return points.within(place.latitude, place.longitude, self.filterset.radius_miles, self.snapshot.n)

    @cached_property
    def _near(self) -> tuple[np.ndarray, np.ndarray]:
        """(slot mask, distance per slot) of the listings with a location inside the radius; the distance
        only within search.points.SLACK of the exact one when it comes from the points (`_distances`)."""
        if (near := self._nearby) is not None:
            return near.mask & self.snapshot.columns["alive"][: self.snapshot.n], near.distance
        place = self.filterset.place
        radius = self.filterset.radius_miles
        found = (
            PracticeLocation.objects.using(self.using)
            .within(place.latitude, place.longitude, radius)
            .order_by()
            .values("practitioner_id")
            .annotate(nearest=Min(great_circle_miles(place.latitude, place.longitude)))
            .values_list("practitioner_id", "nearest")
        )
        return self._by_slot(self._fetch(found))

    def _distances(self, slots: np.ndarray, *, exact: bool) -> np.ndarray:
        """The miles to these (matching) slots: the plain definition's values when `exact`."""
        if exact and self._nearby is not None:
            return self._nearby.exact(slots)
        return self._near[1][slots]

    @cached_property
    def _words(self) -> tuple[np.ndarray, np.ndarray]:
        """(slot mask, ts_rank per slot) of the listings whose text matches the words (the rank only
        for best match, which scores by it): from the held lexemes when they answer it, else in SQL."""
        held = self.snapshot.match_words(self.filterset.text, ranked=self.filterset.effective_sort == "relevance")
        if held is not None:
            return held
        query = SearchQuery(self.filterset.text, config=SEARCH_CONFIG, search_type="websearch")
        listings = Practitioner.objects.using(self.using).filter(search_vector=query).order_by()
        # Only the listings the other filters leave (without the filters the facet counts leave out,
        # when there are facets) need their words tested and ranked: when they are few, PostgreSQL
        # reads just those by primary key.
        candidates = self.filtered(exclude=(*SELF_EXCLUDING_FILTERS, "q") if self.facets else ("q",))
        superset = self.snapshot.words_superset(self.filterset.text)  # every listing the words can match
        if superset is not None:
            candidates &= superset
        if candidates.sum() < TEXT_CANDIDATES_LIMIT:
            self.words_narrowed = True
            listings = listings.filter(_pk_in(Practitioner, self.snapshot.columns["pk"][: self.snapshot.n][candidates]))
        if self.filterset.effective_sort == "relevance":
            # As double precision, which widens the real exactly (its text form would round it).
            rank = Cast(SearchRank(F("search_vector"), query), FloatField())
            found = self._fetch(listings.annotate(rank=rank).values_list("pk", "rank"))
        else:
            found = [(pk, 0.0) for (pk,) in self._fetch(listings.values_list("pk"))]
        return self._by_slot(found)

    def _fetch(self, rows) -> list[tuple]:
        """A values_list queryset's rows straight from the cursor: integers and floats need no
        conversion, and thousands of rows through the ORM's per-row converters cost milliseconds."""
        sql, params = rows.query.sql_with_params()
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _by_slot(self, found: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        snapshot = self.snapshot
        mask = np.zeros(snapshot.n, bool)
        values = np.zeros(snapshot.n, np.float64)
        if found:
            pks = np.fromiter((pk for pk, _value in found), np.int64, len(found))
            numbers = np.fromiter((value for _pk, value in found), np.float64, len(found))
            known = pks < len(snapshot.slot_of_pk)
            slots = snapshot.slot_of_pk[pks[known]]
            listed = slots >= 0
            mask[slots[listed]] = True
            values[slots[listed]] = numbers[known][listed]
        return mask & snapshot.columns["alive"][: snapshot.n], values

    # ------------------------------------------------------------ filters

    def _today(self) -> int:
        return self.filterset.today.toordinal()

    def flag_mask(self, name: str) -> np.ndarray:
        columns, n = self.snapshot.columns, self.snapshot.n
        if name in FLAG_COLUMNS:
            return columns[FLAG_COLUMNS[name]][:n] >= self._today()
        return columns[FLAG_FIELDS[name]][:n].copy()

    def value_mask(self, name: str, value) -> np.ndarray:
        snapshot = self.snapshot
        n = snapshot.n
        if name in VOCABULARY_KINDS:
            mask = np.ones(n, bool)
            for item_id in self.filterset.vocabulary.ids(name, value if isinstance(value, list) else [value]):
                mask &= snapshot.item_mask(name, item_id)
            return mask
        if name == "gender":
            code = snapshot.gender_code.get(value)
            return snapshot.columns["gender"][:n] == code if code is not None else np.zeros(n, bool)
        if name == "min_rating":  # rating_avg >= value, both exact in hundredths
            return snapshot.columns["rating_avg"][:n] >= math.ceil(Decimal(str(value)) * 100)
        raise ValueError(f"{name!r} is not a vocabulary, gender or rating parameter.")

    def filtered(self, *, exclude=()) -> np.ndarray:
        """The slots matching every usable parameter except those in `exclude`."""
        snapshot = self.snapshot
        filterset = self.filterset
        if filterset.location_failed:
            return np.zeros(snapshot.n, bool)
        mask = snapshot.columns["alive"][: snapshot.n].copy()
        for name, value in filterset.form.cleaned_data.items():
            if name in exclude or value in (None, "", []):
                continue
            if name in VOCABULARY_KINDS or name in ("gender", "min_rating"):
                mask &= self.value_mask(name, value)
            elif name in FLAG_LABELS:
                if value:
                    mask &= self.flag_mask(name)
            elif name == "q":
                if value.strip():
                    mask &= self._words[0]
            elif name == "location":
                mask &= self._near[0]
            elif name not in ("radius", "sort"):
                raise ValueError(f"The memory index does not know the parameter {name!r}.")
        return mask

    def filtered_without(self, name: str) -> np.ndarray | None:
        """The slots matching every usable parameter but `name` (an empty search's advice), or None when
        this search's words were tested only on the listings the other filters leave (SQL on a few)."""
        mask = self.filtered(exclude={name})
        return None if self.words_narrowed and name != "q" else mask

    def nearest_beyond(self, miles: float, count: int) -> list[tuple[int, float]] | None:
        """The `count` listings matching every parameter but the place nearest to it within `miles`, as
        (listing id, miles), nearest first (ties by name): `selectors.nearest_beyond_radius` from the points;
        None when this snapshot holds none or the words were tested on a few listings only."""
        mask = self.filtered_without("location")
        points = self.snapshot.located()
        if mask is None or points is None:
            return None
        place = self.filterset.place
        near = points.within(place.latitude, place.longitude, miles, self.snapshot.n)
        slots = np.flatnonzero(mask & near.mask)
        if len(slots) > count:  # the count-th nearest by numpy, and what its error could put before it
            distance = near.distance[slots]
            slots = slots[distance <= np.partition(distance, count - 1)[count - 1] + 2 * SLACK]
        exact = near.exact(slots)
        order = np.lexsort([self.snapshot.columns["name_rank"][slots], exact])[:count]
        return [(int(self.snapshot.columns["pk"][slots[i]]), float(exact[i])) for i in order]

    def candidate_rows(self, *, without: str):
        """The search rows of `filtered_without(without)` as a queryset by primary key
        (`ProjectedSearch.filtered`'s rows), or None when they are too many to name or unknown."""
        mask = self.filtered_without(without)
        slots = np.flatnonzero(mask) if mask is not None else None
        if slots is None or len(slots) > TEXT_CANDIDATES_LIMIT:
            return None
        return SearchRow.objects.using(self.using).filter(_pk_in(SearchRow, self.snapshot.columns["pk"][slots]))

    @cached_property
    def _matches(self) -> np.ndarray:
        return self.filtered()

    def count(self) -> int:
        return int(self._matches.sum())

    # ------------------------------------------------------------ order

    def _shrunk(self, slots: np.ndarray) -> np.ndarray:
        """search.filters.shrunken_rating, the same float operations."""
        prior = float(RATING_PRIOR_REVIEWS)
        mean = float(self.filterset.vocabulary.rating_mean or 0.0)
        columns = self.snapshot.columns
        return (prior * mean + columns["rating_sum"][slots].astype(np.float64)) / (
            prior + columns["review_count"][slots].astype(np.float64)
        )

    def _order_keys(self, slots: np.ndarray, *, exact: bool = True) -> tuple[list[np.ndarray], np.ndarray]:
        """For these slots: the sort's keys, most significant first, each ascending, and one key
        that never disagrees with them (to pick the candidates for a page). Not `exact`: with the
        points' distances, within `_coarse_slack()` of the exact keys."""
        filterset, columns = self.filterset, self.snapshot.columns
        sort = filterset.effective_sort
        if sort == "relevance":
            cutoff = _microseconds(freshness.stale_cutoff(timezone.now()))
            fresh = columns["confirmed"][slots] >= cutoff
            score = self._score(slots, exact=exact)
            return [-fresh.astype(np.int8), -score], -(fresh * FRESH_FIRST + score)
        if sort == "distance":
            distance = self._distances(slots, exact=exact)
            return [distance], distance
        if sort in ("rating", "reviews"):
            shrunk, reviews = -self._shrunk(slots), -columns["review_count"][slots]
            return ([shrunk, reviews], shrunk) if sort == "rating" else ([reviews, shrunk], reviews.astype(np.float64))
        year = columns["year"][slots]
        return [year], year.astype(np.float64)

    def _score(self, slots: np.ndarray, *, exact: bool = True) -> np.ndarray:
        """search.filters.best_match_score, the same float operations in the same order."""
        filterset, columns = self.filterset, self.snapshot.columns
        weights = BEST_MATCH_WEIGHTS
        verified = np.where(columns["verified_until"][slots] >= self._today(), 1.0, 0.0)
        score = weights["verified"] * verified
        score = score + (weights["rating"] / 4.0) * (self._shrunk(slots) - 1.0)
        if filterset.text:
            # ts_rank is a real; PostgreSQL widens it to double precision for the product (3.0 is numeric).
            score = score + weights["text"] * self._words[1][slots]
        if filterset.place:
            radius = float(filterset.radius_miles)
            score = score + weights["proximity"] * (1.0 - self._distances(slots, exact=exact) / radius)
        return score

    def _inexact_order(self) -> bool:
        """Whether the order reads distances that the points give only within their slack."""
        return self._nearby is not None and self.filterset.effective_sort in ("relevance", "distance")

    def _coarse_slack(self) -> float:
        """How far the coarse key from the points' distances can be from the exact one (both ways):
        the distance's slack, through best match's proximity term, plus the rounding of the sum
        with FRESH_FIRST."""
        if self.filterset.effective_sort == "distance":
            return 2 * SLACK
        return 2 * SLACK * BEST_MATCH_WEIGHTS["proximity"] / float(self.filterset.radius_miles) + 1e-8

    def ordered_slots(self, stop: int) -> np.ndarray:
        """The first `stop` matching slots in the search's order."""
        slots = np.flatnonzero(self._matches)
        if not len(slots) or stop <= 0:
            return slots[:0]
        inexact = self._inexact_order()
        if len(slots) > 4 * stop:
            # Only the slots whose coarse key is at most the stop-th smallest can be among the first
            # (with the points' distances: at most that plus the error either way).
            keys, coarse = self._order_keys(slots, exact=False)
            threshold = np.partition(coarse, stop - 1)[stop - 1]
            keep = coarse <= (threshold + self._coarse_slack() if inexact else threshold)
            slots, keys = slots[keep], [key[keep] for key in keys]
            if inexact:
                keys, _coarse = self._order_keys(slots)
        else:
            keys, _coarse = self._order_keys(slots)
        names = self.snapshot.columns["name_rank"][slots]
        order = np.lexsort([names, *reversed(keys)])
        return slots[order[:stop]]

    def page_entries(self, start: int, stop: int) -> list[PageEntry]:
        snapshot, columns, today = self.snapshot, self.snapshot.columns, self._today()
        slots = self.ordered_slots(stop)[start:]
        distances = self._distances(slots, exact=True) if self.filterset.place is not None else None
        entries = []
        for number, slot in enumerate(slots):
            slot = int(slot)
            entries.append(
                PageEntry(
                    pk=int(columns["pk"][slot]),
                    distance=float(distances[number]) if distances is not None else None,
                    is_verified=bool(columns["verified_until"][slot] >= today),
                    is_nccaom_certified=bool(columns["nccaom_until"][slot] >= today),
                    meets_medicare=bool(columns["medicare_until"][slot] >= today),
                    condition_ids=snapshot.held("condition", slot),
                    insurance_ids=snapshot.held("insurance", slot),
                )
            )
        return entries

    # ------------------------------------------------------------ facets

    def facet_counts(self) -> FacetCounts:
        """`ProjectedSearch.facet_counts`: each count leaves out its own filter where it takes one value."""
        if not self.facets:
            raise ValueError("This search was made without facets (MemorySearch(..., facets=False)).")
        snapshot = self.snapshot
        base = self.filtered(exclude=SELF_EXCLUDING_FILTERS)
        own = {}
        for name in SELF_EXCLUDING_FILTERS:
            value = self.filterset.value(name)
            if value not in (None, ""):
                own[name] = self.value_mask(name, value)

        def but(*left_out: str) -> np.ndarray:
            mask = base.copy()
            for name, matches in own.items():
                if name not in left_out:
                    mask &= matches
            return mask

        everything = but()
        columns, n = snapshot.columns, snapshot.n
        by_gender, by_rating = but("gender"), but("min_rating")
        return FacetCounts(
            total=int(everything.sum()),
            flags={name: int((everything & self.flag_mask(name)).sum()) for name in FLAG_LABELS},
            gender={
                value: int((by_gender & (columns["gender"][:n] == snapshot.gender_code.get(value, -1))).sum())
                for value, _label in GENDER_CHOICES
            },
            min_rating={
                stars: int((by_rating & (columns["rating_avg"][:n] >= stars * 100)).sum())
                for stars in MIN_RATING_CHOICES
            },
            families={kind: snapshot.item_counts(kind, but(kind)) for kind in VOCABULARY_KINDS},
        )
