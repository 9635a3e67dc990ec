"""The consoles' keyset pages for the API: ``after``/``before`` cursors,
``page_size`` up to 100, the count capped like the consoles'. A cursor that
does not decode is an error here (the consoles fall back to the first page;
an integrator must learn that its cursor is wrong)."""

from collections.abc import Callable, Sequence
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from itsm.common.pagination import (
    CURSOR_PARAMS,
    PAGE_SIZE,
    InvalidCursor,
    capped_count,
    decode_cursor,
    keyset_page,
)
from itsm.common.rows import MAX_ID

MAX_PAGE_SIZE = 100

PAGE_PARAMETERS = [
    OpenApiParameter("after", OpenApiTypes.STR, description="Cursor: the page after this one."),
    OpenApiParameter("before", OpenApiTypes.STR, description="Cursor: the page before this one."),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {PAGE_SIZE}).",
    ),
]


def _page_size(value: str | None) -> int:
    if value in (None, ""):
        return PAGE_SIZE
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE_SIZE:
        raise ValidationError(
            {"page_size": [_("Give a number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]}
        )
    return int(value)


def keyset_response(
    request,
    queryset: QuerySet | Callable[[], QuerySet],
    keys: Sequence[str],
    *,
    descending: bool,
    serialize: Callable[[list], list],
    counted: QuerySet | Callable[[], QuerySet] | None = None,
    count_key: str | None = None,
    kept_first_page: Callable[[int], QuerySet] | None = None,
) -> dict:
    """``count_key``: what the list holds and for whom, for ``capped_count``
    to remember a list past the cap (the consoles' lists do the same).
    ``kept_first_page(size)``: the first page as ``keyset_page`` reads it (a
    kept ``Statement``), read instead of ``queryset`` when no cursor is given;
    ``queryset`` and ``counted`` may then be callables, built only if read."""
    params = request.query_params
    if callable(queryset) and (
        kept_first_page is None or any(params.get(name) for name in CURSOR_PARAMS)
    ):
        queryset = queryset()
    cursors = {}
    for name in CURSOR_PARAMS:
        if params.get(name):
            cursors[name] = decode_cursor(params[name], queryset.model, keys)
            # An integer past 64 bits overflows the database driver.
            if any(isinstance(v, int) and abs(v) > MAX_ID for v in cursors[name]):
                raise InvalidCursor("integer out of range")
    if len(cursors) > 1:
        raise ValidationError({"before": [_("Give either after or before, not both.")]})
    size = _page_size(params.get("page_size"))
    if kept_first_page is not None and not cursors:
        rows = kept_first_page(size)
        page = keyset_page(rows, keys, descending=descending, size=size, presorted=True)
    else:
        page = keyset_page(queryset, keys, descending=descending, size=size, **cursors)
    count, capped = None, False
    if counted is not None:
        count, capped = capped_count(counted, page, first_page=not cursors, key=count_key)

    def link(name: str, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        kept = [(k, v) for k, values in params.lists() if k not in CURSOR_PARAMS for v in values]
        return request.build_absolute_uri(request.path + "?" + urlencode([*kept, (name, cursor)]))

    return {
        "count": count,
        "count_capped": capped,
        "next": link("after", page.next_cursor),
        "previous": link("before", page.previous_cursor),
        "results": serialize(page.rows),
    }


def newest_first_response(
    request, queryset: QuerySet, serializer: type, *, counted: QuerySet | None = None
) -> dict:
    """A log's page, newest first by (created_at, id): a ticket's journal and
    mail, a webhook's deliveries."""
    return keyset_response(
        request,
        queryset,
        ("created_at", "id"),
        descending=True,
        serialize=lambda rows: serializer(rows, many=True).data,
        counted=counted,
    )
