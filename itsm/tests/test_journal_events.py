"""What the system writes in the journal is stored as facts and read in the
reader's language with people's full names; entries written before are
given their structured form by a backfill that never touches their text."""

import pytest
from django.apps import apps as registry
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from incidents.models import Incident, IncidentWorkInfo
from itsm import journal_events as events
from itsm.journal_backfill import backfill
from itsm.models import SupportGroup, WorkInfoType
from itsm.services.ticket_update import ticket_set_pending, ticket_update
from itsm.tests.factories import make_incident, make_work_order, pending_reason
from workorders.models import WorkOrderWorkInfo


@pytest.fixture
def named(agent, other_agent):
    for user, (first, last) in ((agent, ("Ana", "García")), (other_agent, ("Luis", "Pérez"))):
        user.first_name, user.last_name = first, last
        user.save()
    return agent, other_agent


def test_a_change_is_stored_as_an_event_with_codes_and_ids(named):
    agent, other_agent = named
    ticket = make_incident(user=agent, assignee=agent)
    ticket_update(ticket=ticket, user=agent, expected_version=ticket.version, assignee=other_agent)
    entry = ticket.work_info.filter(type=WorkInfoType.ASSIGNMENT).get()
    assert entry.event == events.ASSIGNEE
    assert entry.data == {"old": agent.pk, "new": other_agent.pk}
    assert entry.notes == ""


def history_text(client, ticket) -> str:
    return client.get(ticket.get_absolute_url()).content.decode()


def test_the_history_reads_in_the_readers_language_with_full_names(client, named):
    agent, other_agent = named
    ticket = make_incident(user=agent, assignee=agent)
    client.force_login(agent)
    # The change is made by an agent whose interface is in English ...
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    ticket_set_pending(
        ticket=ticket, user=agent, expected_version=ticket.version, status_reason=pending_reason()
    )
    ticket_update(ticket=ticket, user=agent, expected_version=ticket.version, assignee=other_agent)
    english = history_text(client, ticket)
    assert "Status: Assigned → Pending" in english
    assert "Assignee: Ana García → Luis Pérez" in english
    # ... and a Spanish reader reads it in Spanish.
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    spanish = history_text(client, ticket)
    assert "Estado: Asignado → Pendiente" in spanish
    assert "Usuario asignado: Ana García → Luis Pérez" in spanish


def test_a_group_change_names_the_groups(client, named):
    agent, _other = named
    ticket = make_incident(user=agent)
    coordination = SupportGroup.objects.get(is_coordination=True)
    ticket_update(
        ticket=ticket, user=agent, expected_version=ticket.version, assigned_group=coordination
    )
    client.force_login(agent)
    assert (
        "Grupo: L1 CAMPAÑA LIBROS/CUENTAS → L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS"
        in history_text(client, ticket)
    )


def test_a_persons_notes_are_kept_as_typed(client, named):
    agent, _other = named
    ticket = make_incident(user=agent, work_info_notes="Status: llamada → sin respuesta")
    client.force_login(agent)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Status: llamada → sin respuesta" in history_text(client, ticket)


class _Editor:
    """What the backfill asks of a schema editor, inside the test's transaction."""

    def __init__(self) -> None:
        self.connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def _old_entry(ticket, *, author, notes: str, type: str = WorkInfoType.STATUS_CHANGE):
    return IncidentWorkInfo.objects.create(ticket=ticket, author=author, type=type, notes=notes)


