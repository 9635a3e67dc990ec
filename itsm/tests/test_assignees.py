"""*Usuario asignado*: the agent who takes the call by default, and only
active agents of the chosen group on offer; the list follows the group and
a forged choice is refused in Spanish."""

import re

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.models import SupportGroup
from itsm.people import group_assignees
from itsm.tests.factories import make_incident, new_ticket_data

REFUSED = "Esta persona no es un agente activo del grupo elegido: elija una de la lista."


def l1_group() -> SupportGroup:
    return SupportGroup.objects.get(is_agent_default=True)


def coordination_group() -> SupportGroup:
    return SupportGroup.objects.get(is_coordination=True)


@pytest.fixture
def people(agent, other_agent, coordinator, admin_user, django_user_model):
    """Besides the two agents of L1: an admin in L1 who is not an agent, an
    agent of L1 who has left, and the coordinator (not in L1)."""
    l1_group().members.add(admin_user)
    gone = django_user_model.objects.create_user(username="exagente", is_active=False)
    gone.groups.add(*agent.groups.all())
    l1_group().members.add(gone)
    return {"agent": agent, "other": other_agent, "coordinator": coordinator, "admin": admin_user}


def option_values(html: str, select_id: str) -> list[str]:
    select = html.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)"', select)


def test_only_active_agents_of_the_group_are_assignable(people):
    l1 = set(group_assignees(l1_group().pk))
    assert l1 == {people["agent"], people["other"]}
    assert set(group_assignees(coordination_group().pk)) == {people["coordinator"]}
    assert not group_assignees("")


def test_a_new_ticket_is_assigned_to_the_agent_taking_the_call(client, people):
    client.force_login(people["agent"])
    response = client.get(reverse("incidents:new"))
    form = response.context["form"]
    assert form["assignee"].value() == people["agent"].pk
    html = response.content.decode()
    assert f'<option value="{people["agent"].pk}" selected>' in html
    values = option_values(html, "id_assignee")
    assert set(values) == {"", str(people["agent"].pk), str(people["other"].pk)}
    assert str(people["admin"].pk) not in values


def test_the_assignee_list_follows_the_group(client, people):
    client.force_login(people["agent"])
    url = reverse("incidents:assignees")
    # To coordination: its members only, and the agent (not a member) is not kept.
    response = client.get(
        url,
        {
            "assigned_group": coordination_group().pk,
            "assignee": people["agent"].pk,
            "default_me": "1",
        },
    )
    html = response.content.decode()
    assert f'value="{people["coordinator"].pk}"' in html
    assert f'value="{people["agent"].pk}"' not in html
    assert "selected" not in html
    # Back to L1 on a new ticket: the agent again, chosen.
    response = client.get(url, {"assigned_group": l1_group().pk, "default_me": "1"})
    assert f'<option value="{people["agent"].pk}" selected>' in response.content.decode()
    # On an existing ticket the chosen colleague stays chosen.
    response = client.get(url, {"assigned_group": l1_group().pk, "assignee": people["other"].pk})
    assert f'<option value="{people["other"].pk}" selected>' in response.content.decode()


def test_the_group_picker_asks_for_its_assignees(client, people):
    client.force_login(people["agent"])
    html = client.get(reverse("incidents:new")).content.decode()
    assert f'hx-get="{reverse("incidents:assignees")}"' in html


@pytest.mark.parametrize("who", ["admin", "coordinator"])
def test_a_forged_assignee_is_refused_in_spanish_on_a_new_ticket(client, people, who):
    client.force_login(people["agent"])
    data = new_ticket_data(CustomerFactory(), assignee=people[who].pk, work_info_notes="")
    response = client.post(reverse("incidents:new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["assignee"] == [REFUSED]
    assert REFUSED in response.content.decode()
    assert not Incident.objects.exists()


def test_a_forged_assignee_is_refused_on_the_edit_form(client, people):
    ticket = make_incident(user=people["agent"])
    client.force_login(people["agent"])
    form = client.get(ticket.get_absolute_url()).context["forms"]["edit"]
    data = {
        name: "" if form[name].value() is None else str(form[name].value()) for name in form.fields
    }
    data["assignee"] = str(people["admin"].pk)
    response = client.post(reverse("incidents:edit", args=[ticket.number]), data)
    assert response.status_code == 200
    assert response.context["forms"]["edit"].errors["assignee"] == [REFUSED]
    ticket.refresh_from_db()
    assert ticket.assignee is None
