"""Services shared by incidents and work orders.

Every write that has side effects (numbering, journal entries, status rules,
optimistic locking) goes through here; the apps' own ``services.py`` name
these for their kind.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from itsm.models import (
    MAX_ATTACHMENTS,
    Relation,
    RelationType,
    RequiresAttention,
    Status,
    StatusReason,
    SupportGroup,
    Ticket,
    TicketSequence,
    TicketTemplate,
    ViewAccess,
    WorkInfo,
    WorkInfoType,
    priority_for,
)
from itsm.permissions import require_agent, require_coordinator

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


class StaleTicketError(Exception):
    """The ticket changed since the user loaded it; ``current`` is what is
    stored now, so the page can say who changed what."""

    def __init__(self, *, current: Ticket, changed_fields: list[str]) -> None:
        self.current = current
        self.changed_fields = changed_fields
        who = current.updated_by.get_full_name() or current.updated_by.get_username()
        super().__init__(
            _(
                "%(who)s changed %(number)s at %(when)s while you were editing it. "
                "Your changes have not been saved; review them and save again."
            )
            % {
                "who": who,
                "number": current.number,
                "when": timezone.localtime(current.updated_at).strftime("%H:%M:%S"),
            }
        )


def _field_error(field: str, message: str, *, code: str) -> ValidationError:
    """A field's error that keeps its code (a dict of plain strings drops it)."""
    return ValidationError({field: ValidationError(message, code=code)})


# --- reads -------------------------------------------------------------------


def ticket_models() -> tuple[type[Ticket], ...]:
    from incidents.models import Incident
    from workorders.models import WorkOrder

    return (Incident, WorkOrder)


def ticket_model_for_number(number: str) -> type[Ticket] | None:
    for model in ticket_models():
        if number.upper().startswith(model.PREFIX):
            return model
    return None


def ticket_get_by_number(number: str) -> Ticket | None:
    number = number.strip().upper()
    model = ticket_model_for_number(number)
    if model is None:
        return None
    return model.objects.filter(number=number).first()


def agent_default_group(user) -> SupportGroup | None:
    """The group a new ticket goes to: the user's own default group, else the
    agents' default group."""
    groups = SupportGroup.objects.filter(active=True)
    return (
        groups.filter(is_agent_default=True, members=user).first()
        or groups.filter(is_agent_default=True).first()
        or groups.filter(members=user).order_by("name").first()
    )


def coordination_group() -> SupportGroup:
    group = SupportGroup.objects.filter(is_coordination=True, active=True).first()
    if group is None:
        raise ValidationError(_("No coordination group is configured."))
    return group


def specialists_group() -> SupportGroup:
    group = SupportGroup.objects.filter(is_specialists=True, active=True).first()
    if group is None:
        raise ValidationError(_("No specialists group is configured."))
    return group


# --- rules ----------------------------------------------------------------------


def _check_open(ticket: Ticket) -> None:
    if ticket.is_closed:
        raise ValidationError(
            _("%(number)s is %(status)s and can no longer be changed.")
            % {"number": ticket.number, "status": ticket.get_status_display().lower()},
            code="ticket_closed",
        )


def _apply_template(ticket: Ticket, template: TicketTemplate) -> None:
    if not template.applies_to_kind(ticket.KIND):
        raise _field_error(
            "template", _("This template is not for this kind of ticket."), code="template_kind"
        )
    ticket.template = template
    ticket.summary = template.summary
    for field in TEMPLATE_FIELDS:
        setattr(ticket, field, getattr(template, field))


