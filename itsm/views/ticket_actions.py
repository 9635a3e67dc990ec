"""What an agent does on a ticket page besides editing it: the quick
actions (*Asignarme*, *Pendiente*, *Resolver*/*Terminar*, *Reabrir*,
*Escalar*), *Agregar* to the history, its files and the relations."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from itsm.action_forms import (
    AssignToMeForm,
    PendingForm,
    RelationForm,
    ReopenForm,
    ResolveForm,
    WorkInfoForm,
)
from itsm.attachments import file_response
from itsm.common.access import agent_required, get_ticket_for_user
from itsm.escalation_cases import CASES
from itsm.escalation_forms import EscalationPacketForm
from itsm.fields import ATTACHMENT_FIELDS
from itsm.kinds import Kind
from itsm.models import Relation, Ticket
from itsm.services.escalation import ticket_create_related_for_case, ticket_escalate
from itsm.services.journal import work_info_add
from itsm.services.relations import ticket_relate, ticket_unrelate
from itsm.services.ticket_update import (
    StaleTicketError,
    ticket_assign_to_me,
    ticket_reopen,
    ticket_resolve,
    ticket_set_pending,
)
from itsm.services.uploads import held_uploads_delete
from itsm.views.actions import post_action, ticket_action
from itsm.views.tickets import ACTION_PREFIXES, relation_hits, render_ticket_page

# key: (form, service, whether the form needs the ticket model)
QUICK_ACTIONS = {
    "assign": (AssignToMeForm, ticket_assign_to_me, False),
    "pending": (PendingForm, ticket_set_pending, True),
    "resolve": (ResolveForm, ticket_resolve, True),
    "reopen": (ReopenForm, ticket_reopen, False),
}


def _done_message(kind: Kind, key: str) -> str:
    return {
        "assign": _("%(number)s is now assigned to you"),
        "pending": _("%(number)s is pending"),
        "resolve": str(kind.resolved_message),
        "reopen": _("%(number)s reopened"),
    }[key]


@ticket_action
def quick_action(request: HttpRequest, ticket: Ticket, action: str) -> HttpResponse:
    """One form, one service call, back to the ticket page."""
    form_class, service, needs_model = QUICK_ACTIONS[action]
    form_kwargs = {"prefix": ACTION_PREFIXES[action]}
    if needs_model:
        form_kwargs["model"] = ticket.kind.model
    form = form_class(request.POST, **form_kwargs)

    def perform() -> None:
        data = dict(form.cleaned_data)
        version = data.pop("version")
        service(ticket=ticket, user=request.user, expected_version=version, **data)

    def stale(error: StaleTicketError) -> HttpResponse:
        # Keep what the agent typed (a reason, an escalation note), now
        # based on the current version, and say who changed the ticket.
        rebased = form_class(form.rebased_data(error.current), **form_kwargs)
        return render_ticket_page(
            request, error.current, forms={action: rebased}, stale=error, open_panel=action
        )

    message = _done_message(ticket.kind, action) % {"number": ticket.number}
    return post_action(
        request,
        form,
        perform,
        done=lambda _result: (message, ticket),
        again=lambda: render_ticket_page(request, ticket, forms={action: form}, open_panel=action),
        stale=stale,
    )


def _holding_uploads(
    request: HttpRequest,
    ticket: Ticket,
    form,
    perform: Callable[[], object],
    message: str,
    *,
    again: Callable[[], HttpResponse],
    stale: Callable[[StaleTicketError], HttpResponse] | None = None,
) -> HttpResponse:
    """``post_action`` for a form of the ticket page that holds uploads
    between tries: once the service has stored them they are let go, and the
    agent goes back to the ticket with ``message``."""

    def perform_and_let_go() -> None:
        perform()
        held_uploads_delete(uploads=form.held.values())

    return post_action(
        request,
        form,
        perform_and_let_go,
        done=lambda _result: (message, ticket),
        again=again,
        stale=stale,
    )


@ticket_action
def escalate(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    """*Escalar a coordinación* with the packet of the chosen case."""
    prefix = ACTION_PREFIXES["escalate"]
    case = CASES.get(request.POST.get(f"{prefix}-case", ""))
    if case is None or case.code not in ticket.kind.escalation_cases:
        messages.error(request, _("Choose the escalation case first."))
        return redirect(ticket)
    form_kwargs = {"case": case, "ticket": ticket, "prefix": prefix}
    form = EscalationPacketForm(request.POST, request.FILES, **form_kwargs)
    form.use_held_uploads(request.user)

    def perform() -> None:
        ticket_escalate(
            ticket=ticket,
            user=request.user,
            expected_version=form.cleaned_data["version"],
            seen=form.cleaned_data["seen"],
            case=case.code,
            data=form.packet_data(),
            uploads=form.uploads(),
            note=form.cleaned_data["note"],
        )

    def stale(error: StaleTicketError) -> HttpResponse:
        # The same input and files on the current version; the page holds the files.
        rebased = EscalationPacketForm(
            form.rebased_data(error.current), form.files, **{**form_kwargs, "ticket": error.current}
        )
        rebased.held = form.held
        return render_ticket_page(request, error.current, escalation_form=rebased, stale=error)

    def again() -> HttpResponse:
        return render_ticket_page(request, ticket, escalation_form=form)

    message = _("%(number)s escalated to coordination") % {"number": ticket.number}
    return _holding_uploads(request, ticket, form, perform, message, again=again, stale=stale)


@ticket_action
def escalate_as_related(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    """The case belongs to another kind: create the related ticket there and
    open its escalation form with the case chosen."""
    case = request.POST.get("case", "")
    try:
        related = ticket_create_related_for_case(ticket=ticket, user=request.user, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(ticket)
    messages.success(
        request,
        _("%(new)s created and related to %(number)s.")
        % {"new": related.number, "number": ticket.number},
    )
    return redirect(f"{related.get_absolute_url()}?escalation_case={case}#action-escalate")


@ticket_action
def work_info_create(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    form = WorkInfoForm(request.POST, request.FILES, prefix=ACTION_PREFIXES["work_info"])
    form.use_held_uploads(request.user)

    def perform() -> None:
        data = form.cleaned_data
        work_info_add(
            ticket=ticket,
            user=request.user,
            notes=data["notes"],
            entry_type=data["type"],
            attachments=form.attachments(),
            requires_attention=data["requires_attention"],
            view_access=data["view_access"],
        )

    def again() -> HttpResponse:
        return render_ticket_page(
            request, ticket, forms={"work_info": form}, open_panel="work_info"
        )

    message = _("Work info added to %(number)s") % {"number": ticket.number}
    return _holding_uploads(request, ticket, form, perform, message, again=again)


@agent_required
@require_GET
def attachment_download(
    request: HttpRequest, kind: Kind, number: str, entry_id: int, index: int
) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, kind.model, number)
    if not 1 <= index <= len(ATTACHMENT_FIELDS):
        raise Http404(_("There is no such file."))
    entry = ticket.work_info.filter(pk=entry_id).first()
    field_file = getattr(entry, f"attachment_{index}", None) if entry else None
    if not field_file:
        raise Http404(_("There is no such file."))
    return file_response(field_file)


@agent_required
@require_GET
def relation_search(request: HttpRequest, kind: Kind, number: str) -> HttpResponse:
    """htmx: the ticket an agent typed in the relations box, before linking it."""
    ticket = get_ticket_for_user(request.user, kind.model, number)
    query = request.GET.get("relation_q", "").strip()
    return render(
        request,
        "itsm/snippets/ticket_relation_hits.html",
        {
            "ticket": ticket,
            "kind": kind,
            "relation_query": query,
            "relation_hits": relation_hits(ticket, query) if query else None,
            "relation_form": RelationForm(prefix=ACTION_PREFIXES["relation"]),
        },
    )


@ticket_action
def relation_add(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    form = RelationForm(request.POST, prefix=ACTION_PREFIXES["relation"])

    def done(relation: Relation) -> tuple[str, str]:
        message = _("%(number)s related to %(other)s") % {
            "number": ticket.number,
            "other": relation.target_number,
        }
        return message, ticket.get_absolute_url() + "#relations"

    return post_action(
        request,
        form,
        lambda: ticket_relate(ticket=ticket, user=request.user, **form.cleaned_data),
        done=done,
        again=lambda: render_ticket_page(
            request,
            ticket,
            forms={"relation": form},
            open_panel="relations",
            relation_query=form.data.get(form.add_prefix("other_number"), "").strip(),
        ),
    )


@ticket_action
def relation_remove(request: HttpRequest, ticket: Ticket, relation_id: int) -> HttpResponse:
    relation = (
        Relation.objects.filter(pk=relation_id)
        .filter(Q(source_number=ticket.number) | Q(target_number=ticket.number))
        .first()
    )
    if relation is None:
        raise Http404(_("This relation does not exist."))
    other = relation.other_number(ticket.number)
    ticket_unrelate(relation=relation, user=request.user)
    messages.success(
        request,
        _("Relation between %(number)s and %(other)s removed")
        % {"number": ticket.number, "other": other},
    )
    return redirect(ticket.get_absolute_url() + "#relations")
