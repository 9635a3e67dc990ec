"""The coordination console: the queue of escalated tickets and the
coordinators' actions, with optimistic locking."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from itsm import coordination_selectors
from itsm.common import pagination
from itsm.models import EscalationPacket, Status, StatusReason, SupportGroup
from itsm.selectors import coordination_group, specialists_group
from itsm.services.escalation import ticket_take
from itsm.services.journal import work_info_add
from itsm.services.relations import ticket_relate
from itsm.services.ticket_update import ticket_resolve, ticket_update
from itsm.tests.factories import escalate_other, make_incident, make_work_order
from workorders.models import WorkOrder

COORDINATION = reverse("coordination")
ZONE = ZoneInfo("Europe/Madrid")


def escalate(ticket, user, note="ERROR 23 al depositar cuentas; CIF B12345678, FLEI 4711"):
    return escalate_other(ticket, user, note, note=note)


def action_url(action: str, ticket) -> str:
    return reverse(f"coordination_{action}", args=[ticket.number])


def refreshed(ticket):
    return type(ticket).objects.select_related("assigned_group", "assignee").get(pk=ticket.pk)


@pytest.fixture
def escalated(agent):
    return escalate(make_incident(user=agent), agent)


# --- access ------------------------------------------------------------------


def test_anonymous_user_is_sent_to_login(client, reference):
    response = client.get(COORDINATION)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_anonymous_user_cannot_act(client, escalated):
    client.logout()
    response = client.post(action_url("take", escalated), {"version": escalated.version})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_user_without_role_is_refused(client, outsider, escalated):
    client.force_login(outsider)
    assert client.get(COORDINATION).status_code == 403
    response = client.post(action_url("take", escalated), {"version": escalated.version})
    assert response.status_code == 403


def test_agents_see_the_queue_read_only(client, agent, escalated):
    client.force_login(agent)
    response = client.get(COORDINATION)
    assert response.status_code == 200
    html = response.content.decode()
    assert escalated.number in html
    assert "Solo los coordinadores pueden actuar" in html
    assert action_url("take", escalated) not in html and ">Tomar<" not in html


@pytest.mark.parametrize("action", ["take", "return", "specialists"])
def test_agents_cannot_act(client, agent, escalated, action):
    client.force_login(agent)
    response = client.post(action_url(action, escalated), {"version": 2, "note": "x"})
    assert response.status_code == 403
    assert refreshed(escalated).assigned_group == coordination_group()


def test_actions_need_post(client, coordinator, escalated):
    client.force_login(coordinator)
    assert client.get(action_url("take", escalated)).status_code == 405


# --- the queue ---------------------------------------------------------------


def test_queue_lists_open_escalated_tickets_of_both_kinds_oldest_first(client, agent, coordinator):
    newer = escalate(make_incident(user=agent), agent, note="Vinculación: falta el cuadro")
    older = escalate(make_work_order(user=agent), agent, note="FLEI no refleja el pago")
    long_ago = timezone.now() - timedelta(days=3)
    WorkOrder.objects.filter(pk=older.pk).update(created_at=long_ago)
    not_escalated = make_incident(user=agent)
    resolved = escalate(make_incident(user=agent), agent)
    ticket_resolve(
        ticket=resolved,
        user=coordinator,
        expected_version=resolved.version,
        status_reason=StatusReason.objects.filter(kind="INC", status=Status.RESOLVED).first(),
    )
    client.force_login(coordinator)
    response = client.get(COORDINATION)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.ticket.number for row in rows] == [older.number, newer.number]
    html = response.content.decode()
    assert not_escalated.number not in html and resolved.number not in html
    assert "FLEI no refleja el pago" in html and "Vinculación: falta el cuadro" in html
    assert html.index(older.number) < html.index(newer.number)
    # The export lists what the queue lists.
    exported = b"".join(client.get(reverse("coordination_export")).streaming_content).decode()
    assert older.number in exported and newer.number in exported
    assert not_escalated.number not in exported and resolved.number not in exported


def test_each_row_carries_its_packet_and_note(client, agent, coordinator, escalated):
    client.force_login(coordinator)
    row = client.get(COORDINATION).context["rows"][0]
    assert row.note.text.startswith("ERROR 23")
    assert row.note.author == agent
    assert row.packet.case == "other" and row.packet.complete


def test_the_agents_note_stays_after_a_take_and_an_unrelated_relation(client, agent, coordinator):
    escalated = escalate(make_incident(user=agent), agent, note="Falla el trámite de depósito")
    escalated_at = EscalationPacket.objects.get().escalated_at
    ticket_take(ticket=escalated, user=coordinator, expected_version=escalated.version)
    ticket_relate(
        ticket=refreshed(escalated), user=coordinator, other_number=make_incident(user=agent).number
    )
    client.force_login(coordinator)
    response = client.get(COORDINATION)
    row = response.context["rows"][0]
    assert row.ticket.assignee == coordinator
    assert row.note.text == "Falla el trámite de depósito"
    assert row.note.author == agent and row.note.created_at == escalated_at
    html = response.content.decode()
    assert "Falla el trámite de depósito" in html and "Agente" in html
    assert escalated_at.astimezone(ZONE).strftime("%d/%m/%Y %H:%M") in html


def test_a_coordinators_later_note_does_not_replace_the_agents(client, agent, coordinator):
    escalated = escalate(make_incident(user=agent), agent, note="Pide el cuadro de vinculación")
    work_info_add(
        ticket=escalated,
        user=coordinator,
        notes="Llamo al cliente mañana",
    )
    client.force_login(coordinator)
    row = client.get(COORDINATION).context["rows"][0]
    assert row.note.text == "Pide el cuadro de vinculación" and row.note.author == agent


def test_without_a_packet_the_row_shows_what_a_person_last_wrote(client, agent, coordinator):
    ticket = make_incident(user=agent)
    ticket = ticket_update(
        ticket=ticket,
        user=agent,
        expected_version=ticket.version,
        assigned_group=coordination_group(),
        assignee=None,
        note="Escalo sin paquete: revisar el NIF",
    )
    ticket_relate(ticket=ticket, user=coordinator, other_number=make_incident(user=agent).number)
    client.force_login(coordinator)
    row = client.get(COORDINATION).context["rows"][0]
    assert row.packet is None
    assert row.note.text == "Escalo sin paquete: revisar el NIF" and row.note.author == agent


def test_queue_pages_by_keyset(client, agent, coordinator, monkeypatch):
    tickets = [escalate(make_incident(user=agent), agent) for _ in range(3)]
    tickets += [escalate(make_work_order(user=agent), agent) for _ in range(2)]
    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)
    client.force_login(coordinator)
    seen = []
    response = client.get(COORDINATION)
    while True:
        seen.extend(row.ticket.number for row in response.context["rows"])
        if not response.context["next_url"]:
            break
        response = client.get(COORDINATION + response.context["next_url"])
    expected = [t.number for t in sorted(tickets, key=lambda t: (t.created_at, t.number))]
    assert seen == expected
    # Back from the last page, one page at a time, across both kinds.
    back = []
    while response.context["previous_url"]:
        response = client.get(COORDINATION + response.context["previous_url"])
        back = [row.ticket.number for row in response.context["rows"]] + back
    assert back == expected[:4]
    assert response.context["first_url"]


def test_the_whole_queues_first_page_is_written_once(client, agent, coordinator, monkeypatch):
    tickets = [escalate(make_incident(user=agent), agent) for _ in range(2)]
    tickets += [escalate(make_work_order(user=agent), agent) for _ in range(2)]
    expected = [t.number for t in sorted(tickets, key=lambda t: (t.created_at, t.number))]
    monkeypatch.setattr(pagination, "PAGE_SIZE", 3)
    kept = coordination_selectors._FIRST_QUEUE_PAGE
    built = []
    monkeypatch.setattr(kept, "_kept", {})
    monkeypatch.setattr(
        kept,
        "build",
        lambda *shape: built.append(shape[:2]) or coordination_selectors._first_queue_page(*shape),
    )

    def numbers(response) -> list[str]:
        return [row.ticket.number for row in response.context["rows"]]

    for user in (coordinator, agent, coordinator):
        client.force_login(user)
        response = client.get(COORDINATION)
        assert numbers(response) == expected[:3]
    assert sorted(set(built)) == [("INC", 3), ("WO", 3)]
    writes = len(built)
    # The next page and a filtered queue are written as usual.
    assert numbers(client.get(COORDINATION + response.context["next_url"])) == expected[3:]
    assert numbers(client.get(COORDINATION, {"case": "other"})) == expected[:3]
    assert len(built) == writes


def test_queue_runs_a_fixed_number_of_queries(
    client, agent, coordinator, django_assert_max_num_queries
):
    client.force_login(coordinator)
    for count in (2, 10):
        while Incident.objects.filter(assigned_group__is_coordination=True).count() < count:
            escalate(make_incident(user=agent), agent)
            escalate(make_work_order(user=agent), agent)
        with django_assert_max_num_queries(10):
            response = client.get(COORDINATION)
        assert len(response.context["rows"]) == 2 * count


# --- actions -----------------------------------------------------------------


def test_coordinator_takes_a_ticket(client, coordinator, escalated):
    client.force_login(coordinator)
    response = client.post(action_url("take", escalated), {"version": escalated.version})
    assert response.status_code == 302 and response.url == COORDINATION
    ticket = refreshed(escalated)
    assert ticket.assignee == coordinator and ticket.assigned_group.is_coordination
    page = client.get(response.url).content.decode()
    assert f"{escalated.number} está ahora asignada a ti." in page


def test_coordinator_returns_a_ticket_to_the_agent_with_a_note(client, agent, coordinator):
    ticket = escalate(make_work_order(user=agent), agent)
    client.force_login(coordinator)
    response = client.post(
        action_url("return", ticket), {"version": ticket.version, "note": "Falta el NIF"}
    )
    assert response.status_code == 302
    ticket = refreshed(ticket)
    assert ticket.assignee == agent
    assert ticket.assigned_group == SupportGroup.objects.get(is_agent_default=True)
    assert ticket.work_info.filter(notes="Falta el NIF", author=coordinator).exists()


def test_coordinator_passes_a_ticket_to_specialists_with_a_note(client, coordinator, escalated):
    client.force_login(coordinator)
    response = client.post(
        action_url("specialists", escalated),
        {"version": escalated.version, "note": "Revisar FLEI"},
    )
    assert response.status_code == 302
    ticket = refreshed(escalated)
    assert ticket.assigned_group == specialists_group() and ticket.assignee is None
    assert escalated.number not in client.get(COORDINATION).content.decode().split("<tbody>")[1]


@pytest.mark.parametrize("action", ["return", "specialists"])
def test_returning_or_passing_needs_a_note(client, coordinator, escalated, action):
    client.force_login(coordinator)
    response = client.post(
        action_url(action, escalated), {"version": escalated.version, "note": " "}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Escribe una nota para el agente o para los especialistas." in html
    assert refreshed(escalated).assigned_group.is_coordination


def test_a_stale_version_is_refused_and_the_note_kept(client, agent, other_agent, coordinator):
    ticket = escalate(make_incident(user=agent), agent)
    seen_version = ticket.version
    ticket_update(
        ticket=ticket, user=other_agent, expected_version=ticket.version, note="Llamó otra vez"
    )
    client.force_login(coordinator)
    response = client.post(
        action_url("return", ticket), {"version": seen_version, "note": "Pide el cuadro"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert f"Agente2 modificó {ticket.number}" in html
    assert "Sus cambios no se han guardado" in html
    assert ">Pide el cuadro</textarea>" in html
    current = refreshed(ticket)
    assert current.assignee is None and current.assigned_group.is_coordination


def test_a_bad_version_is_refused(client, coordinator, escalated):
    client.force_login(coordinator)
    response = client.post(action_url("take", escalated), {"version": "abc"})
    assert response.status_code == 400
    assert refreshed(escalated).assignee is None


def test_a_ticket_that_left_coordination_is_not_touched(client, coordinator, escalated):
    client.force_login(coordinator)
    client.post(action_url("specialists", escalated), {"version": escalated.version, "note": "L2"})
    version = refreshed(escalated).version
    response = client.post(action_url("take", escalated), {"version": version}, follow=True)
    assert "ya no está en el grupo de coordinación" in response.content.decode()
    assert refreshed(escalated).assignee is None


def test_unknown_ticket_is_not_found(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("coordination_take", args=["INC999999999999"]), {"version": 1})
    assert response.status_code == 404
    response = client.post(reverse("coordination_take", args=["XX1"]), {"version": 1})
    assert response.status_code == 404
