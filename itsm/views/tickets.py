"""The ticket page with its edit form; the page is rendered here for every
action that shows it again (see ``ticket_actions``). The new-ticket page is
``ticket_new``; both wire their forms with ``wire_form``."""

import secrets

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from itsm.action_forms import (
    AssignToMeForm,
    PendingForm,
    RelationForm,
    ReopenForm,
    ResolveForm,
    TicketEditForm,
    VersionedForm,
    WorkInfoForm,
)
from itsm.blocked import audit_blocked_access
from itsm.common.access import agent_required, get_ticket_for_user
from itsm.common.permissions import is_coordinator
from itsm.escalation_cases import CASES, cases_for, kind_holding
from itsm.escalation_forms import EscalationPacketForm
from itsm.fields import ATTACHMENT_FIELDS, ticket_numbers_from_text
from itsm.forms import TicketCreateForm
from itsm.history_presenters import history, merges_shown
from itsm.kinds import Kind, all_kinds
from itsm.models import (
    PacketState,
    Status,
    SupportGroup,
    Ticket,
    TicketTemplate,
    priority_for,
)
from itsm.presence import POLL_SECONDS, presence_leave, presence_others, presence_touch
from itsm.presenters import customer_url, sla_view
from itsm.reference_cache import cached_rows
from itsm.selectors import (
    packet_for,
    ticket_relations,
    tickets_by_numbers,
    tickets_open_for_customer,
)
from itsm.services.rules import TEMPLATE_FIELDS
from itsm.services.ticket_update import StaleTicketError, ticket_update
from itsm.services.uploads import held_uploads_keep
from itsm.ticket_page_presenters import packet_view, stale_context
from itsm.views.actions import load_ticket, post_action, ticket_action

# Prefixes keep the ids of the forms that share one page apart.
ACTION_PREFIXES = {
    "pending": "pending",
    "resolve": "resolve",
    "reopen": "reopen",
    "escalate": "escalate",
    "assign": "assign",
    "work_info": "wi",
    "relation": "rel",
}


def template_preview(kind: Kind, template: TicketTemplate | None) -> dict | None:
    """Section 3 as the template will fill it."""
    if template is None:
        return None
    ticket = kind.model(**{name: getattr(template, name) for name in TEMPLATE_FIELDS})
    ticket.priority = priority_for(ticket.impact, ticket.urgency)
    return {"fields": ticket, "template": template}


def wire_form(form: Form, kind: Kind) -> Form:
    """htmx on the template and status pickers: the template fills the summary
    and section 3, the status narrows the reason list."""
    form.fields["template"].widget.attrs.update(
        {
            "hx-get": reverse(kind.url_name("template_fields")),
            "hx-trigger": "change",
            "hx-target": "#section-3",
            # The summary typed so far, which the template must not silently replace.
            "hx-include": f"this, #{form['summary'].auto_id}",
            # ticket.js puts a box before it that finds a template by any word.
            "data-word-filter": _("Find a template: type any word of its name"),
            "data-word-filter-next": form["description"].auto_id,
        }
    )
    # The assignee list follows the group: only its active members.
    form.fields["assigned_group"].widget.attrs.update(
        {
            "hx-get": reverse(kind.url_name("assignees")),
            "hx-trigger": "change",
            "hx-target": f"#{form['assignee'].auto_id}",
            "hx-include": f"this, #{form['assignee'].auto_id}",
        }
    )
    if isinstance(form, TicketCreateForm):
        form.fields["assigned_group"].widget.attrs["hx-vals"] = '{"default_me": "1"}'
    form.fields["status"].widget.attrs.update(
        {
            "hx-get": reverse(kind.url_name("reasons")),
            "hx-trigger": "change",
            "hx-target": f"#{form['status_reason'].auto_id}",
            "hx-include": "this",
        }
    )
    return form


def relation_hits(ticket: Ticket, query: str) -> list[Ticket]:
    numbers = [n for n in ticket_numbers_from_text(query) if n != ticket.number]
    return tickets_by_numbers(numbers)


# --- ticket page ------------------------------------------------------------------