def _apply_status_rules(
    ticket: Ticket, *, previous_status: str | None, previous_reason_id: int | None
) -> None:
    """Validate status and reason together and derive what follows from them."""
    if ticket.status not in ticket.STATUSES:
        raise ValidationError({"status": _("This status does not exist for this kind of ticket.")})
    reason = ticket.status_reason
    if reason is not None and (reason.kind != ticket.KIND or reason.status != ticket.status):
        raise _field_error(
            "status_reason",
            _("This reason does not belong to the chosen status."),
            code="reason_of_other_status",
        )
    if reason is not None and not reason.active and reason.pk != previous_reason_id:
        raise ValidationError({"status_reason": _("This reason is no longer in use.")})
    if reason is None and ticket.status in (Status.PENDING, ticket.RESOLVED_STATUS):
        raise _field_error(
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


def _check_group_change(ticket: Ticket, user, previous_group_id: int | None) -> None:
    if ticket.assigned_group_id == previous_group_id:
        return
    if ticket.assigned_group.is_specialists:
        require_coordinator(user)
    if not ticket.assigned_group.active:
        raise ValidationError({"assigned_group": _("This group is no longer active.")})


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


def _journal(
    ticket: Ticket,
    *,
    author,
    type: str,
    notes: str,
    requires_attention: str = RequiresAttention.NONE,
    view_access: str = ViewAccess.INTERNAL,
    attachments: Sequence[UploadedFile] = (),
) -> WorkInfo:
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("A work info entry takes at most %(max)d files.") % {"max": MAX_ATTACHMENTS}
        )
    entry = ticket.work_info.model(
        ticket=ticket,
        author=author,
        type=type,
        notes=notes,
        requires_attention=requires_attention,
        view_access=view_access,
    )
    for index, upload in enumerate(attachments, start=1):
        setattr(entry, f"attachment_{index}", upload)
    entry.save()
    return entry


def _describe_changes(ticket: Ticket, before: dict) -> list[tuple[str, str]]:
    """Journal entries (type, text) for status, assignment and group changes."""
    entries = []
    if before["status"] != ticket.status or before["status_reason_id"] != ticket.status_reason_id:
        text = _("Status: %(old)s → %(new)s") % {
            "old": Status(before["status"]).label,
            "new": ticket.get_status_display(),
        }
        if ticket.status_reason_id:
            text += " (" + ticket.status_reason.name + ")"
        if ticket.status == ticket.RESOLVED_STATUS and ticket.resolution:
            text += "\n" + _("Resolution: %(resolution)s") % {"resolution": ticket.resolution}
        entries.append((WorkInfoType.STATUS_CHANGE, text))
    if before["assigned_group_id"] != ticket.assigned_group_id:
        entries.append(
            (
                WorkInfoType.ASSIGNMENT,
                _("Group: %(old)s → %(new)s")
                % {
                    "old": before["assigned_group_name"],
                    "new": ticket.assigned_group.name,
                },
            )
        )
    if before["assignee_id"] != ticket.assignee_id:
        new = ticket.assignee.get_username() if ticket.assignee else _("(nobody)")
        entries.append(
            (
                WorkInfoType.ASSIGNMENT,
                _("Assignee: %(old)s → %(new)s")
                % {"old": before["assignee_name"] or _("(nobody)"), "new": new},
            )
        )
    return entries


def _snapshot(ticket: Ticket) -> dict:
    return {
        "status": ticket.status,
        "status_reason_id": ticket.status_reason_id,
        "assigned_group_id": ticket.assigned_group_id,
        "assigned_group_name": ticket.assigned_group.name if ticket.assigned_group_id else "",
        "assignee_id": ticket.assignee_id,
        "assignee_name": ticket.assignee.get_username() if ticket.assignee_id else "",
    }


# --- writes -------------------------------------------------------------------


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
) -> Ticket:
    require_agent(user)
    if not customer.active:
        raise ValidationError({"customer": _("This customer is inactive.")})
    ticket = model(customer=customer, created_by=user, updated_by=user, description=description)
    if template is not None:
        _apply_template(ticket, template)
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
    group = (
        assigned_group
        or (template.default_group if template else None)
        or agent_default_group(user)
    )
    if group is None:
        raise ValidationError({"assigned_group": _("Choose the assigned group.")})
    ticket.assigned_group = group
    _check_group_change(ticket, user, previous_group_id=None)
    ticket.assignee = assignee
    ticket.status = status
    ticket.status_reason = status_reason
    ticket.resolution = resolution
    # The status rules override it: pending requires a response, resolved nothing.
    ticket.requires_attention = requires_attention
    _apply_status_rules(ticket, previous_status=None, previous_reason_id=None)
    now = timezone.now()
    ticket.created_at = ticket.updated_at = now
    ticket.number = _next_number(model)
    ticket.save()

    opened = _("%(kind)s opened: status %(status)s, group %(group)s") % {
        "kind": ticket._meta.verbose_name.capitalize(),
        "status": ticket.get_status_display(),
        "group": group.name,
    }
    if ticket.status_reason_id:
        opened += " (" + ticket.status_reason.name + ")"
    if assignee is not None:
        opened += ", " + _("assigned to %(user)s") % {"user": assignee.get_username()}
    _journal(ticket, author=user, type=WorkInfoType.STATUS_CHANGE, notes=opened)
    if work_info_notes or work_info_attachments:
        _journal(
            ticket,
            author=user,
            type=work_info_type,
            notes=work_info_notes,
            requires_attention=ticket.requires_attention,
            view_access=work_info_view_access,
            attachments=work_info_attachments,
        )
    return ticket


