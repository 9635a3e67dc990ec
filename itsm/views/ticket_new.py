"""The new-ticket page and the partials it asks for as the agent types:
the template's fields, the group's assignees, the status's reasons. The
mailbox's *Crear incidencia* page is this page, prefilled."""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from customers.forms import CustomerForm
from customers.models import Customer
from itsm.common.access import agent_required
from itsm.common.rows import row_id
from itsm.fields import ATTACHMENT_FIELDS
from itsm.forms import TicketCreateForm, UserChoiceField
from itsm.kinds import Kind
from itsm.models import (
    Ticket,
)
from itsm.people import group_assignees
from itsm.selectors import (
    agent_default_group_id,
    pickable_templates,
    status_reasons,
    tickets_open_for_customer,
)
from itsm.services.ticket_create import ticket_create
from itsm.services.uploads import held_uploads_delete, held_uploads_keep
from itsm.suggestions import creation_transaction, ticket_created_from_form
from itsm.views.actions import post_action
from itsm.views.tickets import coordination_group_ids, template_preview, wire_form


@agent_required
def ticket_new(request: HttpRequest, kind: Kind) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = TicketCreateForm(request.POST, request.FILES, model=kind.model, user=user)
        form.use_held_uploads(user)

        def create() -> Ticket:
            with creation_transaction(request.POST):
                ticket = ticket_create(model=kind.model, user=user, **form.ticket_fields())
                # What the suggestion panels added (the articles linked
                # before the ticket existed), with the ticket or not at all.
                ticket_created_from_form(ticket=ticket, data=request.POST, user=user)
            held_uploads_delete(uploads=form.held.values())
            return ticket

        return post_action(
            request,
            form,
            create,
            done=lambda ticket: (_("%(number)s created") % {"number": ticket.number}, ticket),
            again=lambda: _new_ticket_page(request, kind, form),
        )
    form = TicketCreateForm(
        model=kind.model, user=user, initial={"assigned_group": agent_default_group_id(user)}
    )
    return _new_ticket_page(request, kind, form)


def _new_ticket_page(request: HttpRequest, kind: Kind, form: TicketCreateForm) -> HttpResponse:
    context = new_ticket_context(kind, form)
    context["held_files"] = held_uploads_keep(user=request.user, form=form)
    return render(request, "itsm/ticket_new.html", context)


def new_ticket_context(kind: Kind, form: TicketCreateForm) -> dict:
    """What the new-ticket page shows around its form: the customer and
    template chosen so far, the customer's open tickets, the form's wiring.
    The mailbox's *Crear incidencia* page is this page, prefilled."""
    customer = None
    template = None
    if form.is_bound:
        customer_id = row_id(form.data.get("customer"))
        if customer_id is not None:
            customer = Customer.objects.active().filter(pk=customer_id).first()
        template_id = row_id(form.data.get("template"))
        if template_id is not None:
            template = form.fields["template"].queryset.filter(pk=template_id).first()
    return {
        "kind": kind,
        "form": wire_form(form, kind),
        "customer_form": CustomerForm(prefix="customer"),
        "customer": customer,
        "open_tickets": tickets_open_for_customer(customer=customer) if customer else [],
        "preview": template_preview(kind, template),
        "attachment_fields": [form[name] for name in ATTACHMENT_FIELDS],
    }


@agent_required
@require_GET
def template_fields(request: HttpRequest, kind: Kind) -> HttpResponse:
    """htmx: section 3 and the summary as the chosen template fills them. A
    summary someone wrote (or a mail's subject) is kept, and the template's
    offered beside it; one another template wrote is replaced."""
    templates = pickable_templates(kind.code)
    template_id = row_id(request.GET.get("template"))
    template = None
    if template_id is not None:
        template = templates.filter(pk=template_id).first()
    summary_form = None
    summary_offer = None
    if template is not None:
        typed = " ".join(request.GET.get("summary", "").split())
        keep = typed and typed != template.summary and not templates.filter(summary=typed).exists()
        summary_form = TicketCreateForm(
            model=kind.model,
            user=request.user,
            initial={"summary": typed if keep else template.summary},
        )
        summary_offer = template if keep else None
    return render(
        request,
        "itsm/snippets/ticket_template_fields.html",
        {
            "kind": kind,
            "preview": template_preview(kind, template),
            "swap_summary": True,
            "summary_form": summary_form,
            "summary_offer": summary_offer,
        },
    )


@agent_required
@require_GET
def assignee_options(request: HttpRequest, kind: Kind) -> HttpResponse:
    """htmx: the assignee options of the chosen group. The person chosen stays
    chosen if they belong to it; otherwise, on a new ticket, the agent
    creating it if they do."""
    people = list(group_assignees(request.GET.get("assigned_group", "")))
    ids = {str(person.pk) for person in people}
    chosen = request.GET.get("assignee", "")
    if chosen not in ids:
        me = str(request.user.pk)
        chosen = me if request.GET.get("default_me") and me in ids else ""
    options = [(str(p.pk), UserChoiceField.label_for(p)) for p in people]
    response = render(
        request,
        "itsm/snippets/ticket_assignee_options.html",
        {"options": options, "chosen": chosen},
    )
    # The ticket page shows the escalation guidance once the coordination
    # group is picked (ticket.js listens for this event).
    picked = request.GET.get("assigned_group", "") in coordination_group_ids()
    response["HX-Trigger"] = json.dumps({"grouppicked": {"coordination": picked}})
    return response


@agent_required
@require_GET
def reason_options(request: HttpRequest, kind: Kind) -> HttpResponse:
    """htmx: the reason options of the chosen status."""
    status = request.GET.get("status", "")
    reasons = status_reasons(kind.code, status) if status in kind.statuses else []
    return render(request, "itsm/snippets/ticket_reason_options.html", {"reasons": reasons})
