"""Keyset pagination: a page is the rows after (or before) the sort key and
``id`` of the last row seen, never an OFFSET, and counts are capped, so a
page costs the same on the first and the millionth row. Used by every list
that can grow without bound (the consoles, the mailbox, the coordination
queue), through ``keyset_list`` and the pager ``itsm/snippets/pager.html``.

What belongs here: the mechanism (cursors, the seek condition, one page, a
capped count, the pager's links), nothing about tickets.
"""

import base64
import binascii
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

PAGE_SIZE = 50
# Above this many matches a list says "more than 1000" instead of counting.
COUNT_CAP = 1000
# The query parameters that carry a cursor; every other one is the list's filters.
CURSOR_PARAMS = ("after", "before")


def filters_or_defaults(request: HttpRequest, defaults: str) -> QueryDict:
    """The filters in the URL (a filter form always sends ``f``); without
    any, the list's ``defaults`` (a query string) at the URL's cursor."""
    if "f" in request.GET:
        return request.GET
    data = QueryDict(defaults, mutable=True)
    for name in CURSOR_PARAMS:
        if name in request.GET:
            data[name] = request.GET[name]
    return data


def query_without_cursor(data: QueryDict) -> str:
    """The filters as a query string, for the pager's links to add a cursor to."""
    kept = data.copy()
    for name in CURSOR_PARAMS:
        kept.pop(name, None)
    return kept.urlencode()


class InvalidCursor(ValueError):
    pass


def encode_cursor(values: Sequence) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, model: type[models.Model], keys: Sequence[str]) -> list:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidCursor(str(error)) from None
    if not isinstance(values, list) or len(values) != len(keys):
        raise InvalidCursor("wrong shape")
    decoded = []
    for key, value in zip(keys, values, strict=True):
        field = model._meta.get_field(key)
        if isinstance(field, models.GeneratedField):
            field = field.output_field
        try:
            if isinstance(field, models.DateTimeField):
                parsed = datetime.fromisoformat(value)
                if timezone.is_naive(parsed):
                    raise InvalidCursor("naive datetime")
                decoded.append(parsed)
            elif isinstance(field, models.IntegerField | models.AutoField):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise InvalidCursor("not an integer")
                decoded.append(value)
            else:
                # PostgreSQL cannot compare text holding NUL: it fails the query.
                if not isinstance(value, str) or "\x00" in value:
                    raise InvalidCursor("not a string")
                decoded.append(value)
        except (TypeError, ValueError) as error:
            raise InvalidCursor(str(error)) from None
    return decoded


def seek_condition(keys: Sequence[str], values: Sequence, *, descending: bool) -> Q:
    """Rows strictly after ``values`` in the order of ``keys``:
    ``(k1, k2, id) < (v1, v2, i)`` spelled so both databases seek the index
    (a leading ``k1 <= v1`` bounds the range scan)."""
    op = "lt" if descending else "gt"
    condition = Q(**{f"{keys[-1]}__{op}": values[-1]})
    for key, value in zip(reversed(keys[:-1]), reversed(values[:-1]), strict=True):
        condition = Q(**{f"{key}__{op}": value}) | (Q(**{key: value}) & condition)
    return Q(**{f"{keys[0]}__{op}e": values[0]}) & condition


def first_page_query(
    queryset: QuerySet, keys: Sequence[str], *, descending: bool, size: int | None = None
) -> QuerySet:
    """``queryset`` in the order of ``keys``, cut one row past a page: what
    ``keyset_page`` reads to know whether there is a next page."""
    ordering = [f"-{k}" if descending else k for k in keys]
    return queryset.order_by(*ordering)[: (size or PAGE_SIZE) + 1]


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def keyset_page(
    queryset: QuerySet | Sequence[QuerySet],
    keys: Sequence[str],
    *,
    descending: bool,
    after: list | None = None,
    before: list | None = None,
    size: int | None = None,
    presorted: bool = False,
) -> KeysetPage:
    """One page of ``queryset`` in the order of ``keys`` (one query, LIMIT
    size+1). Several querysets (one per kind, say) are read the same way, one
    query each, and merged: one list across tables without a UNION.
    ``presorted``: each queryset is already the first page as it runs,
    ``first_page_query`` of the list (a kept ``Statement``), read as it is."""
    size = size or PAGE_SIZE
    querysets = [queryset] if isinstance(queryset, QuerySet) else list(queryset)
    backwards = before is not None
    reverse = descending != backwards

    def key_values(row) -> list:
        return [getattr(row, key) for key in keys]

    rows = []
    for each in querysets:
        if presorted:
            if after is not None or backwards:
                raise ValueError("a presorted first page takes no cursor")
            rows.extend(each)
            continue
        if after is not None:
            each = each.filter(seek_condition(keys, after, descending=descending))
        if backwards:
            each = each.filter(seek_condition(keys, before, descending=not descending))
        rows.extend(first_page_query(each, keys, descending=reverse, size=size))
    if len(querysets) > 1:
        rows.sort(key=key_values, reverse=reverse)
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    has_next = (more and not backwards) or backwards
    has_previous = (more and backwards) or (after is not None)
    return KeysetPage(
        rows=rows,
        next_cursor=encode_cursor(key_values(rows[-1])) if rows and has_next else None,
        previous_cursor=encode_cursor(key_values(rows[0])) if rows and has_previous else None,
    )


# Lists known to be past the cap, by the key their caller gives, and until
# when (time.monotonic) that is taken as read: a console of every open ticket
# says "more than 1000" all day, and counting them again was a third of the
# time of its queries. Each process keeps its own.
PAST_CAP_SECONDS = 60
PAST_CAP_MAX_KEYS = 2000
_past_cap: dict[str, float] = {}


