"""Tickets built through the services, so numbering and the journal are real;
and the addresses and form data the ticket page tests post."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.models import Status, StatusReason, SupportGroup, TicketTemplate
from itsm.presenters import entry_text
from itsm.services.escalation import ticket_escalate
from itsm.services.ticket_create import ticket_create
from itsm.services.ticket_update import ticket_resolve, ticket_set_pending
from workorders.models import WorkOrder

# The smallest files the upload checks tell apart: an image and a program.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


def campaign_template(kind: str) -> TicketTemplate:
    return TicketTemplate.objects.for_agents(kind).order_by("name").first()


def make_ticket(model, *, user, customer=None, **kwargs):
    kwargs.setdefault("template", campaign_template(model.KIND))
    return ticket_create(model=model, user=user, customer=customer or CustomerFactory(), **kwargs)


def make_incident(*, user, **kwargs) -> Incident:
    return make_ticket(Incident, user=user, **kwargs)


def make_work_order(*, user, **kwargs) -> WorkOrder:
    return make_ticket(WorkOrder, user=user, **kwargs)


def make_merge_pair(*, user, customer) -> tuple[Incident, WorkOrder]:
    """An incident and, written after it, a work order of the same customer:
    the source and target of a merge."""
    source = make_ticket(Incident, user=user, customer=customer)
    return source, make_ticket(WorkOrder, user=user, customer=customer)


def escalate_other(ticket, user, description: str = "Otro motivo", *, note: str = ""):
    """Escalate to coordination for a reason outside the listed cases."""
    return ticket_escalate(
        ticket=ticket,
        user=user,
        expected_version=ticket.version,
        case="other",
        data={"description": description},
        note=note,
    )


def reason(model, status, name=None) -> StatusReason:
    """The first active reason (or the one named) of ``model``'s kind for ``status``."""
    reasons = StatusReason.objects.filter(kind=model.KIND, status=status, active=True)
    if name:
        reasons = reasons.filter(name=name)
    return reasons.order_by("name").first()


def pend(ticket, user, reason_name=None, **change):
    """Put ``ticket`` in Pendiente with its kind's first pending reason (or the
    one named)."""
    return ticket_set_pending(
        ticket=ticket,
        user=user,
        expected_version=ticket.version,
        status_reason=reason(type(ticket), Status.PENDING, reason_name),
        **change,
    )


def resolve(ticket, user, **kwargs):
    """Resolve (or complete) ``ticket`` with its kind's first reason."""
    return ticket_resolve(
        ticket=ticket,
        user=user,
        expected_version=ticket.version,
        status_reason=reason(type(ticket), ticket.RESOLVED_STATUS),
        **kwargs,
    )


def entries(ticket, entry_type=None) -> list[str]:
    """The ticket's journal as a reader sees it, oldest first."""
    rows = ticket.work_info.order_by("created_at", "pk")
    if entry_type:
        rows = rows.filter(type=entry_type)
    return [entry_text(entry) for entry in rows.select_related("author")]


def page_url(ticket) -> str:
    return reverse(f"{ticket._meta.app_label}:detail", args=[ticket.number])


def edit_url(ticket) -> str:
    return reverse(f"{ticket._meta.app_label}:edit", args=[ticket.number])


def edit_data(form, **changes) -> dict:
    """What the browser posts for the edit form as the page rendered it."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else str(value)
    data.update({name: str(value) for name, value in changes.items()})
    return data


def pending_reason(kind: str = "INC") -> StatusReason:
    return StatusReason.objects.filter(kind=kind, status=Status.PENDING).order_by("name").first()


def refused_ticket_fields(description: str) -> dict:
    """What an agent types that a ticket's form refuses, the new one and the
    edit alike: no summary (nor template), and *Pendiente* with a reason of
    *Resuelto*; ``description`` must come back as typed."""
    return {
        "summary": "",
        "status": Status.PENDING,
        "status_reason": reason(Incident, Status.RESOLVED, "Acción adicional innecesaria").pk,
        "description": description,
    }


CAMPAIGN = object()


def new_ticket_data(customer=None, *, template=CAMPAIGN, **changes) -> dict:
    """What the new-ticket form posts: an incident of the campaign template
    (or ``template``, None for none) for ``customer``, to the agents' group,
    with ``changes`` on top."""
    if template is CAMPAIGN:
        template = campaign_template("INC")
    data = {
        "customer": customer.pk if customer else "",
        "template": template.pk if template else "",
        "summary": "",
        "description": "Llama porque no puede enviar las cuentas.",
        "reported_source": "phone",
        "assigned_group": SupportGroup.objects.get(is_agent_default=True).pk,
        "assignee": "",
        "status": Status.ASSIGNED,
        "status_reason": "",
        "resolution": "",
        "requires_attention": "",
        "work_info_notes": "Primera llamada del cliente.",
    }
    data.update(changes)
    return data


def work_info_with_a_refused_file(notes: str) -> dict:
    """What the work-info panel posts with an allowed image and a refused program."""
    return {
        "wi-type": "notes",
        "wi-notes": notes,
        "wi-view_access": "internal",
        "wi-attachment_1": SimpleUploadedFile("captura.png", PNG),
        "wi-attachment_2": SimpleUploadedFile("programa.exe", EXE),
    }
