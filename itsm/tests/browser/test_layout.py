"""The pages at the two screens agents have (1366×768 and 1920×1080): the
ticket page keeps its fields in a column beside the history on both (more in
test_ticket_layout); a filtered console URL carries only the filters set."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from itsm.tests.browser.helpers import log_in, screenshot
from itsm.tests.factories import make_incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_fields_are_beside_the_history(page, agent, screen):
    width, height = SCREENS[screen]
    page.set_viewport_size({"width": width, "height": height})
    ticket = make_incident(user=agent)
    log_in(page, agent)
    page.goto(ticket.get_absolute_url())
    form = page.locator("#ticket-edit-form").bounding_box()
    history = page.locator("#ticket-tabs").bounding_box()
    assert form["x"] > history["x"] + history["width"] - 1
    assert history["y"] < height
    screenshot(page, f"ticket-page-{screen}")


@pytest.mark.parametrize("screen", list(SCREENS))
def test_a_filtered_console_url_carries_only_the_set_filters(page, agent, screen):
    width, height = SCREENS[screen]
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, agent)
    page.goto(reverse("incidents:console") + "?f=1")
    # The filter bar fits one row, nothing clipped, no multi-line lists.
    boxes = [
        page.locator(selector).bounding_box()
        for selector in (
            "#choices-status > summary",
            "#id_status_reason",
            "#id_assigned_group",
            "#id_assignee",
            "#id_requires_attention",
            "#choices-priority > summary",
        )
    ]
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= width for box in boxes)
    assert max(box["y"] for box in boxes) - min(box["y"] for box in boxes) < 10
    assert max(box["height"] for box in boxes) < 45
    screenshot(page, f"console-{screen}")

    page.locator("#id_mine").check()
    page.locator("#choices-status > summary").click()
    page.locator("#choices-status").get_by_label("Pendiente").check()
    # The picker names what is ticked before the filters are applied.
    expect(page.locator("#choices-status > summary")).to_have_text("Pendiente")
    page.locator("#console-filters").get_by_role("button", name="Buscar").click()
    expect(page).to_have_url(
        f"{reverse('incidents:console')}?f=1&mine=on&status=pending", ignore_case=False
    )
    expect(page.locator("#choices-status > summary")).to_have_text("Pendiente")