@transaction.atomic
def ticket_update(
    *, ticket: Ticket, user, expected_version: int, note: str = "", **fields
) -> Ticket:
    """Change sections 2–4 of a ticket, refusing a change based on a stale
    version. ``ticket`` is changed in place and returned."""
    require_agent(user)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"ticket_update() got unexpected fields: {sorted(unknown)}")
    _check_open(ticket)
    loaded = _editable_values(ticket)
    if expected_version != ticket.version:
        _raise_stale(ticket, loaded)
    before = _snapshot(ticket)
    if "status" in fields and fields["status"] != ticket.status and "status_reason" not in fields:
        # A reason belongs to one status: a new status without a reason starts without one.
        fields["status_reason"] = None
    if "template" in fields:
        template = fields.pop("template")
        if template is None:
            ticket.template = None
        elif template.pk != ticket.template_id:
            _apply_template(ticket, template)
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.priority = priority_for(ticket.impact, ticket.urgency)
    _check_group_change(ticket, user, before["assigned_group_id"])
    _apply_status_rules(
        ticket,
        previous_status=before["status"],
        previous_reason_id=before["status_reason_id"],
    )
    ticket.updated_by = user
    ticket.updated_at = timezone.now()

    values = {
        field.attname: getattr(ticket, field.attname)
        for field in ticket._meta.concrete_fields
        if field.name not in ("id", "number", "created_at", "created_by", "version", "customer")
    }
    saved = (
        type(ticket)
        .objects.filter(pk=ticket.pk, version=expected_version)
        .update(version=F("version") + 1, **values)
    )
    if not saved:
        _raise_stale(ticket, loaded)
    ticket.version = expected_version + 1

    for entry_type, text in _describe_changes(ticket, before):
        _journal(ticket, author=user, type=entry_type, notes=text)
    if note:
        _journal(
            ticket,
            author=user,
            type=WorkInfoType.WORK_NOTES,
            notes=note,
            requires_attention=ticket.requires_attention,
        )
    return ticket


def _editable_values(ticket: Ticket) -> dict[str, object]:
    """The editable fields as stored columns (ids for foreign keys), read
    without queries."""
    return {name: getattr(ticket, ticket._meta.get_field(name).attname) for name in EDITABLE_FIELDS}


def _raise_stale(ticket: Ticket, loaded: dict[str, object]) -> None:
    """``loaded`` is what the user's copy held before their changes, so
    ``changed_fields`` names what the other agent changed."""
    current = type(ticket).objects.select_related("updated_by").get(pk=ticket.pk)
    changed = [name for name, value in _editable_values(current).items() if value != loaded[name]]
    raise StaleTicketError(current=current, changed_fields=sorted(changed))


def ticket_assign_to_me(*, ticket: Ticket, user, expected_version: int) -> Ticket:
    fields = {"assignee": user}
    if ticket.status == Status.NEW:
        fields["status"] = Status.ASSIGNED
    return ticket_update(ticket=ticket, user=user, expected_version=expected_version, **fields)


def ticket_set_pending(
    *,
    ticket: Ticket,
    user,
    expected_version: int,
    status_reason: StatusReason,
    note: str = "",
) -> Ticket:
    return ticket_update(
        ticket=ticket,
        user=user,
        expected_version=expected_version,
        status=Status.PENDING,
        status_reason=status_reason,
        note=note,
    )


def ticket_resolve(
    *,
    ticket: Ticket,
    user,
    expected_version: int,
    status_reason: StatusReason,
    resolution: str = DEFAULT_RESOLUTION,
    note: str = "",
) -> Ticket:
    return ticket_update(
        ticket=ticket,
        user=user,
        expected_version=expected_version,
        status=ticket.RESOLVED_STATUS,
        status_reason=status_reason,
        resolution=resolution,
        note=note,
    )


