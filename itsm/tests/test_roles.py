"""Who may do what, checked in the services and the shared access helpers."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.common.access import agent_required, coordinator_required, get_ticket_for_user
from itsm.common.permissions import is_agent, is_coordinator
from itsm.models import SupportGroup
from itsm.services.escalation import (
    ticket_escalate,
    ticket_pass_to_specialists,
    ticket_return_to_agent,
)
from itsm.services.journal import work_info_add
from itsm.services.relations import ticket_relate
from itsm.services.ticket_create import ticket_create
from itsm.services.ticket_update import ticket_update
from itsm.tests.factories import escalate_other, make_ticket
from workorders.models import WorkOrder


def test_roles_are_read_from_groups_and_staff(agent, coordinator, admin_user, outsider):
    assert (is_agent(agent), is_coordinator(agent)) == (True, False)
    assert (is_agent(coordinator), is_coordinator(coordinator)) == (True, True)
    assert (is_agent(admin_user), is_coordinator(admin_user)) == (True, True)
    assert (is_agent(outsider), is_coordinator(outsider)) == (False, False)
    assert not is_agent(AnonymousUser())


def test_an_inactive_agent_has_no_role(agent):
    agent.is_active = False

    assert not is_agent(agent)


def test_an_outsider_cannot_create_a_ticket(outsider):
    with pytest.raises(PermissionDenied, match="No tiene permiso para trabajar con gestiones."):
        ticket_create(model=Incident, user=outsider, customer=CustomerFactory(), summary="x")

    assert not Incident.objects.exists()


def test_an_outsider_cannot_change_a_ticket_or_its_journal(agent, outsider):
    ticket = make_ticket(WorkOrder, user=agent)
    other = make_ticket(WorkOrder, user=agent)

    with pytest.raises(PermissionDenied):
        ticket_update(ticket=ticket, user=outsider, expected_version=1, summary="Ajeno")
    with pytest.raises(PermissionDenied):
        work_info_add(ticket=ticket, user=outsider, notes="Ajeno")
    with pytest.raises(PermissionDenied):
        ticket_relate(ticket=ticket, user=outsider, other_number=other.number)

    ticket.refresh_from_db()
    assert ticket.version == 1
    assert ticket.work_info.count() == 1


def test_an_agent_escalates_to_coordination_with_a_note(agent):
    ticket = make_ticket(Incident, user=agent, assignee=agent)

    escalate_other(ticket, agent, "ERROR 23 en el envío")

    ticket.refresh_from_db()
    assert ticket.assigned_group.is_coordination
    assert ticket.assignee is None


def test_escalating_needs_the_data_of_the_case(agent):
    ticket = make_ticket(Incident, user=agent)

    with pytest.raises(ValidationError) as error:
        ticket_escalate(
            ticket=ticket, user=agent, expected_version=ticket.version, case="other", data={}
        )

    assert error.value.message_dict["description"] == ["Este dato es obligatorio para este caso."]


def test_only_coordinators_pass_a_ticket_to_specialists(agent, coordinator):
    ticket = make_ticket(Incident, user=agent)
    specialists = SupportGroup.objects.get(is_specialists=True)

    with pytest.raises(PermissionDenied, match="Solo los coordinadores pueden hacer esto."):
        ticket_pass_to_specialists(
            ticket=ticket, user=agent, expected_version=ticket.version, note="L2"
        )
    with pytest.raises(ValidationError) as error:
        ticket_update(
            ticket=ticket,
            user=agent,
            expected_version=ticket.version,
            assigned_group=specialists,
        )
    assert error.value.message_dict["assigned_group"] == [
        "No puede asignar gestiones a este grupo: elija uno de la lista."
    ]
    ticket.refresh_from_db()
    ticket_pass_to_specialists(
        ticket=ticket, user=coordinator, expected_version=ticket.version, note="Para L2"
    )

    ticket.refresh_from_db()
    assert ticket.assigned_group == specialists


def test_only_coordinators_return_a_ticket_to_the_agent(agent, coordinator):
    ticket = make_ticket(WorkOrder, user=agent)
    escalate_other(ticket, agent, "Vinculación")

    with pytest.raises(PermissionDenied):
        ticket_return_to_agent(
            ticket=ticket, user=agent, expected_version=ticket.version, note="Vuelve"
        )
    ticket_return_to_agent(
        ticket=ticket, user=coordinator, expected_version=ticket.version, note="Llama al cliente"
    )

    ticket.refresh_from_db()
    assert ticket.assigned_group.is_agent_default
    assert ticket.assignee == agent
    assert ticket.work_info.filter(notes="Llama al cliente", author=coordinator).exists()


def test_an_admin_works_tickets_like_an_agent(admin_user):
    ticket = make_ticket(Incident, user=admin_user)

    assert ticket.created_by == admin_user


# --- shared access helpers for the views ------------------------------------------


def ok(request, *args, **kwargs) -> HttpResponse:
    return HttpResponse("ok")


def call(view, user):
    request = RequestFactory().get("/incidents/")
    request.user = user
    return view(request)


def test_agent_required_sends_the_anonymous_to_the_login_page(db):
    response = call(agent_required(ok), AnonymousUser())

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_agent_required_refuses_an_outsider_and_lets_an_agent_in(agent, outsider):
    with pytest.raises(PermissionDenied):
        call(agent_required(ok), outsider)

    assert call(agent_required(ok), agent).status_code == 200


def test_coordinator_required_refuses_an_agent(agent, coordinator):
    with pytest.raises(PermissionDenied):
        call(coordinator_required(ok), agent)

    assert call(coordinator_required(ok), coordinator).status_code == 200


def test_a_ticket_is_loaded_for_an_agent_by_number_in_any_case(agent, other_agent, outsider):
    ticket = make_ticket(Incident, user=agent)

    assert get_ticket_for_user(other_agent, Incident, ticket.number.lower()) == ticket
    with pytest.raises(PermissionDenied):
        get_ticket_for_user(outsider, Incident, ticket.number)
    with pytest.raises(Http404):
        get_ticket_for_user(agent, Incident, "INC000000099999")
