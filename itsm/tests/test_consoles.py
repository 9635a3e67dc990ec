"""The incident and work-order consoles: access, navigation, the default and
saved views, the links a console writes."""

import pytest
from django.urls import reverse

from conftest import make_role_user
from incidents.models import Incident
from itsm.models import SavedConsoleView
from itsm.services.ticket_update import ticket_set_pending
from itsm.tests.console import INCIDENTS, WORK_ORDERS, close, numbers
from itsm.tests.factories import make_incident, pending_reason

# --- access ------------------------------------------------------------------


@pytest.mark.parametrize("url", [INCIDENTS, WORK_ORDERS, reverse("home")])
def test_anonymous_user_is_sent_to_login(client, reference, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_user_cannot_save_a_view(client, reference):
    response = client.post(reverse("incidents:console_save_view"), {"query": "f=1"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", [INCIDENTS, WORK_ORDERS, reverse("home")])
def test_user_without_role_is_refused(client, outsider, url):
    client.force_login(outsider)
    assert client.get(url).status_code == 403


def test_user_without_role_cannot_save_a_view(client, outsider):
    client.force_login(outsider)
    response = client.post(reverse("incidents:console_save_view"), {"query": "f=1"})
    assert response.status_code == 403
    assert not SavedConsoleView.objects.exists()


def test_saving_a_view_needs_post(client, agent):
    client.force_login(agent)
    assert client.get(reverse("incidents:console_save_view")).status_code == 405


def test_home_sends_agents_to_the_incident_console(client, agent):
    client.force_login(agent)
    assert client.get(reverse("home")).url == INCIDENTS


def test_home_sends_coordinators_to_the_coordination_queue(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("home")).url == reverse("coordination")


def test_home_remembers_the_last_console_used(client, agent):
    client.force_login(agent)
    client.get(WORK_ORDERS)
    assert client.get(reverse("home")).url == WORK_ORDERS


# --- navigation --------------------------------------------------------------


def test_navigation_in_spanish_with_search_box_and_post_logout(client, agent):
    client.force_login(agent)
    html = client.get(INCIDENTS).content.decode()
    assert f'href="{INCIDENTS}"' in html and ">Incidencias<" in html
    assert f'href="{WORK_ORDERS}"' in html and ">Órdenes de trabajo<" in html
    assert 'id="global-search"' in html and f'action="{reverse("search")}"' in html
    assert "Agente" in html  # the user's name
    assert f'<form method="post" action="{reverse("logout")}">' in html
    assert ">Salir<" in html
    assert reverse("coordination") not in html  # coordinators only


def test_coordinators_see_the_coordination_link(client, coordinator):
    client.force_login(coordinator)
    html = client.get(INCIDENTS).content.decode()
    assert f'href="{reverse("coordination")}"' in html and ">Coordinación<" in html


def test_console_offers_the_new_ticket_page_of_its_kind(client, agent):
    client.force_login(agent)
    html = client.get(WORK_ORDERS).content.decode()
    new_url = reverse("workorders:new")
    assert f'data-new-url="{new_url}"' in html
    assert "Nueva orden de trabajo" in html


# --- default and saved views -------------------------------------------------


def test_default_view_is_my_open_tickets(client, agent, other_agent):
    mine = make_incident(user=agent, assignee=agent)
    closed = make_incident(user=agent, assignee=agent)
    close(closed)
    someone_elses = make_incident(user=other_agent, assignee=other_agent)
    unassigned = make_incident(user=agent)
    client.force_login(agent)
    response = client.get(INCIDENTS)
    assert response.status_code == 200
    shown = numbers(response)
    assert shown == [mine.number]
    assert closed.number not in shown
    assert someone_elses.number not in shown and unassigned.number not in shown
    assert "tu vista predeterminada" in response.content.decode()


def test_the_filter_form_shows_the_view_it_applies(client, agent):
    client.force_login(agent)
    form = client.get(INCIDENTS).context["filterset"].form
    assert form["mine"].value() and form["open"].value()


def test_clearing_the_filters_shows_every_ticket(client, agent, other_agent):
    tickets = [make_incident(user=agent, assignee=agent), make_incident(user=other_agent)]
    close(tickets[1])
    client.force_login(agent)
    assert set(numbers(client.get(INCIDENTS, {"f": "1"}))) == {t.number for t in tickets}


def test_user_saves_the_current_filters_as_default_view(client, agent, other_agent):
    pending = make_incident(user=other_agent)
    ticket_set_pending(
        ticket=pending, user=other_agent, expected_version=1, status_reason=pending_reason()
    )
    make_incident(user=agent, assignee=agent)
    client.force_login(agent)
    response = client.post(
        reverse("incidents:console_save_view"),
        {"query": "f=1&status=pending&o=number&after=junk"},
    )
    assert response.status_code == 302 and response.url == INCIDENTS
    saved = SavedConsoleView.objects.get(user=agent, kind="INC")
    assert "after" not in saved.query and "status=pending" in saved.query
    response = client.get(response.url, follow=False)
    assert numbers(response) == [pending.number]
    # Work orders keep their own default.
    assert not SavedConsoleView.objects.filter(user=agent, kind="WO").exists()


def test_user_restores_the_default_view(client, agent):
    SavedConsoleView.objects.create(user=agent, kind="INC", query="f=1&status=pending")
    mine = make_incident(user=agent, assignee=agent)
    client.force_login(agent)
    response = client.post(reverse("incidents:console_save_view"), {"reset": "on"}, follow=True)
    assert "Vista predeterminada restablecida" in response.content.decode()
    assert not SavedConsoleView.objects.filter(user=agent).exists()
    assert numbers(client.get(INCIDENTS)) == [mine.number]


def test_a_view_with_invalid_filters_is_not_saved(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("incidents:console_save_view"), {"query": "f=1&status=bogus"}, follow=True
    )
    assert "No se ha podido guardar la vista" in response.content.decode()
    assert not SavedConsoleView.objects.exists()


def test_column_headers_link_to_their_sort(client, agent):
    client.force_login(agent)
    html = client.get(INCIDENTS, {"f": "1", "status": "pending", "o": "number"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert "status=pending&amp;o=-number" in html  # second click flips, filters kept
    assert "o=-updated" in html


def test_a_filtered_url_carries_only_the_filters_that_are_set(client, agent):
    client.force_login(agent)
    response = client.get(
        INCIDENTS,
        {"f": "1", "o": "", "mine": "on", "status": ["", "pending"], "assignee": "", "text": ""},
    )
    assert response.status_code == 302
    assert response.url == f"{INCIDENTS}?f=1&mine=on&status=pending"
    response = client.get(response.url)
    assert response.status_code == 200
    assert 'name="query" value="f=1&amp;mine=on&amp;status=pending"' in response.content.decode()


def test_a_line_names_the_group_reason_and_assignee_from_the_reference_lists(
    client, agent, django_user_model
):
    """No join: the names come from the lists kept with the reference data,
    and someone newer than the copy is read from the database."""
    ticket = make_incident(user=agent, assignee=agent)
    client.force_login(agent)
    page = client.get(INCIDENTS, {"f": "1"}).content.decode()
    assert ticket.assigned_group.name in page and "agente" in page.lower()
    newcomer = make_role_user(django_user_model, "another agent")
    newcomer.first_name, newcomer.last_name = "Nuria", "Recién Llegada"
    newcomer.save()
    ticket_set_pending(
        ticket=ticket,
        user=agent,
        expected_version=ticket.version,
        status_reason=pending_reason(),
    )
    Incident.objects.filter(pk=ticket.pk).update(assignee=newcomer)
    line = client.get(INCIDENTS, {"f": "1"}).content.decode()
    assert "Nuria Recién Llegada" in line
    assert pending_reason().name in line


def test_a_console_row_escapes_every_value_in_its_cells_and_titles(client, agent):
    from customers.tests.factories import CustomerFactory

    customer = CustomerFactory(first_name="<b>Eva</b>", surnames="O'Neill & Hijos")
    ticket = make_incident(user=agent, customer=customer, summary='<script>alert("x")</script>')
    client.force_login(agent)
    html = client.get(INCIDENTS, {"f": "1", "open": "on"}).content.decode()
    assert "<script>alert" not in html and "<b>Eva" not in html
    name = "&lt;b&gt;Eva&lt;/b&gt; O&#x27;Neill &amp; Hijos"
    summary = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    assert f'<td class="console-customer" title="{name}">{name}</td>' in html
    assert f'<td class="console-summary" title="{summary}">{summary}</td>' in html
    assert f'<tr title="{ticket.number} · {name} · {summary} · ' in html


def test_the_first_page_of_open_tickets_is_built_once_for_every_agent(
    client, agent, other_agent, django_user_model, monkeypatch
):
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from customers.models import Customer
    from itsm.common import pagination
    from itsm.common.permissions import DATA_PROTECTION_GROUP
    from itsm.views import consoles

    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)
    tickets = [make_incident(user=agent) for _ in range(4)]
    blocked = tickets[1].customer
    Customer.objects.filter(pk=blocked.pk).update(blocked_at=timezone.now())
    visible = sorted((t.number for t in tickets if t.customer != blocked), reverse=True)
    built = []
    monkeypatch.setattr(
        consoles._FIRST_PAGE,
        "build",
        lambda *shape: built.append(shape) or consoles._first_page(*shape),
    )
    monkeypatch.setattr(consoles._FIRST_PAGE, "_kept", {})
    params = {"f": "1", "open": "on", "o": "-number"}
    client.force_login(agent)
    assert numbers(client.get(INCIDENTS, params)) == visible[:2]
    assert set(built) == {("INC", ("open",), "number", True, 2)}
    first_built = len(built)
    for user in (other_agent, agent):
        client.force_login(user)
        response = client.get(INCIDENTS, params)
        assert numbers(response) == visible[:2]
    assert len(built) == first_built
    # The next page, after a cursor, is written as usual; so is every page
    # of the data-protection role, who sees blocked customers too.
    assert numbers(client.get(INCIDENTS + "?" + response.context["next_url"][1:])) == visible[2:]
    guardian = make_role_user(django_user_model, "coordinator")
    guardian.groups.add(Group.objects.get(name=DATA_PROTECTION_GROUP))
    client.force_login(guardian)
    everyone = sorted((t.number for t in tickets), reverse=True)
    assert numbers(client.get(INCIDENTS, params)) == everyone[:2]
    assert len(built) == first_built
