"""The search projection (`SearchRow`): built from a listing, its credentials and its vocabulary links.

Every write that changes what a search filters, sorts or counts by calls `search_rows_changed`
(or `refresh_search_rows` when it clears the cache itself) inside its transaction, so the row
commits with the write and the next search sees it. A row is rebuilt whole from the source
tables (never patched), so a refresh is correct whatever changed; a listing that is not
published has no row.

Two transactions refreshing one listing at once (a review and a credential decision, say) are
serialised by a lock on the listing's row, held to commit: the later refresh waits, then reads
what the earlier one committed, so the row never keeps a half of each.
"""

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from search.cache import invalidate_search_cache

from .models import (
    SEARCH_ROW_LISTS,
    Degree,
    License,
    Practitioner,
    SearchRow,
    SearchRowChange,
    medicare_until,
    nccaom_until,
    verified_until,
)

# Copied as they are from the listing.
COPIED_FIELDS = (
    "name",
    "gender",
    "sliding_scale",
    "accepting_new_patients",
    "practice_started_year",
    "last_confirmed_at",
    "review_count",
    "rating_sum",
    "rating_avg",
)
UPDATED_FIELDS = (*COPIED_FIELDS, "verified_until", "nccaom_until", "medicare_until", *SEARCH_ROW_LISTS)
BATCH = 2000
CHANGES_KEPT = datetime.timedelta(days=1)


def build_search_rows(ids: Iterable[int]) -> list[SearchRow]:
    """The rows these listings should have now (published ones only): five queries."""
    ids = list(ids)
    listings = (
        Practitioner.objects.published()
        .filter(pk__in=ids)
        .order_by("pk")
        .annotate(row_verified_until=verified_until(), row_nccaom_until=nccaom_until())
        .annotate(row_medicare_until=medicare_until())
        .values("pk", *COPIED_FIELDS, "row_verified_until", "row_nccaom_until", "row_medicare_until")
    )
    rows = {
        listing["pk"]: SearchRow(
            practitioner_id=listing["pk"],
            **{name: listing[name] for name in COPIED_FIELDS},
            verified_until=listing["row_verified_until"],
            nccaom_until=listing["row_nccaom_until"],
            medicare_until=listing["row_medicare_until"],
            **{field: [] for field in SEARCH_ROW_LISTS},
        )
        for listing in listings
    }
    if not rows:
        return []
    for field, relation in SEARCH_ROW_LISTS.items():
        m2m = getattr(Practitioner, relation).field
        links = (
            m2m.remote_field.through.objects.filter(**{f"{m2m.m2m_column_name()}__in": list(rows)})
            .order_by()
            .values_list(m2m.m2m_column_name(), m2m.m2m_reverse_name())
        )
        for practitioner_id, item_id in links:
            getattr(rows[practitioner_id], field).append(item_id)
    for row in rows.values():
        for field in SEARCH_ROW_LISTS:
            getattr(row, field).sort()
    return list(rows.values())


def lock_listings(ids: Iterable[int]) -> None:
    """Lock these listings' rows until the transaction ends (FOR NO KEY UPDATE, in pk order, so two
    transactions locking overlapping sets cannot deadlock; a no-op on SQLite, which locks the whole
    database for a write). A credential write takes it before it writes anything that references
    the listing (`verification.services.credential_transition`)."""
    list(Practitioner.objects.filter(pk__in=sorted(ids)).order_by("pk").select_for_update(no_key=True).values("pk"))


def log_search_row_changes(ids: Iterable[int | None]) -> None:
    """Tell the workers holding the projection in memory (`search.memory`) that these listings'
    rows changed (None: every row), as part of the current transaction: PostgreSQL only (the
    memory index is not used on SQLite)."""
    ids = list(ids)
    if connection.vendor != "postgresql" or not ids:
        return
    table = SearchRowChange._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (practitioner_id, xid, created_at) "  # noqa: S608 -- our table name
            "SELECT changed, pg_current_xact_id()::text::bigint, now() FROM unnest(%s::integer[]) AS changed",
            [ids],
        )


