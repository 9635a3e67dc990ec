"""The consoles: ticket lists, filters, saved views and the coordination queue.

One implementation for incidents and work orders, parametrised by the model.
Lists are paginated by keyset (the sort key and ``id`` of the last row seen),
never by OFFSET, and counts are capped, so a page costs the same on the first
and the millionth row (see ``itsm.models.ticket_console_indexes``).
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from itsm.access import agent_required, coordinator_required, get_ticket_for_user
from itsm.console_forms import CoordinationActionForm, SaveViewForm
from itsm.models import (
    SavedConsoleView,
    Ticket,
    WorkInfoType,
    open_tickets_q,
)
from itsm.permissions import is_coordinator
from itsm.search import search
from itsm.services import (
    StaleTicketError,
    coordination_group,
    ticket_assign_to_me,
    ticket_model_for_number,
    ticket_models,
    ticket_pass_to_specialists,
    ticket_return_to_agent,
)

PAGE_SIZE = 50
# Above this many matches the console says "more than 1000" instead of counting.
COUNT_CAP = 1000
# What a console shows when the user has saved nothing: "mis gestiones abiertas".
DEFAULT_VIEW = "f=1&mine=on&open=on"
CURSOR_PARAMS = ("after", "before")

# --- keyset pagination -------------------------------------------------------


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
}
DEFAULT_SORT = "-updated"


def parse_sort(value: str) -> tuple[str, bool]:
    """``-updated`` → ("updated", descending); unknown values fall back to the default."""
    descending = value.startswith("-")
    key = value.lstrip("-")
    if key not in SORTS:
        return parse_sort(DEFAULT_SORT)
    return key, descending


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
                if not isinstance(value, str):
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


# --- ticket consoles ---------------------------------------------------------


def _filterset_class(model: type[Ticket]):
    from incidents.filters import IncidentFilterSet
    from workorders.filters import WorkOrderFilterSet

    return {cls._meta.model: cls for cls in (IncidentFilterSet, WorkOrderFilterSet)}[model]


def _namespace(model: type[Ticket]) -> str:
    return model._meta.app_label


def _console_data(request: HttpRequest, model: type[Ticket]) -> tuple[QueryDict, bool]:
    """The filters to apply: the ones in the URL, else the user's saved view,
    else "mis gestiones abiertas". Returns (data, from_saved_view)."""
    if "f" in request.GET:
        return request.GET, False
    saved = (
        SavedConsoleView.objects.filter(user=request.user, kind=model.KIND)
        .values_list("query", flat=True)
        .first()
    )
    data = QueryDict(saved if saved is not None else DEFAULT_VIEW, mutable=True)
    for name in ("o", *CURSOR_PARAMS):
        if name in request.GET:
            data[name] = request.GET[name]
    data["f"] = "1"
    return data, True


def _query_without(data: QueryDict, *names: str) -> str:
    kept = data.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()


def _sort_links(data: QueryDict, current: str, descending: bool) -> dict[str, dict]:
    base = _query_without(data, "o", *CURSOR_PARAMS)
    links = {}
    for key in SORTS:
        active = key == current
        # Dates start newest first; the rest ascending; a second click flips.
        first_desc = key in ("updated", "created")
        next_desc = (not descending) if active else first_desc
        order = f"-{key}" if next_desc else key
        links[key] = {
            "url": "?" + "&".join(filter(None, [base, urlencode({"o": order})])),
            "active": active,
            "descending": descending if active else None,
        }
    return links


@dataclass
class ConsoleRow:
    """What a console line shows, worked out once in Python: the template
    engine would reverse a URL and look up labels and names cell by cell,
    the largest share of the page's time."""

    ticket: Ticket
    url: str | None
    customer: str
    status: str
    priority: str
    requires_attention: str
    assignee: str
    updated_iso: str  # what |date:"c" prints
    updated: str  # what |date:"d/m/Y H:i" prints