def forget_past_cap() -> None:
    _past_cap.clear()


def capped_count(
    queryset: QuerySet | Callable[[], QuerySet],
    page: KeysetPage,
    first_page: bool,
    *,
    key: str | None = None,
) -> tuple[int, bool]:
    """(count, capped). A first page without a next page is the whole result:
    no query. Otherwise COUNT over at most COUNT_CAP+1 rows; with ``key``
    (what the list shows, for whom), a list found past the cap is not
    counted again for PAST_CAP_SECONDS: a few that leave it meanwhile only
    keep the "more than" a little longer."""
    if first_page and page.next_cursor is None:
        return len(page.rows), False
    now = time.monotonic()
    if key is not None and _past_cap.get(key, 0.0) > now:
        return COUNT_CAP, True
    if callable(queryset):
        queryset = queryset()  # built only when counted
    count = queryset.order_by()[: COUNT_CAP + 1].count()
    if key is not None and count > COUNT_CAP:
        if len(_past_cap) >= PAST_CAP_MAX_KEYS:
            _past_cap.clear()
        _past_cap[key] = now + PAST_CAP_SECONDS
    return min(count, COUNT_CAP), count > COUNT_CAP


def read_cursors(
    request: HttpRequest, params: Mapping[str, str], model: type[models.Model], keys: Sequence[str]
) -> dict[str, list]:
    """The ``after``/``before`` cursors of ``params`` for ``keyset_page``; a
    link that does not decode (edited, or from an older sort) gives the first
    page and says so."""
    cursors = {}
    for name in CURSOR_PARAMS:
        if params.get(name):
            try:
                cursors[name] = decode_cursor(params[name], model, keys)
            except InvalidCursor:
                messages.warning(request, _("The page link is not valid; showing the first page."))
                return {}
    return cursors


@dataclass
class KeysetList:
    """A page of a list with what its template shows around it: the count
    and the pager's links (``itsm/snippets/pager.html``)."""

    page: KeysetPage
    count: int | None
    count_capped: bool
    first_url: str | None
    previous_url: str | None
    next_url: str | None

    def context(self) -> dict:
        return {
            "page": self.page,
            "count": self.count,
            "count_capped": self.count_capped,
            "first_url": self.first_url,
            "previous_url": self.previous_url,
            "next_url": self.next_url,
        }


def keyset_list(
    request: HttpRequest,
    queryset: QuerySet | Sequence[QuerySet],
    keys: Sequence[str],
    *,
    model: type[models.Model],
    descending: bool,
    params: Mapping[str, str],
    filter_query: str,
    counted: QuerySet | Callable[[], QuerySet] | None = None,
    count_key: str | None = None,
    presorted: bool = False,
) -> KeysetList:
    """The page ``params`` point at, its capped count (when ``counted`` says
    what to count; a list without a count gives None) and the links to the
    first, previous and next pages, each ``filter_query`` plus a cursor.
    ``presorted``: ``queryset`` is the first page as ``keyset_page`` reads
    it, and ``params`` carry no cursor."""
    cursors = read_cursors(request, params, model, keys)
    page = keyset_page(queryset, keys, descending=descending, presorted=presorted, **cursors)
    count, capped = None, False
    if counted is not None:
        count, capped = capped_count(counted, page, first_page=not cursors, key=count_key)

    def link(**cursor: str) -> str:
        return "?" + "&".join(
            filter(None, [filter_query, *(f"{k}={v}" for k, v in cursor.items())])
        )

    return KeysetList(
        page=page,
        count=count,
        count_capped=capped,
        first_url=link() if cursors else None,
        previous_url=link(before=page.previous_cursor) if page.previous_cursor else None,
        next_url=link(after=page.next_cursor) if page.next_cursor else None,
    )


def filtered_list(
    request: HttpRequest,
    filterset,
    keys: Sequence[str],
    *,
    data: QueryDict,
    rows: QuerySet | None = None,
) -> KeysetList | None:
    """A console's page, newest first: ``rows`` (by default the filterset's
    own) at the cursor ``data`` points at, the matches of the filters counted.
    None, with the page's error message, when the filters are not valid."""
    if not filterset.is_valid():
        messages.error(request, _("Some filters are not valid; correct the marked fields."))
        return None
    return keyset_list(
        request,
        filterset.qs if rows is None else rows,
        keys,
        model=filterset.qs.model,
        descending=True,
        params=data,
        filter_query=query_without_cursor(data),
        counted=filterset.qs,
    )


def keyset_rows(
    queryset: QuerySet,
    keys: Sequence[str],
    columns: Sequence[str],
    *,
    descending: bool,
    limit: int,
    chunk: int = 2000,
) -> Iterator[tuple]:
    """Every row of ``queryset`` in the order of ``keys``, as ``columns``
    tuples, read a chunk at a time by seeking past the last row: constant
    memory without server-side cursors (settings disable them)."""
    ordering = [f"-{k}" if descending else k for k in keys]
    fields = [*columns, *keys]
    after = None
    sent = 0
    while sent < limit:
        page = (
            queryset
            if after is None
            else queryset.filter(seek_condition(keys, after, descending=descending))
        )
        rows = list(page.order_by(*ordering).values_list(*fields)[: min(chunk, limit - sent)])
        for row in rows:
            yield row[: len(columns)]
        sent += len(rows)
        if len(rows) < chunk:
            return
        after = list(rows[-1][len(columns) :])
