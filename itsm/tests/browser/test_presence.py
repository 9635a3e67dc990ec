"""A ticket open in another agent's browser says so before anyone types:
*viendo* while they only look, *editando* once they type, gone when they
close it."""

import pytest
from playwright.sync_api import expect

from itsm.tests.factories import make_incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_sees_a_colleague_looking_then_editing_then_gone(page_as, agent, other_agent):
    other_agent.first_name, other_agent.last_name = "Luis", "Pérez"
    other_agent.save()
    ticket = make_incident(user=agent)
    colleague = page_as(other_agent)
    colleague.goto(ticket.get_absolute_url())
    expect(colleague.locator("[data-presence]")).to_have_count(0)

    me = page_as(agent)
    me.goto(ticket.get_absolute_url())
    expect(me.locator("[data-presence]")).to_have_text("Luis Pérez está viendo esta gestión")
    # The colleague types a note: their page says so at once, mine at its
    # next poll (asked for here rather than waited for).
    colleague.locator("#id_wi-notes").fill("Llamo al usuario")
    me.locator("body").evaluate("body => body.dispatchEvent(new Event('presencenow'))")
    expect(me.locator("[data-presence]")).to_have_text(
        "Luis Pérez está editando esta gestión desde hace 0 min"
    )
    # The colleague closes the page: its beacon takes them off at once.
    colleague.close()
    me.locator("body").evaluate("body => body.dispatchEvent(new Event('presencenow'))")
    expect(me.locator("[data-presence]")).to_have_count(0)
