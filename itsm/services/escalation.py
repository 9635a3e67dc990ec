"""Escalation to coordination with its packet, and what coordinators do
with it: take it, return it with what is missing, pass it to L2."""

from collections.abc import Mapping

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm import events as announced
from itsm import journal_events
from itsm.common.permissions import require_agent, require_coordinator
from itsm.escalation_cases import ATTACHMENT, CASES, kind_holding
from itsm.models import (
    Channel,
    EscalationPacket,
    EscalationPacketRevision,
    PacketEvent,
    PacketState,
    Status,
    Ticket,
    WorkInfoType,
)
from itsm.selectors import (
    agent_default_group,
    coordination_group,
    packet_for,
    specialists_group,
)
from itsm.services.journal import journal_event
from itsm.services.relations import ticket_relate
from itsm.services.rules import can_be_assignee, field_error
from itsm.services.ticket_create import ticket_create
from itsm.services.ticket_update import back_to_desk_fields, ticket_assign_to_me, ticket_update

# What the ticket of another kind made for a case carries over from this one.
CARRIED_TO_RELATED = ("customer", "summary", "description", "reported_source", "impact", "urgency")


def _record(
    packet: EscalationPacket,
    *,
    ticket: Ticket,
    user,
    event: str,
    note: str,
    channel: str,
    attachments=(),
) -> EscalationPacketRevision:
    """The packet's new version: one revision and one journal entry that tells it."""
    entry = journal_event(
        ticket,
        author=user,
        type=WorkInfoType.GENERAL,
        event=journal_events.PACKET,
        data={"event": event, "case": packet.case, "missing": list(packet.missing or [])},
        notes=note,
        attachments=list(attachments),
        channel=channel,
    )
    announced.publish(announced.ESCALATION_CHANGED, ticket=ticket, packet=packet, event=event)
    return EscalationPacketRevision.objects.create(
        packet=packet,
        version=packet.version,
        event=event,
        case=packet.case,
        data=packet.data,
        missing=packet.missing,
        note=note,
        author=user,
        created_at=entry.created_at,
        journal_entry_id=entry.pk,
    )


def _check_case(ticket: Ticket, case: str, data: Mapping, uploads: Mapping) -> None:
    if case not in ticket.kind.escalation_cases or case not in CASES:
        raise field_error(
            "case",
            _("This case cannot be escalated from this kind of ticket (%(kind)s).")
            % {"kind": ticket.kind.singular},
            code="case_not_for_kind",
        )
    missing = [
        f.name
        for f in CASES[case].fields
        if f.required and data.get(f.name) in (None, "", False) and f.name not in uploads
    ]
    if missing:
        raise field_error(
            missing[0], _("This information is required for this case."), code="required"
        )


def _to_coordination(
    ticket: Ticket, *, user, expected_version: int, seen: dict | None, channel: str
) -> Ticket:
    # The desk, not the customer, owes the next step now: a ticket that was
    # waiting on the customer or resolved goes back to Asignado and its clock runs.
    fields = {
        "assigned_group": coordination_group(),
        "assignee": None,
        **back_to_desk_fields(ticket),
    }
    if ticket.status == Status.NEW:
        fields["status"] = Status.ASSIGNED
    return ticket_update(
        ticket=ticket,
        user=user,
        expected_version=expected_version,
        seen=seen,
        channel=channel,
        **fields,
    )


def _packet_escalated(
    ticket: Ticket, *, user, case: str, data: Mapping, uploads: Mapping
) -> tuple[EscalationPacket, str]:
    """The ticket's packet (a new one, or its returned one completed) saved as
    escalated with ``data``, and the event that says which."""
    now = timezone.now()
    packet = packet_for(ticket)
    event = PacketEvent.ESCALATED
    if packet is None:
        packet = EscalationPacket(
            ticket_number=ticket.number, kind=ticket.KIND, escalated_by=user, version=0
        )
    elif packet.state == PacketState.RETURNED:
        event = PacketEvent.RE_ESCALATED
    packet.case = case
    packet.data = {k: v for k, v in data.items() if k not in uploads}
    packet.state = PacketState.ESCALATED
    packet.complete = True
    packet.missing = []
    packet.return_note = ""
    packet.escalated_at = now
    packet.escalated_by = user
    packet.updated_at = now
    packet.version += 1
    packet.save()
    return packet, event


def _point_to_files(
    packet: EscalationPacket, revision: EscalationPacketRevision, names: list[str]
) -> None:
    """The files uploaded now live in the event's journal entry: each field
    of the packet names its entry and slot."""
    for index, name in enumerate(names, start=1):
        packet.data[name] = f"{revision.journal_entry_id}:{index}"
    packet.save(update_fields=["data"])
    EscalationPacketRevision.objects.filter(pk=revision.pk).update(data=packet.data)


