"""Merging a duplicate into another ticket and undoing it: nothing copied,
the target's history reads both journals, the SLA and time follow, and
undoing brings both tickets back as they were."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm import journal_events as events
from itsm.models import EscalationPacket, Relation, RelationType, Status, TicketMerge
from itsm.presenters import entry_text
from itsm.selectors import history_entries, packet_for
from itsm.services.calls import ticket_record_call
from itsm.services.journal import work_info_add
from itsm.services.merge import (
    OtherCustomerError,
    ticket_merge,
    ticket_merge_undo,
    tickets_merge,
)
from itsm.services.relations import ticket_relate
from itsm.services.ticket_update import ticket_update
from itsm.tests.factories import escalate_other, make_merge_pair, make_ticket, resolve
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(agent, garcia):
    return make_merge_pair(user=agent, customer=garcia)


def note(ticket, user, text: str) -> None:
    work_info_add(ticket=ticket, user=user, notes=text)


def fresh(ticket):
    return type(ticket).objects.get(pk=ticket.pk)


def codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def merge(source, target, user, **kwargs):
    return ticket_merge(source=source, target_number=target.number, user=user, **kwargs)


# --- the history --------------------------------------------------------------------


def test_a_ticket_nothing_was_merged_into_reads_its_own_journal_alone(agent, pair):
    """The UNION over every kind's journal only once a merge has written
    *merged_from* on the target; before and after, the entries are the same
    in the same order."""
    source, target = pair
    note(target, agent, "nota en la orden")
    target = fresh(target)
    with CaptureQueriesContext(connection) as plain:
        before = history_entries(target)
    assert len(plain) == 1 and "UNION" not in plain[0]["sql"]
    assert {(e.origin, e.origin_kind) for e in before} == {(target.number, target.KIND)}

    merge(source, target, agent)
    target = fresh(target)
    with CaptureQueriesContext(connection) as merged:
        after = history_entries(target)
    assert "UNION" in merged[-1]["sql"]
    assert [e.pk for e in after if e.origin == target.number][1:] == [e.pk for e in before]
    assert {e.origin for e in after} == {source.number, target.number}


def test_the_target_history_shows_both_journals_in_time_order_each_with_its_origin(agent, pair):
    source, target = pair
    note(source, agent, "primera nota en la incidencia")
    note(target, agent, "nota en la orden")
    note(source, agent, "segunda nota en la incidencia")
    counts = (source.work_info.count(), target.work_info.count())

    merge(source, target, agent)

    entries = history_entries(fresh(target))
    notes = [e.notes for e in entries if e.notes]
    assert notes == [
        "segunda nota en la incidencia",
        "nota en la orden",
        "primera nota en la incidencia",
    ]
    assert [e.created_at for e in entries] == sorted((e.created_at for e in entries), reverse=True)
    origins = {e.notes: (e.origin, type(e)) for e in entries if e.notes}
    assert origins["nota en la orden"] == (target.number, type(target.work_info.first()))
    assert origins["primera nota en la incidencia"][0] == source.number
    assert origins["primera nota en la incidencia"][1] is type(source.work_info.first())
    # Nothing copied: each journal only gained its merge event.
    assert (source.work_info.count(), target.work_info.count()) == (
        counts[0] + 1,
        counts[1] + 1,
    )
    assert len(entries) == sum(counts) + 2


def test_one_journal_event_on_each_side_names_the_other(agent, pair):
    source, target = pair
    merge(source, target, agent)
    merged = source.work_info.latest("created_at")
    received = target.work_info.latest("created_at")
    assert (merged.event, merged.data) == (events.MERGED_INTO, {"number": target.number})
    assert (received.event, received.data) == (events.MERGED_FROM, {"number": source.number})
    assert merged.channel == received.channel == "web"
    with translation.override("es"):
        assert entry_text(merged) == f"Fusionada en {target.number}: su historial se muestra allí."
        assert entry_text(received) == f"{source.number} se ha fusionado en esta gestión."


def test_the_merged_ticket_is_closed_with_the_merged_reason_and_refuses_changes(agent, pair):
    source, target = pair
    merge(source, target, agent, channel="api")
    source = fresh(source)
    assert source.status == Status.CLOSED
    assert source.status_reason.code == "merged"
    assert source.merged_into == target.number
    assert source.work_info.latest("created_at").channel == "api"
    with translation.override("es"), pytest.raises(ValidationError) as refused:
        note(source, agent, "otra nota")
    assert refused.value.messages == [
        f"{source.number} se ha fusionado en {target.number} y ya no se puede modificar: "
        f"trabaje en {target.number}."
    ]
    with pytest.raises(ValidationError):
        ticket_update(ticket=source, user=agent, expected_version=source.version, summary="x")


# --- what follows the merged ticket -----------------------------------------------------


def test_the_target_keeps_the_earliest_creation_and_first_response_and_adds_up_time(agent, pair):
    source, target = pair
    ticket_record_call(
        ticket=source, user=agent, direction="in", number="612345678", talk_seconds=90, call_id=1
    )
    ticket_record_call(
        ticket=target, user=agent, direction="in", number="612345678", talk_seconds=30, call_id=2
    )
    source, target = fresh(source), fresh(target)
    assert source.created_at < target.created_at

    merge(source, target, agent)

    merged_target = fresh(target)
    assert merged_target.created_at == source.created_at
    assert merged_target.responded_at == source.responded_at
    assert source.responded_at < target.responded_at
    assert merged_target.time_spent_seconds == 120


def test_relations_and_the_escalation_packet_follow_the_merged_ticket(agent, pair):
    source, target = pair
    other = make_ticket(Incident, user=agent)
    both = make_ticket(Incident, user=agent)
    ticket_relate(ticket=source, user=agent, other_number=other.number)
    ticket_relate(ticket=source, user=agent, other_number=both.number)
    ticket_relate(ticket=target, user=agent, other_number=both.number)
    ticket_relate(
        ticket=source,
        user=agent,
        other_number=target.number,
        relation_type=RelationType.DUPLICATE,
    )
    escalate_other(fresh(source), agent)

    merge(fresh(source), target, agent)

    moved = Relation.objects.get(source_number=target.number, target_number=other.number)
    assert moved.created_by == agent
    # What the target already has stays where it was, and so does their own link.
    assert Relation.objects.filter(source_number=source.number, target_number=both.number).exists()
    assert Relation.objects.filter(source_number=source.number, target_number=target.number)
    assert EscalationPacket.objects.get().ticket_number == target.number
    # Its packet events are on the source's journal: the target's page finds
    # it all the same, through its *merged_from* event.
    target = fresh(target)
    assert packet_for(target, journal=history_entries(target)).case == "other"
    with CaptureQueriesContext(connection) as none:
        assert packet_for(other, journal=history_entries(other)) is None
    assert not any("escalationpacket" in query["sql"] for query in none)


# --- who may merge ---------------------------------------------------------------------


def test_tickets_of_different_customers_merge_only_once_confirmed(agent, garcia):
    source = make_ticket(Incident, user=agent, customer=garcia)
    target = make_ticket(Incident, user=agent, customer=CustomerFactory(first_name="Luis"))
    with translation.override("es"), pytest.raises(OtherCustomerError) as refused:
        merge(source, target, agent)
    message = refused.value.message_dict["target"][0]
    assert str(source.customer) in message and str(target.customer) in message
    assert not fresh(source).is_merged

    merge(source, target, agent, confirm_other_customer=True)
    assert fresh(source).merged_into == target.number


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("itself", "merge_into_itself"),
        ("closed target", "target_closed"),
        ("merged target", "target_merged"),
        ("merged source", "ticket_merged"),
        ("source with merges", "source_is_target"),
        ("unknown target", "unknown_ticket"),
    ],
)
def test_merges_that_make_no_sense_are_refused(agent, coordinator, pair, case, code):
    source, target = pair
    third = make_ticket(Incident, user=agent, customer=source.customer)
    if case == "itself":
        target = source
    elif case == "closed target":
        resolve(target, agent)
        target = fresh(target)
        ticket_update(
            ticket=target,
            user=coordinator,
            expected_version=target.version,
            status=Status.CLOSED,
        )
    elif case == "merged target":
        merge(target, third, agent)
    elif case == "merged source":
        merge(source, third, agent)
    elif case == "source with merges":
        merge(third, source, agent)
    elif case == "unknown target":
        target = Incident(number="INC000999999999")
    with pytest.raises(ValidationError) as refused:
        merge(fresh(source), target, agent)
    assert code in codes(refused.value)


def test_no_cycle_can_be_made(agent, pair):
    source, target = pair
    merge(source, target, agent)
    with pytest.raises(ValidationError):
        merge(fresh(target), source, agent)


def test_only_agents_merge_and_only_coordinators_undo(agent, outsider, coordinator, pair):
    source, target = pair
    with pytest.raises(PermissionDenied):
        merge(source, target, outsider)
    merge(source, target, agent)
    with pytest.raises(PermissionDenied):
        ticket_merge_undo(source=fresh(source), user=agent)
    ticket_merge_undo(source=fresh(source), user=coordinator)
    assert not fresh(source).is_merged


def test_a_merge_older_than_the_setting_cannot_be_undone(agent, coordinator, pair, settings):
    settings.ITSM_MERGE_UNDO_DAYS = 2
    source, target = pair
    done = merge(source, target, agent)
    TicketMerge.objects.filter(pk=done.pk).update(merged_at=timezone.now() - timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        ticket_merge_undo(source=fresh(source), user=coordinator)
    assert refused.value.code == "undo_too_late"


def test_a_selection_merges_all_or_none(agent, garcia):
    target = make_ticket(WorkOrder, user=agent, customer=garcia)
    sources = [make_ticket(Incident, user=agent, customer=garcia) for _ in range(2)]
    stranger = make_ticket(Incident, user=agent)
    with pytest.raises(OtherCustomerError):
        tickets_merge(sources=[*sources, stranger], target_number=target.number, user=agent)
    assert not Incident.objects.filter(merged_into__isnull=False).exists()

    done = tickets_merge(sources=sources, target_number=target.number, user=agent)
    assert {m.source_number for m in done} == {s.number for s in sources}
    with pytest.raises(ValidationError):
        tickets_merge(sources=sources * 6, target_number=target.number, user=agent)


# --- undo ----------------------------------------------------------------------------


def _state(ticket) -> dict:
    """Every stored field of the ticket, its relations and its journal."""
    row = fresh(ticket)
    fields = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
    relations = list(Relation.objects.filter(source_number=row.number).values()) + list(
        Relation.objects.filter(target_number=row.number).values()
    )
    journal = list(row.work_info.order_by("pk").values())
    packet = list(EscalationPacket.objects.filter(ticket_number=row.number).values())
    return {"fields": fields, "relations": relations, "journal": journal, "packet": packet}


def test_merge_then_undo_brings_both_tickets_back_exactly(agent, coordinator, pair):
    source, target = pair
    other = make_ticket(Incident, user=agent)
    ticket_relate(ticket=source, user=agent, other_number=other.number)
    escalate_other(fresh(source), agent)
    ticket_record_call(
        ticket=fresh(source),
        user=agent,
        direction="in",
        number="612345678",
        talk_seconds=45,
        call_id=7,
    )
    note(target, agent, "nota previa")
    before = {t.number: _state(t) for t in (source, target)}

    merge(fresh(source), target, agent)
    ticket_merge_undo(source=fresh(source), user=coordinator)

    for ticket in (source, target):
        after = _state(ticket)
        assert after["fields"] == before[ticket.number]["fields"]
        assert after["relations"] == before[ticket.number]["relations"]
        assert after["packet"] == before[ticket.number]["packet"]
        old = before[ticket.number]["journal"]
        # Every entry as it was, plus the merge's and the undo's own events.
        assert after["journal"][: len(old)] == old
        assert [e["event"] for e in after["journal"][len(old) :]] == [
            events.MERGED_INTO if ticket is source else events.MERGED_FROM,
            events.MERGE_UNDONE,
        ]


def test_entries_written_on_the_target_after_the_merge_stay_there(agent, coordinator, pair):
    source, target = pair
    merge(source, target, agent)
    note(fresh(target), agent, "después de fusionar")
    ticket_merge_undo(source=fresh(source), user=coordinator)
    assert target.work_info.filter(notes="después de fusionar").exists()
    assert not source.work_info.filter(notes="después de fusionar").exists()
    assert [e.notes for e in history_entries(fresh(source)) if e.notes] == []
    target = fresh(target)
    assert target.created_at > source.created_at
    assert fresh(source).status == Status.ASSIGNED


def test_undo_keeps_what_changed_on_the_target_since_the_merge(agent, coordinator, pair):
    source, target = pair
    ticket_record_call(
        ticket=source, user=agent, direction="in", number="612345678", talk_seconds=40, call_id=3
    )
    merge(fresh(source), target, agent)
    target = fresh(target)
    ticket_record_call(
        ticket=target, user=agent, direction="in", number="612345678", talk_seconds=20, call_id=4
    )
    ticket_update(
        ticket=fresh(target), user=agent, expected_version=target.version, summary="Nuevo resumen"
    )
    edited = fresh(target)

    ticket_merge_undo(source=fresh(source), user=coordinator)

    target = fresh(target)
    assert target.summary == "Nuevo resumen"
    assert target.time_spent_seconds == 20
    assert target.version == edited.version + 1
    assert target.created_at > fresh(source).created_at
