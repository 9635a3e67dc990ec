"""Taking a call: the new-ticket page in a real browser, by keyboard where it
promises it."""

import re

import pytest
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.models import RequiresAttention, Status
from itsm.tests.browser.helpers import log_in, screenshot
from itsm.tests.factories import make_incident, make_work_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The portal fails when the user sends: the fault is in our system, an incident.
TEMPLATE = "CAMPAÑA PORTAL - ERROR DE ENVÍO"
TEMPLATE_SUMMARY = "Error al enviar a través del portal"
PENDING_REASON = "Info. adicional solicitada sobre cliente"
NOTE = "Al enviar las cuentas el portal muestra un error; se le pide una captura de pantalla."


@pytest.fixture
def caller(reference):
    # Found by the tax ID as typed on the phone and by the surname without accents.
    return CustomerFactory(first_name="Lucía", surnames="Ibáñez Gómez", tax_id="12345678Z")


@pytest.fixture
def busy_desk(agent, other_agent, caller):
    """Some tickets already on the desk, so the console is not empty."""
    for _ in range(3):
        make_incident(user=agent, assignee=agent)
    make_work_order(user=other_agent)
    make_incident(user=other_agent, customer=caller)


def find_and_pick_customer(page, typed: str, name: str) -> None:
    """*Consultar cliente*: type, arrow down to the result, Enter picks it."""
    lookup = page.locator("#customer-q")
    expect(lookup).to_be_focused()
    lookup.press_sequentially(typed)
    results = page.locator("#customer-results [data-customer-result]")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(name)
    lookup.press("ArrowDown")
    expect(results.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#customer-card")).to_contain_text(name)
    # Picking a customer moves on to the template, found by any word of its name.
    expect(page.locator("#id_template-filter")).to_be_focused()


def test_an_agent_logs_a_call_as_a_pending_incident(page, agent, caller, busy_desk):
    log_in(page, agent)
    page.goto("/incidents/")
    expect(page.locator("h1")).to_have_text("Incidencias")
    # The default view: the agent's own open tickets.
    expect(page.locator(".console-table tbody tr")).to_have_count(3)
    screenshot(page, "01-incident-console")

    # "n" opens a new ticket of the console the agent is in.
    page.keyboard.press("n")
    page.wait_for_url("**/incidents/new/")
    expect(page.locator("h1")).to_have_text("Nueva incidencia")

    find_and_pick_customer(page, "12.345.678-z", "Lucía Ibáñez Gómez")
    # The caller's other open ticket is shown, to spot a duplicate.
    expect(page.locator("#customer-picked")).to_contain_text("INC")

    page.locator("#id_template").select_option(label=TEMPLATE)
    expect(page.locator("#id_summary")).to_have_value(TEMPLATE_SUMMARY)
    section_3 = page.locator("#template-fields")
    expect(section_3).to_contain_text(TEMPLATE)
    expect(section_3).to_contain_text("Fallo › Portal › Envío")
    expect(section_3).to_contain_text("Portal Registradores")

    page.locator("#id_description").fill("Llama desde la gestoría; error al enviar las cuentas.")
    page.locator("#id_status").select_option(label="Pendiente")
    # The form shows what the ticket will store: pending requires a response.
    expect(page.locator("#id_requires_attention")).to_have_value("response")
    reason = page.locator("#id_status_reason")
    expect(reason.locator("option", has_text=PENDING_REASON)).to_have_count(1)
    reason.select_option(label=PENDING_REASON)
    notes = page.locator("#id_work_info_notes")
    notes.fill(NOTE)
    screenshot(page, "02-new-incident")

    notes.press("Control+Enter")
    page.wait_for_url(re.compile(r"/incidents/INC\d{12}/$"))

    status = page.locator("#ticket-status")
    expect(status).to_contain_text("Pendiente")
    expect(status).to_contain_text(PENDING_REASON)
    expect(page.locator("#ticket-header")).to_contain_text("Requiere respuesta")
    expect(page.locator("#ticket-header")).to_contain_text("Lucía Ibáñez Gómez")
    expect(page.locator("#history-entries")).to_contain_text(NOTE)
    screenshot(page, "03-ticket-page")

    ticket = Incident.objects.get(number=page.url.rstrip("/").rsplit("/", 1)[1])
    assert ticket.customer == caller
    assert ticket.template.name == TEMPLATE
    assert ticket.status == Status.PENDING
    assert ticket.status_reason.name == PENDING_REASON
    assert ticket.requires_attention == RequiresAttention.RESPONSE
    assert ticket.assignee is None or ticket.assignee == agent
    assert ticket.created_by == agent


def test_saving_without_a_customer_keeps_what_was_typed(page, agent, caller):
    log_in(page, agent)
    page.goto("/workorders/new/")
    expect(page.locator("h1")).to_have_text("Nueva orden de trabajo")

    page.locator("#id_summary").fill("No encuentra dónde legalizar los libros")
    page.locator("#id_description").fill("Pregunta por la legalización telemática.")
    page.locator("#id_status").select_option(label="Pendiente")
    reason = page.locator("#id_status_reason")
    expect(reason.locator("option", has_text="Requiere acción del cliente")).to_have_count(1)
    reason.select_option(label="Requiere acción del cliente")
    page.locator("#id_work_info_notes").fill("Se le explica el procedimiento por teléfono.")
    page.get_by_role("button", name="Guardar", exact=True).click()

    page.wait_for_load_state()
    expect(page.locator(".alert-danger").first).to_contain_text(
        "La gestión no se ha creado: corrija los campos marcados."
    )
    expect(page.locator("#customer-errors")).to_have_text(
        re.compile(r"Busque el cliente con «Consultar cliente» o créelo\.")
    )
    expect(page.locator("#id_summary")).to_have_value("No encuentra dónde legalizar los libros")
    expect(page.locator("#id_description")).to_have_value(
        "Pregunta por la legalización telemática."
    )
    expect(page.locator("#id_status")).to_have_value(Status.PENDING)
    expect(page.locator("#id_status_reason option:checked")).to_have_text(
        "Requiere acción del cliente"
    )
    expect(page.locator("#id_work_info_notes")).to_have_value(
        "Se le explica el procedimiento por teléfono."
    )
    screenshot(page, "04-new-work-order-error")

    # The agent finds the customer and saves again: nothing needs retyping.
    page.locator("#customer-q").focus()
    find_and_pick_customer(page, "ibanez", "Lucía Ibáñez Gómez")
    expect(page.locator("#customer-errors")).to_have_count(0)
    page.locator("#id_work_info_notes").press("Control+Enter")
    page.wait_for_url(re.compile(r"/workorders/WO\d{13}/$"))
    expect(page.locator("#ticket-status")).to_contain_text("Pendiente")
    expect(page.locator("#history-entries")).to_contain_text(
        "Se le explica el procedimiento por teléfono."
    )
    assert caller.workorders.get().summary == "No encuentra dónde legalizar los libros"
