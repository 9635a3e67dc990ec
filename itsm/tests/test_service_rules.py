"""Every rule of what a ticket may be given lives in the ticket services: a
caller with no form (the mailbox, a command, later the API) is refused the
same value the page refuses, with the same words."""

import pytest
from django.core.exceptions import ValidationError

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.forms import TicketCreateForm
from itsm.models import Status, StatusReason, SupportGroup, TicketTemplate
from itsm.services.ticket_create import ticket_create
from itsm.services.ticket_update import ticket_update
from itsm.tests.factories import (
    campaign_template,
    make_incident,
    new_ticket_data,
    pending_reason,
)
from itsm.tests.sql import sql_written

ASSIGNEE = "Esta persona no es un agente activo del grupo elegido: elija una de la lista."
GROUP = "No puede asignar gestiones a este grupo: elija uno de la lista."
TEMPLATE = "Esta plantilla no se puede usar en esta gestión: elija una de la lista."
REASON = "Este motivo no corresponde al estado elegido."


def agents_group() -> SupportGroup:
    return SupportGroup.objects.get(is_agent_default=True)


def refused(call, **arguments) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        call(**arguments)
    return error.value.message_dict


def refused_update(ticket, user, **fields) -> dict[str, list[str]]:
    """What ``ticket_update`` refuses of ``fields``, on the ticket as loaded."""
    return refused(
        ticket_update, ticket=ticket, user=user, expected_version=ticket.version, **fields
    )


def create(user, **fields) -> None:
    ticket_create(model=Incident, user=user, customer=CustomerFactory(), **fields)


def page_errors(user, **posted) -> dict[str, list[str]]:
    """What the new-ticket page says of the same values."""
    form = TicketCreateForm(new_ticket_data(CustomerFactory(), **posted), model=Incident, user=user)
    assert not form.is_valid()
    return form.errors


# --- the assignee: an active agent or coordinator of the group -------------------


def test_a_new_ticket_cannot_go_to_someone_outside_its_group(agent, coordinator):
    errors = refused(
        create,
        user=agent,
        template=campaign_template("INC"),
        assigned_group=agents_group(),
        assignee=coordinator,
    )
    assert errors["assignee"] == [ASSIGNEE]
    assert page_errors(agent, assignee=coordinator.pk)["assignee"] == [ASSIGNEE]
    assert not Incident.objects.exists()


def test_an_administrator_who_is_a_member_is_never_the_assignee(agent, admin_user):
    agents_group().members.add(admin_user)
    ticket = make_incident(user=agent)

    errors = refused_update(ticket, agent, assignee=admin_user)

    assert errors["assignee"] == [ASSIGNEE]
    assert page_errors(agent, assignee=admin_user.pk)["assignee"] == [ASSIGNEE]


def test_an_inactive_member_is_not_the_assignee(agent, other_agent):
    other_agent.is_active = False
    other_agent.save()
    ticket = make_incident(user=agent)

    errors = refused_update(ticket, agent, assignee=other_agent)

    assert errors["assignee"] == [ASSIGNEE]


def test_an_assignee_who_left_the_group_keeps_the_ticket_until_it_moves(agent, other_agent):
    ticket = make_incident(user=agent, assignee=other_agent)
    agents_group().members.remove(other_agent)

    ticket = ticket_update(
        ticket=ticket, user=agent, expected_version=ticket.version, summary="Sigue con él"
    )
    assert ticket.assignee == other_agent

    coordination = SupportGroup.objects.get(is_coordination=True)
    errors = refused_update(ticket, agent, assigned_group=coordination)
    assert errors["assignee"] == [ASSIGNEE]


# --- the group: what the user's role may pick ---------------------------------------


def test_an_agent_cannot_open_a_ticket_for_the_specialists(agent):
    specialists = SupportGroup.objects.get(is_specialists=True)

    errors = refused(
        create, user=agent, template=campaign_template("INC"), assigned_group=specialists
    )

    assert errors["assigned_group"] == [GROUP]
    assert page_errors(agent, assigned_group=specialists.pk)["assigned_group"] == [GROUP]


def test_nobody_moves_a_ticket_to_an_inactive_group(agent, coordinator):
    retired = SupportGroup.objects.create(name="L1 ANTIGUO", active=False)
    ticket = make_incident(user=agent)

    errors = refused_update(ticket, coordinator, assigned_group=retired)

    assert errors["assigned_group"] == [GROUP]
    assert page_errors(coordinator, assigned_group=retired.pk)["assigned_group"] == [GROUP]


# --- the template: an active campaign template of the kind ------------------------------


def test_a_template_of_another_kind_is_refused(agent):
    other_kind = campaign_template("WO")
    if other_kind.applies_to_kind("INC"):
        other_kind.applies_to = "WO"
        other_kind.save()

    assert refused(create, user=agent, template=other_kind)["template"] == [TEMPLATE]
    assert page_errors(agent, template=other_kind)["template"] == [TEMPLATE]


def test_a_retired_template_is_refused_to_a_new_choice(agent):
    ticket = make_incident(user=agent, template=None, summary="Sin plantilla")
    retired = campaign_template("INC")
    retired.active = False
    retired.save()

    errors = refused_update(ticket, agent, template=retired)

    assert errors["template"] == [TEMPLATE]
    assert page_errors(agent, template=retired)["template"] == [TEMPLATE]


# --- the reason: one of the ticket's kind and status ---------------------------------------


def test_a_reason_of_another_status_is_refused(agent):
    resolved = StatusReason.objects.filter(kind="INC", status=Status.RESOLVED).first()

    errors = refused(
        create,
        user=agent,
        template=campaign_template("INC"),
        status=Status.PENDING,
        status_reason=resolved,
    )

    assert errors["status_reason"] == [REASON]
    posted = {"status": Status.PENDING, "status_reason": resolved.pk}
    assert page_errors(agent, **posted)["status_reason"] == [REASON]


def test_a_reason_of_another_kind_is_refused(agent):
    ticket = make_incident(user=agent)
    of_work_orders = pending_reason("WO")

    errors = refused_update(ticket, agent, status=Status.PENDING, status_reason=of_work_orders)

    assert errors["status_reason"] == [REASON]
    posted = {"status": Status.PENDING, "status_reason": of_work_orders.pk}
    assert page_errors(agent, **posted)["status_reason"] == [REASON]


# --- checked with SQL written once ------------------------------------------------


def test_the_page_checks_the_picks_with_sql_written_once(agent, coordinator):
    template = campaign_template("INC")
    data = new_ticket_data(CustomerFactory(), template=template, assignee=agent.pk)

    def valid_form() -> TicketCreateForm:
        form = TicketCreateForm(data, model=Incident, user=agent)
        assert form.is_valid(), form.errors
        return form

    valid_form()
    form = TicketCreateForm(data, model=Incident, user=agent)
    # The customer only, looked up as Django does.
    assert sql_written(form.is_valid) == 1
    picked = form.cleaned_data
    assert (picked["template"], picked["assigned_group"], picked["assignee"]) == (
        template,
        agents_group(),
        agent,
    )
    # What another user may not pick is still refused, with the page's words.
    assert page_errors(agent, assignee=coordinator.pk)["assignee"] == [ASSIGNEE]
    assert page_errors(agent, assigned_group="99999999")["assigned_group"] == [GROUP]
    TicketTemplate.objects.filter(pk=template.pk).update(active=False)
    assert page_errors(agent, template=template)["template"] == [TEMPLATE]
