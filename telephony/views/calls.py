"""*Llamadas*: the calls of a day, the missed-calls queue, a call's page and
pop-up, and the tickets made from a call."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customers.forms import CustomerForm
from itsm.blocked import visible_by_customer
from itsm.common.access import agent_required, get_ticket_for_user
from itsm.common.feedback import report_outcome
from itsm.common.forms import add_service_errors
from itsm.common.pagination import filtered_list, filters_or_defaults
from itsm.common.rows import row_id
from itsm.forms import TicketCreateForm
from itsm.kinds import Kind, kind_for_code, kind_for_number
from itsm.models import ReportedSource
from itsm.selectors import agent_default_group_id, tickets_open_for_customer
from itsm.services.ticket_create import ticket_create
from itsm.services.uploads import held_uploads_delete, held_uploads_keep
from itsm.suggestions import ticket_created_from_form
from itsm.views.ticket_new import new_ticket_context
from telephony.filters import CallFilterSet
from telephony.forms import CallAddToTicketForm, CallbackCloseForm
from telephony.models import Call
from telephony.presenters import call_state, is_late, number_label, popup, talk_label
from telephony.services.callbacks import callback_close, callback_take
from telephony.services.tickets import call_link_ticket

KEYS = ("rung_at", "id")
QUEUE_SHOWN = 20


def _rows(calls) -> list[dict]:
    return [
        {
            "call": call,
            "number": number_label(call),
            "state": call_state(call),
            "talk": talk_label(call),
            "late": is_late(call),
        }
        for call in calls
    ]


@agent_required
@require_GET
def calls(request: HttpRequest) -> HttpResponse:
    """The missed calls owed a call back (oldest due first), then the
    calls of the day asked for, newest first, in keyset pages."""
    # Without filters: today's calls.
    data = filters_or_defaults(request, f"f=1&day={timezone.localdate().isoformat()}")
    queryset = visible_by_customer(
        Call.objects.select_related("agent", "customer", "callback_assignee"), request.user
    )
    filterset = CallFilterSet(data, queryset=queryset, request=request)
    waiting = list(
        visible_by_customer(Call.objects.missed_open(), request.user)
        .select_related("customer", "callback_assignee")
        .order_by("callback_due_at", "id")[: QUEUE_SHOWN + 1]
    )
    context = {
        "filterset": filterset,
        "rows": [],
        "page": None,
        "queue_rows": _rows(waiting[:QUEUE_SHOWN]),
        "queue_more": len(waiting) > QUEUE_SHOWN,
        "close_form": CallbackCloseForm(),
    }
    listing = filtered_list(request, filterset, KEYS, data=data)
    if listing is None:
        return render(request, "telephony/calls.html", context, status=400)
    context.update(listing.context(), rows=_rows(listing.page.rows))
    return render(request, "telephony/calls.html", context)


def _get_call(request: HttpRequest, pk: int) -> Call:
    """The call, unless its customer is blocked (a data-protection request)."""
    calls = Call.objects.select_related(
        "agent", "customer", "callback_assignee", "callback_closed_by"
    )
    return get_object_or_404(visible_by_customer(calls, request.user), pk=pk)


def _render_card(request: HttpRequest, call: Call, template: str, /, **context) -> HttpResponse:
    """``template`` with the call's card and the form to add the call to a ticket."""
    card = {"popup": popup(call), "add_form": CallAddToTicketForm()}
    return render(request, template, {**card, **context})


@agent_required
@require_GET
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = _get_call(request, pk)
    return _render_card(
        request,
        call,
        "telephony/call_detail.html",
        call=call,
        talk=talk_label(call),
        late=is_late(call),
        links=call.ticket_links.order_by("linked_at"),
        close_form=CallbackCloseForm(),
    )


@agent_required
@require_GET
def call_popup(request: HttpRequest, pk: int) -> HttpResponse:
    """The pop-up's card, fetched by the page when the push says a call rang."""
    return _render_card(request, _get_call(request, pk), "telephony/snippets/popup.html")


