"""The dashboard as a coordinator opens it under ``make run`` (no beat): fresh
figures, their age, dates under the 30-day chart, whole labels and the tables
folded under their charts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from itsm.dashboard import dashboard_refresh
from itsm.models import DashboardSnapshot, SupportGroup
from itsm.tests.browser.helpers import log_in, screenshot
from itsm.tests.factories import make_incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_GROUP = "L2 ESPECIALISTAS DE FIRMA ELECTRÓNICA Y CERTIFICADOS DIGITALES"


def test_a_coordinator_sees_fresh_figures_with_dates_and_whole_labels(page, agent, coordinator):
    make_incident(user=agent, assigned_group=SupportGroup.objects.create(name=LONG_GROUP))
    dashboard_refresh()
    # Beat has not run for ten minutes; a ticket came in meanwhile.
    old = timezone.now() - timedelta(minutes=10)
    snapshot = DashboardSnapshot.objects.get(scope="all")
    snapshot.computed_at = old
    snapshot.data["computed_at"] = old.isoformat()
    snapshot.save()
    make_incident(user=agent)

    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, coordinator)
    page.goto("/dashboard/")
    age = page.locator("#dashboard-age")
    expect(age).to_contain_text(f"Cifras de las {timezone.localtime().strftime('%H:%M')}")
    expect(age).not_to_contain_text("Actualizándolas")
    status = page.locator("#chart-open-by-status")
    expect(status.locator("svg text", has_text="Incidencias · Asignado")).to_be_visible()
    expect(status.locator("svg a").first).to_have_attribute(
        "aria-label", "Incidencias · Asignado: 2"
    )

    group_label = page.locator("#chart-open-by-group svg text", has_text=LONG_GROUP)
    expect(group_label).to_have_text(f"Incidencias · {LONG_GROUP}")
    # Whole inside its card: not cut on either side.
    card = page.locator("#chart-open-by-group .card").bounding_box()
    label = group_label.bounding_box()
    assert card["x"] <= label["x"] and label["x"] + label["width"] <= card["x"] + card["width"]

    ticks = page.locator("#chart-per-day text.date-tick")
    expect(ticks).to_have_count(5)
    expect(ticks.last).to_have_text(timezone.localdate().strftime("%d/%m"))

    tables = page.locator(".dashboard-table")
    for index in range(tables.count()):
        expect(tables.nth(index)).to_be_hidden()
    page.locator("#chart-open-by-status summary").click()
    expect(page.locator("#chart-open-by-status .dashboard-table")).to_be_visible()
    page.locator("#chart-open-by-status summary").click()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=_shot("1366-dashboard"), animations="disabled")
    screenshot(page, "1366-dashboard-full")
    # The charts fit their column (the top bar is another matter).
    rights = page.locator("#dashboard-body .card").evaluate_all(
        "cards => cards.map(card => card.getBoundingClientRect().right)"
    )
    assert max(rights) <= 1366


def _shot(name: str) -> str:
    from itsm.tests.browser.helpers import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS / f"{name}.png")