def console_rows(model: type[Ticket], tickets: list[Ticket]) -> list[ConsoleRow]:
    try:
        # One reverse for the page; numbers are [A-Z0-9], nothing to quote.
        head, tail = reverse(f"{_namespace(model)}:detail", args=["NUMBER"]).rsplit("NUMBER", 1)
    except NoReverseMatch:
        head = tail = None
    labels = {
        name: dict(model._meta.get_field(name).flatchoices)
        for name in ("status", "priority", "requires_attention")
    }
    rows = []
    for ticket in tickets:
        updated = timezone.localtime(ticket.updated_at)
        rows.append(
            ConsoleRow(
                ticket=ticket,
                url=f"{head}{ticket.number}{tail}" if head is not None else None,
                customer=ticket.customer.full_name,
                status=labels["status"].get(ticket.status, ticket.status),
                priority=labels["priority"].get(ticket.priority, ticket.priority),
                requires_attention=(
                    labels["requires_attention"].get(ticket.requires_attention, "")
                    if ticket.requires_attention
                    else ""
                ),
                assignee=(
                    (ticket.assignee.get_full_name() or ticket.assignee.get_username())
                    if ticket.assignee
                    else ""
                ),
                updated_iso=updated.isoformat(),
                updated=updated.strftime("%d/%m/%Y %H:%M"),
            )
        )
    return rows


def console(request: HttpRequest, model: type[Ticket]) -> HttpResponse:
    """The incident or work-order console: filters, advanced search, keyset pages."""
    data, from_saved_view = _console_data(request, model)
    filterset = _filterset_class(model)(
        data,
        queryset=model.objects.with_list_relations(),
        request=request,
    )
    sort_key, descending = parse_sort(data.get("o", DEFAULT_SORT))
    keys = SORTS[sort_key].keys
    namespace = _namespace(model)
    if request.session.get("console") != namespace:
        request.session["console"] = namespace

    sort_links = _sort_links(data, sort_key, descending)
    context = {
        "model": model,
        "plural": model._meta.verbose_name_plural,
        "singular": model._meta.verbose_name,
        "namespace": namespace,
        "columns": [
            {"label": label, "sort": sort_links.get(key)}
            for key, label in (
                ("number", _("Number")),
                ("", _("Customer")),
                ("", _("Summary")),
                ("status", _("Status")),
                ("", _("Reason")),
                ("", model.GROUP_LABEL),
                ("", _("Assignee")),
                ("priority", _("Priority")),
                ("", _("Requires attention")),
                ("updated", _("Updated")),
            )
        ],
        "filterset": filterset,
        "from_saved_view": from_saved_view,
        "filter_query": _query_without(data, *CURSOR_PARAMS),
        "page": None,
    }
    status = 200
    if not filterset.is_valid():
        messages.error(request, _("Some filters are not valid; correct the marked fields."))
        status = 400
    else:
        queryset = filterset.qs
        cursors = {}
        for name in CURSOR_PARAMS:
            if data.get(name):
                try:
                    cursors[name] = decode_cursor(data[name], model, keys)
                except InvalidCursor:
                    messages.warning(
                        request, _("The page link is not valid; showing the first page.")
                    )
                    cursors = {}
                    break
        page = keyset_page(queryset, keys, descending=descending, **cursors)
        count, capped = capped_count(filterset.qs, page, first_page=not cursors)
        base = _query_without(data, *CURSOR_PARAMS)
        context.update(
            page=page,
            rows=console_rows(model, page.rows),
            count=count,
            count_capped=capped,
            next_url=f"?{base}&after={page.next_cursor}" if page.next_cursor else None,
            previous_url=f"?{base}&before={page.previous_cursor}" if page.previous_cursor else None,
            first_url=f"?{base}" if cursors else None,
        )
    return render(request, "itsm/console.html", context, status=status)


@transaction.atomic
def saved_view_store(*, user, kind: str, query: str | None) -> None:
    """Save (or, with ``query=None``, forget) the user's default console."""
    if query is None:
        SavedConsoleView.objects.filter(user=user, kind=kind).delete()
        return
    SavedConsoleView.objects.update_or_create(user=user, kind=kind, defaults={"query": query})