def _action_forms(ticket: Ticket, user) -> dict:
    model = type(ticket)
    version = VersionedForm.initial_for(ticket)
    return {
        "edit": TicketEditForm(model=model, user=user, ticket=ticket),
        "assign": AssignToMeForm(initial=version, prefix=ACTION_PREFIXES["assign"]),
        "pending": PendingForm(model=model, initial=version, prefix=ACTION_PREFIXES["pending"]),
        "resolve": ResolveForm(model=model, initial=version, prefix=ACTION_PREFIXES["resolve"]),
        "reopen": ReopenForm(initial=version, prefix=ACTION_PREFIXES["reopen"]),
        "work_info": WorkInfoForm(prefix=ACTION_PREFIXES["work_info"]),
        "relation": RelationForm(prefix=ACTION_PREFIXES["relation"]),
    }


def escalation_context(request: HttpRequest, ticket: Ticket, packet, form=None) -> dict:
    """The escalate panel and the guidance beside it: the cases this kind
    carries, the chosen case's form, and the cases another kind holds
    (offered as a related ticket there)."""
    kind = ticket.kind
    case_code = form.case.code if form is not None else request.GET.get("escalation_case", "")
    if not case_code and packet is not None and packet.state == PacketState.RETURNED:
        case_code = packet.case
    case = CASES.get(case_code)
    other_kind = None
    if case is not None and case.code not in kind.escalation_cases:
        other_kind = kind_holding(case.code, other_than=kind.code)
        case = None if other_kind is None else case
    if form is None and case is not None and other_kind is None:
        form = EscalationPacketForm(
            case=case,
            ticket=ticket,
            packet=packet,
            initial=VersionedForm.initial_for(ticket),
            prefix=ACTION_PREFIXES["escalate"],
        )
    other_cases = [
        (CASES[code], holder)
        for holder in all_kinds()
        if holder.code != kind.code
        for code in holder.escalation_cases
        if code not in kind.escalation_cases and code in CASES
    ]
    return {
        "escalation_cases": cases_for(kind.code),
        "escalation_other_cases": other_cases,
        "escalation_case": case,
        "escalation_other_kind": other_kind,
        "escalation_form": form,
    }


def coordination_group_ids() -> list[str]:
    """The coordination group's id (as the group picker posts it), from the
    reference cache."""
    return cached_rows(
        "coordination_group_ids",
        lambda: [
            str(pk)
            for pk in SupportGroup.objects.filter(is_coordination=True).values_list("pk", flat=True)
        ],
    )


def _open_ticket_context(
    request: HttpRequest, ticket: Ticket, packet, page_forms: dict, escalation_form
) -> dict:
    """What only an open ticket's page shows: the escalation panel, who may
    take it, the files held for its forms."""
    context = escalation_context(request, ticket, packet, escalation_form)
    if escalation_form is not None:
        context["open_panel"] = "escalate"
        kept = held_uploads_keep(user=request.user, form=escalation_form)
        escalation_form.kept = {held["field"]: held for held in kept}
    # *Asignarme* only for who the ticket's group can be assigned to (the
    # service refuses anyone else); the edit form's options say who.
    context["can_take"] = any(
        value == str(request.user.pk)
        for value, _label in page_forms["edit"].fields["assignee"].choices
    )
    work_info_form = page_forms["work_info"]
    context["held_files"] = held_uploads_keep(user=request.user, form=work_info_form)
    context["work_info_attachment_fields"] = [work_info_form[n] for n in ATTACHMENT_FIELDS]
    return context


