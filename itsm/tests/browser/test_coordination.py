"""Escalation: an agent sends a ticket to coordination, a coordinator picks
it up from the coordination console."""

import pytest
from playwright.sync_api import expect

from itsm.models import TicketTemplate
from itsm.selectors import coordination_group
from itsm.tests.browser.helpers import screenshot
from itsm.tests.factories import escalate_other, make_incident, make_work_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The most common office laptop screen.
SMALL_SCREEN = {"width": 1366, "height": 768}

NOTE = (
    "FLEI: pagó la deuda el 03/03 (245,30 €) y FLEI no lo muestra confirmado; "
    "código FLEI 0123456. No puede depositar las cuentas."
)


@pytest.fixture
def waiting_already(other_agent):
    """A ticket escalated earlier: the queue is oldest first."""
    incident = make_incident(user=other_agent)
    description = "ERROR 23 en el trámite de depósito; captura adjunta por correo."
    return escalate_other(incident, other_agent, description)


@pytest.fixture
def unconfirmed_payment(agent):
    return make_work_order(
        user=agent,
        assignee=agent,
        template=TicketTemplate.objects.get(name="CAMPAÑA FLEI - PAGO NO CONFIRMADO"),
    )


def escalate_the_flei_case(page, number: str) -> None:
    """The agent finds the work order by its number and escalates it as a
    FLEI inconsistency, the case's form coming in place."""
    # The full number in the magnifier goes straight to the ticket.
    page.keyboard.press("/")
    page.keyboard.type(number)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/workorders/{number}/")

    page.locator('#quick-actions [data-bs-target="#action-escalate"]').click()
    # The case's form comes in place: the page is not loaded again.
    page.evaluate("window.pageNotReloaded = true")
    page.get_by_label("Caso de escalado").select_option(label="Incongruencia en FLEI")
    expect(page.locator("#escalation-packet-form")).to_be_visible()
    expect(page.locator("#escalation-help")).to_contain_text("Fecha del pago")
    assert page.evaluate("window.pageNotReloaded === true")
    page.get_by_label("Código FLEI").fill("0123456")
    page.get_by_label("Fecha del pago").fill("2026-03-03")
    page.get_by_label("Importe pagado (€)").fill("245.30")
    note = page.locator("#id_escalate-note")
    expect(note).to_be_visible()
    note.fill(NOTE)
    note.press("Control+Enter")
    page.wait_for_url(f"**/workorders/{number}/")
    expect(page.locator(".alert-success")).to_contain_text(number)
    expect(page.locator("#ticket-group")).to_have_text("L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS")
    expect(page.locator("#ticket-assignee")).to_have_text("Sin asignar")
    expect(page.locator("#history-entries")).to_contain_text(NOTE)


def test_a_coordinator_takes_what_an_agent_escalated(
    page_as, agent, coordinator, waiting_already, unconfirmed_payment
):
    number = unconfirmed_payment.number
    page = page_as(agent)
    escalate_the_flei_case(page, number)

    # The coordinator, in a browser of their own.
    coordination = page_as(coordinator)
    coordination.get_by_role("link", name="Coordinación", exact=True).click()
    coordination.wait_for_url("**/coordination/")
    rows = coordination.locator(".coordination-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(waiting_already.number)
    row = coordination.locator(f"#ticket-{number}")
    expect(row).to_be_visible()
    expect(row.locator(".escalation-note")).to_contain_text(NOTE)
    expect(row.locator(".escalation-note")).to_contain_text("Agente")
    screenshot(coordination, "07-coordination")

    row.get_by_role("button", name="Tomar").click()
    coordination.wait_for_url("**/coordination/")
    expect(coordination.locator(".alert-success")).to_contain_text(number)
    row = coordination.locator(f"#ticket-{number}")
    expect(row).to_contain_text("Coordinador")
    # The agent's note stays, with the agent's name, after the coordinator took it.
    expect(row.locator(".escalation-note")).to_contain_text(NOTE)
    expect(row.locator(".escalation-note")).to_contain_text("Agente")
    coordination.set_viewport_size(SMALL_SCREEN)
    screenshot(coordination, "1366-coordination")

    row.get_by_role("link", name=number).click()
    coordination.wait_for_url(f"**/workorders/{number}/")
    box = coordination.locator("#escalation-packet")
    expect(box.locator("#escalation-packet-note")).to_contain_text(NOTE)
    expect(box).to_contain_text("Agente")
    screenshot(coordination, "1366-ticket-packet")

    unconfirmed_payment.refresh_from_db()
    assert unconfirmed_payment.assigned_group == coordination_group()
    assert unconfirmed_payment.assignee == coordinator