def console_save_view(request: HttpRequest, model: type[Ticket]) -> HttpResponse:
    namespace = _namespace(model)
    form = SaveViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The view could not be saved."))
        return redirect(f"{namespace}:console")
    if form.cleaned_data["reset"]:
        saved_view_store(user=request.user, kind=model.KIND, query=None)
        messages.success(request, _("Default view restored: my open tickets."))
        return redirect(f"{namespace}:console")
    data = QueryDict(form.cleaned_data["query"], mutable=True)
    for name in CURSOR_PARAMS:
        data.pop(name, None)
    data["f"] = "1"
    filterset = _filterset_class(model)(data, queryset=model.objects.none(), request=request)
    if not filterset.is_valid():
        messages.error(request, _("The view could not be saved: some filters are not valid."))
        return redirect(reverse(f"{namespace}:console") + "?" + data.urlencode())
    saved_view_store(user=request.user, kind=model.KIND, query=data.urlencode())
    messages.success(request, _("This view now opens by default."))
    return redirect(f"{namespace}:console")


def console_urlpatterns(model: type[Ticket]) -> list[URLPattern]:
    def bind(view, *decorators):
        def view_for_model(request: HttpRequest) -> HttpResponse:
            return view(request, model)

        view_for_model.__name__ = view.__name__
        for decorator in reversed(decorators):
            view_for_model = decorator(view_for_model)
        return view_for_model

    return [
        path("", bind(console, agent_required), name="console"),
        path(
            "saved-view/",
            bind(console_save_view, agent_required, require_POST),
            name="console_save_view",
        ),
    ]


# --- coordination ------------------------------------------------------------

COORDINATION_ACTIONS = {
    # action: (service, note required, success message)
    "take": (ticket_assign_to_me, False, gettext_lazy("%(number)s is now assigned to you.")),
    "return": (
        ticket_return_to_agent,
        True,
        gettext_lazy("%(number)s has been returned to the agent."),
    ),
    "specialists": (
        ticket_pass_to_specialists,
        True,
        gettext_lazy("%(number)s has been passed to L2 ESPECIALISTAS."),
    ),
}


@dataclass
class CoordinationRow:
    ticket: Ticket
    note: object | None  # the latest work-notes entry: what the agent escalated with


def coordination_queue(
    group, *, after: list | None = None, size: int | None = None
) -> tuple[list[CoordinationRow], str | None]:
    """Open tickets of both kinds in the coordination group, oldest first,
    with their escalation note: two queries per kind, whatever the sizes."""
    size = size or PAGE_SIZE
    candidates: list[Ticket] = []
    for model in ticket_models():
        work_info = model.work_info.rel.related_model
        latest_note = (
            work_info.objects.filter(ticket=OuterRef("pk"), type=WorkInfoType.WORK_NOTES)
            .order_by("-created_at", "-id")
            .values("id")[:1]
        )
        # Served by the partial index *_open_group_age_idx.
        queryset = (
            model.objects.filter(open_tickets_q(), assigned_group=group)
            .exclude(status=model.RESOLVED_STATUS)
            # Not the group: it is the coordination group, and joining it lets
            # SQLite start from the group table and sort the whole queue.
            .select_related("customer", "assignee", "status_reason")
            .annotate(note_id=Subquery(latest_note))
        )
        if after is not None:
            queryset = queryset.filter(
                seek_condition(("created_at", "number"), after, descending=False)
            )
        candidates.extend(queryset.order_by("created_at", "number")[: size + 1])
    candidates.sort(key=lambda t: (t.created_at, t.number))
    more = len(candidates) > size
    tickets = candidates[:size]

    notes = {}
    for model in ticket_models():
        ids = [t.note_id for t in tickets if isinstance(t, model) and t.note_id]
        if ids:
            work_info = model.work_info.rel.related_model
            for entry in work_info.objects.filter(id__in=ids).select_related("author"):
                notes[(model, entry.id)] = entry
    rows = [CoordinationRow(t, notes.get((type(t), t.note_id))) for t in tickets]
    next_cursor = (
        encode_cursor([tickets[-1].created_at, tickets[-1].number]) if more and tickets else None
    )
    return rows, next_cursor


