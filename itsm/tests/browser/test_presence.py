"""A ticket open in another agent's browser says so before anyone types."""

import pytest
from playwright.sync_api import expect

from itsm.tests.browser.helpers import log_in
from itsm.tests.factories import make_incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_sees_a_colleague_editing_the_ticket(open_page, agent, other_agent):
    other_agent.first_name, other_agent.last_name = "Luis", "Pérez"
    other_agent.save()
    ticket = make_incident(user=agent)
    colleague = open_page()
    log_in(colleague, other_agent)
    colleague.goto(ticket.get_absolute_url())
    expect(colleague.locator("[data-presence]")).to_have_count(0)

    me = open_page()
    log_in(me, agent)
    me.goto(ticket.get_absolute_url())
    expect(me.locator("[data-presence]")).to_have_text(
        "Luis Pérez está editando esta gestión desde hace 0 min"
    )
    # The colleague's page learns of me at its next poll.
    colleague.evaluate(
        "htmx.ajax('POST', document.getElementById('ticket-presence').getAttribute('hx-post'),"
        " {target: '#ticket-presence', swap: 'outerHTML'})"
    )
    expect(colleague.locator("[data-presence]")).to_contain_text("Agente está editando")