def _posted(request: HttpRequest, form: Form, name: str, refusal: str = "") -> Any:
    """The field ``name`` of a posted one-field form, or None with ``refusal``
    (else the field's own errors) as the message on the page it goes back to."""
    if form.is_valid():
        return form.cleaned_data[name]
    messages.error(request, refusal or " ".join(form.errors[name]))
    return None


@agent_required
@require_POST
def call_take(request: HttpRequest, pk: int) -> HttpResponse:
    call = _get_call(request, pk)
    report_outcome(
        request,
        lambda: callback_take(call=call, user=request.user),
        _("The call back is yours."),
    )
    return redirect(request.POST.get("next") == "detail" and call or "telephony:calls")


@agent_required
@require_POST
def call_close(request: HttpRequest, pk: int) -> HttpResponse:
    call = _get_call(request, pk)
    result = _posted(request, CallbackCloseForm(request.POST), "result", _("Choose a result."))
    if result is None:
        return redirect(call)
    report_outcome(
        request,
        lambda: callback_close(call=call, user=request.user, result=result),
        _("The missed call is closed."),
    )
    return redirect("telephony:calls")


@agent_required
@require_POST
def call_add_to_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """*Añadir a gestión*: the call on an existing ticket's journal."""
    call = _get_call(request, pk)
    number = _posted(request, CallAddToTicketForm(request.POST), "number")
    if number is None:
        return redirect(call)
    kind = kind_for_number(number)
    if kind is None:
        raise Http404
    ticket = get_ticket_for_user(request.user, kind.model, number)
    linked = report_outcome(
        request,
        lambda: call_link_ticket(call=call, ticket=ticket, user=request.user),
        _("The call has been added to %(number)s.") % {"number": number},
    )
    return redirect(ticket if linked else call)


def _kind(code: str) -> Kind:
    kind = kind_for_code(code)
    if kind is None:
        raise Http404(_("There is no such kind of ticket."))
    return kind


def _chosen_customer(request: HttpRequest, call: Call):
    """The customer the agent picked among those the number matched, else
    the call's own."""
    chosen = row_id(request.GET.get("customer"))
    if chosen is not None:
        return call.matched_customers.filter(pk=chosen, active=True).first() or call.customer
    return call.customer


@agent_required
@require_http_methods(["GET", "POST"])
def call_new_ticket(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """*Nueva incidencia* / *Nueva orden de trabajo* from a call: the
    new-ticket page with the caller, origin *Teléfono* and the call linked."""
    kind = _kind(kind)
    call = _get_call(request, pk)
    user = request.user
    customer = None
    if request.method == "POST":
        form = TicketCreateForm(request.POST, request.FILES, model=kind.model, user=user)
        form.use_held_uploads(user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    ticket = ticket_create(model=kind.model, user=user, **form.ticket_fields())
                    call_link_ticket(call=call, ticket=ticket, user=user)
                    ticket_created_from_form(ticket=ticket, data=request.POST, user=user)
                    held_uploads_delete(uploads=form.held.values())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(number)s created") % {"number": ticket.number})
                return redirect(ticket)
    else:
        customer = _chosen_customer(request, call)
        initial = {
            "reported_source": ReportedSource.PHONE,
            "assigned_group": agent_default_group_id(user),
        }
        if customer is not None and customer.active:
            initial["customer"] = customer.pk
        else:
            customer = None
        form = TicketCreateForm(model=kind.model, user=user, initial=initial)
    context = new_ticket_context(kind, form)
    if customer is not None:
        context["customer"] = customer
        context["open_tickets"] = tickets_open_for_customer(customer=customer)
    if context.get("customer") is None:
        context["customer_form"] = CustomerForm(
            prefix="customer", initial=_new_customer_initial(call)
        )
        context["show_customer_form"] = True
    context["held_files"] = held_uploads_keep(user=user, form=form)
    context["source_template"] = "telephony/snippets/call_new_ticket.html"
    context["call"] = call
    context["call_number"] = number_label(call)
    context["cancel_url"] = call.get_absolute_url()
    return render(request, "itsm/ticket_new.html", context)


def _new_customer_initial(call: Call) -> dict:
    """An unknown number: the customer form comes with it filled in."""
    return {"phones": number_label(call)} if call.remote_e164 else {}
