"""Opening a ticket: numbering, template, group, status rules and the first
journal entries, in one transaction."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from itsm import events as announced
from itsm import journal_events as events
from itsm.common.permissions import require_agent
from itsm.models import (
    Channel,
    RequiresAttention,
    Status,
    StatusReason,
    SupportGroup,
    Ticket,
    TicketSequence,
    TicketTemplate,
    ViewAccess,
    WorkInfoType,
    priority_for,
)
from itsm.selectors import agent_default_group
from itsm.services.journal import journal_append, journal_event
from itsm.services.rules import (
    apply_status_rules,
    apply_template,
    check_assignee,
    check_group_change,
)
from itsm.services.sla import sla_start


def _next_number(model: type[Ticket]) -> str:
    """Hand out the next number inside the caller's transaction: the UPDATE
    locks the sequence row (PostgreSQL) or the database (SQLite) until commit,
    so concurrent creations queue instead of sharing a number."""
    sequence = TicketSequence.objects.filter(kind=model.KIND)
    if not sequence.update(last_value=F("last_value") + 1):
        try:
            with transaction.atomic():
                TicketSequence.objects.create(kind=model.KIND, last_value=0)
        except IntegrityError:
            pass  # another transaction created it first
        sequence.update(last_value=F("last_value") + 1)
    return model.format_number(sequence.values_list("last_value", flat=True).get())


def _fill_section_two_and_three(
    ticket: Ticket,
    *,
    template: TicketTemplate | None,
    summary: str,
    impact: int | None,
    urgency: int | None,
    reported_source: str | None,
) -> None:
    """The template's fields, then what the caller typed over them."""
    if template is not None:
        apply_template(ticket, template)
    if summary:
        ticket.summary = summary
    if not ticket.summary:
        raise ValidationError({"summary": _("Pick a template or write a summary.")})
    if impact is not None:
        ticket.impact = impact
    if urgency is not None:
        ticket.urgency = urgency
    ticket.priority = priority_for(ticket.impact, ticket.urgency)
    if reported_source:
        ticket.reported_source = reported_source


def _assign(
    ticket: Ticket, *, user, group: SupportGroup | None, template: TicketTemplate | None, assignee
) -> None:
    """The group asked for, else the template's, else the agent's default;
    the role and membership rules checked."""
    group = group or (template.default_group if template else None) or agent_default_group(user)
    if group is None:
        raise ValidationError({"assigned_group": _("Choose the assigned group.")})
    ticket.assigned_group = group
    check_group_change(ticket, user, previous_group_id=None)
    ticket.assignee = assignee
    check_assignee(ticket, previous_group_id=None, previous_assignee_id=None)


def _journal_opening(
    ticket: Ticket,
    *,
    user,
    notes: str,
    type: str,
    attachments: Sequence[UploadedFile],
    view_access: str,
    channel: str,
) -> None:
    """The *opened* event, then the agent's first entry if they wrote one."""
    journal_event(
        ticket,
        author=user,
        type=WorkInfoType.STATUS_CHANGE,
        event=events.OPENED,
        data={
            "status": ticket.status,
            "reason": ticket.status_reason_id,
            "group": ticket.assigned_group_id,
            "assignee": ticket.assignee_id,
        },
        channel=channel,
    )
    if notes or attachments:
        journal_append(
            ticket,
            author=user,
            type=type,
            notes=notes,
            requires_attention=ticket.requires_attention,
            view_access=view_access,
            attachments=attachments,
            channel=channel,
        )


def _check_customer(customer: Customer) -> None:
    if not customer.active:
        raise ValidationError({"customer": _("This customer is inactive.")})
    if customer.blocked_at is not None:
        # Out of every ordinary use until anonymised (LOPD-GDD art. 32).
        raise ValidationError(
            {"customer": _("This customer is blocked by a data-protection request.")}
        )


@transaction.atomic
def ticket_create(
    *,
    model: type[Ticket],
    user,
    customer: Customer,
    template: TicketTemplate | None = None,
    summary: str = "",
    description: str = "",
    reported_source: str | None = None,
    assigned_group: SupportGroup | None = None,
    assignee=None,
    status: str = Status.ASSIGNED,
    status_reason: StatusReason | None = None,
    resolution: str = "",
    requires_attention: str = RequiresAttention.NONE,
    impact: int | None = None,
    urgency: int | None = None,
    work_info_notes: str = "",
    work_info_type: str = WorkInfoType.WORK_NOTES,
    work_info_attachments: Sequence[UploadedFile] = (),
    work_info_view_access: str = ViewAccess.INTERNAL,
    channel: str = Channel.WEB,
) -> Ticket:
    require_agent(user)
    _check_customer(customer)
    ticket = model(customer=customer, created_by=user, updated_by=user, description=description)
    _fill_section_two_and_three(
        ticket,
        template=template,
        summary=summary,
        impact=impact,
        urgency=urgency,
        reported_source=reported_source,
    )
    _assign(ticket, user=user, group=assigned_group, template=template, assignee=assignee)
    ticket.status = status
    ticket.status_reason = status_reason
    ticket.resolution = resolution
    # The status rules override it: pending requires a response, resolved nothing.
    ticket.requires_attention = requires_attention
    apply_status_rules(ticket, previous_status=None, previous_reason_id=None)
    now = timezone.now()
    sla_start(ticket, now=now)
    ticket.created_at = ticket.updated_at = now
    ticket.number = _next_number(model)
    ticket.save()
    announced.publish(announced.TICKET_CREATED, ticket=ticket)
    _journal_opening(
        ticket,
        user=user,
        notes=work_info_notes,
        type=work_info_type,
        attachments=work_info_attachments,
        view_access=work_info_view_access,
        channel=channel,
    )
    return ticket
