"""The escalation packet: one form per case, validated in Spanish with
nothing typed lost; the return-with-missing loop; the carry-over to L2;
the guidance panel by kind and case; the coordination console's filters."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from customers.models import CustomerKind
from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.common import pagination
from itsm.models import (
    EscalationPacket,
    HeldUpload,
    PacketEvent,
    PacketState,
    RegistroMercantil,
    Relation,
    Status,
    StatusReason,
)
from itsm.presenters import entry_text
from itsm.services.escalation import (
    ticket_escalate,
    ticket_pass_to_specialists,
    ticket_return_to_agent,
)
from itsm.services.journal import work_info_add
from itsm.services.ticket_update import ticket_set_pending, ticket_update
from itsm.tests.factories import make_incident, make_work_order

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
COORDINATION = reverse("coordination")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES.get("private", {}), "OPTIONS": {"location": tmp_path}},
    }


def url(ticket, name: str) -> str:
    return reverse(ticket.kind.url_name(name), args=[ticket.number])


def subscriber():
    return CustomerFactory(kind=CustomerKind.SUBSCRIBER, flei_code="F123456")


def error23_data(ticket, **changes) -> dict:
    registro = RegistroMercantil.objects.get(name="Registro Mercantil de Madrid")
    data = {
        "escalate-version": str(ticket.version),
        "escalate-case": "error23",
        "escalate-error_type": "ERROR 23 al firmar",
        "escalate-tax_id": "B12345674",
        "escalate-flei_code": "F123456",
        "escalate-web_procedure": "Depósito de cuentas",
        "escalate-registro": str(registro.pk),
        "escalate-contact_phone": "600 123 456",
        "escalate-contact_person": "Ana Pérez",
        "escalate-note": "Llamó dos veces",
    }
    data.update({f"escalate-{name}": value for name, value in changes.items()})
    return data


def escalate_other(ticket, user, description="Otro motivo"):
    return ticket_escalate(
        ticket=ticket,
        user=user,
        expected_version=ticket.version,
        case="other",
        data={"description": description},
    )


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
    assert form["contact_phone"].value() == ticket.customer.phone
    assert form["tax_id"].value() == ticket.customer.tax_id


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


def unsolved_data(**fields) -> dict:
    """What the *Error no resuelto* packet form posts, on version 1 of the
    ticket, with ``fields`` (unprefixed names) on top."""
    data = {
        "version": "1",
        "case": "unsolved",
        "ip_address": "2001:db8::1",
        "error_at": "2026-11-30T10:15",
        "checks_done": "Caché borrada, otro navegador",
        **fields,
    }
    return {f"escalate-{name}": value for name, value in data.items()}


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
