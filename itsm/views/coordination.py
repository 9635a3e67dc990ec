"""The coordination queue: what agents escalated, oldest first, and the
coordinators' actions on it (*Tomar*, *Devolver al agente*, *Pasar a L2
ESPECIALISTAS*); and, on the ticket, the escalation form of the case an
agent picks."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from itsm.action_forms import CoordinationActionForm
from itsm.common.access import agent_required, coordinator_required, get_ticket_for_user
from itsm.common.pagination import CURSOR_PARAMS, keyset_list
from itsm.common.permissions import is_coordinator
from itsm.common.prepared import prepared_queries
from itsm.coordination_presenters import QueuePage
from itsm.coordination_selectors import (
    COORDINATION_KEYS,
    coordination_first_page,
    coordination_page_rows,
    coordination_queue,
    coordination_rows,
)
from itsm.escalation_forms import CoordinationFilterForm
from itsm.exports import coordination_export_lines, csv_response
from itsm.kinds import Kind, kind_for_number
from itsm.models import Ticket
from itsm.selectors import coordination_group, packet_for
from itsm.services.escalation import (
    ticket_pass_to_specialists,
    ticket_return_to_agent,
    ticket_take,
)
from itsm.ticket_page_presenters import packet_view
from itsm.views.actions import load_ticket, post_action
from itsm.views.tickets import escalation_context

COORDINATION_ACTIONS = {
    # action: (service, note required, success message)
    "take": (ticket_take, False, gettext_lazy("%(number)s is now assigned to you.")),
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


def _render_coordination(request: HttpRequest, *, failed: dict | None = None, status: int = 200):
    try:
        group = coordination_group()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(request, "itsm/coordination.html", {"rows": []}, status=503)
    filter_form = CoordinationFilterForm(request.GET or None)
    query = filter_form.query() if filter_form.is_bound else {}
    filters = filter_form.filters() if filter_form.is_bound else None
    # The first page of the whole queue is the same query for every request
    # (the group and the open statuses): prepared (itsm/common/prepared.py).
    whole = filters is None and not any(name in request.GET for name in CURSOR_PARAMS)
    with prepared_queries(when=whole):
        listing = keyset_list(
            request,
            coordination_first_page(group) if whole else coordination_queue(group, filters=filters),
            COORDINATION_KEYS,
            model=Ticket,
            descending=False,
            params=request.GET,
            filter_query=urlencode(query),
            presorted=whole,
        )
    can_act = is_coordinator(request.user)
    rows = coordination_page_rows(listing.page.rows)
    page = QueuePage(get_token(request), can_act, timezone.now(), failed or {})
    context = {
        **listing.context(),
        "group": group,
        "rows": rows,
        "rows_html": [page.row(row) for row in rows],
        "filter_form": filter_form,
        "can_act": can_act,
        "export_url": reverse("coordination_export") + (f"?{urlencode(query)}" if query else ""),
    }
    return render(request, "itsm/coordination.html", context, status=status)


@agent_required
def coordination(request: HttpRequest) -> HttpResponse:
    """Agents see the queue read-only; coordinators act on it."""
    return _render_coordination(request)


@coordinator_required
@require_GET
def coordination_export(request: HttpRequest) -> StreamingHttpResponse:
    """The queue as CSV with its filters, oldest first (coordinators only)."""
    group = coordination_group()
    filter_form = CoordinationFilterForm(request.GET or None)
    filters = filter_form.filters() if filter_form.is_bound else None
    rows = coordination_rows(group, filters=filters, limit=settings.ITSM_EXPORT_MAX_ROWS)
    return csv_response(request, coordination_export_lines(rows), "coordinacion.csv")


@coordinator_required
@require_POST
def coordination_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    service, note_required, done = COORDINATION_ACTIONS[action]
    kind = kind_for_number(number)
    if kind is None:
        raise Http404(_("There is no ticket %(number)s.") % {"number": number})
    ticket = get_ticket_for_user(
        request.user, kind.model, number, select_related=("assigned_group", "assignee")
    )
    if not ticket.assigned_group.is_coordination:
        messages.warning(
            request,
            _("%(number)s is no longer in the coordination group (it is in %(group)s).")
            % {"number": ticket.number, "group": ticket.assigned_group.name},
        )
        return redirect("coordination")
    form = CoordinationActionForm(request.POST, note_required=note_required)

    def fail(message: str, status: int) -> HttpResponse:
        messages.error(request, message)
        failed = {
            "number": ticket.number,
            "action": action,
            "note": request.POST.get("note", ""),
            "missing": request.POST.getlist("missing"),
            "errors": form.errors.get("note", []),
        }
        return _render_coordination(request, failed=failed, status=status)

    def again() -> HttpResponse:
        # The queue shows one note box per row: what the service refused is
        # said in the message, with the ticket's number.
        refused = form.non_field_errors()
        if refused:
            return fail(f"{ticket.number}: " + " ".join(refused), 400)
        return fail(_("%(number)s: check the form.") % {"number": ticket.number}, 400)

    def perform() -> None:
        kwargs = {
            "ticket": ticket,
            "user": request.user,
            "expected_version": form.cleaned_data["version"],
        }
        if note_required:
            kwargs["note"] = form.cleaned_data["note"]
        if action == "return":
            kwargs["missing"] = request.POST.getlist("missing")
        service(**kwargs)

    return post_action(
        request,
        form,
        perform,
        done=lambda _result: (done % {"number": ticket.number}, "coordination"),
        again=again,
        stale=lambda error: fail(str(error), 409),
    )


@agent_required
@require_GET
def escalation_case_form(request: HttpRequest, kind: Kind, number: str) -> HttpResponse:
    """htmx, when the agent picks the escalation case on the ticket: that
    case's form in place of the panel, and its checklist in the guidance,
    without reloading the page."""
    ticket = load_ticket(request, kind, number)
    if ticket.is_closed or ticket.assigned_group.is_coordination:
        raise Http404(_("%(number)s cannot be escalated now.") % {"number": ticket.number})
    packet = packet_for(ticket)
    context = {
        "kind": kind,
        "ticket": ticket,
        "packet": packet_view(packet, ticket) if packet and not ticket.is_resolved else None,
        **escalation_context(request, ticket, packet),
    }
    # The guidance beside the panel follows the case too (out of band).
    panel = render_to_string("itsm/snippets/ticket_escalate_form.html", context, request)
    guidance = render_to_string(
        "itsm/snippets/ticket_escalation_help.html",
        {**context, "oob": True, "escalating": True},
        request,
    )
    return HttpResponse(panel + guidance)
