"""The escalation guidance panel and the packet form: the cases of the ticket's
kind, brought without reloading, prefilled from the customer."""

import pytest

from itsm.models import RegistroMercantil
from itsm.services.escalation import ticket_take
from itsm.tests.escalation import subscriber, url
from itsm.tests.factories import escalate_other, make_incident, make_work_order

pytestmark = pytest.mark.usefixtures("private_media")


# --- seeds and the guidance panel --------------------------------------------------


def test_registros_mercantiles_are_seeded_by_province(reference):
    assert RegistroMercantil.objects.count() == 52
    assert RegistroMercantil.objects.filter(province="Santa Cruz de Tenerife").exists()


def test_guidance_shows_only_the_cases_of_the_kind(client, agent):
    incident = make_incident(user=agent)
    work_order = make_work_order(user=agent)
    client.force_login(agent)
    incident_help = client.get(url(incident, "detail")).context["escalation_cases"]
    work_order_help = client.get(url(work_order, "detail")).context["escalation_cases"]
    assert [case.code for case in incident_help] == ["error23", "unsolved", "linking", "other"]
    assert [case.code for case in work_order_help] == ["unsolved", "linking", "flei", "other"]
    page = client.get(url(work_order, "detail")).content.decode()
    guidance = page[page.index('id="escalation-help"') :]
    assert "Incongruencia en FLEI" in guidance and "ERROR 23" not in guidance


def test_picking_a_case_brings_its_form_without_reloading_the_page(client, agent):
    ticket = make_work_order(user=agent, customer=subscriber())
    client.force_login(agent)
    response = client.get(url(ticket, "escalate_form"), {"escalation_case": "flei"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.startswith('<div id="escalation-panel">') and "<html" not in page
    assert 'id="escalation-packet-form"' in page and 'value="flei" selected' in page
    assert response.context["escalation_form"]["flei_code"].value() == "F123456"
    guidance = page[page.index('id="escalation-help" hx-swap-oob="true"') :]
    assert "Fecha del pago" in guidance
    # A case of the other kind offers the related ticket instead.
    other = client.get(url(ticket, "escalate_form"), {"escalation_case": "error23"})
    assert 'id="escalation-other-kind"' in other.content.decode()
    # The page itself asks for it as soon as the case is picked.
    detail = client.get(url(ticket, "detail")).content.decode()
    assert f'hx-get="{url(ticket, "escalate_form")}"' in detail


def test_the_case_form_is_for_agents_and_tickets_that_can_be_escalated(client, agent, outsider):
    ticket = make_incident(user=agent)
    client.force_login(outsider)
    assert client.get(url(ticket, "escalate_form"), {"escalation_case": "other"}).status_code == 403
    client.force_login(agent)
    escalate_other(ticket, agent)
    assert client.get(url(ticket, "escalate_form"), {"escalation_case": "other"}).status_code == 404


def test_the_packet_box_keeps_the_agents_note_after_a_take(client, agent, coordinator):
    ticket = escalate_other(
        make_incident(user=agent), agent, note="El cliente no ve el depósito de 2025"
    )
    ticket_take(ticket=ticket, user=coordinator, expected_version=ticket.version)
    client.force_login(coordinator)
    response = client.get(url(ticket, "detail"))
    assert response.context["packet"].note == "El cliente no ve el depósito de 2025"
    page = response.content.decode()
    box = page[page.index('id="escalation-packet-note"') :]
    assert "El cliente no ve el depósito de 2025" in box[: box.index("</figure>")]


def test_choosing_a_case_shows_its_checklist_and_form(client, agent):
    ticket = make_incident(user=agent, customer=subscriber())
    client.force_login(agent)
    response = client.get(url(ticket, "detail"), {"escalation_case": "error23"})
    page = response.content.decode()
    checklist = page[page.index('class="mb-0 escalation-checklist"') :]
    assert "Registro Mercantil afectado" in checklist
    form = response.context["escalation_form"]
    # Prefilled from the customer.
    assert form["flei_code"].value() == "F123456"
    assert form["contact_phone"].value() == ticket.customer.main_phone.e164
    assert form["tax_id"].value() == ticket.customer.tax_id
