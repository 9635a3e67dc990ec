"""Escalation through the API: the packet, the coordinators' answers and the
packet read back, through the services and roles of the pages; every
change journaled as the token's user with the channel API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from api.tests.conftest import token_client
from incidents.models import Incident
from itsm.models import Channel, EscalationPacket, PacketEvent, PacketState, RegistroMercantil
from itsm.tests.escalation import PNG
from itsm.tests.factories import make_incident, make_work_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]


def url(ticket, name: str) -> str:
    return reverse(f"api:{ticket.kind.namespace}-{name}", args=[ticket.number])


def error23(**changes) -> dict:
    registro = RegistroMercantil.objects.get(name="Registro Mercantil de Madrid")
    return {
        "case": "error23",
        "error_type": "ERROR 23 al firmar",
        "tax_id": "b-12345674",
        "flei_code": "F123456",
        "web_procedure": "Depósito de cuentas",
        "registro": registro.pk,
        "contact_phone": "600 123 456",
        "contact_person": "Ana Pérez",
        "note": "Llamó dos veces",
        **changes,
    }


def test_an_agent_escalates_with_the_packet_and_everyone_reads_it(api, agent, other_agent):
    ticket = make_incident(user=agent)

    response = api.post(url(ticket, "escalate"), error23(), format="json", HTTP_IF_MATCH='"1"')

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["assigned_group_name"].startswith("L1 COORDINACIÓN")
    assert response["ETag"] == f'"{body["version"]}"'
    packet = EscalationPacket.objects.get(ticket_number=ticket.number)
    # Normalised by the page's form.
    assert packet.data["tax_id"] == "B12345674" and packet.data["contact_phone"] == "600123456"
    entries = ticket.work_info.filter(created_at__gte=packet.escalated_at)
    assert {(e.author, e.channel) for e in entries} == {(agent, Channel.API)}

    read = token_client(other_agent).get(url(ticket, "packet"))
    assert read.status_code == 200
    shown = read.json()
    assert shown["case"] == "error23" and shown["state"] == "escalated"
    assert shown["note"] == "Llamó dos veces" and shown["escalated_by"] == agent.username
    items = {item["name"]: item for item in shown["items"]}
    assert items["registro"]["value"] == "Registro Mercantil de Madrid"
    assert items["registro"]["stored"] == packet.data["registro"]
    assert [r["event"] for r in shown["revisions"]] == ["escalated"]


def test_the_packet_is_validated_with_the_forms_messages(api, agent):
    ticket = make_incident(user=agent)

    response = api.post(
        url(ticket, "escalate"),
        error23(contact_phone="12", error_type=""),
        format="json",
        HTTP_IF_MATCH='"1"',
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["contact_phone"] == ["Escriba un teléfono de 9 a 15 cifras."]
    assert errors["error_type"] == ["Este dato es obligatorio para este caso."]
    assert not EscalationPacket.objects.exists()


def test_a_case_of_another_kind_is_refused_and_a_related_ticket_offered(api, agent):
    work_order = make_work_order(user=agent)

    refused = api.post(url(work_order, "escalate"), error23(), format="json", HTTP_IF_MATCH='"1"')
    assert refused.status_code == 400 and "case" in refused.json()["errors"]

    created = api.post(url(work_order, "escalate-related"), {"case": "error23"}, format="json")
    assert created.status_code == 201, created.json()
    number = created.json()["number"]
    assert number.startswith("INC") and created["Location"].endswith(f"/incidents/{number}/")
    incident = Incident.objects.get(number=number)
    assert {e.channel for e in incident.work_info.all()} == {Channel.API}


def test_an_unsolved_error_carries_its_screenshot_uploaded_with_the_packet(api, agent):
    ticket = make_incident(user=agent)

    response = api.post(
        url(ticket, "escalate"),
        {
            "case": "unsolved",
            "ip_address": "2001:db8::1",
            "error_at": "2026-11-30T09:15:00Z",
            "checks_done": "Caché borrada",
            "screenshot_upload": SimpleUploadedFile("pantalla.png", PNG, "image/png"),
        },
        format="multipart",
        HTTP_IF_MATCH='"1"',
    )

    assert response.status_code == 200, response.json()
    packet = EscalationPacket.objects.get()
    assert packet.data["error_at"] == "2026-11-30T10:15:00+01:00"
    entry_id, _sep, index = packet.data["screenshot"].partition(":")
    entry = ticket.work_info.get(pk=entry_id)
    assert entry.attachment_1.name.endswith(".png") and index == "1"
    assert entry.channel == Channel.API


def test_escalating_needs_if_match_and_a_stale_one_is_refused(api, agent):
    ticket = make_incident(user=agent)
    assert api.post(url(ticket, "escalate"), error23(), format="json").status_code == 428
    stale = api.post(url(ticket, "escalate"), error23(), format="json", HTTP_IF_MATCH='"9"')
    assert stale.status_code == 412
    assert not EscalationPacket.objects.exists()


def act(client, ticket, name: str, data: dict | None = None, *, etag: str | None = None):
    """POSTs one action on the ticket, If-Match ``etag`` or the version it has now."""
    if etag is None:
        ticket.refresh_from_db()
        etag = f'"{ticket.version}"'
    return client.post(url(ticket, name), data, format="json", HTTP_IF_MATCH=etag)


def test_the_coordinator_returns_takes_and_passes_to_l2(api, agent, coordinator):
    ticket = make_incident(user=agent)
    act(api, ticket, "escalate", error23(), etag='"1"')
    coordination = token_client(coordinator)

    # The agent cannot answer for the coordinator.
    assert act(api, ticket, "coordination-take").status_code == 403

    no_note = act(coordination, ticket, "coordination-return", {"missing": ["flei_code"]})
    assert no_note.status_code == 400
    assert no_note.json()["errors"]["note"] == [
        "Escribe una nota para el agente o para los especialistas."
    ]
    returned = act(
        coordination,
        ticket,
        "coordination-return",
        {"note": "El FLEI no existe", "missing": ["flei_code"]},
    )
    assert returned.status_code == 200, returned.json()
    assert returned.json()["assignee_username"] == agent.username
    packet = EscalationPacket.objects.get()
    assert packet.state == PacketState.RETURNED and packet.missing == ["flei_code"]

    # Not in coordination any more: the queue's actions are refused, as on the page.
    again = act(coordination, ticket, "coordination-take", etag=returned["ETag"])
    assert again.status_code == 400

    act(api, ticket, "escalate", error23(flei_code="F777"), etag=f'"{returned.json()["version"]}"')
    taken = act(coordination, ticket, "coordination-take")
    assert taken.status_code == 200 and taken.json()["assignee_username"] == coordinator.username
    passed = act(
        coordination, ticket, "coordination-specialists", {"note": "Para L2"}, etag=taken["ETag"]
    )
    assert passed.status_code == 200, passed.json()
    assert passed.json()["assigned_group_name"] == "L2 ESPECIALISTAS"
    packet.refresh_from_db()
    assert [r.event for r in packet.revisions.order_by("version")] == [
        PacketEvent.ESCALATED,
        PacketEvent.RETURNED,
        PacketEvent.RE_ESCALATED,
        PacketEvent.TAKEN,
        PacketEvent.SPECIALISTS,
    ]
    coordinator_entries = ticket.work_info.filter(author=coordinator)
    assert coordinator_entries and {e.channel for e in coordinator_entries} == {Channel.API}


def test_a_ticket_never_escalated_has_no_packet(api, agent):
    ticket = make_incident(user=agent)
    response = api.get(url(ticket, "packet"))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_cases_say_what_each_packet_carries(api):
    response = api.get(reverse("api:escalation_cases"))
    assert response.status_code == 200
    cases = {case["code"]: case for case in response.json()}
    assert cases["error23"]["kinds"] == ["incidents"]
    assert "workorders" in cases["flei"]["kinds"]
    assert {f["name"] for f in cases["unsolved"]["fields"]} >= {"screenshot", "ip_address"}


def test_bad_packets_are_4xx(api, coordinator, agent):
    ticket = make_incident(user=agent)
    bodies = [
        {"case": ["error23"]},
        {"case": "nonsense"},
        error23(note="a\x00b"),
        error23(registro=2**70),
        error23(registro=999999),
        error23(registro="Madrid"),
        error23(error_type="x" * 5000),
        {"case": "flei", "flei_code": "F1", "paid_on": "ayer", "amount": 10**30},
        {"case": "unsolved", "ip_address": "1.2.3.4", "error_at": "3026-01-01T00:00:00Z"},
        {"case": "unsolved", "screenshot": "99999999999999999999:1", "ip_address": "::1"},
        {"case": "linking", "forms_checked": "quizá"},
    ]
    for body in bodies:
        response = api.post(url(ticket, "escalate"), body, format="json", HTTP_IF_MATCH='"1"')
        assert response.status_code == 400, (body, response.content)
    malformed = api.generic(
        "POST",
        url(ticket, "escalate"),
        b"{not json",
        content_type="application/json",
        HTTP_IF_MATCH='"1"',
    )
    assert malformed.status_code == 400
    garbage = api.post(url(ticket, "escalate"), error23(), format="json", HTTP_IF_MATCH="W/x")
    assert garbage.status_code == 412
    coordination = token_client(coordinator)
    for body in ({"missing": "flei_code"}, {"missing": ["x" * 100]}, {"note": ["a"]}):
        response = coordination.post(
            url(ticket, "coordination-return"), body, format="json", HTTP_IF_MATCH='"1"'
        )
        assert response.status_code == 400, (body, response.content)
    assert not EscalationPacket.objects.exists()
