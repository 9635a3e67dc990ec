"""Quick actions of the ticket page: Asignarme, Pendiente, Resolver/Terminar,
Reabrir, Escalar a coordinación, and *Agregar* work info."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents.models import Incident
from itsm.models import RequiresAttention, Status, StatusReason, ViewAccess
from itsm.services.rules import DEFAULT_RESOLUTION
from itsm.services.ticket_update import ticket_resolve, ticket_set_pending
from itsm.tests.factories import PNG, make_incident, make_work_order, work_info_with_a_refused_file

ACTIONS = ("assign_to_me", "pending", "resolve", "reopen", "escalate", "work_info_add")


pytestmark = pytest.mark.usefixtures("private_media")


def url(ticket, name: str) -> str:
    return reverse(f"{ticket._meta.app_label}:{name}", args=[ticket.number])


def reason(kind: str, status: str) -> StatusReason:
    return StatusReason.objects.filter(kind=kind, status=status).order_by("name").first()


@pytest.fixture
def ticket(client, agent):
    """An incident, its page open to the agent."""
    client.force_login(agent)
    return make_incident(user=agent)


@pytest.mark.parametrize("name", ACTIONS)
def test_anonymous_user_is_sent_to_login(client, agent, name):
    ticket = make_incident(user=agent)
    client.logout()
    response = client.post(url(ticket, name), {})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ACTIONS)
def test_user_without_role_is_refused(client, agent, outsider, name):
    ticket = make_incident(user=agent)
    client.force_login(outsider)
    assert client.post(url(ticket, name), {"assign-version": "1"}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.version == 1


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_accept_post_only(client, agent, name):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    assert client.get(url(ticket, name)).status_code == 405


def test_assign_to_me(client, agent, other_agent):
    ticket = make_incident(user=agent)
    client.force_login(other_agent)
    response = client.post(url(ticket, "assign_to_me"), {"assign-version": "1"}, follow=True)
    assert "está ahora asignada a usted" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee == other_agent


def test_assign_to_me_is_refused_to_someone_outside_the_group(client, agent, coordinator):
    ticket = make_incident(user=agent)
    client.force_login(coordinator)
    response = client.post(url(ticket, "assign_to_me"), {"assign-version": "1"}, follow=True)
    assert (
        "Esta persona no es un agente activo del grupo elegido: elija una de la lista."
        in response.content.decode()
    )
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_assign_to_me_is_offered_only_to_who_the_group_can_have(
    client, agent, other_agent, coordinator
):
    ticket = make_incident(user=agent)
    button = f'action="{url(ticket, "assign_to_me")}"'
    client.force_login(other_agent)
    assert button in client.get(ticket.get_absolute_url()).content.decode()
    client.force_login(coordinator)
    assert button not in client.get(ticket.get_absolute_url()).content.decode()


def test_pending_with_a_reason(client, agent):
    ticket = make_incident(user=agent)
    chosen = reason("INC", Status.PENDING)
    client.force_login(agent)
    data = {"pending-version": "1", "pending-status_reason": chosen.pk, "pending-note": "Sin datos"}
    assert client.post(url(ticket, "pending"), data).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.status_reason == chosen
    assert ticket.requires_attention == RequiresAttention.RESPONSE
    assert ticket.work_info.filter(notes="Sin datos").exists()


def test_pending_without_a_reason_is_refused_with_the_note_kept(client, ticket):
    data = {"pending-version": "1", "pending-note": "Nota del agente"}
    response = client.post(url(ticket, "pending"), data)
    assert response.status_code == 200
    assert response.context["forms"]["pending"].errors["status_reason"] == [
        "Elija el motivo de este estado."
    ]
    html = response.content.decode()
    assert "Nota del agente" in html
    assert 'id="action-pending"' in html and "collapse show" in html
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED


def test_pending_refuses_a_reason_of_another_status(client, ticket):
    data = {"pending-version": "1", "pending-status_reason": reason("INC", Status.RESOLVED).pk}
    response = client.post(url(ticket, "pending"), data)
    assert "status_reason" in response.context["forms"]["pending"].errors
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED


@pytest.mark.parametrize(
    ("make", "done"),
    [(make_incident, "resuelta"), (make_work_order, "terminada")],
    ids=["incident", "work order"],
)
def test_resolving_from_the_page_defaults_the_resolution(client, agent, make, done):
    ticket = make(user=agent)
    client.force_login(agent)
    page = client.get(url(ticket, "detail"))
    assert page.context["forms"]["resolve"]["resolution"].value() == DEFAULT_RESOLUTION
    data = {
        "resolve-version": "1",
        "resolve-status_reason": reason(ticket.KIND, ticket.RESOLVED_STATUS).pk,
        "resolve-resolution": "",
    }
    response = client.post(url(ticket, "resolve"), data, follow=True)
    assert f"{ticket.number} {done}" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == ticket.RESOLVED_STATUS
    assert ticket.resolution == DEFAULT_RESOLUTION
    assert ticket.requires_attention == RequiresAttention.NONE


def test_reopen_a_resolved_ticket(client, agent):
    ticket = make_incident(user=agent)
    ticket_resolve(
        ticket=ticket, user=agent, expected_version=1, status_reason=reason("INC", "resolved")
    )
    client.force_login(agent)
    page = client.get(url(ticket, "detail")).content.decode()
    assert "Reabrir" in page
    data = {"reopen-version": "2", "reopen-note": "El cliente vuelve a llamar"}
    assert client.post(url(ticket, "reopen"), data).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED
    assert ticket.status_reason.name == "Pdte comunicación con cliente"


def test_stale_quick_action_is_refused_with_who_changed_it(client, agent, other_agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    seen = client.get(url(ticket, "detail")).context["forms"]["assign"]["seen"].value()
    ticket_set_pending(
        ticket=ticket,
        user=other_agent,
        expected_version=1,
        status_reason=reason("INC", Status.PENDING),
    )
    response = client.post(
        url(ticket, "assign_to_me"), {"assign-version": "1", "assign-seen": seen}
    )
    assert response.status_code == 200
    assert response.context["stale"]["who"] == "Agente2"
    assert ("Estado", "Pendiente") in response.context["stale"]["changes"]
    assert "Agente2" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_actions_on_a_closed_ticket_are_refused(client, agent):
    ticket = make_incident(user=agent)
    Incident.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    client.force_login(agent)
    response = client.post(url(ticket, "assign_to_me"), {"assign-version": "1"}, follow=True)
    assert "está cerrada y ya no se puede modificar" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_add_work_info_with_attachments(client, ticket):
    data = {
        "wi-type": "customer",
        "wi-notes": "El cliente envía la captura",
        "wi-requires_attention": RequiresAttention.RESPONSE,
        "wi-view_access": ViewAccess.PUBLIC,
        "wi-attachment_1": SimpleUploadedFile("captura.png", PNG),
        "wi-attachment_2": SimpleUploadedFile("nota.txt", b"texto plano"),
    }
    assert client.post(url(ticket, "work_info_add"), data).status_code == 302
    entry = ticket.work_info.get(notes="El cliente envía la captura")
    assert entry.type == "customer"
    assert entry.requires_attention == RequiresAttention.RESPONSE
    assert entry.view_access == ViewAccess.PUBLIC
    assert entry.attachment_1.name.endswith("captura.png")
    assert entry.attachment_2.name.endswith("nota.txt")


def test_work_info_without_notes_is_refused_in_spanish(client, ticket):
    data = {"wi-type": "notes", "wi-notes": "", "wi-view_access": "internal"}
    response = client.post(url(ticket, "work_info_add"), data)
    assert response.context["forms"]["work_info"].errors["notes"] == [
        "Escriba las notas de esta entrada."
    ]


def test_work_info_with_a_refused_file_keeps_the_notes_and_names_the_files(client, agent):
    ticket = make_incident(user=agent)
    entries = ticket.work_info.count()
    client.force_login(agent)
    data = work_info_with_a_refused_file("Notas que no se pierden")
    response = client.post(url(ticket, "work_info_add"), data)
    form = response.context["forms"]["work_info"]
    assert "«programa.exe» no es un tipo de archivo permitido" in form.errors["attachment_2"][0]
    assert [f["name"] for f in response.context["held_files"]] == ["captura.png"]
    html = response.content.decode()
    assert "Notas que no se pierden" in html
    assert "Ya adjuntos" in html and "«captura.png»" in html
    assert ticket.work_info.count() == entries