def render_ticket_page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    escalation_form=None,
    forms: dict | None = None,
    stale: StaleTicketError | None = None,
    open_panel: str = "",
    relation_query: str | None = None,
) -> HttpResponse:
    """The ticket page; ``forms`` replace the blank ones (to show what the
    agent typed with its errors), ``stale`` explains a refused change."""
    page_forms = {}
    presence = []
    presence_page = ""
    if not ticket.is_closed:
        page_forms = {**_action_forms(ticket, request.user), **(forms or {})}
        wire_form(page_forms["edit"], ticket.kind)
        presence_page = secrets.token_urlsafe(9)
        readers = presence_touch(ticket=ticket, user=request.user, page=presence_page)
        presence = presence_others(ticket=ticket, user=request.user, readers=readers)
    if relation_query is None:
        relation_query = request.GET.get("relation_q", "").strip()
    entries = history(ticket)
    packet = packet_for(ticket, journal=[shown.entry for shown in entries])
    if request.GET.get("escalation_case") and not open_panel:
        open_panel = "escalate"
    context = {
        "kind": ticket.kind,
        "ticket": ticket,
        "forms": page_forms,
        "history": entries,
        "merges": merges_shown(ticket, entries),
        "packet": packet_view(packet, ticket) if packet and not ticket.is_resolved else None,
        "packet_open": packet is not None
        and (packet.state == PacketState.RETURNED or is_coordinator(request.user)),
        "relations": ticket_relations(ticket),
        "open_tickets": tickets_open_for_customer(customer=ticket.customer, exclude=ticket),
        "preview": {"fields": ticket, "template": ticket.template},
        "stale": stale_context(stale) if stale else None,
        "conflicts": page_forms["edit"].conflict_rows(ticket) if "edit" in page_forms else [],
        "open_panel": open_panel,
        "relation_query": relation_query,
        "relation_hits": relation_hits(ticket, relation_query) if relation_query else None,
        "is_pending": ticket.status == Status.PENDING,
        "sla": sla_view(ticket, timezone.now()),
        "presence": presence,
        "presence_page": presence_page,
        "presence_poll_seconds": POLL_SECONDS,
        "customer_url": customer_url(ticket.customer),
        "can_email": bool(ticket.customer.email) and not ticket.is_closed,
    }
    if not ticket.is_closed:
        context.update(_open_ticket_context(request, ticket, packet, page_forms, escalation_form))
        context["escalating"] = context["open_panel"] == "escalate"
    return render(request, "itsm/ticket_detail.html", context)


@agent_required
@require_GET
def ticket_detail(request: HttpRequest, kind: Kind, number: str) -> HttpResponse:
    ticket = load_ticket(request, kind, number)
    if ticket.customer.blocked_at is not None:
        # Only the data-protection role reaches a blocked customer's ticket.
        audit_blocked_access(request, request.user, [ticket.customer_id], "ticket page")
    if ticket.is_merged:
        messages.info(
            request,
            _("%(number)s was merged into %(target)s: its history is shown here.")
            % {"number": ticket.number, "target": ticket.merged_into},
        )
        return redirect(ticket.merged_into_url)
    open_panel = "relations" if request.GET.get("relation_q") else ""
    return render_ticket_page(request, ticket, open_panel=open_panel)


@agent_required
@require_POST
def ticket_presence(request: HttpRequest, kind: Kind, number: str) -> HttpResponse:
    """htmx, every POLL_SECONDS from an open ticket page: the reader is still
    there; who else is."""
    ticket = get_ticket_for_user(request.user, kind.model, number)
    readers = presence_touch(
        ticket=ticket,
        user=request.user,
        page=request.POST.get("page", "")[:20],
        editing=request.POST.get("editing") == "1",
    )
    context = {
        "kind": kind,
        "ticket": ticket,
        "presence": presence_others(ticket=ticket, user=request.user, readers=readers),
        "presence_poll_seconds": POLL_SECONDS,
    }
    return render(request, "itsm/snippets/ticket_presence.html", context)


@agent_required
@require_POST
def ticket_presence_leave(request: HttpRequest, kind: Kind, number: str) -> HttpResponse:
    """The page is closing (a beacon on ``pagehide``): its reader is gone now,
    not when their last poll expires."""
    ticket = get_ticket_for_user(request.user, kind.model, number)
    presence_leave(ticket=ticket, user=request.user, page=request.POST.get("page", ""))
    return HttpResponse(status=204)


@ticket_action
def ticket_edit(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    form = TicketEditForm(request.POST, model=ticket.kind.model, user=request.user, ticket=ticket)

    def stale(error: StaleTicketError) -> HttpResponse:
        rebased = form.rebased(error.current, changed_by_others=error.changed_fields)
        return render_ticket_page(request, error.current, forms={"edit": rebased}, stale=error)

    return post_action(
        request,
        form,
        lambda: ticket_update(
            ticket=ticket,
            user=request.user,
            expected_version=form.cleaned_data["version"],
            seen=form.cleaned_data["seen"],
            note=form.cleaned_data["note"].strip(),
            **form.changes(),
        ),
        done=lambda _updated: (_("%(number)s saved") % {"number": ticket.number}, ticket),
        again=lambda: render_ticket_page(request, ticket, forms={"edit": form}),
        stale=stale,
    )