def ticket_reopen(*, ticket: Ticket, user, expected_version: int, note: str = "") -> Ticket:
    """A resolved ticket goes back to Asignado + *Pdte comunicación con cliente*."""
    if not ticket.can_reopen:
        raise ValidationError(_("Only a resolved ticket can be reopened."), code="not_resolved")
    reason = StatusReason.objects.filter(
        kind=ticket.KIND, status=Status.ASSIGNED, code=REOPENED_REASON_CODE
    ).first()
    return ticket_update(
        ticket=ticket,
        user=user,
        expected_version=expected_version,
        status=Status.ASSIGNED,
        status_reason=reason,
        resolution="",
        requires_attention=RequiresAttention.NONE,
        note=note,
    )


def ticket_escalate(*, ticket: Ticket, user, expected_version: int, note: str) -> Ticket:
    """Send the ticket to the coordination group with the data it needs."""
    if not note.strip():
        raise _field_error(
            "note", _("Write what the coordinator needs to know."), code="note_required"
        )
    fields = {"assigned_group": coordination_group(), "assignee": None}
    if ticket.status in (Status.NEW, ticket.RESOLVED_STATUS):
        fields["status"] = Status.ASSIGNED
        fields["status_reason"] = None
    return ticket_update(
        ticket=ticket, user=user, expected_version=expected_version, note=note, **fields
    )


def ticket_pass_to_specialists(*, ticket: Ticket, user, expected_version: int, note: str) -> Ticket:
    require_coordinator(user)
    return ticket_update(
        ticket=ticket,
        user=user,
        expected_version=expected_version,
        assigned_group=specialists_group(),
        assignee=None,
        note=note,
    )


def ticket_return_to_agent(*, ticket: Ticket, user, expected_version: int, note: str) -> Ticket:
    """A coordinator sends an escalated ticket back to the agent who escalated it
    (or the creator), in the agents' default group."""
    require_coordinator(user)
    if not note.strip():
        raise _field_error("note", _("Tell the agent what to do next."), code="note_required")
    agent = ticket.created_by
    group = agent_default_group(agent) or ticket.assigned_group
    return ticket_update(
        ticket=ticket,
        user=user,
        expected_version=expected_version,
        assigned_group=group,
        assignee=agent,
        note=note,
    )


@transaction.atomic
def work_info_add(
    *,
    ticket: Ticket,
    user,
    notes: str,
    entry_type: str = WorkInfoType.WORK_NOTES,
    attachments: Sequence[UploadedFile] = (),
    requires_attention: str = RequiresAttention.NONE,
    view_access: str = ViewAccess.INTERNAL,
) -> WorkInfo:
    """*Agregar*: append an entry to the ticket's history."""
    require_agent(user)
    _check_open(ticket)
    if not notes.strip() and not attachments:
        raise _field_error("notes", _("Write the notes of this entry."), code="notes_required")
    entry = _journal(
        ticket,
        author=user,
        type=entry_type,
        notes=notes.strip(),
        requires_attention=requires_attention,
        view_access=view_access,
        attachments=attachments,
    )
    ticket.__class__.objects.filter(pk=ticket.pk).update(updated_at=entry.created_at)
    return entry


@transaction.atomic
def ticket_relate(
    *,
    ticket: Ticket,
    user,
    other_number: str,
    relation_type: str = RelationType.RELATED,
) -> Relation:
    require_agent(user)
    _check_open(ticket)
    if relation_type not in RelationType.values:
        raise _field_error(
            "relation_type", _("Choose a valid relation type."), code="relation_type"
        )
    other = ticket_get_by_number(other_number)
    if other is None:
        raise _field_error(
            "other_number",
            _("There is no ticket %(number)s.") % {"number": other_number},
            code="unknown_ticket",
        )
    if other.number == ticket.number:
        raise _field_error(
            "other_number", _("A ticket cannot be related to itself."), code="self_relation"
        )
    duplicate = Relation.objects.filter(
        source_number__in=(ticket.number, other.number),
        target_number__in=(ticket.number, other.number),
    ).exists()
    if duplicate:
        raise _field_error(
            "other_number",
            _("%(a)s and %(b)s are already related.") % {"a": ticket.number, "b": other.number},
            code="duplicate_relation",
        )
    try:
        with transaction.atomic():
            relation = Relation.objects.create(
                source_number=ticket.number,
                target_number=other.number,
                type=relation_type,
                created_by=user,
            )
    except IntegrityError:
        # A concurrent request created the same pair between our check and insert.
        raise _field_error(
            "other_number",
            _("%(a)s and %(b)s are already related.") % {"a": ticket.number, "b": other.number},
            code="duplicate_relation",
        ) from None
    label = RelationType(relation_type).label
    _journal(
        ticket,
        author=user,
        type=WorkInfoType.GENERAL,
        notes=_("Relation added: %(type)s %(number)s") % {"type": label, "number": other.number},
    )
    _journal(
        other,
        author=user,
        type=WorkInfoType.GENERAL,
        notes=_("Relation added: %(number)s (%(type)s this ticket)")
        % {"type": label, "number": ticket.number},
    )
    return relation


