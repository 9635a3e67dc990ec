"""The escalation story end to end: an agent escalates an ERROR 23 incident
with its packet; the coordinator returns it asking for the FLEI code; the
agent completes it; the coordinator passes it to L2; the dashboard counts it
and a click lands on the coordination console filtered to it."""

import re

import pytest
from playwright.sync_api import expect

from customers.models import CustomerKind
from customers.tests.factories import CustomerFactory
from itsm.models import EscalationPacket, PacketState
from itsm.selectors import specialists_group
from itsm.tests.browser.helpers import screenshot
from itsm.tests.factories import make_incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def incident(agent):
    customer = CustomerFactory(kind=CustomerKind.SUBSCRIBER, flei_code="", tax_id="B12345674")
    return make_incident(user=agent, assignee=agent, customer=customer)


def agent_escalates_error23(page, incident) -> None:
    """The first try lacks the FLEI code: the form says so and keeps the rest."""
    page.goto(incident.get_absolute_url())
    page.locator('#quick-actions [data-bs-target="#action-escalate"]').click()
    page.get_by_label("Caso de escalado").select_option(label="ERROR 23")
    # The checklist beside the form is the chosen case's.
    expect(page.locator("#escalation-help")).to_contain_text("Registro Mercantil afectado")
    form = page.locator("#escalation-packet-form")
    expect(form.get_by_label("CIF/NIF del abonado")).to_have_value("B12345674")
    form.get_by_label("Tipo de error").fill("ERROR 23 al firmar el depósito")
    form.get_by_label("Trámite web").fill("Depósito de cuentas")
    form.get_by_label("Registro Mercantil afectado").select_option(
        label="Registro Mercantil de Madrid"
    )
    form.get_by_label("Persona de contacto").fill("Ana Pérez")
    form.get_by_role("button", name="Escalar a coordinación").click()
    expect(form.locator(".invalid-feedback")).to_contain_text("obligatorio")
    expect(form.get_by_label("Persona de contacto")).to_have_value("Ana Pérez")
    form.get_by_label("Código FLEI").fill("F000000")
    with page.expect_navigation(timeout=30_000):
        form.get_by_role("button", name="Escalar a coordinación").click()
    expect(page.locator(".alert-success")).to_contain_text(incident.number)
    expect(page.locator("#escalation-packet")).to_contain_text("Registro Mercantil de Madrid")


def coordinator_returns_asking_for_the_flei_code(coordination, number: str) -> None:
    coordination.goto("/coordination/")
    row = coordination.locator(f"#ticket-{number}")
    expect(row.locator(".packet-summary")).to_contain_text("ERROR 23")
    expect(row.locator(".packet-summary")).to_contain_text("Datos completos")
    row.locator("summary", has_text="Devolver al agente").click()
    row.get_by_label("Código FLEI").check()
    row.locator("textarea[name=note]").first.fill("El código FLEI no existe; pídalo de nuevo.")
    row.locator("details[open]").get_by_role("button", name="Devolver al agente").click()
    expect(coordination.locator(".alert-success")).to_contain_text(number)


def agent_completes_the_returned_packet(page, incident) -> None:
    page.goto(incident.get_absolute_url())
    expect(page.locator("#escalation-packet")).to_contain_text("Falta: código FLEI")
    page.locator('#quick-actions [data-bs-target="#action-escalate"]').click()
    # The panel has finished opening (its first field takes the focus then).
    expect(page.locator("#action-escalate")).to_have_class(re.compile(r"\bshow\b"))
    expect(page.locator("#packet-returned")).to_contain_text("El código FLEI no existe")
    form = page.locator("#escalation-packet-form")
    expect(form.get_by_label("Persona de contacto")).to_have_value("Ana Pérez")
    form.get_by_label("Código FLEI").fill("F123456")
    # A POST, a redirect and the page again: wait for the load, not just 5 s.
    with page.expect_navigation(timeout=30_000):
        form.get_by_role("button", name="Escalar a coordinación").click()
    expect(page.locator(".alert-success")).to_contain_text(incident.number)


def coordinator_passes_to_l2(coordination, number: str) -> None:
    coordination.goto("/coordination/")
    row = coordination.locator(f"#ticket-{number}")
    row.locator("summary", has_text="Pasar a L2 ESPECIALISTAS").click()
    row.locator("details[open] textarea[name=note]").fill("Para especialistas")
    row.locator("details[open]").get_by_role("button", name="Pasar a L2 ESPECIALISTAS").click()
    expect(coordination.locator(".alert-success")).to_contain_text(number)


def test_error23_escalation_returned_completed_and_passed_to_l2(
    page_as, agent, coordinator, incident
):
    number = incident.number
    page = page_as(agent)
    agent_escalates_error23(page, incident)

    coordination = page_as(coordinator)
    coordinator_returns_asking_for_the_flei_code(coordination, number)
    agent_completes_the_returned_packet(page, incident)
    coordinator_passes_to_l2(coordination, number)
    packet = EscalationPacket.objects.get(ticket_number=number)
    assert packet.state == PacketState.SPECIALISTS and packet.data["flei_code"] == "F123456"
    incident.refresh_from_db()
    assert incident.assigned_group == specialists_group()

    # The dashboard counts it; its figure opens the console filtered to it.
    coordination.goto("/dashboard/")
    chart = coordination.locator("#chart-escalations")
    expect(chart.locator("table")).to_contain_text("ERROR 23 · Pasada a L2 ESPECIALISTAS")
    screenshot(coordination, "08-dashboard")
    # The figures are folded under the chart.
    expect(chart.locator("table")).to_be_hidden()
    chart.get_by_text("Ver las cifras").click()
    chart.locator("table a").first.click()
    coordination.wait_for_url("**/coordination/?case=error23")
    expect(coordination.locator("#id_case")).to_have_value("error23")
