"""Reads that several views and services share: tickets by number, the
groups that play a role, a ticket's relations and its customer's other open
tickets, the magnifier and the coordination queue.

Every read here asks the kind registry for the kinds it covers and costs a
fixed number of queries per kind, whatever the size of the tables. Writes
live in ``itsm.services``; what templates need prepared, in ``itsm.presenters``.
"""

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from customers.models import Customer
from customers.selectors import customer_condition, name_order
from itsm.common.pagination import keyset_rows
from itsm.common.permissions import AGENTS_GROUP, COORDINATORS_GROUP, is_coordinator
from itsm.kinds import Kind, all_kinds, kind_for_number
from itsm.models import (
    EscalationPacket,
    Relation,
    Status,
    StatusReason,
    SupportGroup,
    Ticket,
    TicketTemplate,
    WorkInfoType,
    open_tickets_q,
)

# The code of the Asignado reason *Pdte comunicación con cliente* in the reference data.
REOPENED_REASON_CODE = "reopened"

CUSTOMER_LIMIT = 20
# Open tickets shown per customer in the magnifier; the rest are counted.
OPEN_TICKETS_SHOWN = 10

# "INC000000001234", "inc 1234", "wo-1234", "#1234", "1234".
NUMBER_RE = re.compile(r"^#?(?:(?P<prefix>[a-z]+)[\s#:.-]*)?(?P<digits>\d{1,15})$", re.IGNORECASE)

# The customer's name as rows read it (a person's, or an organisation's).
CUSTOMER_NAME_COLUMNS = ("customer__first_name", "customer__surnames", "customer__organisation")


# --- tickets by number -----------------------------------------------------------


def ticket_numbers(text: str) -> list[tuple[Kind, str]]:
    """The ticket numbers ``text`` can mean: one with a prefix, one per kind
    for bare digits."""
    match = NUMBER_RE.match(" ".join((text or "").split()))
    if not match:
        return []
    prefix, value = match["prefix"], int(match["digits"])
    candidates = []
    for kind in all_kinds():
        if prefix and prefix.upper() != kind.prefix:
            continue
        if value and len(str(value)) <= kind.number_digits:
            candidates.append((kind, kind.format_number(value)))
    return candidates


def ticket_get_by_number(number: str, *, select_related=()) -> Ticket | None:
    kind = kind_for_number(number)
    if kind is None:
        return None
    queryset = kind.model.objects.select_related(*select_related)
    return queryset.filter(number=number.strip().upper()).first()


def stored_values(ticket: Ticket, names) -> dict[str, str]:
    """The fields ``names`` as the database stores them (ids for foreign
    keys, empty for none), read without queries: what a page shows and posts
    back as *seen*, and what the stale check compares."""
    values = {}
    for name in names:
        value = getattr(ticket, ticket._meta.get_field(name).attname)
        values[name] = "" if value is None else str(value)
    return values


def packet_for(ticket: Ticket) -> EscalationPacket | None:
    """The ticket's escalation packet, if it was ever escalated."""
    return (
        EscalationPacket.objects.select_related("escalated_by")
        .filter(ticket_number=ticket.number)
        .first()
    )


def tickets_by_numbers(numbers: list[str]) -> list[Ticket]:
    """The tickets with these numbers, with their customers: one query per kind."""
    found = []
    for kind in all_kinds():
        wanted = [n for n in numbers if kind_for_number(n) == kind]
        if wanted:
            found.extend(kind.model.objects.filter(number__in=wanted).select_related("customer"))
    return found


# --- groups ---------------------------------------------------------------------


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


def pickable_groups(user) -> QuerySet:
    """The groups ``user`` may send a ticket to: the active ones, the
    specialists only for coordinators. The edit forms offer these and the
    ticket services refuse any other."""
    groups = SupportGroup.objects.filter(active=True)
    if not is_coordinator(user):
        groups = groups.filter(is_specialists=False)
    return groups.order_by("name")


# --- reference data a ticket picks ------------------------------------------------


def pickable_templates(kind: str) -> QuerySet:
    """The templates a ticket of ``kind`` may be given: the form offers these
    and the ticket services refuse any other."""
    return TicketTemplate.objects.for_agents(kind).order_by("name")


def status_reasons(kind: str, status: str, *, keep_id: int | None = None) -> QuerySet:
    """The active reasons of one status of one kind (plus the ticket's current
    reason, so an edit that does not touch it stays valid)."""
    wanted = Q(active=True)
    if keep_id:
        wanted |= Q(pk=keep_id)
    return StatusReason.objects.filter(wanted, kind=kind, status=status).order_by("name")


