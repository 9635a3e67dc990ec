"""The coordination queue: what agents escalated, oldest first, and the
coordinators' actions on it (*Tomar*, *Devolver al agente*, *Pasar a L2
ESPECIALISTAS*)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from itsm.access import agent_required, coordinator_required, get_ticket_for_user
from itsm.action_forms import CoordinationActionForm
from itsm.escalation_forms import CoordinationFilterForm
from itsm.exports import coordination_export_lines, csv_response
from itsm.kinds import kind_for_number
from itsm.models import Ticket
from itsm.pagination import InvalidCursor, decode_cursor
from itsm.permissions import is_coordinator
from itsm.selectors import coordination_group, coordination_queue, coordination_rows
from itsm.services.escalation import (
    ticket_pass_to_specialists,
    ticket_return_to_agent,
    ticket_take,
)
from itsm.services.ticket_update import StaleTicketError

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
    after = None
    if request.GET.get("after"):
        try:
            # The queue's keys are common to every kind.
            after = decode_cursor(request.GET["after"], Ticket, ("created_at", "number"))
        except InvalidCursor:
            messages.warning(request, _("The page link is not valid; showing the first page."))
    filters = filter_form.filters() if filter_form.is_bound else None
    rows, next_cursor = coordination_queue(group, after=after, filters=filters)
    context = {
        "group": group,
        "rows": rows,
        "filter_form": filter_form,
        "can_act": is_coordinator(request.user),
        "next_url": "?" + urlencode({**query, "after": next_cursor}) if next_cursor else None,
        "first_url": "?" + urlencode(query) if after else None,
        "now": timezone.now(),
        "failed": failed or {},
        "row_actions": [
            ("return", _("Return to the agent")),
            ("specialists", _("Pass to L2 ESPECIALISTAS")),
        ],
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
    form = CoordinationActionForm(request.POST, note_required=note_required)

    def fail(message: str, status: int) -> HttpResponse:
        messages.error(request, message)
        failed = {
            "number": ticket.number,
            "action": action,
            "note": request.POST.get("note", ""),
            "missing": request.POST.getlist("missing"),
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
    if action == "return":
        kwargs["missing"] = request.POST.getlist("missing")
    try:
        service(**kwargs)
    except StaleTicketError as error:
        return fail(str(error), 409)
    except ValidationError as error:
        return fail(f"{ticket.number}: " + " ".join(error.messages), 400)
    messages.success(request, done % {"number": ticket.number})
    return redirect("coordination")
