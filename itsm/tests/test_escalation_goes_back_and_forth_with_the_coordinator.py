"""The escalation loop: returned with what is missing, completed and escalated
again, taken, passed to L2 with its packet; only agents may escalate."""

import pytest
from django.urls import reverse
from django.utils import translation

from itsm.models import EscalationPacket, PacketEvent, PacketState
from itsm.presenters import entry_text
from itsm.services.escalation import ticket_pass_to_specialists, ticket_return_to_agent
from itsm.tests.escalation import error23_data, url
from itsm.tests.factories import escalate_other, make_incident, make_work_order

pytestmark = pytest.mark.usefixtures("private_media")


# --- the loop with the coordinator ---------------------------------------------------


def test_return_with_missing_then_complete_and_escalate_again(client, agent, coordinator):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    client.post(url(ticket, "escalate"), error23_data(ticket, flei_code="F000"))
    ticket.refresh_from_db()

    client.force_login(coordinator)
    response = client.post(
        reverse("coordination_return", args=[ticket.number]),
        {"version": ticket.version, "note": "El código FLEI no existe", "missing": ["flei_code"]},
    )
    assert response.status_code == 302
    packet = EscalationPacket.objects.get()
    assert packet.state == PacketState.RETURNED and not packet.complete
    assert packet.missing == ["flei_code"] and packet.times_returned == 1
    ticket.refresh_from_db()
    assert ticket.assignee == agent and not ticket.assigned_group.is_coordination

    client.force_login(agent)
    response = client.get(url(ticket, "detail"))
    page = response.content.decode()
    returned = page[page.index('id="packet-returned"') :]
    assert "Falta: código FLEI" in returned and "El código FLEI no existe" in returned
    form = response.context["escalation_form"]
    assert form.case.code == "error23" and form["contact_person"].value() == "Ana Pérez"
    assert "Devuelta al agente · ERROR 23 · Falta: código FLEI" in page
    # The journal keeps the step as facts and the coordinator's note as typed.
    entry = ticket.work_info.get(event="packet", data__event="returned")
    assert entry.notes == "El código FLEI no existe"
    assert entry.data == {"event": "returned", "case": "error23", "missing": ["flei_code"]}
    with translation.override("en"):
        assert entry_text(entry) == (
            "Returned to the agent · ERROR 23 · Missing: FLEI code\n\nEl código FLEI no existe"
        )

    response = client.post(url(ticket, "escalate"), error23_data(ticket, flei_code="F777"))
    assert response.status_code == 302
    packet.refresh_from_db()
    assert packet.state == PacketState.ESCALATED and packet.complete and packet.missing == []
    assert packet.data["flei_code"] == "F777" and packet.version == 3
    assert [r.event for r in packet.revisions.order_by("version")] == [
        PacketEvent.ESCALATED,
        PacketEvent.RETURNED,
        PacketEvent.RE_ESCALATED,
    ]


def test_return_refuses_items_not_in_the_case(agent, coordinator):
    from django.core.exceptions import ValidationError

    ticket = escalate_other(make_incident(user=agent), agent)
    with pytest.raises(ValidationError):
        ticket_return_to_agent(
            ticket=ticket,
            user=coordinator,
            expected_version=ticket.version,
            note="x",
            missing=["flei_code"],
        )


def test_passing_to_l2_carries_the_packet(client, agent, coordinator, django_user_model):
    ticket = escalate_other(make_incident(user=agent), agent, "Caso especial")
    ticket_pass_to_specialists(
        ticket=ticket, user=coordinator, expected_version=ticket.version, note="Para L2"
    )
    packet = EscalationPacket.objects.get()
    assert packet.state == PacketState.SPECIALISTS
    client.force_login(coordinator)
    page = client.get(url(ticket, "detail")).content.decode()
    assert 'id="escalation-packet"' in page and "Caso especial" in page
    assert "Pasada a L2 ESPECIALISTAS" in page


def test_taking_records_the_event(client, agent, coordinator):
    ticket = escalate_other(make_incident(user=agent), agent)
    client.force_login(coordinator)
    client.post(reverse("coordination_take", args=[ticket.number]), {"version": ticket.version})
    packet = EscalationPacket.objects.get()
    assert packet.state == PacketState.TAKEN


# --- access ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["escalate", "escalate_as_related"])
def test_escalation_views_need_an_agent(client, agent, outsider, name):
    ticket = make_work_order(user=agent)
    response = client.post(url(ticket, name), {"case": "error23"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(outsider)
    assert client.post(url(ticket, name), {"case": "error23"}).status_code == 403
    client.force_login(agent)
    assert client.get(url(ticket, name)).status_code == 405
