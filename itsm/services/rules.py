"""The ticket rules every write applies: which fields a template fills, what
a status requires and implies, who may move a ticket to which group and
who may be its assignee.

What a role may pick is one selector each (``pickable_groups``,
``pickable_templates``, ``group_assignees``, ``status_reasons``): the forms
offer it and the checks here refuse anything else, with the message the
form shows for a value it does not offer."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from itsm.common.rows import row_id
from itsm.models import RequiresAttention, Status, Ticket, TicketTemplate
from itsm.people import GROUP_ASSIGNEE
from itsm.selectors import can_pick_group

# What a form says of a value its list does not offer, and a service of the same value.
ASSIGNEE_NOT_ALLOWED = gettext_lazy(
    "This person is not an active agent of the chosen group: pick one from the list."
)
GROUP_NOT_ALLOWED = gettext_lazy("You cannot assign tickets to this group: pick one from the list.")
TEMPLATE_NOT_ALLOWED = gettext_lazy(
    "This template cannot be used for this ticket: pick one from the list."
)
REASON_NOT_ALLOWED = gettext_lazy("This reason does not belong to the chosen status.")

DEFAULT_RESOLUTION = "RESUELTO"

# The ticket's classification: the tiers and the service.
CLASSIFICATION_FIELDS = (
    "operational_tier_1",
    "operational_tier_2",
    "operational_tier_3",
    "product_tier_1",
    "product_tier_2",
    "product_tier_3",
    "service",
)
TEMPLATE_FIELDS = (*CLASSIFICATION_FIELDS, "impact", "urgency")

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
    if ticket.is_merged:
        raise ValidationError(
            _(
                "%(number)s was merged into %(target)s and can no longer be changed: "
                "work on %(target)s."
            )
            % {"number": ticket.number, "target": ticket.merged_into},
            code="ticket_merged",
        )
    if ticket.is_closed:
        raise ValidationError(
            _("%(number)s is %(status)s and can no longer be changed.")
            % {"number": ticket.number, "status": ticket.get_status_display().lower()},
            code="ticket_closed",
        )


def apply_template(ticket: Ticket, template: TicketTemplate) -> None:
    # The row as its caller loaded it (a form just did, through
    # ``pickable_templates``): the same rule, without a second query.
    if not template.is_for_agents(ticket.KIND):
        raise field_error("template", str(TEMPLATE_NOT_ALLOWED), code="template_not_allowed")
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
        raise field_error("status_reason", str(REASON_NOT_ALLOWED), code="reason_of_other_status")
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
    """A new group must be one ``user`` may pick; a ticket keeps a group
    retired since."""
    if ticket.assigned_group_id == previous_group_id:
        return
    if not can_pick_group(user, ticket.assigned_group):
        raise field_error("assigned_group", str(GROUP_NOT_ALLOWED), code="group_not_allowed")


def can_be_assignee(user, group_id: int | None) -> bool:
    """Whether ``check_assignee`` lets ``user`` have a ticket of ``group_id``:
    for the services that choose an assignee themselves."""
    return _assignee_of(user.pk, group_id)


def _assignee_of(user_id: int, group_id) -> bool:
    group_id = row_id(group_id)
    return group_id is not None and GROUP_ASSIGNEE.first(group_id, user_id) is not None


def check_assignee(
    ticket: Ticket, *, previous_group_id: int | None, previous_assignee_id: int | None
) -> None:
    """A new assignee, or the assignee of a new group, is an active agent or
    coordinator who is a member of the group (never an administrator who does
    not work tickets); an assignee who has since left keeps the ticket until
    it moves."""
    if ticket.assignee_id is None:
        return
    unchanged = (
        ticket.assignee_id == previous_assignee_id and ticket.assigned_group_id == previous_group_id
    )
    if unchanged or _assignee_of(ticket.assignee_id, ticket.assigned_group_id):
        return
    raise field_error("assignee", str(ASSIGNEE_NOT_ALLOWED), code="assignee_not_allowed")
