"""Each escalation case's packet form is validated in Spanish, and nothing
typed or uploaded is lost on a refusal."""

from pathlib import PurePath

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents.models import Incident
from itsm.models import EscalationPacket, HeldUpload, PacketEvent, Relation, Status, StatusReason
from itsm.services.journal import work_info_add
from itsm.services.ticket_update import ticket_set_pending, ticket_update
from itsm.tests.escalation import PNG, error23_data, subscriber, unsolved_data, url
from itsm.tests.factories import make_incident, make_work_order

pytestmark = pytest.mark.usefixtures("private_media")


# --- validation, case by case ------------------------------------------------------


def test_error23_refuses_bad_data_in_spanish_and_keeps_what_was_typed(client, agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    data = error23_data(ticket, tax_id="B1234", contact_phone="12", registro="", flei_code="")
    response = client.post(url(ticket, "escalate"), data)
    assert response.status_code == 200
    errors = response.context["escalation_form"].errors
    assert errors["tax_id"] == ["«B1234» no es un NIF, NIE ni CIF válido."]
    assert errors["contact_phone"] == ["Escriba un teléfono de 9 a 15 cifras."]
    assert errors["registro"] == ["Este dato es obligatorio para este caso."]
    assert errors["flei_code"] == ["Este dato es obligatorio para este caso."]
    page = response.content.decode()
    assert "ERROR 23 al firmar" in page and "Ana Pérez" in page and "Llamó dos veces" in page
    assert not EscalationPacket.objects.exists()
    ticket.refresh_from_db()
    assert not ticket.assigned_group.is_coordination


def test_error23_on_an_incident_goes_to_coordination_with_its_packet(client, agent):
    ticket = make_incident(user=agent, assignee=agent)
    client.force_login(agent)
    response = client.post(url(ticket, "escalate"), error23_data(ticket), follow=True)
    assert "escalada a coordinación" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assigned_group.is_coordination and ticket.assignee is None
    packet = EscalationPacket.objects.get(ticket_number=ticket.number)
    assert packet.case == "error23" and packet.complete and packet.version == 1
    assert packet.data["tax_id"] == "B12345674"
    assert packet.data["contact_phone"] == "600123456"
    revision = packet.revisions.get()
    assert revision.event == PacketEvent.ESCALATED and revision.data == packet.data
    page = client.get(url(ticket, "detail")).content.decode()
    top = page[page.index('id="escalation-packet"') : page.index('id="quick-actions"')]
    assert "Registro Mercantil de Madrid" in top and "Depósito de cuentas" in top
    assert "Escalada a coordinación · ERROR 23" in page  # the journal entry, in Spanish


def test_error23_on_a_work_order_offers_a_related_incident(client, agent):
    work_order = make_work_order(user=agent, customer=subscriber())
    client.force_login(agent)
    response = client.get(url(work_order, "detail"), {"escalation_case": "error23"})
    assert response.context["escalation_form"] is None
    assert response.context["escalation_other_kind"].code == "INC"
    assert "Crear la gestión relacionada" in response.content.decode()
    response = client.post(url(work_order, "escalate_as_related"), {"case": "error23"})
    incident = Incident.objects.get(customer=work_order.customer)
    assert response.status_code == 302 and "escalation_case=error23" in response.url
    assert Relation.objects.filter(source_number=incident.number).exists()
    assert incident.summary == work_order.summary
    form = client.get(response.url).context["escalation_form"]
    assert form.case.code == "error23" and form["flei_code"].value() == "F123456"


def test_error23_cannot_be_posted_on_a_work_order(client, agent):
    work_order = make_work_order(user=agent)
    client.force_login(agent)
    response = client.post(url(work_order, "escalate"), error23_data(work_order))
    assert response.status_code == 302
    assert not EscalationPacket.objects.exists()


def test_unsolved_error_needs_a_screenshot_a_valid_ip_and_the_checks(client, agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    data = unsolved_data(ip_address="300.1.1.1", checks_done="")
    response = client.post(url(ticket, "escalate"), data)
    errors = response.context["escalation_form"].errors
    assert errors["screenshot"] == ["Elija el archivo del historial o súbalo."]
    assert errors["ip_address"] == ["«300.1.1.1» no es una dirección IPv4 o IPv6 válida."]
    assert errors["checks_done"] == ["Este dato es obligatorio para este caso."]
    assert "300.1.1.1" in response.content.decode()


def test_unsolved_error_with_an_uploaded_screenshot_and_an_ipv6(client, agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    data = unsolved_data(screenshot_upload=SimpleUploadedFile("error.png", PNG))
    assert client.post(url(ticket, "escalate"), data).status_code == 302
    packet = EscalationPacket.objects.get()
    entry_id, index = packet.data["screenshot"].split(":")
    entry = ticket.work_info.get(pk=entry_id)
    assert entry.attachments[int(index) - 1][1].name.endswith(".png")
    page = client.get(url(ticket, "detail")).content.decode()
    download = reverse("incidents:attachment", args=[ticket.number, int(entry_id), int(index)])
    assert download in page
    assert client.get(download).status_code == 200
    # The packet names its file, not just "Archivo".
    name = PurePath(entry.attachments[int(index) - 1][1].name).name
    box = page[page.index('id="escalation-packet"') :]
    assert f"download>{name}</a>" in box


def test_a_screenshot_uploaded_with_a_form_that_has_errors_is_kept(client, agent, other_agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    data = unsolved_data(checks_done="", screenshot_upload=SimpleUploadedFile("error.png", PNG))
    response = client.post(url(ticket, "escalate"), data)
    assert response.status_code == 200
    assert response.context["escalation_form"].errors["checks_done"]
    page = response.content.decode()
    assert "Ya adjuntos (guardados de su intento anterior):" in page and "«error.png»" in page
    held = HeldUpload.objects.get(user=agent)
    assert f'name="escalate-held_screenshot_upload" value="{held.token}"' in page

    # The next attempt sends the token instead of the file.
    data.pop("escalate-screenshot_upload")
    data["escalate-checks_done"] = "Caché borrada, otro navegador"
    data["escalate-held_screenshot_upload"] = held.token
    client.force_login(other_agent)  # someone else's token is not theirs to use
    assert client.post(url(ticket, "escalate"), data).status_code == 200
    client.force_login(agent)
    assert client.post(url(ticket, "escalate"), data).status_code == 302
    packet = EscalationPacket.objects.get()
    entry_id, index = packet.data["screenshot"].split(":")
    entry = ticket.work_info.get(pk=entry_id)
    assert entry.attachments[int(index) - 1][1].read() == PNG
    assert not HeldUpload.objects.exists()  # used, so gone


def test_a_refused_stale_escalation_keeps_its_uploaded_screenshot(client, agent, other_agent):
    ticket = make_incident(user=agent)
    ticket_update(ticket=ticket, user=other_agent, expected_version=1, summary="Cambiado por otro")
    client.force_login(agent)
    # Version 1: the page the agent had open.
    data = unsolved_data(
        checks_done="Caché borrada", screenshot_upload=SimpleUploadedFile("error.png", PNG)
    )
    response = client.post(url(ticket, "escalate"), data)
    assert response.status_code == 200 and response.context["stale"]
    held = HeldUpload.objects.get(user=agent)
    page = response.content.decode()
    assert f'name="escalate-held_screenshot_upload" value="{held.token}"' in page
    data.pop("escalate-screenshot_upload")
    data["escalate-version"] = "2"
    data["escalate-held_screenshot_upload"] = held.token
    assert client.post(url(ticket, "escalate"), data).status_code == 302
    assert EscalationPacket.objects.get().data["screenshot"]
    assert not HeldUpload.objects.exists()


def test_linking_picks_both_documents_from_the_journal_and_needs_the_check(client, agent):
    ticket = make_work_order(user=agent)
    work_info_add(
        ticket=ticket,
        user=agent,
        notes="El usuario envía los documentos",
        attachments=[SimpleUploadedFile("lopd.pdf", b"%PDF-1.4 x")],
    )
    entry = ticket.work_info.exclude(attachment_1="").get()
    client.force_login(agent)
    ticket.refresh_from_db()
    data = {
        "escalate-version": str(ticket.version),
        "escalate-case": "linking",
        "escalate-operation": "link",
        "escalate-lopd_form": f"{entry.pk}:1",
        "escalate-linking_table": f"{entry.pk}:1",
    }
    response = client.post(url(ticket, "escalate"), data)
    assert response.context["escalation_form"].errors["forms_checked"] == [
        "Este dato es obligatorio para este caso."
    ]
    response = client.post(url(ticket, "escalate"), {**data, "escalate-forms_checked": "on"})
    assert response.status_code == 302
    assert EscalationPacket.objects.get().data["lopd_form"] == f"{entry.pk}:1"


def test_flei_inconsistency_on_a_work_order(client, agent):
    ticket = make_work_order(user=agent)
    client.force_login(agent)
    data = {
        "escalate-version": "1",
        "escalate-case": "flei",
        "escalate-flei_code": "F9",
        "escalate-paid_on": "2026-11-28",
        "escalate-amount": "-3",
    }
    response = client.post(url(ticket, "escalate"), data)
    assert response.context["escalation_form"].errors["amount"] == [
        "Asegúrese de que este valor es mayor o igual a 0."
    ]
    response = client.post(url(ticket, "escalate"), {**data, "escalate-amount": "120.50"})
    assert response.status_code == 302
    assert EscalationPacket.objects.get().data == {
        "flei_code": "F9",
        "paid_on": "2026-11-28",
        "amount": "120.50",
    }


def test_other_cause_needs_a_description(client, agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    data = {"escalate-version": "1", "escalate-case": "other", "escalate-description": " "}
    response = client.post(url(ticket, "escalate"), data)
    assert response.context["escalation_form"].errors["description"] == [
        "Este dato es obligatorio para este caso."
    ]


def test_stale_escalation_keeps_what_was_typed(client, agent, other_agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    page = client.get(url(ticket, "detail"), {"escalation_case": "error23"})
    seen = page.context["escalation_form"]["seen"].value()
    ticket_set_pending(
        ticket=ticket,
        user=other_agent,
        expected_version=1,
        status_reason=StatusReason.objects.filter(kind="INC", status=Status.PENDING).first(),
    )
    data = {**error23_data(ticket), "escalate-version": "1", "escalate-seen": seen}
    response = client.post(url(ticket, "escalate"), data)
    assert response.status_code == 200 and response.context["stale"]
    form = response.context["escalation_form"]
    assert form["version"].value() == "2" and form["contact_person"].value() == "Ana Pérez"