@transaction.atomic
def ticket_unrelate(*, relation: Relation, user) -> None:
    require_agent(user)
    numbers = (relation.source_number, relation.target_number)
    relation.delete()
    for number, other in (numbers, numbers[::-1]):
        ticket = ticket_get_by_number(number)
        if ticket is not None:
            _journal(
                ticket,
                author=user,
                type=WorkInfoType.GENERAL,
                notes=_("Relation removed: %(number)s") % {"number": other},
            )


def ticket_relations(ticket: Ticket) -> list[tuple[Relation, Ticket]]:
    """The ticket's relations with the ticket on the other side, in a fixed
    number of queries (one per kind)."""
    relations = list(
        Relation.objects.filter(
            Q(source_number=ticket.number) | Q(target_number=ticket.number)
        ).order_by("created_at")
    )
    others = {relation.other_number(ticket.number) for relation in relations}
    found: dict[str, Ticket] = {}
    for model in ticket_models():
        wanted = [n for n in others if n.startswith(model.PREFIX)]
        if wanted:
            related = (
                model.objects.filter(number__in=wanted)
                .select_related("customer")
                .only(
                    "number",
                    "summary",
                    "status",
                    "customer__first_name",
                    "customer__surnames",
                    "customer__organisation",
                )
            )
            for other in related:
                found[other.number] = other
    return [
        (relation, found[relation.other_number(ticket.number)])
        for relation in relations
        if relation.other_number(ticket.number) in found
    ]


def tickets_autoclose(*, now: datetime | None = None, days: int | None = None) -> int:
    """Close every resolved/completed ticket whose resolution is older than
    ``days`` (``ITSM_AUTOCLOSE_DAYS``). Returns how many were closed."""
    now = now or timezone.now()
    days = settings.ITSM_AUTOCLOSE_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    closed = 0
    for model in ticket_models():
        while True:
            with transaction.atomic():
                ids = list(
                    model.objects.filter(status=model.RESOLVED_STATUS, resolved_at__lt=cutoff)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:500]
                )
                if not ids:
                    break
                # Re-check the condition in the UPDATE: a ticket reopened meanwhile stays open.
                batch = model.objects.filter(
                    pk__in=ids, status=model.RESOLVED_STATUS, resolved_at__lt=cutoff
                )
                ids = list(batch.values_list("pk", flat=True))
                batch.update(
                    status=Status.CLOSED,
                    closed_at=now,
                    updated_at=now,
                    version=F("version") + 1,
                )
                text = _("Closed automatically %(days)d days after its resolution.") % {
                    "days": days
                }
                work_info_model = model.work_info.rel.related_model
                work_info_model.objects.bulk_create(
                    work_info_model(
                        ticket_id=pk,
                        author=None,
                        type=WorkInfoType.STATUS_CHANGE,
                        notes=text,
                        created_at=now,
                    )
                    for pk in ids
                )
                closed += len(ids)
    return closed


def ticket_open_for_customer(
    *, customer: Customer, exclude: Ticket | None = None, limit: int = 10
) -> list[Ticket]:
    """The customer's other open tickets, newest first, to spot duplicates."""
    results: list[Ticket] = []
    for model in ticket_models():
        # Only what the list shows: this runs on every ticket and new-ticket page.
        queryset = (
            model.objects.filter(customer=customer)
            .open()
            .select_related("status_reason")
            .only("number", "summary", "status", "created_at", "status_reason__name")
        )
        if exclude is not None and isinstance(exclude, model):
            queryset = queryset.exclude(pk=exclude.pk)
        results.extend(queryset.order_by("-created_at")[:limit])
    results.sort(key=lambda t: t.created_at, reverse=True)
    return results[:limit]
