"""Back to a pending ticket: found from the magnifier, resolved, related to a
work order."""

import re

import pytest
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.models import RequiresAttention, Status, StatusReason, TicketTemplate
from itsm.selectors import ticket_relations
from itsm.services.ticket_create import ticket_create
from itsm.tests.browser.helpers import expect_tab_shown, log_in, screenshot
from itsm.tests.factories import make_work_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def caller(reference):
    return CustomerFactory(first_name="Lucía", surnames="Ibáñez Gómez", tax_id="12345678Z")


@pytest.fixture
def pending_incident(agent, caller) -> Incident:
    """The call of the new-ticket test, left pending for the customer's screenshot."""
    return ticket_create(
        model=Incident,
        user=agent,
        customer=caller,
        template=TicketTemplate.objects.get(name="CAMPAÑA PORTAL - ERROR DE ENVÍO"),
        assignee=agent,
        status=Status.PENDING,
        status_reason=StatusReason.objects.get(
            kind="INC", status=Status.PENDING, name="Info. adicional solicitada sobre cliente"
        ),
        work_info_notes="Se le pide una captura de pantalla del error.",
    )


@pytest.fixture
def work_order(other_agent):
    """The customer's earlier question, logged by another agent."""
    return make_work_order(user=other_agent)


def find_it_from_the_magnifier(page, incident: Incident) -> None:
    # "/" puts the cursor in the magnifier; the surname goes in without accents.
    page.keyboard.press("/")
    search = page.locator("#global-search")
    expect(search).to_be_focused()
    search.press_sequentially("ibanez")
    search.press("Enter")
    page.wait_for_url("**/search/?q=ibanez")
    expect(page.locator("h1")).to_have_text("Resultados de «ibanez»")
    customers = page.locator("#customers-heading + article, #customers-heading ~ article")
    expect(customers).to_have_count(1)
    expect(customers).to_contain_text("Lucía Ibáñez Gómez")
    screenshot(page, "05-search-results")

    customers.get_by_role("link", name=incident.number).click()
    page.wait_for_url(f"**/incidents/{incident.number}/")
    expect(page.locator("#ticket-status")).to_contain_text("Pendiente")


def resolve_it(page, incident: Incident) -> None:
    # Resolver: the reason, RESUELTO already in the resolution, a note, Ctrl+Enter.
    page.locator('#quick-actions [data-bs-target="#action-resolve"]').click()
    resolve = page.locator("#action-resolve")
    expect(resolve).to_be_visible()
    resolve.locator("#id_resolve-status_reason").select_option(label="Acción adicional innecesaria")
    expect(resolve.locator("#id_resolve-resolution")).to_have_value("RESUELTO")
    note = resolve.locator("#id_resolve-note")
    note.fill("La usuaria envía la captura; era un certificado caducado, ya renovado.")
    note.press("Control+Enter")

    page.wait_for_url(f"**/incidents/{incident.number}/")
    expect(page.locator(".alert-success")).to_contain_text(f"{incident.number} resuelta")
    status = page.locator("#ticket-status")
    expect(status).to_contain_text("Resuelto")
    expect(status).to_contain_text("Acción adicional innecesaria")
    expect(page.locator("#ticket-header")).not_to_contain_text("Requiere respuesta")
    expect(page.locator("#history-entries")).to_contain_text("certificado caducado")


def relate_the_work_order(page, incident: Incident, work_order) -> None:
    # Relations tab: "wo" and the digits of the work order, then Relacionar.
    page.get_by_role("tab", name=re.compile("Relaciones")).click()
    lookup = page.locator("#relation-q")
    expect(lookup).to_be_visible()
    lookup.press_sequentially(f"wo {int(work_order.number[2:])}")
    hit = page.locator("[data-relation-hit]")
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text(work_order.number)
    hit.get_by_role("button", name="Relacionar").click()

    page.wait_for_url(f"**/incidents/{incident.number}/#relations")
    # Back on the ticket with the Relations tab open, showing the work order.
    expect_tab_shown(page, "relations")
    relations = page.locator("#relation-list")
    expect(relations).to_contain_text(work_order.number)
    screenshot(page, "06-ticket-relations")

    # The relation shows on the work order too.
    relations.get_by_role("link", name=work_order.number).click()
    page.wait_for_url(f"**/workorders/{work_order.number}/")
    page.get_by_role("tab", name=re.compile("Relaciones")).click()
    expect_tab_shown(page, "relations")
    expect(page.locator("#relation-list")).to_contain_text(incident.number)


def test_an_agent_finds_resolves_and_relates_a_pending_incident(
    page, agent, caller, pending_incident, work_order
):
    # Other customers whose names look alike must not get in the way.
    CustomerFactory(first_name="Pedro", surnames="Ibarra Ruiz")
    CustomerFactory(first_name="Ibán", surnames="Martín Sanz")
    log_in(page, agent)

    find_it_from_the_magnifier(page, pending_incident)
    resolve_it(page, pending_incident)
    relate_the_work_order(page, pending_incident, work_order)

    pending_incident.refresh_from_db()
    assert pending_incident.status == Status.RESOLVED
    assert pending_incident.resolution == "RESUELTO"
    assert pending_incident.requires_attention == RequiresAttention.NONE
    assert [other.number for _relation, other in ticket_relations(work_order)] == [
        pending_incident.number
    ]