def _render_coordination(request: HttpRequest, *, failed: dict | None = None, status: int = 200):
    try:
        group = coordination_group()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(request, "itsm/coordination.html", {"rows": []}, status=503)
    after = None
    if request.GET.get("after"):
        try:
            # Any ticket model will do: both have created_at and number.
            after = decode_cursor(
                request.GET["after"], ticket_models()[0], ("created_at", "number")
            )
        except InvalidCursor:
            messages.warning(request, _("The page link is not valid; showing the first page."))
    rows, next_cursor = coordination_queue(group, after=after)
    context = {
        "group": group,
        "rows": rows,
        "can_act": is_coordinator(request.user),
        "next_url": f"?after={next_cursor}" if next_cursor else None,
        "first_url": "?" if after else None,
        "failed": failed or {},
        "row_actions": [
            ("return", _("Return to the agent")),
            ("specialists", _("Pass to L2 ESPECIALISTAS")),
        ],
    }
    return render(request, "itsm/coordination.html", context, status=status)


@agent_required
def coordination(request: HttpRequest) -> HttpResponse:
    """Agents see the queue read-only; coordinators act on it."""
    return _render_coordination(request)


@coordinator_required
@require_POST
def coordination_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    service, note_required, done = COORDINATION_ACTIONS[action]
    model = ticket_model_for_number(number)
    if model is None:
        raise Http404(_("There is no ticket %(number)s.") % {"number": number})
    ticket = get_ticket_for_user(
        request.user, model, number, select_related=("assigned_group", "assignee", "updated_by")
    )
    form = CoordinationActionForm(request.POST, note_required=note_required)

    def fail(message: str, status: int) -> HttpResponse:
        messages.error(request, message)
        failed = {
            "number": ticket.number,
            "action": action,
            "note": request.POST.get("note", ""),
            "errors": form.errors.get("note", []) if form.is_bound else [],
        }
        return _render_coordination(request, failed=failed, status=status)

    if not form.is_valid():
        return fail(_("%(number)s: check the form.") % {"number": ticket.number}, 400)
    if not ticket.assigned_group.is_coordination:
        messages.warning(
            request,
            _("%(number)s is no longer in the coordination group (it is in %(group)s).")
            % {"number": ticket.number, "group": ticket.assigned_group.name},
        )
        return redirect("coordination")
    kwargs = {
        "ticket": ticket,
        "user": request.user,
        "expected_version": form.cleaned_data["version"],
    }
    if note_required:
        kwargs["note"] = form.cleaned_data["note"]
    try:
        service(**kwargs)
    except StaleTicketError as error:
        current = error.current
        who = current.updated_by.get_full_name() or current.updated_by.get_username()
        return fail(
            _(
                "%(number)s was changed by %(who)s at %(when)s while you were looking at it. "
                "Nothing has been done: check its current state below and try again."
            )
            % {
                "number": current.number,
                "who": who,
                "when": timezone.localtime(current.updated_at).strftime("%H:%M:%S"),
            },
            409,
        )
    except ValidationError as error:
        return fail(f"{ticket.number}: " + " ".join(error.messages), 400)
    messages.success(request, done % {"number": ticket.number})
    return redirect("coordination")


def site_urlpatterns() -> list[URLPattern]:
    return [
        path("search/", search, name="search"),
        path("coordination/", coordination, name="coordination"),
        path(
            "coordination/<str:number>/take/",
            coordination_action,
            {"action": "take"},
            name="coordination_take",
        ),
        path(
            "coordination/<str:number>/return/",
            coordination_action,
            {"action": "return"},
            name="coordination_return",
        ),
        path(
            "coordination/<str:number>/specialists/",
            coordination_action,
            {"action": "specialists"},
            name="coordination_specialists",
        ),
    ]
