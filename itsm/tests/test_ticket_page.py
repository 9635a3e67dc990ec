"""The ticket page: header, edit of sections 2–4 with optimistic locking,
history, read-only closed tickets and a fixed number of queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import Incident
from itsm.action_forms import PendingForm, ResolveForm, TicketEditForm, VersionedForm
from itsm.models import Status, StatusReason, SupportGroup, WorkInfoType
from itsm.services.autoclose import tickets_autoclose
from itsm.services.journal import work_info_add
from itsm.services.relations import ticket_relate
from itsm.tests.factories import (
    edit_data,
    edit_url,
    make_incident,
    make_work_order,
    page_url,
    pend,
    reason,
    refused_ticket_fields,
)
from itsm.views.tickets import ACTION_PREFIXES, _action_forms

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


pytestmark = pytest.mark.usefixtures("private_media")


def test_anonymous_user_is_sent_to_login(client, agent):
    ticket = make_incident(user=agent)
    client.logout()
    for url in (page_url(ticket), edit_url(ticket)):
        response = client.get(url) if url == page_url(ticket) else client.post(url, {})
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_user_without_role_is_refused(client, agent, outsider):
    ticket = make_incident(user=agent)
    client.force_login(outsider)
    assert client.get(page_url(ticket)).status_code == 403
    assert client.post(edit_url(ticket), {"summary": "x"}).status_code == 403


def test_unknown_number_is_not_found(client, agent):
    client.force_login(agent)
    assert client.get(reverse("incidents:detail", args=["INC000000999999"])).status_code == 404


def test_edit_accepts_post_only(client, agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    assert client.get(edit_url(ticket)).status_code == 405


@pytest.mark.parametrize("user_fixture", ["agent", "coordinator"])
def test_page_shows_the_header_with_the_customer_contact(client, request, user_fixture, agent):
    ticket = make_incident(user=agent, assignee=agent)
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(page_url(ticket))
    html = response.content.decode()
    assert response.status_code == 200
    assert ticket.number in html
    assert ticket.customer.full_name in html
    assert ticket.customer.tax_id in html
    assert ticket.customer.email in html
    assert ticket.customer.phones_summary in html
    assert "Grupo asignado" in html
    assert "L1 CAMPAÑA LIBROS/CUENTAS" in html
    assert "Asignado" in html
    assert 'id="ticket-emails"' in html


def test_work_order_page_uses_its_group_label(client, agent):
    ticket = make_work_order(user=agent)
    client.force_login(agent)
    html = client.get(page_url(ticket)).content.decode()
    assert "Nombre de grupo de soporte" in html
    assert "Terminar" in html


def test_history_lists_every_entry_newest_first_with_system_entries(client, agent):
    ticket = make_incident(user=agent)
    work_info_add(ticket=ticket, user=agent, notes="primera nota")
    work_info_add(ticket=ticket, user=agent, notes="segunda nota")
    client.force_login(agent)
    response = client.get(page_url(ticket))
    notes = [item.entry.notes for item in response.context["history"]]
    assert notes[:2] == ["segunda nota", "primera nota"]
    assert len(notes) == ticket.work_info.count()

    Incident.objects.filter(pk=ticket.pk).update(
        status=Status.RESOLVED, resolved_at="2020-01-01T00:00:00Z"
    )
    tickets_autoclose()
    html = client.get(page_url(ticket)).content.decode()
    assert "Sistema" in html


def test_agent_edits_the_ticket(client, agent):
    ticket = make_incident(user=agent)
    pending = reason(Incident, Status.PENDING)
    client.force_login(agent)
    form = client.get(page_url(ticket)).context["forms"]["edit"]
    data = edit_data(
        form,
        summary="El portal no deja enviar",
        status=Status.PENDING,
        status_reason=pending.pk,
        assignee=agent.pk,
        note="Se pide captura de pantalla",
    )
    response = client.post(edit_url(ticket), data)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.summary == "El portal no deja enviar"
    assert ticket.status == Status.PENDING
    assert ticket.status_reason == pending
    assert ticket.assignee == agent
    assert ticket.version == 2
    assert ticket.work_info.filter(notes="Se pide captura de pantalla").exists()


def test_changing_the_template_applies_it(client, agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    form = client.get(page_url(ticket)).context["forms"]["edit"]
    other = form.fields["template"].queryset.exclude(pk=ticket.template_id).first()
    client.post(edit_url(ticket), edit_data(form, template=other.pk, summary=other.summary))
    ticket.refresh_from_db()
    assert ticket.template == other
    assert ticket.service == other.service


def test_bad_edit_comes_back_in_spanish_with_the_input_kept(client, agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    form = client.get(page_url(ticket)).context["forms"]["edit"]
    data = edit_data(
        form, template="", **refused_ticket_fields("Descripción escrita por el agente")
    )
    response = client.post(edit_url(ticket), data)
    assert response.status_code == 200
    errors = response.context["forms"]["edit"].errors
    assert errors["summary"] == ["Elija una plantilla o escriba un resumen."]
    assert errors["status_reason"] == ["Este motivo no corresponde al estado elegido."]
    html = response.content.decode()
    assert "Descripción escrita por el agente" in html
    assert "Este motivo no corresponde al estado elegido." in html
    ticket.refresh_from_db()
    assert ticket.version == 1


def test_stale_edit_names_who_changed_what_and_keeps_the_input(client, agent, other_agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    form = client.get(page_url(ticket)).context["forms"]["edit"]
    # Meanwhile another agent sets it pending.
    pending = pend(ticket, other_agent).status_reason

    data = edit_data(form, summary="Mi resumen nuevo", description="Mis notas")
    response = client.post(edit_url(ticket), data)

    assert response.status_code == 200
    html = response.content.decode()
    stale = response.context["stale"]
    assert stale["who"] == "Agente2"
    assert "Agente2" in html
    assert ("Estado", "Pendiente") in stale["changes"]
    assert ("Motivo del estado", pending) in stale["changes"]
    assert "Mi resumen nuevo" in html
    assert "Mis notas" in html
    # The other agent's change survives; the form now carries the current version.
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.summary != "Mi resumen nuevo"
    assert response.context["forms"]["edit"]["version"].value() == str(ticket.version)


def test_saving_again_after_a_stale_warning_overwrites_deliberately(client, agent, other_agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    form = client.get(page_url(ticket)).context["forms"]["edit"]
    pend(ticket, other_agent)
    response = client.post(edit_url(ticket), edit_data(form, summary="Mi resumen nuevo"))
    again = edit_data(response.context["forms"]["edit"])
    assert client.post(edit_url(ticket), again).status_code == 302
    ticket.refresh_from_db()
    assert ticket.summary == "Mi resumen nuevo"


def test_closed_ticket_is_read_only(client, agent):
    ticket = make_incident(user=agent)
    Incident.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    client.force_login(agent)
    response = client.get(page_url(ticket))
    html = response.content.decode()
    assert response.context["forms"] == {}
    assert '<form method="post"' not in html.split('id="ticket-emails"')[0].split("</nav>")[1]
    assert "se puede consultar pero ya no modificar" in html

    form_data = {"summary": "cambio", "version": "1"}
    response = client.post(edit_url(ticket), form_data, follow=True)
    assert "está cerrada y ya no se puede modificar" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.summary != "cambio"


def test_agent_cannot_move_a_ticket_to_the_specialists(client, agent, coordinator):
    from itsm.models import SupportGroup

    specialists = SupportGroup.objects.get(is_specialists=True)
    ticket = make_incident(user=agent)
    client.force_login(agent)
    form = client.get(page_url(ticket)).context["forms"]["edit"]
    response = client.post(edit_url(ticket), edit_data(form, assigned_group=specialists.pk))
    assert "assigned_group" in response.context["forms"]["edit"].errors

    client.force_login(coordinator)
    form = client.get(page_url(ticket)).context["forms"]["edit"]
    assert (
        client.post(edit_url(ticket), edit_data(form, assigned_group=specialists.pk)).status_code
        == 302
    )
    ticket.refresh_from_db()
    assert ticket.assigned_group == specialists


def test_customers_other_open_tickets_are_shown(client, agent):
    ticket = make_incident(user=agent)
    other = make_work_order(user=agent, customer=ticket.customer)
    closed = make_incident(user=agent, customer=ticket.customer)
    Incident.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    client.force_login(agent)
    html = client.get(page_url(ticket)).content.decode()
    section = html.split('id="open-tickets"')[1]
    assert other.number in section
    assert closed.number not in section


def test_page_runs_a_fixed_number_of_queries(client, agent, django_assert_max_num_queries):
    ticket = make_incident(user=agent)
    for index in range(50):
        attachments = []
        if index % 10 == 0:
            attachments = [SimpleUploadedFile(f"captura{index}.png", PNG)]
        work_info_add(
            ticket=ticket,
            user=agent,
            notes=f"nota {index}",
            entry_type=WorkInfoType.CUSTOMER_COMMUNICATION,
            attachments=attachments,
        )
    for _ in range(3):
        ticket_relate(ticket=ticket, user=agent, other_number=make_incident(user=agent).number)
    for _ in range(2):
        ticket_relate(ticket=ticket, user=agent, other_number=make_work_order(user=agent).number)
    make_work_order(user=agent, customer=ticket.customer)
    client.force_login(agent)
    # The E-mail tab reads what was sent and what was received; a ticket
    # never escalated has no packet to look for (its journal says so). The
    # first page also fills the cached option lists and the names the
    # journal shows.
    with django_assert_max_num_queries(17):
        client.get(page_url(ticket))
    # Session, user, roles, ticket, journal, relations (3), the customer's
    # other tickets (2), mail sent and received.
    with django_assert_max_num_queries(12):
        response = client.get(page_url(ticket))
    assert response.status_code == 200
    assert len(response.context["history"]) >= 50
    assert len(response.context["relations"]) == 5
    assert "captura0.png" in response.content.decode()


@pytest.mark.parametrize("factory", [make_incident, make_work_order])
def test_reason_lists_loaded_once_offer_what_their_forms_offer(agent, factory):
    """The page loads the reasons of the edit, Pending and Resolve forms in
    one query; each list renders exactly as its own queryset would, the
    ticket's current reason included in the edit form even once retired."""
    ticket = factory(user=agent)
    model = type(ticket)
    retired = pend(ticket, agent).status_reason
    StatusReason.objects.filter(pk=retired.pk).update(active=False)
    ticket = model.objects.get(pk=ticket.pk)

    shared = _action_forms(ticket, agent)
    version = VersionedForm.initial_for(ticket)
    own = {
        "edit": TicketEditForm(model=model, user=agent, ticket=ticket),
        "pending": PendingForm(model=model, initial=version, prefix=ACTION_PREFIXES["pending"]),
        "resolve": ResolveForm(model=model, initial=version, prefix=ACTION_PREFIXES["resolve"]),
    }
    for key, form in own.items():
        assert str(shared[key]["status_reason"]) == str(form["status_reason"])
        assert len(list(form.fields["status_reason"].choices)) > 1
    assert f'value="{retired.pk}"' in str(shared["edit"]["status_reason"])
    assert f'value="{retired.pk}"' not in str(shared["pending"]["status_reason"])


def test_the_group_and_reason_come_from_the_reference_lists_not_joins(client, agent):
    """The ticket's query joins its customer, template and assignee; the
    group and the status reason are the reference lists' (one made after
    the lists were read is read when shown)."""
    ticket = make_incident(user=agent)
    pend(ticket, agent)
    ticket.refresh_from_db()
    client.force_login(agent)
    client.get(page_url(ticket))  # the lists are read
    with CaptureQueriesContext(connection) as queries:
        page = client.get(page_url(ticket)).content.decode()
    loaded = next(q["sql"] for q in queries if q["sql"].startswith('SELECT "incidents_incident"'))
    assert '"customers_customer"' in loaded and '"auth_user"' in loaded  # customer, assignee
    assert "itsm_supportgroup" not in loaded and "itsm_statusreason" not in loaded
    assert not [q for q in queries if 'FROM "itsm_supportgroup"' in q["sql"]]
    assert ticket.assigned_group.name in page and ticket.status_reason.name in page

    newer = SupportGroup.objects.create(name="Grupo recién creado")
    newer.members.add(agent)
    Incident.objects.filter(pk=ticket.pk).update(assigned_group=newer)
    assert "Grupo recién creado" in client.get(page_url(ticket)).content.decode()
