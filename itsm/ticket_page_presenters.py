"""What the ticket page shows beside its history, prepared once in Python:
the labels of a refused stale edit and the escalation packet's box (its
reference names and events are the only queries here)."""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from itsm.common.text import person_name
from itsm.escalation_cases import (
    AMOUNT,
    ATTACHMENT,
    CASES,
    CONFIRMATION,
    DATE,
    DATETIME,
    LINK_OPERATION,
    LINK_OPERATIONS,
    REGISTRO,
    CaseField,
)
from itsm.models import (
    EscalationPacket,
    RegistroMercantil,
    Ticket,
)
from itsm.services.ticket_update import StaleTicketError

# --- ticket lists ------------------------------------------------------------------


# --- a refused stale edit ------------------------------------------------------------------


def stale_context(error: StaleTicketError) -> dict:
    """Who changed the ticket and what they changed, labelled as the form labels it."""
    current = error.current
    changes = []
    for name in error.changed_fields:
        display = getattr(current, f"get_{name}_display", None)
        shown = display() if display else getattr(current, name)
        label = (
            current.kind.group_label
            if name == "assigned_group"
            else current._meta.get_field(name).verbose_name
        )
        changes.append((str(label).capitalize(), shown if shown not in (None, "") else "—"))
    return {"message": str(error), "who": person_name(current.updated_by), "changes": changes}


# --- the escalation packet ---------------------------------------------------------------


@dataclass
class PacketItem:
    label: str
    value: str
    url: str = ""  # an attachment's download URL
    missing: bool = False


@dataclass
class PacketView:
    packet: EscalationPacket
    case_label: str
    state_label: str
    items: list[PacketItem]
    missing_labels: list[str]
    note: str = ""  # what the agent wrote to the coordinator when escalating


def _packet_files(packet: EscalationPacket, case, ticket: Ticket) -> dict[str, str]:
    """The names of the packet's files ("<entry id>:<index>" → name): one query."""
    refs = [str(packet.data.get(f.name) or "") for f in case.fields if f.type == ATTACHMENT]
    entry_ids = {ref.partition(":")[0] for ref in refs if ref}
    entry_ids = [int(pk) for pk in entry_ids if pk.isdigit()]
    if not entry_ids:
        return {}
    entries = ticket.work_info.filter(pk__in=entry_ids).only(
        "pk", "attachment_1", "attachment_2", "attachment_3"
    )
    return {
        f"{entry.pk}:{index}": PurePath(file.name).name
        for entry in entries
        for index, file in entry.attachments
    }


def _packet_value(
    field: CaseField, value, ticket: Ticket, registros: dict, files: dict
) -> tuple[str, str]:
    if value in (None, ""):
        return "", ""
    if field.type == ATTACHMENT:
        entry_id, _sep, index = str(value).partition(":")
        url = reverse(ticket.kind.url_name("attachment"), args=[ticket.number, entry_id, index])
        return files.get(str(value)) or gettext("File"), url
    if field.type == REGISTRO:
        return registros.get(value, str(value)), ""
    if field.type == LINK_OPERATION:
        return str(dict(LINK_OPERATIONS).get(value, value)), ""
    if field.type == CONFIRMATION:
        return gettext("Yes") if value else gettext("No"), ""
    if field.type == DATETIME:
        moment = datetime.fromisoformat(value)
        if timezone.is_naive(moment):
            return moment.strftime("%d/%m/%Y %H:%M"), ""
        return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M"), ""
    if field.type == DATE:
        return date.fromisoformat(value).strftime("%d/%m/%Y"), ""
    if field.type == AMOUNT:
        return f"{value} €", ""
    return str(value), ""


def packet_view(packet: EscalationPacket | None, ticket: Ticket) -> PacketView | None:
    """The packet as the top of the ticket shows it, in the reader's language;
    ``packet`` comes from ``packet_for`` (it carries the escalation note)."""
    if packet is None:
        return None
    case = CASES[packet.case]
    registro_ids = [packet.data[f.name] for f in case.fields if f.type == REGISTRO]
    registros = (
        dict(RegistroMercantil.objects.filter(pk__in=registro_ids).values_list("pk", "name"))
        if any(registro_ids)
        else {}
    )
    files = _packet_files(packet, case, ticket)
    items = []
    for field in case.fields:
        value, url = _packet_value(field, packet.data.get(field.name), ticket, registros, files)
        items.append(PacketItem(str(field.label), value, url, field.name in packet.missing))
    return PacketView(
        packet=packet,
        case_label=str(case.label),
        state_label=packet.get_state_display(),
        items=items,
        missing_labels=[str(f.label) for f in case.fields if f.name in packet.missing],
        note=packet.escalation_note or "",
    )
