"""The consoles of each kind: filters, advanced search, sortable columns,
keyset pages and the user's default view; and the home page that opens the
console the user last worked in."""

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from itsm.action_forms import SaveViewForm
from itsm.common import pagination
from itsm.common.access import agent_required
from itsm.common.pagination import CURSOR_PARAMS, first_page_query, keyset_list
from itsm.common.permissions import is_coordinator, is_data_protection
from itsm.common.prepared import prepared_queries
from itsm.common.statements import Statement
from itsm.exports import csv_response, ticket_export_lines
from itsm.kinds import Kind, all_kinds, kind_for_code
from itsm.models import SavedConsoleView
from itsm.presenters import (
    CONSOLE_COLUMNS,
    console_column_labels,
    console_header_html,
    console_rows,
)
from itsm.reference_cache import cached_rows
from itsm.services.merge import MAX_MERGE_SOURCES
from itsm.services.saved_views import saved_view_store

# What a console shows when the user has saved nothing: "mis gestiones abiertas".
DEFAULT_VIEW = "f=1&mine=on&open=on"


@dataclass(frozen=True)
class Sort:
    label: str
    keys: tuple[str, ...]  # the ORDER BY, always ending with a unique column


SORTS = {
    "updated": Sort(gettext_lazy("Updated"), ("updated_at", "id")),
    "created": Sort(gettext_lazy("Created"), ("created_at", "id")),
    "number": Sort(gettext_lazy("Number"), ("number", "id")),
    "status": Sort(gettext_lazy("Status"), ("status", "updated_at", "id")),
    "priority": Sort(gettext_lazy("Priority"), ("priority_rank", "updated_at", "id")),
    # *Vence*: the stored due time, paused and finished tickets last (*_due_idx).
    "due": Sort(gettext_lazy("Due"), ("due_sort", "id")),
}
DEFAULT_SORT = "-updated"


def parse_sort(value: str) -> tuple[str, bool]:
    """``-updated`` → ("updated", descending); unknown values fall back to the default."""
    descending = value.startswith("-")
    key = value.lstrip("-")
    if key not in SORTS:
        return parse_sort(DEFAULT_SORT)
    return key, descending


def _console_data(request: HttpRequest, kind: Kind) -> tuple[QueryDict, bool]:
    """The filters to apply: the ones in the URL, else the user's saved view,
    else "mis gestiones abiertas". Returns (data, from_saved_view)."""
    if "f" in request.GET:
        return request.GET, False
    saved = (
        SavedConsoleView.objects.filter(user=request.user, kind=kind.code)
        .values_list("query", flat=True)
        .first()
    )
    data = QueryDict(saved if saved is not None else DEFAULT_VIEW, mutable=True)
    for name in ("o", *CURSOR_PARAMS):
        if name in request.GET:
            data[name] = request.GET[name]
    data["f"] = "1"
    return data, True


def _set_only(data: QueryDict, *without: str) -> QueryDict:
    """The parameters that carry a value: a filter form sends every field,
    empty or not, and an empty one filters nothing."""
    kept = QueryDict(mutable=True)
    for name, values in data.lists():
        chosen = [value for value in values if value != ""]
        if name not in without and chosen:
            kept.setlist(name, chosen)
    return kept


def _query_without(data: QueryDict, *names: str) -> str:
    return _set_only(data, *names).urlencode()


def _columns(kind: Kind, data: QueryDict, current: str, descending: bool) -> list[dict]:
    """The header cells, with a link that sorts by each sortable column:
    dates start newest first, the rest ascending; a second click flips."""
    base = _query_without(data, "o", *CURSOR_PARAMS)

    def sort_link(key: str) -> dict | None:
        if key not in SORTS:
            return None
        active = key == current
        next_desc = (not descending) if active else key in ("updated", "created")
        order = f"-{key}" if next_desc else key
        return {
            "url": "?" + "&".join(filter(None, [base, urlencode({"o": order})])),
            "active": active,
            "descending": descending if active else None,
        }

    labels = console_column_labels(kind)
    return [
        {"name": name, "label": labels[name], "sort": sort_link(name)} for name in CONSOLE_COLUMNS
    ]


def _filters_html(kind: Kind, filterset, *, cache: bool) -> str:
    """The filter bar: the same for everyone asking for the same filters of a
    kind in a language (its options are the reference lists), so a valid one
    is kept with those lists and cleared with them. Drawing its two dozen
    fields is a third of a console's time."""

    def draw() -> str:
        return render_to_string(
            "itsm/snippets/console_filters.html", {"kind": kind, "filterset": filterset}
        )

    if not cache:
        return draw()
    asked = sorted(
        (name, value)
        for name, values in filterset.data.lists()
        if name not in CURSOR_PARAMS
        for value in values
    )
    digest = hashlib.sha256(repr(asked).encode()).hexdigest()[:32]
    return mark_safe(cached_rows(f"console-filters:{kind.code}:{digest}", draw))  # noqa: S308


def _first_page(
    kind_code: str, filters: tuple[str, ...], sort_key: str, descending: bool, size: int
):
    kind = kind_for_code(kind_code)
    data = QueryDict(mutable=True)
    for name in filters:
        data[name] = "on"
    # No request: as an agent sees them, blocked customers left out.
    filterset = kind.filterset(data, queryset=kind.model.objects.all(), request=None)
    keys = SORTS[sort_key].keys
    return first_page_query(filterset.qs.for_console(), keys, descending=descending, size=size)


_FIRST_PAGE = Statement(_first_page)


