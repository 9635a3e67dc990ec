"""The new-ticket page proposes the agent taking the call as assignee, and
the assignee list follows the group as it changes."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from itsm.models import SupportGroup
from itsm.tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_assignee_follows_the_group(page, agent, other_agent, coordinator):
    log_in(page, agent)
    page.goto(reverse("incidents:new"))
    assignee = page.locator("#id_assignee")
    expect(assignee).to_have_value(str(agent.pk))
    expect(assignee.locator("option")).to_have_count(3)  # (nadie) and the two agents

    coordination = SupportGroup.objects.get(is_coordination=True)
    page.locator("#id_assigned_group").select_option(str(coordination.pk))
    expect(assignee.locator(f'option[value="{coordinator.pk}"]')).to_have_count(1)
    expect(assignee.locator(f'option[value="{agent.pk}"]')).to_have_count(0)
    expect(assignee).to_have_value("")

    l1 = SupportGroup.objects.get(is_agent_default=True)
    page.locator("#id_assigned_group").select_option(str(l1.pk))
    expect(assignee).to_have_value(str(agent.pk))
    expect(assignee.locator(f'option[value="{other_agent.pk}"]')).to_have_count(1)
