"""The verification queue: licenses, certifications and degrees awaiting a reviewer, in one list.

`parse_queue_filters` turns the page's GET parameters into a `QueueFilters`
(unknown values are reported, never silently applied); `queue_entries` is the
one query behind the page: a UNION of the three credential tables, oldest
first, so it pages in the database; `load_page` fetches the rows of one page
with what the page shows in a fixed number of queries.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import capfirst

from practitioners.models import (
    CREDENTIAL_KIND_LABELS,
    CREDENTIAL_KIND_OF_MODEL,
    CREDENTIAL_KINDS,
    Certification,
    Degree,
    License,
    PracticeLocation,
    StateBoard,
    VerificationState,
)

KINDS = CREDENTIAL_KINDS
KIND_LABELS = {kind: capfirst(label) for kind, label in CREDENTIAL_KIND_LABELS.items()}
KIND_OF_MODEL = CREDENTIAL_KIND_OF_MODEL

ANY_STATUS = "all"
WAITED_CHOICES = {
    "lt1": "Less than a day",
    "1to7": "1 to 7 days",
    "7to30": "7 to 30 days",
    "gt30": "More than 30 days",
}
EXPIRING_SOON_DAYS = 60
EXPIRING_CHOICES = {
    "soon": f"Expires within {EXPIRING_SOON_DAYS} days",
    "past": "Already past expiry",
}
SEARCH_MAX_LENGTH = 100


@dataclass(frozen=True)
class QueueFilters:
    kind: str | None = None
    status: str = VerificationState.PENDING
    state: str | None = None
    waited: str | None = None
    expiring: str | None = None
    q: str = ""
    errors: tuple[str, ...] = field(default=(), compare=False)

    def as_params(self) -> dict[str, str]:
        """The non-default filters as GET parameters (to keep them across links and redirects)."""
        params = {
            "kind": self.kind,
            "state": self.state,
            "waited": self.waited,
            "expiring": self.expiring,
            "q": self.q,
        }
        if self.status != VerificationState.PENDING:
            params["status"] = self.status
        return {key: value for key, value in params.items() if value}


def parse_queue_filters(params, state_codes: set[str]) -> QueueFilters:
    """Read the queue's GET parameters. Unknown values are dropped and named in `errors`."""
    errors: list[str] = []

    def pick(name: str, allowed, label: str) -> str | None:
        value = (params.get(name) or "").strip()
        if not value:
            return None
        if value not in allowed:
            errors.append(f"Ignored unknown {label} “{value[:40]}”.")
            return None
        return value

    status = pick("status", {*VerificationState.values, ANY_STATUS}, "verification state") or VerificationState.PENDING
    state = (params.get("state") or "").strip().upper() or None
    if state and state not in state_codes:
        errors.append(f"Ignored unknown state “{state[:10]}”.")
        state = None
    q = " ".join((params.get("q") or "").split())
    if len(q) > SEARCH_MAX_LENGTH:
        errors.append(f"The search was cut to its first {SEARCH_MAX_LENGTH} characters.")
        q = q[:SEARCH_MAX_LENGTH]
    return QueueFilters(
        kind=pick("kind", KINDS, "credential type"),
        status=status,
        state=state,
        waited=pick("waited", WAITED_CHOICES, "waiting time"),
        expiring=pick("expiring", EXPIRING_CHOICES, "expiry filter"),
        q=q,
        errors=tuple(errors),
    )


def _waited_q(waited: str, now: datetime.datetime) -> Q:
    day = datetime.timedelta(days=1)
    bounds = {
        "lt1": (now - day, None),
        "1to7": (now - 7 * day, now - day),
        "7to30": (now - 30 * day, now - 7 * day),
        "gt30": (None, now - 30 * day),
    }[waited]
    after, up_to = bounds
    condition = Q()
    if after is not None:
        condition &= Q(waiting_since__gt=after)
    if up_to is not None:
        condition &= Q(waiting_since__lte=up_to)
    return condition


def _filtered(kind: str, filters: QueueFilters, now: datetime.datetime, today: datetime.date) -> QuerySet | None:
    model = KINDS[kind]
    queryset = model.objects.annotate(
        kind=Value(kind, output_field=CharField()),
        waiting_since=Coalesce("submitted_at", "created_at"),
    )
    if filters.status != ANY_STATUS:
        queryset = queryset.filter(verification_state=filters.status)
    if filters.state:
        if model is License:
            queryset = queryset.filter(state_id=filters.state)
        else:
            # Certifications and degrees are national: match where the practitioner practises.
            queryset = queryset.filter(
                Exists(
                    PracticeLocation.objects.filter(practitioner_id=OuterRef("practitioner_id"), state_id=filters.state)
                )
            )
    if filters.waited:
        queryset = queryset.filter(_waited_q(filters.waited, now))
    if filters.expiring:
        if model is Degree:
            return None  # degrees do not expire
        if filters.expiring == "soon":
            queryset = queryset.filter(
                expiry_date__gte=today, expiry_date__lte=today + datetime.timedelta(days=EXPIRING_SOON_DAYS)
            )
        else:
            queryset = queryset.filter(expiry_date__lt=today)
    if filters.q:
        text = Q(practitioner__name__icontains=filters.q)
        if model is Degree:
            text |= Q(school__name__icontains=filters.q)
        else:
            text |= Q(number__icontains=filters.q)
        queryset = queryset.filter(text)
    return queryset.order_by().values("kind", "id", "waiting_since")


def queue_entries(filters: QueueFilters, now: datetime.datetime | None = None) -> QuerySet:
    """(kind, id, waiting_since) of every matching credential, oldest first; slice it to page."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    kinds = [filters.kind] if filters.kind else list(KINDS)
    parts = [qs for kind in kinds if (qs := _filtered(kind, filters, now, today)) is not None]
    if not parts:
        return License.objects.none().values("id")
    first, *rest = parts
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("waiting_since", "kind", "id")


@dataclass(frozen=True)
class QueueRow:
    kind: str
    credential: License | Certification | Degree
    waiting_since: datetime.datetime

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def load_page(entries: list[dict]) -> list[QueueRow]:
    """The credentials behind one page of `queue_entries`, with practitioner, board and school:
    one query per kind present on the page."""
    ids: dict[str, list[int]] = {}
    for entry in entries:
        ids.setdefault(entry["kind"], []).append(entry["id"])
    related = {
        "license": ("practitioner", "state"),
        "certification": ("practitioner",),
        "degree": ("practitioner", "school"),
    }
    loaded = {kind: KINDS[kind].objects.select_related(*related[kind]).in_bulk(pks) for kind, pks in ids.items()}
    rows = []
    for entry in entries:
        credential = loaded[entry["kind"]].get(entry["id"])
        if credential is not None:  # decided and deleted between the two queries
            rows.append(QueueRow(kind=entry["kind"], credential=credential, waiting_since=entry["waiting_since"]))
    return rows


def state_choices() -> list[tuple[str, str]]:
    return list(StateBoard.objects.order_by("state").values_list("state", "state_name"))
