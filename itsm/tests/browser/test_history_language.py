"""One agent works in English, another in Spanish: each reads the same
history in their own language, with people's full names."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from itsm.tests.browser.helpers import log_in
from itsm.tests.factories import make_incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_reader_sees_the_history_in_their_language(open_page, page_as, agent, other_agent):
    agent.first_name, agent.last_name = "Ana", "García"
    agent.save()
    other_agent.first_name, other_agent.last_name = "Luis", "Pérez"
    other_agent.save()
    ticket = make_incident(user=other_agent)

    english = open_page()
    english.goto(reverse("login"))
    english.locator('button[name="language"][value="en"]').click()
    expect(english.locator("html")).to_have_attribute("lang", "en")
    log_in(english, agent)
    english.goto(ticket.get_absolute_url())
    english.get_by_role("button", name="Assign to me").first.click()
    history = english.locator("#history")
    expect(history).to_contain_text("Assignee: (nobody) → Ana García")

    spanish = page_as(other_agent)
    spanish.goto(ticket.get_absolute_url())
    history = spanish.locator("#history")
    expect(history).to_contain_text("Usuario asignado: (nadie) → Ana García")
    expect(history).not_to_contain_text("Assignee:")
    expect(history).to_contain_text("Incidencia abierta: estado Asignado")
