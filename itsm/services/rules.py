"""The ticket rules every write applies: which fields a template fills, what
a status requires and implies, who may move a ticket to which group."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.common.permissions import require_coordinator
from itsm.models import RequiresAttention, Status, Ticket, TicketTemplate

REOPENED_REASON_CODE = "reopened"
DEFAULT_RESOLUTION = "RESUELTO"

TEMPLATE_FIELDS = (
    "operational_tier_1",
    "operational_tier_2",
    "operational_tier_3",
    "product_tier_1",
    "product_tier_2",
    "product_tier_3",
    "service",
    "impact",
    "urgency",
)

# What the edit form of sections 2–4 sets; the template sets the rest.
FORM_FIELDS = (
    "template",
    "summary",
    "description",
    "reported_source",
    "assigned_group",
    "assignee",
    "status",
    "status_reason",
    "resolution",
    "requires_attention",
)
EDITABLE_FIELDS = frozenset((*FORM_FIELDS, *TEMPLATE_FIELDS))


def field_error(field: str, message: str, *, code: str) -> ValidationError:
    """A field's error that keeps its code (a dict of plain strings drops it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def check_open(ticket: Ticket) -> None:
    if ticket.is_closed:
        raise ValidationError(
            _("%(number)s is %(status)s and can no longer be changed.")
            % {"number": ticket.number, "status": ticket.get_status_display().lower()},
            code="ticket_closed",
        )


def apply_template(ticket: Ticket, template: TicketTemplate) -> None:
    if not template.applies_to_kind(ticket.KIND):
        raise field_error(
            "template", _("This template is not for this kind of ticket."), code="template_kind"
        )
    ticket.template = template
    ticket.summary = template.summary
    for field in TEMPLATE_FIELDS:
        setattr(ticket, field, getattr(template, field))


def apply_status_rules(
    ticket: Ticket, *, previous_status: str | None, previous_reason_id: int | None
) -> None:
    """Validate status and reason together and derive what follows from them."""
    if ticket.status not in ticket.STATUSES:
        raise ValidationError({"status": _("This status does not exist for this kind of ticket.")})
    reason = ticket.status_reason
    if reason is not None and (reason.kind != ticket.KIND or reason.status != ticket.status):
        raise field_error(
            "status_reason",
            _("This reason does not belong to the chosen status."),
            code="reason_of_other_status",
        )
    if reason is not None and not reason.active and reason.pk != previous_reason_id:
        raise ValidationError({"status_reason": _("This reason is no longer in use.")})
    if reason is None and ticket.status in (Status.PENDING, ticket.RESOLVED_STATUS):
        raise field_error(
            "status_reason", _("Choose the reason for this status."), code="reason_required"
        )
    if ticket.status == Status.PENDING:
        ticket.requires_attention = RequiresAttention.RESPONSE
    if ticket.status == ticket.RESOLVED_STATUS:
        ticket.requires_attention = RequiresAttention.NONE
        ticket.resolution = ticket.resolution.strip() or DEFAULT_RESOLUTION
        if previous_status != ticket.status:
            ticket.resolved_at = timezone.now()
    elif ticket.status not in ticket.FINISHED_STATUSES:
        ticket.resolved_at = None
    if ticket.status in ticket.FINISHED_STATUSES and previous_status != ticket.status:
        ticket.closed_at = timezone.now()


def check_group_change(ticket: Ticket, user, previous_group_id: int | None) -> None:
    if ticket.assigned_group_id == previous_group_id:
        return
    if ticket.assigned_group.is_specialists:
        require_coordinator(user)
    if not ticket.assigned_group.active:
        raise ValidationError({"assigned_group": _("This group is no longer active.")})
