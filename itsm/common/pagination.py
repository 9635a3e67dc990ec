"""Keyset pagination: a page is the rows after (or before) the sort key and
``id`` of the last row seen, never an OFFSET, and counts are capped, so a
page costs the same on the first and the millionth row. Used by every list
that can grow without bound (the consoles, the coordination queue).

What belongs here: the mechanism (cursors, the seek condition, one page, a
capped count), nothing about tickets.
"""

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

PAGE_SIZE = 50
# Above this many matches a list says "more than 1000" instead of counting.
COUNT_CAP = 1000


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


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def keyset_page(
    queryset: QuerySet,
    keys: Sequence[str],
    *,
    descending: bool,
    after: list | None = None,
    before: list | None = None,
    size: int | None = None,
) -> KeysetPage:
    """One page of ``queryset`` in the order of ``keys`` (one query, LIMIT size+1)."""
    size = size or PAGE_SIZE

    def ordering(desc: bool) -> list[str]:
        return [f"-{k}" if desc else k for k in keys]

    backwards = before is not None
    if after is not None:
        queryset = queryset.filter(seek_condition(keys, after, descending=descending))
    if backwards:
        queryset = queryset.filter(seek_condition(keys, before, descending=not descending))
    rows = list(queryset.order_by(*ordering(descending != backwards))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    def cursor(row) -> str:
        return encode_cursor([getattr(row, key) for key in keys])

    has_next = (more and not backwards) or backwards
    has_previous = (more and backwards) or (after is not None)
    return KeysetPage(
        rows=rows,
        next_cursor=cursor(rows[-1]) if rows and has_next else None,
        previous_cursor=cursor(rows[0]) if rows and has_previous else None,
    )


def capped_count(queryset: QuerySet, page: KeysetPage, first_page: bool) -> tuple[int, bool]:
    """(count, capped). A first page without a next page is the whole result:
    no query. Otherwise COUNT over at most COUNT_CAP+1 rows."""
    if first_page and page.next_cursor is None:
        return len(page.rows), False
    count = queryset.order_by()[: COUNT_CAP + 1].count()
    return min(count, COUNT_CAP), count > COUNT_CAP


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
