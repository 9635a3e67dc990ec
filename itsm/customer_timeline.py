"""The customer page's timeline and figures, from the sources apps register.

The core and ``customers`` never import the apps above them (the e-mail app,
the phone system), yet the customer page shows their mail and calls. As with
the dashboard's live charts (``itsm.charts.register_live_chart``), each app
registers a *source* here from its ``AppConfig.ready()``; the page asks every
registered source and merges what they return. The core registers the
tickets' source itself (``itsm.customer_sources``).

The contract of a source (``CustomerSource``):

- ``code``: unique, names the source (``"tickets"``, ``"mail"``, ``"calls"``).
- ``items(customer, *, cursor, older, limit) -> list[TimelineItem]``: at most
  ``limit`` of the customer's items strictly after ``cursor`` in the
  timeline's order, a fixed number of queries whatever their count:

  * ``older=True``: items whose key is *below* ``cursor`` (older), newest
    first; ``cursor=None`` means from the newest.
  * ``older=False``: items whose key is *above* ``cursor`` (newer), oldest
    first (the page before); ``cursor`` is then never None.

  An item's key is ``(at, kind, id)``, compared as a tuple: ``at`` an aware
  datetime, ``kind`` a short code namespaced by the source and unique to one
  table and event (``"INC.opened"``, ``"mail.received"``, ``"call.missed"``),
  ``id`` the row's id in that table. Keys must be unique across all sources:
  that is what makes paging over the merged stream exact (no item twice, none
  skipped, at page boundaries). ``KeptSeek`` below reads the rows of one
  ``kind`` past a cursor, ordered and cut, with SQL written once.
- ``summary(customer) -> SourceSummary``: the source's figures for the page
  header (each a label, a value and optionally a link) and the last time the
  customer was in contact through it (None if never); a fixed number of
  queries. May be None when the source has no figures.
- ``position``: where its figures go in the header, ascending.

A source renders its own words (``TimelineItem.label``, ``title``, ``detail``)
in the active language when asked: nothing here is stored.

What belongs here: the records, the registry and the merge of the sources
into pages (``timeline_page``); nothing about a particular source.
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from customers.models import Customer
from itsm.common.pagination import InvalidCursor, encode_cursor
from itsm.common.rows import MAX_ID
from itsm.common.statements import Statement

# Half the lists' 50: 25 items are about two screens at 1366x768, as far as an
# agent reads before paging, and every source reads and the template renders
# a page's worth, so the page costs half as much.
TIMELINE_PAGE_SIZE = 25
# Longer kind codes are not ours: a cursor holding one was edited.
MAX_KIND_LENGTH = 40


@dataclass(frozen=True, order=True)
class TimelineKey:
    at: datetime
    kind: str
    id: int


@dataclass
class TimelineItem:
    at: datetime
    kind: str
    id: int
    label: str  # what happened, short: "Incidencia abierta", "Correo recibido"
    title: str  # what it is about: a summary, a subject, a number
    url: str  # every item is a link
    detail: str = ""  # a second line: status, ticket number, duration…
    # A Bootstrap colour for the label's badge (primary, success, danger…).
    tone: str = "secondary"

    @property
    def key(self) -> TimelineKey:
        return TimelineKey(self.at, self.kind, self.id)


@dataclass
class CustomerFigure:
    code: str  # stable, for tests and the page's ids: "open_tickets"
    label: str
    value: int | str
    url: str = ""
    # A figure that calls for attention (breaches, missed calls) when not zero.
    alert: bool = False


@dataclass
class SourceSummary:
    figures: list[CustomerFigure] = field(default_factory=list)
    last_contact: datetime | None = None


ItemsFunction = Callable[..., list[TimelineItem]]
SummaryFunction = Callable[[Customer], SourceSummary]


@dataclass(frozen=True)
class CustomerSource:
    code: str
    items: ItemsFunction
    summary: SummaryFunction | None = None
    position: int = 100


_SOURCES: dict[str, CustomerSource] = {}


def register_customer_source(source: CustomerSource) -> None:
    """Add (or replace, on a second ``ready()``) the source with this code."""
    _SOURCES[source.code] = source


def unregister_customer_source(code: str) -> None:
    _SOURCES.pop(code, None)


def customer_sources() -> list[CustomerSource]:
    return sorted(_SOURCES.values(), key=lambda source: (source.position, source.code))


# --- for sources ---------------------------------------------------------------------


# How many of a cursor's values the condition on each side of it compares with.
_POINT_VALUES = {"newest": 0, "tie": 2, "at_or_past": 1, "past": 1}


def _seek_point(kind: str, cursor: TimelineKey | None, older: bool) -> tuple[str, tuple]:
    """Where rows of ``kind`` start past ``cursor`` and the cursor's values
    that say it. The kind is the same for every row, so the tuple comparison
    ``(at, kind, id) < cursor`` reduces to a condition on ``at`` and ``id``."""
    if cursor is None:
        return "newest", ()
    if kind == cursor.kind:
        return "tie", (cursor.at, cursor.id)
    if (kind < cursor.kind) == older:
        # Same time, this kind sorts on the cursor's side: it is past it.
        return "at_or_past", (cursor.at,)
    return "past", (cursor.at,)


def _seek_from(
    queryset: QuerySet, *, at: str, side: str, point: tuple, older: bool, limit: int
) -> QuerySet:
    ordering = [f"-{at}", "-id"] if older else [at, "id"]
    op, op_or_equal = ("lt", "lte") if older else ("gt", "gte")
    # One filter() call: each clones and rebuilds the query.
    condition = Q(**{f"{at}__isnull": False})
    if side == "tie":
        moment, row_id = point
        condition &= Q(**{f"{at}__{op}": moment}) | Q(**{at: moment, f"id__{op}": row_id})
    elif side == "at_or_past":
        condition &= Q(**{f"{at}__{op_or_equal}": point[0]})
    elif side == "past":
        condition &= Q(**{f"{at}__{op}": point[0]})
    return queryset.filter(condition).order_by(*ordering)[:limit]


class KeptSeek:
    """The rows ``rows(at, *shape, *keys)`` gives (rows that all become
    items of one kind, timed by the field ``at``, of one customer: their id,
    their address) past a cursor in the timeline's order, ordered and cut to
    ``limit``: a condition on ``at`` and ``id``, which an index on
    (…, at, id) serves. Its SQL is written once per shape, side of the
    cursor, direction and limit, and prepared on PostgreSQL
    (``itsm.common.statements``): the same query for every customer and
    cursor but their values. The keys narrow the rows to one customer's, so
    the plan does not depend on the cursor's time. ``rows`` computes no
    value of its own."""

    def __init__(self, rows: Callable[..., QuerySet]) -> None:
        self.rows = rows
        self.statement = Statement(self._build)

    def _build(
        self, at: str, shape: tuple, side: str, older: bool, limit: int, *values
    ) -> QuerySet:
        cut = len(values) - _POINT_VALUES[side]
        rows = self.rows(at, *shape, *values[:cut])
        return _seek_from(rows, at=at, side=side, point=values[cut:], older=older, limit=limit)

    def __call__(
        self,
        *keys,
        at: str,
        kind: str,
        cursor: TimelineKey | None,
        older: bool,
        limit: int,
        shape: tuple = (),
    ) -> QuerySet:
        side, point = _seek_point(kind, cursor, older)
        return self.statement(*keys, *point, shape=(at, shape, side, older, limit))


# --- the merged stream -----------------------------------------------------------------


def encode_timeline_cursor(key: TimelineKey) -> str:
    return encode_cursor([key.at, key.kind, key.id])


def decode_timeline_cursor(token: str) -> TimelineKey:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidCursor(str(error)) from None
    if not isinstance(values, list) or len(values) != 3:
        raise InvalidCursor("wrong shape")
    at, kind, row_id = values
    if not isinstance(at, str) or not isinstance(kind, str) or len(kind) > MAX_KIND_LENGTH:
        raise InvalidCursor("wrong types")
    if "\x00" in kind or isinstance(row_id, bool) or not isinstance(row_id, int):
        raise InvalidCursor("wrong types")
    if not 0 <= row_id <= MAX_ID:
        raise InvalidCursor("no row has that id")
    try:
        moment = datetime.fromisoformat(at)
    except ValueError as error:
        raise InvalidCursor(str(error)) from None
    if timezone.is_naive(moment):
        raise InvalidCursor("naive datetime")
    return TimelineKey(moment, kind, row_id)


@dataclass
class TimelinePage:
    items: list[TimelineItem]
    next_cursor: str | None
    previous_cursor: str | None


def timeline_page(
    customer: Customer,
    *,
    after: TimelineKey | None = None,
    before: TimelineKey | None = None,
    size: int | None = None,
) -> TimelinePage:
    """One page of the customer's timeline, newest first: the page after
    ``after`` (older items), the page before ``before`` (newer ones), or the
    first. Every source is asked for ``size + 1`` items past the cursor; the
    merge of those, cut to ``size``, is exactly the page, since no source
    can have an item that belongs on it beyond its first ``size + 1``."""
    size = size or TIMELINE_PAGE_SIZE
    backwards = before is not None
    cursor = before if backwards else after
    items: list[TimelineItem] = []
    for source in customer_sources():
        items.extend(source.items(customer, cursor=cursor, older=not backwards, limit=size + 1))
    items.sort(key=lambda item: item.key, reverse=not backwards)
    more = len(items) > size
    items = items[:size]
    if backwards:
        items.reverse()
    has_next = more if not backwards else True
    has_previous = more if backwards else after is not None
    return TimelinePage(
        items=items,
        next_cursor=encode_timeline_cursor(items[-1].key) if items and has_next else None,
        previous_cursor=encode_timeline_cursor(items[0].key) if items and has_previous else None,
    )


@dataclass
class CustomerSummary:
    figures: list[CustomerFigure]
    last_contact: datetime | None


def customer_summary(customer: Customer) -> CustomerSummary:
    """Every source's figures, in their order, and the latest contact."""
    figures: list[CustomerFigure] = []
    contacts: list[datetime] = []
    for source in customer_sources():
        if source.summary is None:
            continue
        summary = source.summary(customer)
        figures.extend(summary.figures)
        if summary.last_contact is not None:
            contacts.append(summary.last_contact)
    return CustomerSummary(figures=figures, last_contact=max(contacts, default=None))
