"""The mailbox as an agent uses it: take a message, create an incident from
it with the customer and the files prefilled, see it on the ticket; a
hostile HTML mail shows inert."""

import pytest
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.tests.browser.helpers import expect_tab_shown, log_in, screenshot
from notifications.models import InboundEmail, InboundStatus
from notifications.services.inbound import inbound_receive
from notifications.tests import corpus
from workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def receive(raw: bytes) -> InboundEmail:
    return InboundEmail.objects.get(pk=inbound_receive(raw=raw, source="pipe").email_id)


def test_an_agent_turns_a_message_into_an_incident(page, agent, private_media):
    customer = CustomerFactory(
        first_name="Lucía", surnames="Ibáñez Gómez", email="lucia.ibanez@example.com"
    )
    email = receive(
        corpus.plain(
            sender="Lucía Ibáñez <lucia.ibanez@example.com>",
            subject="Error al presentar el depósito",
            body="El portal me da ERROR 23 al firmar.\n\nLucía",
            attachments=[("captura.png", "image/png", corpus.PNG)],
        )
    )
    log_in(page, agent)
    page.get_by_role("link", name="Buzón").click()
    page.wait_for_url("**/mailbox/")
    page.get_by_role("link", name="Error al presentar el depósito").click()
    expect(page.locator("#message-text")).to_contain_text("ERROR 23 al firmar")
    expect(page.locator("#message-customer")).to_contain_text("Lucía Ibáñez Gómez")
    page.get_by_role("button", name="Asignarme").click()
    expect(page.locator("#message-assignee")).to_contain_text("Agente")
    screenshot(page, "mailbox-message")

    page.get_by_role("link", name="Crear incidencia").click()
    page.wait_for_url(f"**/mailbox/{email.pk}/new/INC/")
    expect(page.locator("#customer-card")).to_contain_text("Lucía Ibáñez Gómez")
    expect(page.locator("#id_summary")).to_have_value("Error al presentar el depósito")
    expect(page.locator("#id_description")).to_have_value(
        "El portal me da ERROR 23 al firmar.\n\nLucía"
    )
    expect(page.locator("#inbound-files")).to_contain_text("captura.png")
    screenshot(page, "mailbox-new-incident")
    page.get_by_role("button", name="Guardar").click()
    page.wait_for_url("**/incidents/INC*/")

    incident = Incident.objects.get()
    assert incident.customer_id == customer.pk
    expect(page.locator("#history")).to_contain_text("captura.png")
    page.get_by_role("tab", name="Correo electrónico").click()
    expect_tab_shown(page, "emails")
    expect(page.locator("#emails")).to_contain_text("Error al presentar el depósito")
    email.refresh_from_db()
    assert email.status == InboundStatus.DONE and email.ticket_number == incident.number


def test_hostile_html_shows_inert(page, agent, private_media):
    email = receive(corpus.html_only(corpus.HOSTILE_HTML))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, agent)
    page.goto(f"/mailbox/{email.pk}/")
    body = page.locator("#message-html")
    expect(body).to_contain_text("Texto visible")
    expect(body.locator("script, form, iframe, style")).to_have_count(0)
    expect(body.locator("[onerror]")).to_have_count(0)
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert not dialogs
    assert not [url for url in requests if "tracker.example.net" in url or "evil" in url]
    # The page is still usable: nothing covers it.
    expect(page.get_by_role("button", name="Asignarme")).to_be_visible()
    expect(page.locator("#remote-images-blocked")).to_be_visible()


def test_a_ticket_from_a_message_starts_where_the_agent_types_and_saves_with_ctrl_enter(
    page, agent, private_media
):
    CustomerFactory(first_name="Marta", surnames="Ruiz", email="marta.ruiz@example.com")
    email = receive(
        corpus.plain(
            sender="Marta Ruiz <marta.ruiz@example.com>",
            subject="No encuentro el justificante",
            body="¿Dónde descargo el justificante del depósito?",
        )
    )
    receive(corpus.plain(subject="Otra consulta"))
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, agent)
    page.goto("/mailbox/")
    # The consoles' filter bar: the status choices fold, the dates sit on one line.
    filters = page.locator("#mailbox-filters")
    expect(filters.locator("select[multiple]")).to_have_count(0)
    filters.locator("#choices-status summary").click()
    filters.get_by_label("Nuevo", exact=True).check()
    start = filters.get_by_label("desde")
    end = filters.get_by_label("hasta")
    assert abs(start.bounding_box()["y"] - end.bounding_box()["y"]) < 2
    screenshot(page, "1366-mailbox")
    filters.get_by_role("button", name="Buscar").click()
    page.wait_for_url("**/mailbox/?*status=new*")
    expect(page.locator("#mailbox-table")).to_contain_text("No encuentro el justificante")

    page.goto(f"/mailbox/{email.pk}/new/WO/")
    # The customer is known and the summary is the subject: the cursor is in the template.
    expect(page.locator("#id_template")).to_be_focused()
    expect(page.locator("#id_assignee")).to_have_value(str(agent.pk))
    page.locator("#id_template").select_option(label="CAMPAÑA FLEI - PAGO NO CONFIRMADO")
    offer = page.locator("#summary-offer")
    expect(offer).to_contain_text("Pago realizado no confirmado en FLEI")
    expect(page.locator("#id_summary")).to_have_value("No encuentro el justificante")
    expect(page.locator("#template-fields")).to_contain_text("Facturación de abonados")
    screenshot(page, "1366-mailbox-new-work-order")
    offer.get_by_role("button", name="Usar el resumen de la plantilla").click()
    expect(page.locator("#id_summary")).to_have_value("Pago realizado no confirmado en FLEI")
    expect(page.locator("#summary-offer")).to_have_count(0)
    page.locator("#id_description").focus()
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    page.wait_for_url("**/workorders/WO*/")
    work_order = WorkOrder.objects.get()
    assert work_order.assignee == agent
    assert work_order.summary == "Pago realizado no confirmado en FLEI"