def _kept_first_page(request, kind: Kind, filterset, data, sort_key: str, descending: bool):
    """The first page of a console filtered by constants alone (*open*,
    *awaiting closure*) as a kept ``Statement``: the same SQL for every agent,
    written once, where the filters, the queryset and its SQL took a
    millisecond to build for every request. None for any other page, and
    for the data-protection role, who also sees blocked customers."""
    if any(data.get(name) for name in CURSOR_PARAMS) or is_data_protection(request.user):
        return None
    if not filterset.constant_filters_only:
        return None
    filters = tuple(
        sorted(name for name, value in filterset.form.cleaned_data.items() if value is True)
    )
    return _FIRST_PAGE(shape=(kind.code, filters, sort_key, descending, pagination.PAGE_SIZE))


@agent_required
def console(request: HttpRequest, kind: Kind) -> HttpResponse:
    """The console of a kind: filters, advanced search, keyset pages."""
    if any(value == "" for _name, values in request.GET.lists() for value in values):
        # A URL to bookmark and share carries only the filters that are set.
        return redirect(f"{request.path}?{_set_only(request.GET).urlencode()}")
    data, from_saved_view = _console_data(request, kind)
    # Filtered tickets, read as console lines only for the page: the count
    # then joins no customer to the up to COUNT_CAP + 1 rows it counts.
    filterset = kind.filterset(data, queryset=kind.model.objects.all(), request=request)
    sort_key, descending = parse_sort(data.get("o", DEFAULT_SORT))
    if request.session.get("console") != kind.namespace:
        request.session["console"] = kind.namespace
    base = _query_without(data, *CURSOR_PARAMS)
    columns = _columns(kind, data, sort_key, descending)
    context = {
        "kind": kind,
        "columns": columns,
        "header_html": console_header_html(columns),
        "filterset": filterset,
        "from_saved_view": from_saved_view,
        "filter_query": base,
        "page": None,
        "max_merge": MAX_MERGE_SOURCES,
    }
    if not filterset.is_valid():
        messages.error(request, _("Some filters are not valid; correct the marked fields."))
        context["filters_html"] = _filters_html(kind, filterset, cache=False)
        return render(request, "itsm/console.html", context, status=400)
    context["filters_html"] = _filters_html(kind, filterset, cache=True)
    counted_filters = _query_without(data, "o", *CURSOR_PARAMS)
    first_page = _kept_first_page(request, kind, filterset, data, sort_key, descending)
    # The page and its count, prepared when no filter's value shapes their plan.
    with prepared_queries(when=filterset.constant_filters_only):
        listing = keyset_list(
            request,
            filterset.qs.for_console() if first_page is None else first_page,
            SORTS[sort_key].keys,
            model=kind.model,
            descending=descending,
            params=data,
            filter_query=base,
            counted=filterset.counted_qs,
            # What is counted depends on the filters and on who asks (mine, and
            # the data-protection role's blocked customers), never on the sort.
            count_key=f"console:{kind.code}:{request.user.pk}:{counted_filters}",
            presorted=first_page is not None,
        )
    context.update(listing.context(), rows=console_rows(kind, listing.page.rows))
    return render(request, "itsm/console.html", context)


@agent_required
@require_GET
def console_export(request: HttpRequest, kind: Kind) -> StreamingHttpResponse:
    """``export.csv`` beside the console: its filters and sort, streamed.
    Agents export their own tickets; coordinators everything."""
    data, _from_saved_view = _console_data(request, kind)
    queryset = kind.model.objects.all()
    if not is_coordinator(request.user):
        queryset = queryset.filter(assignee=request.user)
    filterset = kind.filterset(data, queryset=queryset, request=request)
    if not filterset.is_valid():
        messages.error(request, _("Some filters are not valid; correct the marked fields."))
        return redirect(reverse(kind.url_name("console")) + "?" + data.urlencode())
    sort_key, descending = parse_sort(data.get("o", DEFAULT_SORT))
    lines = ticket_export_lines(
        kind,
        filterset.qs,
        SORTS[sort_key].keys,
        descending=descending,
        limit=settings.ITSM_EXPORT_MAX_ROWS,
    )
    return csv_response(request, lines, f"{slugify(kind.plural)}.csv")


@agent_required
@require_POST
def console_save_view(request: HttpRequest, kind: Kind) -> HttpResponse:
    form = SaveViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The view could not be saved."))
        return redirect(kind.url_name("console"))
    if form.cleaned_data["reset"]:
        saved_view_store(user=request.user, kind=kind.code, query=None)
        messages.success(request, _("Default view restored: my open tickets."))
        return redirect(kind.url_name("console"))
    data = QueryDict(form.cleaned_data["query"], mutable=True)
    for name in CURSOR_PARAMS:
        data.pop(name, None)
    data["f"] = "1"
    filterset = kind.filterset(data, queryset=kind.model.objects.none(), request=request)
    if not filterset.is_valid():
        messages.error(request, _("The view could not be saved: some filters are not valid."))
        return redirect(reverse(kind.url_name("console")) + "?" + data.urlencode())
    saved_view_store(user=request.user, kind=kind.code, query=data.urlencode())
    messages.success(request, _("This view now opens by default."))
    return redirect(kind.url_name("console"))


@agent_required
def home(request: HttpRequest) -> HttpResponse:
    """Straight to work: the console the user last used, else the coordination
    queue for coordinators and the first kind's console for everyone else."""
    namespace = request.session.get("console")
    kinds = {kind.namespace: kind for kind in all_kinds()}
    if namespace in kinds:
        return redirect(kinds[namespace].url_name("console"))
    if is_coordinator(request.user):
        return redirect("coordination")
    return redirect(next(all_kinds()).url_name("console"))