def prune_search_row_changes(*, older_than: datetime.timedelta = CHANGES_KEPT) -> int:
    """Forget the changes older than `older_than` (a worker that has not looked for that long
    reloads everything, `search.memory.RELOAD_AFTER_SECONDS`). Returns how many were deleted."""
    deleted, _ = SearchRowChange.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


def refresh_search_rows(ids: Iterable[int], *, log: bool = True) -> None:
    """Rebuild these listings' rows (insert, update, or delete when no longer published), and log
    the change for the workers' memory indexes (`log`; a full rebuild logs one change for all).

    Call inside the write's transaction: the listings' rows are locked (FOR NO KEY UPDATE, in pk
    order) until it commits, so concurrent refreshes of one listing run one after the other."""
    ids = sorted({int(pk) for pk in ids})
    with transaction.atomic():
        if log:
            log_search_row_changes(ids)
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            lock_listings(chunk)
            rows = build_search_rows(chunk)
            SearchRow.objects.filter(pk__in=chunk).exclude(pk__in=[row.pk for row in rows]).delete()
            if rows:
                SearchRow.objects.bulk_create(
                    rows, update_conflicts=True, unique_fields=["practitioner"], update_fields=UPDATED_FIELDS
                )


def search_rows_changed(ids: Iterable[int]) -> None:
    """After a write that changes what searches find for these listings: their rows now, and a new
    search cache generation on commit."""
    refresh_search_rows(ids)
    transaction.on_commit(invalidate_search_cache)


def rebuild_search_rows(*, log: bool = True) -> int:
    """Every row from scratch (the migration that adds the projection, `manage.py rebuild_search_rows`,
    the benchmark's seed, and staff changes to a state's rule or a school's accreditation), logged as
    one change of every row (`log`). Returns the number of rows."""
    with transaction.atomic():
        SearchRow.objects.exclude(practitioner__status=Practitioner.Status.PUBLISHED).delete()
        ids = list(Practitioner.objects.published().order_by("pk").values_list("pk", flat=True))
        refresh_search_rows(ids, log=False)
        if log:
            log_search_row_changes([None])
        transaction.on_commit(invalidate_search_cache)
    return len(ids)


def listings_under_rules(*, states: Iterable[str] = (), schools: Iterable[int] = ()) -> list[int]:
    """The listings whose trust facts rest on these states' rules (`StateBoard.regulation`: a license
    or registration held there) or these schools' accreditation (a degree from one): what a staff
    change of that reference data must refresh. A location in the state without a credential there
    counts for nothing (`verified_until` reads the license's state, then looks for a location in it)."""
    ids = set(License.objects.filter(state_id__in=list(states)).values_list("practitioner_id", flat=True))
    ids |= set(Degree.objects.filter(school_id__in=list(schools)).values_list("practitioner_id", flat=True))
    return sorted(ids)


def _row_values(row: SearchRow) -> tuple:
    return tuple(getattr(row, name) for name in UPDATED_FIELDS)


def repair_search_rows() -> int:
    """Compare every row with what `build_search_rows` makes of the source tables now and rebuild
    those that differ, are missing or belong to a listing no longer published: the daily check
    for changes made outside the services (raw SQL, a shell). Returns how many rows it fixed.

    Compared without locks, in batches; each drifted batch is then rebuilt by `refresh_search_rows`
    (locked), so a write that commits meanwhile is never overwritten with an older state."""
    fixed = 0
    stray = list(
        SearchRow.objects.exclude(practitioner__status=Practitioner.Status.PUBLISHED).values_list("pk", flat=True)
    )
    ids = list(Practitioner.objects.published().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        wanted = {row.pk: _row_values(row) for row in build_search_rows(chunk)}
        stored = {row.pk: _row_values(row) for row in SearchRow.objects.filter(pk__in=chunk)}
        drifted = [pk for pk in chunk if wanted.get(pk) != stored.get(pk)]
        if drifted:
            refresh_search_rows(drifted)
            fixed += len(drifted)
    if stray:
        refresh_search_rows(stray)
        fixed += len(stray)
    if fixed:
        transaction.on_commit(invalidate_search_cache)
    return fixed