def reopened_reason(kind: str) -> StatusReason | None:
    """*Pdte comunicación con cliente*: the Asignado reason of a ticket that
    was waiting (on the customer, or resolved) and needs the desk's action
    again; None if admins retired it (Asignado needs no reason)."""
    return StatusReason.objects.filter(
        kind=kind, status=Status.ASSIGNED, code=REOPENED_REASON_CODE, active=True
    ).first()


# --- around a ticket --------------------------------------------------------------


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
    for kind in all_kinds():
        wanted = [n for n in others if kind_for_number(n) == kind]
        if wanted:
            related = (
                kind.model.objects.filter(number__in=wanted)
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


def tickets_open_for_customer(
    *, customer: Customer, exclude: Ticket | None = None, limit: int = 10
) -> list[Ticket]:
    """The customer's other open tickets, newest first, to spot duplicates."""
    results: list[Ticket] = []
    for kind in all_kinds():
        # Only what the list shows: this runs on every ticket and new-ticket page.
        queryset = (
            kind.model.objects.filter(customer=customer)
            .open()
            .select_related("status_reason")
            .only("number", "summary", "status", "created_at", "status_reason__name")
        )
        if exclude is not None and isinstance(exclude, kind.model):
            queryset = queryset.exclude(pk=exclude.pk)
        results.extend(queryset.order_by("-created_at")[:limit])
    results.sort(key=lambda t: t.created_at, reverse=True)
    return results[:limit]


# --- the magnifier ------------------------------------------------------------------


@dataclass
class CustomerHit:
    customer: Customer
    open_tickets: list[Ticket] = field(default_factory=list)
    more_open_tickets: int = 0


@dataclass
class SearchResults:
    query: str
    tickets: list[Ticket] = field(default_factory=list)
    customers: list[CustomerHit] = field(default_factory=list)
    more_customers: bool = False
    # A ticket the query names without doubt ("inc 1234", or the only hit).
    exact: Ticket | None = None

    @property
    def empty(self) -> bool:
        return not self.tickets and not self.customers


def _add_open_tickets(hits: dict[int, CustomerHit]) -> None:
    """Each customer's newest OPEN_TICKETS_SHOWN open tickets and how many
    they have, one query per kind: a customer with hundreds of open tickets
    costs rows, not hundreds of objects."""
    open_counts = dict.fromkeys(hits, 0)
    for kind in all_kinds():
        tickets = (
            kind.model.objects.filter(open_tickets_q(), customer_id__in=list(hits))
            .select_related("status_reason", "assigned_group", "assignee")
            .annotate(
                position=Window(
                    RowNumber(),
                    partition_by=F("customer_id"),
                    order_by=[F("created_at").desc(), F("id").desc()],
                ),
                open_count=Window(Count("id"), partition_by=F("customer_id")),
            )
            .filter(position__lte=OPEN_TICKETS_SHOWN)
            .order_by("-created_at")
        )
        counted = set()
        for ticket in tickets:
            hits[ticket.customer_id].open_tickets.append(ticket)
            if ticket.customer_id not in counted:
                counted.add(ticket.customer_id)
                open_counts[ticket.customer_id] += ticket.open_count
    for customer_id, hit in hits.items():
        hit.open_tickets.sort(key=lambda t: t.created_at, reverse=True)
        del hit.open_tickets[OPEN_TICKETS_SHOWN:]
        hit.more_open_tickets = open_counts[customer_id] - len(hit.open_tickets)


def global_search(text: str) -> SearchResults:
    """At most one query per kind for numbers, one for customers and one per
    kind for their open tickets, whatever the size of the tables."""
    text = " ".join(text.split())
    results = SearchResults(query=text)
    if not text:
        return results
    numbers = ticket_numbers(text)
    # "inc 1234" names a ticket; bare digits may also be a phone number.
    explicit_kind = len(numbers) == 1 and not text.lstrip("#").isdigit()
    for kind, number in numbers:
        ticket = kind.model.objects.with_list_relations().filter(number=number).first()
        if ticket is not None:
            results.tickets.append(ticket)

    condition = None if explicit_kind else customer_condition(text)
    if condition is not None:
        customers = list(
            Customer.objects.filter(condition).order_by(*name_order(text))[: CUSTOMER_LIMIT + 1]
        )
        results.more_customers = len(customers) > CUSTOMER_LIMIT
        hits = {c.pk: CustomerHit(c) for c in customers[:CUSTOMER_LIMIT]}
        if hits:
            _add_open_tickets(hits)
        results.customers = list(hits.values())

    if len(results.tickets) == 1 and (explicit_kind or not results.customers):
        results.exact = results.tickets[0]
    return results


# --- coordination ------------------------------------------------------------------


@dataclass
class CoordinationRow:
    ticket: Ticket
    note: object | None  # the latest note: what the agent escalated with
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


def coordination_queue(
    group: SupportGroup, *, filters: CoordinationFilters | None = None
) -> list[QuerySet]:
    """Open tickets of every kind in the coordination group, one queryset per
    kind, each annotated with the id of its latest note, to be paged
    together (``keyset_page``) in ``COORDINATION_KEYS`` order."""
    packets = filters.packets() if filters else None
    querysets = []
    for kind in all_kinds():
        latest_note = (
            kind.journal_model.objects.filter(
                ticket=OuterRef("pk"),
                # The packet's entries are general information.
                type__in=(WorkInfoType.WORK_NOTES, WorkInfoType.GENERAL),
            )
            .order_by("-created_at", "-id")
            .values("id")[:1]
        )
        # Served by the partial index *_open_group_age_idx.
        queryset = (
            kind.model.objects.filter(open_tickets_q(), assigned_group=group)
            .exclude(status=kind.resolved_status)
            # Not the group: it is the coordination group, and joining it lets
            # SQLite start from the group table and sort the whole queue.
            .select_related("customer", "assignee", "status_reason")
            .annotate(note_id=Subquery(latest_note))
        )
        if packets is not None:
            queryset = queryset.filter(number__in=packets)
        querysets.append(queryset)
    return querysets


def coordination_page_rows(tickets: list[Ticket]) -> list[CoordinationRow]:
    """A page of the queue with each ticket's escalation packet and note: one
    query per kind and one for the packets, whatever the size of the page."""
    notes = {}
    for kind in all_kinds():
        ids = [t.note_id for t in tickets if kind.code == t.KIND and t.note_id]
        if ids:
            entries = kind.journal_model.objects.filter(id__in=ids).select_related("author")
            notes.update(((kind.code, entry.id), entry) for entry in entries)
    by_number = {}
    if tickets:
        by_number = {
            p.ticket_number: p
            for p in EscalationPacket.objects.filter(
                ticket_number__in=[t.number for t in tickets]
            ).select_related("escalated_by")
        }
    return [
        CoordinationRow(t, notes.get((t.KIND, t.note_id)), by_number.get(t.number)) for t in tickets
    ]


def coordination_rows(
    group: SupportGroup, *, filters: CoordinationFilters | None = None, limit: int
) -> Iterator[tuple]:
    """The queue for an export, oldest first across kinds, as values with the
    packet's case, completeness and age: one streamed query per kind."""
    packets = filters.packets() if filters else None
    packet = EscalationPacket.objects.filter(ticket_number=OuterRef("number"))
    streams = []
    for kind in all_kinds():
        queryset = kind.model.objects.filter(open_tickets_q(), assigned_group=group)
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


# --- people ---------------------------------------------------------------------------


def agent_users() -> QuerySet:
    """Active users who work tickets: agents, coordinators and admins."""
    return (
        get_user_model()
        .objects.filter(
            Q(groups__name__in=[AGENTS_GROUP, COORDINATORS_GROUP]) | Q(is_staff=True),
            is_active=True,
        )
        .distinct()
    )


def row_id(value) -> int | None:
    """``value`` as a row id, or None for anything else (a hand-made URL, a
    number no column holds)."""
    value = str(value or "")
    if not value.isdigit() or int(value) > 2**63 - 1:
        return None
    return int(value)


def group_assignees(group_id) -> QuerySet:
    """Who a ticket of ``group_id`` can be assigned to: its active members who
    work tickets as agents or coordinators. An administrator who is not an
    agent is never offered, member or not."""
    user_model = get_user_model()
    group_id = row_id(group_id)
    if group_id is None:
        return user_model.objects.none()
    # Subqueries rather than joins: no DISTINCT, so the form can add a
    # ticket's current assignee to the list with ``|``.
    members = SupportGroup.members.through.objects.filter(supportgroup_id=group_id)
    roles = user_model.groups.through.objects.filter(
        group__name__in=[AGENTS_GROUP, COORDINATORS_GROUP]
    )
    return (
        user_model.objects.filter(
            is_active=True,
            pk__in=members.values("user_id"),
        )
        .filter(pk__in=roles.values("user_id"))
        .order_by("first_name", "last_name", "username")
    )