def test_the_backfill_structures_old_entries_in_both_languages_and_keeps_their_text(named):
    agent, other_agent = named
    ticket = make_incident(user=agent)
    reason = pending_reason()
    old = {
        "es-status": _old_entry(
            ticket, author=agent, notes=f"Estado: Asignado → Pendiente ({reason.name})"
        ),
        "en-status": _old_entry(ticket, author=agent, notes="Status: Pending → Assigned"),
        "es-assignee": _old_entry(ticket, author=agent, notes="Usuario asignado: agente → agente2"),
        "en-group": _old_entry(
            ticket,
            author=agent,
            notes="Group: L1 CAMPAÑA LIBROS/CUENTAS → L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS",
        ),
        "auto": _old_entry(
            ticket, author=None, notes="Closed automatically 15 days after its resolution."
        ),
        "typed": _old_entry(
            ticket, author=agent, notes="El usuario llama otra vez", type=WorkInfoType.WORK_NOTES
        ),
    }
    before = {key: (e.notes, e.created_at, e.type, e.author_id) for key, e in old.items()}

    backfill(registry, _Editor(), app_label="incidents", model_name="IncidentWorkInfo", kind="INC")

    stored = {key: IncidentWorkInfo.objects.get(pk=e.pk) for key, e in old.items()}
    for key, entry in stored.items():
        assert (entry.notes, entry.created_at, entry.type, entry.author_id) == before[key]
    assert stored["es-status"].event == events.STATUS
    assert stored["es-status"].data == {"old": "assigned", "new": "pending", "reason": reason.pk}
    assert stored["en-status"].data["new"] == "assigned"
    assert stored["es-assignee"].data == {"old": agent.pk, "new": other_agent.pk}
    groups = dict(SupportGroup.objects.values_list("name", "pk"))
    assert stored["en-group"].data == {
        "old": groups["L1 CAMPAÑA LIBROS/CUENTAS"],
        "new": groups["L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS"],
    }
    assert stored["auto"].data == {"days": 15}
    assert stored["typed"].event is None


@pytest.mark.parametrize("model", [IncidentWorkInfo, WorkOrderWorkInfo], ids=["INC", "WO"])
def test_after_the_backfill_the_journal_still_refuses_updates(agent, model):
    backfill(
        registry,
        _Editor(),
        app_label=model._meta.app_label,
        model_name=model._meta.object_name,
        kind="INC" if model is IncidentWorkInfo else "WO",
    )
    maker = make_incident if model is IncidentWorkInfo else make_work_order
    ticket = maker(user=agent)
    entry = ticket.work_info.get()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {model._meta.db_table} SET event = 'x' WHERE id = %s", [entry.pk])


def test_old_entries_read_in_the_readers_language_after_the_backfill(client, named):
    agent, _other = named
    ticket = make_incident(user=agent)
    _old_entry(ticket, author=agent, notes="Status: Assigned → Pending")
    backfill(registry, _Editor(), app_label="incidents", model_name="IncidentWorkInfo", kind="INC")
    client.force_login(agent)
    assert "Estado: Asignado → Pendiente" in history_text(client, ticket)
    assert Incident.objects.count() == 1


@pytest.mark.parametrize(
    ("notes", "event", "expected"),
    [
        (
            "Incidencia abierta: estado Asignado, grupo L1 CAMPAÑA LIBROS/CUENTAS, "
            "asignada a agente",
            events.OPENED,
            {"status": "assigned", "reason": None, "assignee": "agent"},
        ),
        (
            "Incident opened: status Assigned, group L1 CAMPAÑA LIBROS/CUENTAS",
            events.OPENED,
            {"status": "assigned", "reason": None, "assignee": None},
        ),
        (
            "Relación añadida: Relacionado con WO0000000000001",
            events.RELATION_ADDED,
            {"type": "related", "number": "WO0000000000001"},
        ),
        (
            "Relation added: INC000000000002 (Duplicate of this ticket)",
            events.RELATION_ADDED,
            {"type": "duplicate", "number": "INC000000000002", "reverse": True},
        ),
        ("Relación eliminada: WO0000000000001", events.RELATION_REMOVED, {}),
        ("Estado: Asignado → Desconocido", None, None),
        ("Una nota cualquiera", None, None),
    ],
)
def test_the_backfill_recognises_what_the_system_wrote(agent, notes, event, expected):
    from itsm.journal_backfill import Lookups, parse

    parsed = parse(notes, Lookups(registry), kind="INC")
    if event is None:
        assert parsed is None
        return
    assert parsed[0] == event
    for key, value in expected.items():
        assert parsed[1][key] == (agent.pk if value == "agent" else value)
