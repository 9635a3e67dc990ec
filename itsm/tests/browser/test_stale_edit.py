"""Two agents on the same ticket, in two browsers: a refused stale save
followed by *Guardar* again applies only what the second agent changed, a
field both changed is chosen side by side, and a quick action pressed again
keeps the other agent's change."""

import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from itsm.models import ReportedSource, Status
from itsm.tests.browser.helpers import screenshot
from itsm.tests.factories import make_incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_on_one_ticket(page_as, agent, other_agent):
    """A new incident, open on the page of the agent (a) and of another (b)."""
    ticket = make_incident(user=agent)
    pages = []
    for user in (agent, other_agent):
        page = page_as(user)
        page.goto(ticket.get_absolute_url())
        pages.append(page)
    # Each page names the other before anyone acts: the notice, arriving
    # later, would push the buttons down under a click on its way.
    pages[0].evaluate("document.body.dispatchEvent(new Event('presencenow'))")
    for page in pages:
        expect(page.locator("#ticket-presence [role=status]")).to_have_count(1)
    return ticket, *pages


def save(page) -> None:
    page.locator("#ticket-edit-form").get_by_role("button", name="Guardar", exact=True).click()


def saved(page) -> None:
    """Wait for the page to say the save landed: the other agent's next
    press must come after it."""
    expect(page.get_by_role("status").or_(page.locator(".alert-success")).first).to_contain_text(
        "guardada"
    )


def test_a_refused_save_then_guardar_applies_only_my_change(two_on_one_ticket):
    ticket, a, b = two_on_one_ticket

    # B changes the summary and saves.
    b.locator("#id_summary").fill("Resumen cambiado por B")
    save(b)
    saved(b)

    # A changes the reported source on the old page and saves: refused.
    a.locator("#id_reported_source").select_option(ReportedSource.EMAIL)
    save(a)
    expect(a.locator("#stale-warning")).to_contain_text("Agente2")
    # A's form now shows B's summary and keeps A's change.
    expect(a.locator("#id_summary")).to_have_value("Resumen cambiado por B")
    expect(a.locator("#id_reported_source")).to_have_value(ReportedSource.EMAIL)
    expect(a.locator("#edit-conflicts")).to_have_count(0)
    # Guardar again: A's change lands, B's stays.
    save(a)
    expect(a.locator("#stale-warning")).to_have_count(0)
    ticket.refresh_from_db()
    assert ticket.summary == "Resumen cambiado por B"
    assert ticket.reported_source == ReportedSource.EMAIL

    # Both change the summary: A chooses, side by side.
    b.reload()
    b.locator("#id_summary").fill("Resumen de B otra vez")
    save(b)
    saved(b)
    expect(b.locator("#id_summary")).to_have_value("Resumen de B otra vez")
    a.locator("#id_summary").fill("Resumen de A")
    save(a)
    conflicts = a.locator("#edit-conflicts")
    expect(conflicts).to_contain_text("Resumen de A")
    expect(conflicts).to_contain_text("Resumen de B otra vez")
    screenshot(a, "stale-edit-conflict")
    conflicts.locator('input[name="keep_summary"][value="theirs"]').check()
    save(a)
    expect(a.locator("#edit-conflicts")).to_have_count(0)
    ticket.refresh_from_db()
    assert ticket.summary == "Resumen de B otra vez"


def test_a_refused_quick_action_pressed_again_keeps_the_other_change(two_on_one_ticket):
    ticket, a, b = two_on_one_ticket

    b.locator("#id_summary").fill("Resumen cambiado por B")
    save(b)
    saved(b)
    expect(b.locator("#id_summary")).to_have_value("Resumen cambiado por B")

    a.get_by_role("button", name="Pendiente", exact=True).click()
    panel = a.locator("#action-pending")
    expect(panel).to_be_visible()
    panel.locator("select").select_option(index=1)
    panel.get_by_role("button", name="Dejar pendiente").click()
    expect(a.locator("#stale-warning")).to_contain_text("Agente2")
    a.locator("#action-pending").get_by_role("button", name="Dejar pendiente").click()
    expect(a.locator("#stale-warning")).to_have_count(0)
    stored = Incident.objects.get(pk=ticket.pk)
    assert stored.status == Status.PENDING
    assert stored.summary == "Resumen cambiado por B"
