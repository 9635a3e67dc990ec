"""A refused stale edit never becomes a silent overwrite: the next save
applies only what the agent changed, and where both agents changed the same
field the agent chooses which value to keep. The same for the quick actions."""

import pytest
from django.urls import reverse

from itsm.models import ReportedSource, Status
from itsm.services.ticket_update import ticket_update
from itsm.tests.factories import (
    edit_data,
    edit_url,
    make_incident,
    make_work_order,
    page_url,
    pending_reason,
)


@pytest.fixture
def edit_form_open(client, agent):
    """An incident, and its edit form as the agent's page shows it."""
    ticket = make_incident(user=agent)
    client.force_login(agent)
    return ticket, client.get(page_url(ticket)).context["forms"]["edit"]


def other_agent_changes(ticket, other_agent, **fields) -> None:
    fresh = type(ticket).objects.get(pk=ticket.pk)
    ticket_update(ticket=fresh, user=other_agent, expected_version=fresh.version, **fields)


@pytest.mark.parametrize("factory", [make_incident, make_work_order])
def test_after_a_refusal_the_next_save_applies_only_my_change(client, agent, other_agent, factory):
    ticket = factory(user=agent)
    client.force_login(agent)
    form = client.get(page_url(ticket)).context["forms"]["edit"]
    # B changes the summary and saves.
    other_agent_changes(ticket, other_agent, summary="Resumen de B")
    # A changes the reported source and saves: refused, saying who changed what.
    response = client.post(edit_url(ticket), edit_data(form, reported_source=ReportedSource.EMAIL))
    assert response.status_code == 200
    assert response.context["stale"]["who"] == "Agente2"
    rebased = response.context["forms"]["edit"]
    # A's form now shows B's summary and A's own change; nothing to choose.
    assert rebased["summary"].value() == "Resumen de B"
    assert rebased["reported_source"].value() == ReportedSource.EMAIL
    assert response.context["conflicts"] == []
    # A saves again: A's change lands, B's summary stays.
    assert client.post(edit_url(ticket), edit_data(rebased)).status_code == 302
    ticket.refresh_from_db()
    assert ticket.summary == "Resumen de B"
    assert ticket.reported_source == ReportedSource.EMAIL


def test_an_old_value_posted_for_an_untouched_field_is_never_written(client, edit_form_open):
    """Even when the version matches (a form posted as it was shown), a field
    the agent did not change is left as stored."""
    ticket, form = edit_form_open
    data = edit_data(form, description="Notas de A")
    assert client.post(edit_url(ticket), data).status_code == 302
    ticket.refresh_from_db()
    assert ticket.description == "Notas de A"
    journal = list(ticket.work_info.order_by("pk").values_list("event", flat=True))
    assert journal == ["opened"]  # no status, group or assignee change recorded


def test_when_both_change_the_same_field_the_agent_chooses(client, edit_form_open, other_agent):
    ticket, form = edit_form_open
    other_agent_changes(ticket, other_agent, summary="Resumen de B")
    response = client.post(
        edit_url(ticket),
        edit_data(form, summary="Resumen de A", reported_source=ReportedSource.WEB),
    )
    conflicts = response.context["conflicts"]
    assert [(c["name"], c["mine"], c["theirs"]) for c in conflicts] == [
        ("summary", "Resumen de A", "Resumen de B")
    ]
    html = response.content.decode()
    assert "Ambos habéis cambiado estos campos" in html
    assert 'name="keep_summary" value="mine"' in html
    rebased = response.context["forms"]["edit"]

    # Saving without choosing is refused in Spanish; nothing is written.
    response = client.post(edit_url(ticket), edit_data(rebased))
    assert response.status_code == 200
    assert response.context["forms"]["edit"].errors["summary"] == [
        "Usted y otro agente han cambiado este campo: elija qué valor conservar."
    ]
    ticket.refresh_from_db()
    assert (ticket.summary, ticket.reported_source) == ("Resumen de B", ReportedSource.PHONE)

    # Keeping theirs: A's other change lands, B's summary stays.
    response = client.post(edit_url(ticket), {**edit_data(rebased), "keep_summary": "theirs"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.summary, ticket.reported_source) == ("Resumen de B", ReportedSource.WEB)


def test_keeping_mine_writes_my_value(client, edit_form_open, other_agent):
    ticket, form = edit_form_open
    other_agent_changes(ticket, other_agent, summary="Resumen de B")
    response = client.post(edit_url(ticket), edit_data(form, summary="Resumen de A"))
    rebased = response.context["forms"]["edit"]
    response = client.post(edit_url(ticket), {**edit_data(rebased), "keep_summary": "mine"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.summary == "Resumen de A"


def test_the_same_value_from_both_is_no_conflict(client, edit_form_open, other_agent):
    ticket, form = edit_form_open
    other_agent_changes(ticket, other_agent, summary="El mismo resumen")
    response = client.post(edit_url(ticket), edit_data(form, summary="El mismo resumen"))
    assert response.context["conflicts"] == []


@pytest.mark.parametrize("action", ["pending", "assign"])
def test_a_refused_quick_action_applied_again_keeps_the_other_agents_change(
    client, agent, other_agent, action
):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    page = client.get(page_url(ticket))
    forms = page.context["forms"]
    other_agent_changes(ticket, other_agent, summary="Resumen de B")
    app = ticket._meta.app_label
    if action == "pending":
        url = reverse(f"{app}:pending", args=[ticket.number])
        data = {
            "pending-version": "1",
            "pending-seen": forms["pending"]["seen"].value(),
            "pending-status_reason": str(pending_reason().pk),
        }
    else:
        url = reverse(f"{app}:assign_to_me", args=[ticket.number])
        data = {"assign-version": "1", "assign-seen": forms["assign"]["seen"].value()}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["stale"]["who"] == "Agente2"
    rebased = response.context["forms"][action]
    again = {f"{action}-{name}": rebased[name].value() or "" for name in rebased.fields}
    assert client.post(url, again).status_code == 302
    ticket.refresh_from_db()
    assert ticket.summary == "Resumen de B"
    if action == "pending":
        assert ticket.status == Status.PENDING
    else:
        assert ticket.assignee == agent
