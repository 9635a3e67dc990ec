"""The coordination console lists escalation packets: their case, completeness
and age, filtered across keyset pages in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from itsm.common import pagination
from itsm.models import EscalationPacket, RegistroMercantil
from itsm.services.escalation import ticket_escalate
from itsm.tests.escalation import COORDINATION, url
from itsm.tests.factories import escalate_other, make_incident, make_work_order

pytestmark = pytest.mark.usefixtures("private_media")


# --- the coordination console --------------------------------------------------------


@pytest.fixture
def queue(agent):
    """Three escalations: ERROR 23 (complete, old), other (returned), unsolved."""
    old = make_incident(user=agent)
    ticket_escalate(
        ticket=old,
        user=agent,
        expected_version=1,
        case="error23",
        data={
            "error_type": "E23",
            "tax_id": "B12345674",
            "flei_code": "F1",
            "web_procedure": "Depósito",
            "registro": RegistroMercantil.objects.first().pk,
            "contact_phone": "600000000",
            "contact_person": "Ana",
        },
    )
    EscalationPacket.objects.filter(ticket_number=old.number).update(
        escalated_at=timezone.now() - timedelta(days=4)
    )
    returned = escalate_other(make_work_order(user=agent), agent)
    return {
        "old": old,
        "returned": returned,
        "plain": escalate_other(make_incident(user=agent), agent),
    }


def numbers(response) -> set[str]:
    return {row.ticket.number for row in response.context["rows"]}


def test_console_rows_show_case_completeness_and_age(client, coordinator, queue):
    client.force_login(coordinator)
    page = client.get(COORDINATION).content.decode()
    row = page[page.index(f'id="ticket-{queue["old"].number}"') :]
    assert "ERROR 23" in row and "Datos completos" in row and "esperando 4" in row


def test_console_filters_by_case_completeness_and_age(client, agent, coordinator, queue):
    EscalationPacket.objects.filter(ticket_number=queue["returned"].number).update(complete=False)
    client.force_login(coordinator)
    assert numbers(client.get(COORDINATION, {"case": "error23"})) == {queue["old"].number}
    assert numbers(client.get(COORDINATION, {"complete": "no"})) == {queue["returned"].number}
    assert numbers(client.get(COORDINATION, {"age": "3d"})) == {queue["old"].number}
    assert len(numbers(client.get(COORDINATION, {"case": ""}))) == 3


def test_console_keeps_its_filters_across_keyset_pages(client, agent, coordinator, monkeypatch):
    tickets = [escalate_other(make_incident(user=agent), agent) for _ in range(3)]
    escalate_other(make_work_order(user=agent), agent)
    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)
    client.force_login(coordinator)
    response = client.get(COORDINATION, {"case": "other"})
    assert "case=other" in response.context["next_url"]
    second = client.get(COORDINATION + response.context["next_url"])
    assert len(numbers(response) | numbers(second)) == 4
    assert {t.number for t in tickets} <= numbers(response) | numbers(second)


def test_console_with_packets_runs_a_fixed_number_of_queries(
    client, agent, coordinator, queue, django_assert_max_num_queries
):
    for _ in range(10):
        escalate_other(make_incident(user=agent), agent)
    client.force_login(coordinator)
    client.get(COORDINATION)
    with django_assert_max_num_queries(11):
        response = client.get(COORDINATION, {"case": "other", "complete": "yes", "age": "4h"})
    assert response.status_code == 200


def test_ticket_page_with_a_packet_runs_a_fixed_number_of_queries(
    client, agent, queue, django_assert_max_num_queries
):
    client.force_login(agent)
    client.get(url(queue["old"], "detail"))
    with django_assert_max_num_queries(15):
        response = client.get(url(queue["old"], "detail"))
    assert response.context["packet"].case_label == "ERROR 23"