@transaction.atomic
def ticket_escalate(
    *,
    ticket: Ticket,
    user,
    expected_version: int,
    case: str,
    data: Mapping,
    uploads: Mapping[str, UploadedFile] | None = None,
    note: str = "",
    seen: dict | None = None,
    channel: str = Channel.WEB,
) -> Ticket:
    """Send the ticket to coordination with its packet; a returned packet,
    completed, goes back as a new version."""
    require_agent(user)
    uploads = dict(uploads or {})
    _check_case(ticket, case, data, uploads)
    ticket = _to_coordination(
        ticket, user=user, expected_version=expected_version, seen=seen, channel=channel
    )
    packet, event = _packet_escalated(ticket, user=user, case=case, data=data, uploads=uploads)
    names = [f.name for f in CASES[case].fields if f.type == ATTACHMENT and f.name in uploads]
    revision = _record(
        packet,
        ticket=ticket,
        user=user,
        event=event,
        note=note.strip(),
        attachments=[uploads[name] for name in names],
        channel=channel,
    )
    if names:
        _point_to_files(packet, revision, names)
    return ticket


# The state each of the coordinator's actions leaves the packet in.
STATE_AFTER = {
    PacketEvent.TAKEN: PacketState.TAKEN,
    PacketEvent.SPECIALISTS: PacketState.SPECIALISTS,
    PacketEvent.RETURNED: PacketState.RETURNED,
}


def _coordinator_event(
    ticket: Ticket, user, event: str, *, note: str, channel: str, **changes
) -> EscalationPacket | None:
    packet = packet_for(ticket)
    if packet is None:
        return None
    packet.state = STATE_AFTER[event]
    packet.updated_at = timezone.now()
    packet.version = F("version") + 1
    for name, value in changes.items():
        setattr(packet, name, value)
    packet.save()
    packet.refresh_from_db()
    _record(packet, ticket=ticket, user=user, event=event, note=note, channel=channel)
    return packet


@transaction.atomic
def ticket_take(*, ticket: Ticket, user, channel: str = Channel.WEB, **change) -> Ticket:
    """*Tomar*: the coordinator assigns the escalated ticket to themself.
    ``change``, here and in the coordinator's other actions: the rest of what
    ``ticket_update`` takes (``expected_version``, optionally ``seen``)."""
    require_coordinator(user)
    ticket = ticket_assign_to_me(ticket=ticket, user=user, channel=channel, **change)
    _coordinator_event(ticket, user, PacketEvent.TAKEN, note="", channel=channel)
    return ticket


@transaction.atomic
def ticket_pass_to_specialists(
    *, ticket: Ticket, user, note: str, channel: str = Channel.WEB, **change
) -> Ticket:
    """The packet goes along: L2 sees it at the top of the ticket."""
    require_coordinator(user)
    has_packet = packet_for(ticket) is not None
    ticket = ticket_update(
        ticket=ticket,
        user=user,
        assigned_group=specialists_group(),
        assignee=None,
        note="" if has_packet else note,
        # L2 owes the next step: a ticket left waiting on the customer runs again.
        **back_to_desk_fields(ticket),
        channel=channel,
        **change,
    )
    _coordinator_event(ticket, user, PacketEvent.SPECIALISTS, note=note.strip(), channel=channel)
    return ticket


@transaction.atomic
def ticket_return_to_agent(
    *,
    ticket: Ticket,
    user,
    note: str,
    missing: list[str] | None = None,
    channel: str = Channel.WEB,
    **change,
) -> Ticket:
    """A coordinator sends an escalated ticket back to the agent who escalated
    it (or the creator), in the agents' default group, saying what is missing."""
    require_coordinator(user)
    if not note.strip():
        raise field_error("note", _("Tell the agent what to do next."), code="note_required")
    packet = packet_for(ticket)
    missing = list(missing or [])
    if packet is not None:
        checklist = {f.name for f in packet.case_definition.checklist}
        if not set(missing) <= checklist:
            raise field_error(
                "missing", _("Pick what is missing from the case's list."), code="missing"
            )
    agent = packet.escalated_by if packet is not None else ticket.created_by
    group = agent_default_group(agent) or ticket.assigned_group
    ticket = ticket_update(
        ticket=ticket,
        user=user,
        assigned_group=group,
        # An agent who has left the group (or the desk) leaves it to the group.
        assignee=agent if can_be_assignee(agent, group.pk) else None,
        note="" if packet is not None else note,
        channel=channel,
        **change,
    )
    _coordinator_event(
        ticket,
        user,
        PacketEvent.RETURNED,
        note=note.strip(),
        channel=channel,
        missing=missing,
        return_note=note.strip(),
        complete=not missing,
        times_returned=F("times_returned") + 1,
    )
    return ticket


@transaction.atomic
def ticket_create_related_for_case(
    *, ticket: Ticket, user, case: str, channel: str = Channel.WEB
) -> Ticket:
    """ERROR 23 seen on a work order (or a FLEI inconsistency on an incident):
    a ticket of the kind that carries the case, for the same customer, with
    the summary and notes carried over and related to this one."""
    require_agent(user)
    holder = kind_holding(case, other_than=ticket.KIND)
    if holder is None or case in ticket.kind.escalation_cases:
        raise field_error("case", _("This case is escalated from this ticket."), code="case_here")
    group = agent_default_group(user) or ticket.assigned_group
    related = ticket_create(
        model=holder.model,
        user=user,
        assigned_group=group,
        assignee=user if can_be_assignee(user, group.pk) else None,
        channel=channel,
        **{name: getattr(ticket, name) for name in CARRIED_TO_RELATED},
    )
    ticket_relate(ticket=related, user=user, other_number=ticket.number, channel=channel)
    return related
