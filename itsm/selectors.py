"""Reads that several views and services share: tickets by number, the
groups that play a role, a ticket's relations and its customer's other open
tickets, the people who work tickets. The magnifier's reads are in
``itsm.search_selectors``, the coordination queue's in ``itsm.coordination_selectors``.

Every read here asks the kind registry for the kinds it covers and costs a
fixed number of queries per kind, whatever the size of the tables. Writes
live in ``itsm.services``; what templates need prepared, in ``itsm.presenters``.
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.utils.translation import gettext as _

from customers.models import Customer
from itsm import journal_events as events
from itsm.common.permissions import is_coordinator
from itsm.common.statements import Statement
from itsm.kinds import Kind, all_kinds, kind_for_number, kind_of
from itsm.models import (
    EscalationPacket,
    EscalationPacketRevision,
    PacketEvent,
    Relation,
    Status,
    StatusReason,
    SupportGroup,
    Ticket,
    TicketTemplate,
)
from itsm.reference_cache import cached_rows
from itsm.reference_names import reason_names

# The code of the Asignado reason *Pdte comunicación con cliente* in the reference data.
REOPENED_REASON_CODE = "reopened"

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


def ticket_or_merge_target(ticket: Ticket | None) -> Ticket | None:
    """The ticket a message or a link to ``ticket`` belongs on: the ticket it
    was merged into, if it was (merges are one level deep)."""
    if ticket is None or not ticket.merged_into:
        return ticket
    return ticket_get_by_number(ticket.merged_into) or ticket


def stored_values(ticket: Ticket, names) -> dict[str, str]:
    """The fields ``names`` as the database stores them (ids for foreign
    keys, empty for none), read without queries: what a page shows and posts
    back as *seen*, and what the stale check compares."""
    values = {}
    for name in names:
        value = getattr(ticket, ticket._meta.get_field(name).attname)
        values[name] = "" if value is None else str(value)
    return values


def packets_with_escalation_note() -> QuerySet:
    """Packets with ``escalation_note``: the note of their latest escalation
    that carried one (a coordinator's take, return or pass never replaces it)."""
    escalations = (
        EscalationPacketRevision.objects.filter(
            packet=OuterRef("pk"),
            event__in=(PacketEvent.ESCALATED, PacketEvent.RE_ESCALATED),
        )
        .exclude(note="")
        .order_by("-version")
    )
    return EscalationPacket.objects.select_related("escalated_by").annotate(
        escalation_note=Subquery(escalations.values("note")[:1])
    )


def packet_for(ticket: Ticket, *, journal: list | None = None) -> EscalationPacket | None:
    """The ticket's escalation packet with the agent's escalation note, if it
    was ever escalated. ``journal``, the ticket's history entries when the
    caller has read them, spares the query for a ticket never escalated:
    every change of a packet writes a *packet* event on its ticket's own
    journal, and a merge that brings one writes *merged_from*."""
    if journal is not None and not any(
        entry.event in (events.PACKET, events.MERGED_FROM) and entry.origin == ticket.number
        for entry in journal
    ):
        return None
    return packets_with_escalation_note().filter(ticket_number=ticket.number).first()


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


def agent_default_group_id(user) -> int | None:
    """``agent_default_group``'s key, kept with the reference lists: what a
    new-ticket form proposes (creating a ticket asks the database)."""
    key = f"agent-default-group:{user.pk}"
    return cached_rows(key, lambda: [getattr(agent_default_group(user), "pk", None)])[0]


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
    return _pickable_groups(is_coordinator(user))


def _pickable_groups(coordinator: bool) -> QuerySet:
    groups = SupportGroup.objects.filter(active=True)
    if not coordinator:
        groups = groups.filter(is_specialists=False)
    return groups.order_by("name")


def can_pick_group(user, group: SupportGroup) -> bool:
    """``pickable_groups`` on a loaded row, with no query."""
    return group.active and (not group.is_specialists or is_coordinator(user))


# --- reference data a ticket picks ------------------------------------------------


def pickable_templates(kind: str) -> QuerySet:
    """The templates a ticket of ``kind`` may be given: the form offers these
    and the ticket services refuse any other."""
    return TicketTemplate.objects.for_agents(kind).order_by("name")


# One row of each of those by its id, as a form checks what was picked and
# the services what they are given: the SQL written once (kept statements).
PICKABLE_TEMPLATE = Statement(lambda kind, pk: pickable_templates(kind).filter(pk=pk))
PICKABLE_GROUP = Statement(lambda coordinator, pk: _pickable_groups(coordinator).filter(pk=pk))


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


OWN_JOURNAL = Statement(
    lambda journal, ticket_id: (
        journal.objects.filter(ticket_id=ticket_id)
        .select_related("author")
        .order_by("-created_at", "-id")
    )
)


def history_entries(ticket: Ticket) -> list:
    """The ticket's journal and the journals of the tickets merged into it,
    newest first, in one query (a UNION over the kinds' journals): nothing
    is copied on a merge. Each entry carries ``origin`` (the number of the
    ticket it was written on) and is an instance of its own kind's journal.

    Most tickets never had another merged into it, and the merge writes
    *merged_from* on the target's own journal (append-only): that journal
    alone is read first, and the UNION only when it holds such an event
    (0.5 ms against 2.5 on PostgreSQL, most of it building and planning
    the UNION)."""
    own_kind = kind_of(ticket)
    own = list(OWN_JOURNAL(ticket.pk, shape=(own_kind.journal_model,)))
    if all(entry.event != events.MERGED_FROM for entry in own):
        for entry in own:
            entry.origin, entry.origin_kind = ticket.number, own_kind.code
        return own
    parts = {}
    for kind in all_kinds():
        tickets = Q(merged_into=ticket.number)
        if kind.model is type(ticket):
            tickets |= Q(pk=ticket.pk)
        # The tickets first, then their entries through the journal's ticket
        # index: an OR across the join would read the whole journal.
        wanted = kind.model.objects.filter(tickets).values("pk")
        parts[kind.code] = (
            kind.journal_model.objects.filter(ticket__in=wanted)
            .select_related("author")
            .annotate(origin=F("ticket__number"))
        )
    return across_kinds(parts, order_by=("-created_at", "-id"), keep=("author", "origin"))


def across_kinds(parts: dict, *, order_by: tuple, keep: tuple, limit=None) -> list:
    """The rows of per-kind querysets (``parts``: kind code → queryset) in
    one ``UNION ALL`` query, each rebuilt as an instance of its queryset's
    model and marked with its kind (``origin_kind``): UNION rows all come
    back as the first queryset's model. ``keep``: what each row carries
    beyond its own columns (a related row, an annotation)."""
    models = {code: part.model for code, part in parts.items()}
    return in_own_models(kinds_union(parts, order_by=order_by, limit=limit), models, keep=keep)


def kinds_union(parts: dict, *, order_by: tuple, limit=None) -> QuerySet:
    """``across_kinds``' query, each row marked with its kind (``origin_kind``)."""
    first, *others = (part.annotate(origin_kind=Value(code)) for code, part in parts.items())
    rows = (first.union(*others, all=True) if others else first).order_by(*order_by)
    return rows[:limit] if limit is not None else rows


def in_own_models(rows, models: dict, *, keep: tuple) -> list:
    """The rows of a ``kinds_union``, each an instance of its kind's model
    (``models``: kind code → model), carrying what ``keep`` names."""
    keep = (*keep, "origin_kind")
    found = []
    for row in rows:
        model = models[row.origin_kind]
        if type(row) is not model:
            # The columns the query read (``only()`` leaves the rest deferred).
            loaded = [f.attname for f in model._meta.concrete_fields if f.attname in row.__dict__]
            moved = model.from_db(row._state.db, loaded, [row.__dict__[n] for n in loaded])
            for name in keep:
                setattr(moved, name, getattr(row, name))
            row = moved
        found.append(row)
    return found


_RELATIONS = Statement(
    lambda source, target: Relation.objects.filter(
        Q(source_number=source) | Q(target_number=target)
    ).order_by("created_at")
)


def ticket_relations(ticket: Ticket) -> list[tuple[Relation, Ticket]]:
    """The ticket's relations with the ticket on the other side, in two
    queries whatever the kinds."""
    relations = list(_RELATIONS(ticket.number, ticket.number))
    others = {relation.other_number(ticket.number) for relation in relations}
    parts = {}
    for kind in all_kinds():
        wanted = [n for n in others if kind_for_number(n) == kind]
        if wanted:
            parts[kind.code] = (
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
    found: dict[str, Ticket] = {}
    if parts:
        for other in across_kinds(parts, order_by=("number",), keep=("customer",)):
            found[other.number] = other
    return [
        (relation, found[relation.other_number(ticket.number)])
        for relation in relations
        if relation.other_number(ticket.number) in found
    ]


def _open_for_customer(model, limit: int, customer_id: int, exclude_id: int | None = None):
    queryset = (
        model.objects.filter(customer_id=customer_id)
        .open_by_status()
        .only("number", "summary", "status", "created_at", "status_reason")
    )
    if exclude_id is not None:
        queryset = queryset.exclude(pk=exclude_id)
    return queryset.order_by("-created_at", "-id")[:limit]


_OPEN_FOR_CUSTOMER = Statement(_open_for_customer)


def tickets_open_for_customer(
    *, customer: Customer, exclude: Ticket | None = None, limit: int = 10
) -> list[Ticket]:
    """The customer's other open tickets, newest first, to spot duplicates;
    each carries ``reason_name`` (its status reason's, from the reference
    lists). Only what the list shows, one plain query per kind: this runs on
    every ticket and new-ticket page, and a UNION of the kinds cost more to
    build (1.4 ms) than its second round trip."""
    reasons = reason_names()
    found = []
    for kind in all_kinds():
        left_out = (exclude.pk,) if isinstance(exclude, kind.model) else ()
        found.extend(_OPEN_FOR_CUSTOMER(customer.pk, *left_out, shape=(kind.model, limit)))
    newest = sorted(found, key=lambda ticket: (ticket.created_at, ticket.pk), reverse=True)[:limit]
    for ticket in newest:
        ticket.reason_name = reasons.get(ticket.status_reason_id, "")
    return newest
