"""Two duplicates ticked in the incident console are merged into the
customer's work order, and a coordinator undoes one of the merges."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.services.journal import work_info_add
from itsm.tests.browser.helpers import screenshot
from itsm.tests.factories import make_incident, make_work_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def duplicates(agent):
    customer = CustomerFactory(first_name="Lucía", surnames="Ibáñez Gómez")
    target = make_work_order(user=agent, customer=customer, assignee=agent)
    incidents = [make_incident(user=agent, customer=customer, assignee=agent) for _ in range(2)]
    for index, incident in enumerate(incidents):
        work_info_add(ticket=incident, user=agent, notes=f"Llamada {index + 1} por lo mismo")
    return target, incidents


def test_an_agent_merges_a_console_selection_and_a_coordinator_undoes_it(
    page_as, agent, coordinator, duplicates
):
    target, incidents = duplicates
    page = page_as(agent)
    # The smallest screen the desk works on, where the photos are looked at.
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(reverse("incidents:console") + "?f=1&open=on")
    for incident in incidents:
        page.locator(f'.console-pick[value="{incident.number}"]').check()
    screenshot(page, "merge-01-console-selection")
    page.get_by_role("button", name="Fusionar selección en…").click()

    page.wait_for_url("**/incidents/merge/?numbers=*")
    dialog = page.locator("#merge-dialog")
    expect(dialog.locator("#merge-sources li")).to_have_count(2)
    dialog.get_by_label("Fusionar en la gestión").fill(f"wo {int(target.number[2:])}")
    screenshot(page, "merge-02-dialog")
    dialog.get_by_role("button", name="Fusionar", exact=True).click()

    page.wait_for_url(f"**/workorders/{target.number}/")
    expect(page.locator(".alert-success")).to_contain_text(f"fusionadas en {target.number}")
    merges = page.locator("#ticket-merges")
    for incident in incidents:
        expect(merges).to_contain_text(incident.number)
        expect(page.locator("#history-entries")).to_contain_text(f"de {incident.number}")
    expect(page.locator("#history-entries")).to_contain_text("Llamada 2 por lo mismo")
    expect(merges.get_by_role("button", name="Deshacer fusión")).to_have_count(0)
    screenshot(page, "merge-03-target")
    page.locator("#action-merge-toggle").click()
    expect(page.locator("#merge-target")).to_be_visible()
    screenshot(page, "merge-03b-merge-panel")

    # The merged incident's number in the magnifier leads to the work order.
    page.locator("#global-search").fill(incidents[0].number)
    page.locator("#global-search").press("Enter")
    page.wait_for_url(f"**/workorders/{target.number}/")

    boss = page_as(coordinator)
    boss.set_viewport_size({"width": 1366, "height": 768})
    boss.goto(target.get_absolute_url())
    undo = boss.locator(f'[data-merged="{incidents[0].number}"]')
    undo.get_by_role("button", name="Deshacer fusión").click()
    boss.wait_for_url(f"**/incidents/{incidents[0].number}/")
    expect(boss.locator(".alert-success")).to_contain_text("deshecha")
    expect(boss.locator("#ticket-status")).to_contain_text("Asignado")
    screenshot(boss, "merge-04-undone")
    assert not Incident.objects.get(pk=incidents[0].pk).is_merged
    assert Incident.objects.get(pk=incidents[1].pk).merged_into == target.number
