"""The shape every POST action shares, written once: load the ticket with
access and refuse a closed one (``ticket_action``); bind the form, call the
service, and answer a refusal, an error or a success (``post_action``).
The ticket pages, the coordination queue and the mailbox use it."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.common.access import agent_required, get_ticket_for_user
from itsm.common.forms import add_service_errors
from itsm.kinds import Kind
from itsm.models import Ticket
from itsm.reference_names import attach_reference
from itsm.services.rules import check_open
from itsm.services.ticket_update import StaleTicketError

# What the ticket page loads with the ticket for its header. Not the
# creator and last editor: the page does not show them, and each join adds
# to PostgreSQL's planning (8 tables took 11 ms to plan). The group and the
# status reason come from the reference lists (``attach_reference``).
TICKET_RELATED = ("customer", "template", "assignee")

Result = TypeVar("Result")


def load_ticket(request: HttpRequest, kind: Kind, number: str) -> Ticket:
    """The ticket with what its page shows, if the user may see it."""
    ticket = get_ticket_for_user(request.user, kind.model, number, select_related=TICKET_RELATED)
    attach_reference(ticket)
    return ticket


def closed_refusal(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    if ticket.is_merged:
        # The service's own refusal, and the ticket the work goes on.
        try:
            check_open(ticket)
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        return redirect(ticket.merged_into_url)
    messages.error(
        request,
        _("%(number)s is closed and can no longer be changed.") % {"number": ticket.number},
    )
    return redirect(ticket)


def ticket_action(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An agent's POST on one ticket: the view receives the ticket, loaded
    with access (404 / 403), and never runs on a closed one."""

    @agent_required
    @require_POST
    @wraps(view)
    def action(request: HttpRequest, kind: Kind, number: str, **kwargs) -> HttpResponse:
        ticket = load_ticket(request, kind, number)
        if ticket.is_closed:
            return closed_refusal(request, ticket)
        return view(request, ticket, **kwargs)

    return action


def post_action(
    request: HttpRequest,
    form: Form,
    perform: Callable[[], Result],
    *,
    done: Callable[[Result], tuple[str, Any]],
    again: Callable[[], HttpResponse],
    stale: Callable[[Exception], HttpResponse] | None = None,
    stale_error: type[Exception] = StaleTicketError,
) -> HttpResponse:
    """A bound ``form``, valid, runs ``perform`` (the service call);
    ``done(result)`` gives the success message and where to redirect. A
    change refused as stale goes to ``stale`` (the page again, on the current
    version); the service's ValidationError lands on the form's fields, and
    the form with its errors is shown ``again``."""
    refusals = (stale_error,) if stale is not None else ()
    if form.is_valid():
        try:
            result = perform()
        except refusals as error:
            return stale(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message, target = done(result)
            messages.success(request, message)
            return redirect(target)
    return again()
