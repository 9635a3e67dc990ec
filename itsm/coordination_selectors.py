"""The coordination queue: open tickets of every kind in the coordination
group, with each one's escalation packet and note, for the console and its
CSV export."""

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.db.models import OuterRef, QuerySet, Subquery

from itsm.common import pagination
from itsm.common.pagination import first_page_query, keyset_rows
from itsm.common.statements import Statement
from itsm.kinds import all_kinds, kind_for_code
from itsm.models import EscalationPacket, SupportGroup, Ticket, WorkInfoType, open_tickets_q
from itsm.selectors import CUSTOMER_NAME_COLUMNS, packets_with_escalation_note


@dataclass(frozen=True)
class EscalationNote:
    """What the agent wrote when escalating: it stays the row's note whoever
    takes the ticket and whatever the journal records after it."""

    text: str
    author: object | None
    created_at: datetime


@dataclass
class CoordinationRow:
    ticket: Ticket
    note: EscalationNote | None
    packet: EscalationPacket | None = None


@dataclass(frozen=True)
class CoordinationFilters:
    """What the coordination console can be narrowed to, by the packet."""

    case: str = ""
    complete: bool | None = None
    escalated_before: datetime | None = None  # age: escalated at least this long ago

    def packets(self) -> QuerySet | None:
        """The packets that pass, or None when nothing narrows the queue."""
        if not self.case and self.complete is None and self.escalated_before is None:
            return None
        packets = EscalationPacket.objects.all()
        if self.case:
            packets = packets.filter(case=self.case)
        if self.complete is not None:
            packets = packets.filter(complete=self.complete)
        if self.escalated_before is not None:
            packets = packets.filter(escalated_at__lte=self.escalated_before)
        return packets.values("ticket_number")


# The queue's order, oldest first; its keys are common to every kind.
COORDINATION_KEYS = ("created_at", "number")
# What ``person_name`` reads.
PERSON_NAME_COLUMNS = ("first_name", "last_name", "username")
# What a row shows (itsm.coordination_presenters): a ticket has some fifty
# columns, read with its customer, assignee and reason for 102 tickets a page.
QUEUE_COLUMNS = (
    "number",
    "summary",
    "status",
    "version",
    "created_at",
    "customer",
    *(f"customer__{name}" for name in ("first_name", "surnames", "organisation")),
    "assignee",
    *(f"assignee__{name}" for name in PERSON_NAME_COLUMNS),
    "status_reason",
    "status_reason__name",
)


def coordination_queue(
    group: SupportGroup, *, filters: CoordinationFilters | None = None
) -> list[QuerySet]:
    """Open tickets of every kind in the coordination group, one queryset per
    kind, each annotated with the id of its latest note, to be paged
    together (``keyset_page``) in ``COORDINATION_KEYS`` order."""
    packets = filters.packets() if filters else None
    querysets = []
    for kind in all_kinds():
        queryset = _kind_queue(kind, group.pk)
        if packets is not None:
            queryset = queryset.filter(number__in=packets)
        querysets.append(queryset)
    return querysets


def _kind_queue(kind, group_id: int) -> QuerySet:
    # Without a packet, what a person last wrote: the entries the system
    # writes (a relation, a take) are not a note.
    latest_note = (
        kind.journal_model.objects.filter(
            ticket=OuterRef("pk"),
            type__in=(WorkInfoType.WORK_NOTES, WorkInfoType.GENERAL),
            event__isnull=True,
        )
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    # Served by the partial index *_open_group_age_idx.
    return (
        kind.model.objects.filter(open_tickets_q(), assigned_group_id=group_id)
        .exclude(status=kind.resolved_status)
        # Not the group: it is the coordination group, and joining it lets
        # SQLite start from the group table and sort the whole queue.
        .select_related("customer", "assignee", "status_reason")
        .only(*QUEUE_COLUMNS)
        .annotate(note_id=Subquery(latest_note))
    )


def _first_queue_page(kind_code: str, size: int, group_id: int) -> QuerySet:
    queue = _kind_queue(kind_for_code(kind_code), group_id)
    return first_page_query(queue, COORDINATION_KEYS, descending=False, size=size)


_FIRST_QUEUE_PAGE = Statement(_first_queue_page)


def coordination_first_page(group: SupportGroup) -> list[QuerySet]:
    """The first page of the whole queue (no filter, no cursor), one kept
    statement per kind: the same query for every request but the group, its
    SQL written once (``keyset_page(presorted=True)`` reads it)."""
    size = pagination.PAGE_SIZE
    return [_FIRST_QUEUE_PAGE(group.pk, shape=(kind.code, size)) for kind in all_kinds()]


def coordination_page_rows(tickets: list[Ticket]) -> list[CoordinationRow]:
    """A page of the queue with each ticket's escalation packet and note: one
    query per kind and one for the packets, whatever the size of the page."""
    notes = {}
    for kind in all_kinds():
        ids = [t.note_id for t in tickets if kind.code == t.KIND and t.note_id]
        if ids:
            entries = (
                kind.journal_model.objects.filter(id__in=ids)
                .select_related("author")
                .only(
                    "notes", "created_at", "author", *(f"author__{n}" for n in PERSON_NAME_COLUMNS)
                )
            )
            notes.update(((kind.code, entry.id), entry) for entry in entries)
    by_number = {}
    if tickets:
        by_number = {
            p.ticket_number: p
            for p in packets_with_escalation_note().filter(
                ticket_number__in=[t.number for t in tickets]
            )
        }
    rows = []
    for ticket in tickets:
        packet = by_number.get(ticket.number)
        if packet is not None:
            note = (
                EscalationNote(packet.escalation_note, packet.escalated_by, packet.escalated_at)
                if packet.escalation_note
                else None
            )
        else:
            entry = notes.get((ticket.KIND, ticket.note_id))
            note = EscalationNote(entry.notes, entry.author, entry.created_at) if entry else None
        rows.append(CoordinationRow(ticket, note, packet))
    return rows


def coordination_rows(
    group: SupportGroup, *, filters: CoordinationFilters | None = None, limit: int
) -> Iterator[tuple]:
    """The queue for an export, oldest first across kinds, as values with the
    packet's case, completeness and age: one streamed query per kind."""
    packets = filters.packets() if filters else None
    packet = EscalationPacket.objects.filter(ticket_number=OuterRef("number"))
    streams = []
    for kind in all_kinds():
        queryset = kind.model.objects.filter(open_tickets_q(), assigned_group=group).exclude(
            status=kind.resolved_status
        )
        if packets is not None:
            queryset = queryset.filter(number__in=packets)
        annotated = queryset.annotate(
            packet_case=Subquery(packet.values("case")[:1]),
            packet_complete=Subquery(packet.values("complete")[:1]),
            packet_escalated_at=Subquery(packet.values("escalated_at")[:1]),
        )
        columns = (
            "created_at",
            "number",
            *CUSTOMER_NAME_COLUMNS,
            "summary",
            "status",
            "packet_case",
            "packet_complete",
            "packet_escalated_at",
        )
        streams.append(
            keyset_rows(annotated, COORDINATION_KEYS, columns, descending=False, limit=limit)
        )
    return islice(heapq.merge(*streams), limit)
