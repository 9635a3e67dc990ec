"""The ticket page on the three screens agents have: nothing off the side,
the conversation (header, quick actions, work info, newest history entry)
above the fold at 1366×768, its keys, and long texts refused or folded."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from itsm.services.journal import work_info_add
from itsm.tests.browser.helpers import log_in, screenshot
from itsm.tests.factories import make_incident
from notifications.tests import corpus
from notifications.tests.factories import stored

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"1024x768": (1024, 768), "1366x768": (1366, 768), "1920x1080": (1920, 1080)}


def assert_no_horizontal_overflow(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow} px wider than the window"


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("role", ["agent", "coordinator"])
def test_the_ticket_and_new_ticket_pages_fit_the_screen(page, request, role, screen):
    user = request.getfixturevalue(role)
    width, height = SCREENS[screen]
    page.set_viewport_size({"width": width, "height": height})
    ticket = make_incident(user=user)
    work_info_add(ticket=ticket, user=user, notes="Llama para confirmar los datos.")
    log_in(page, user)
    page.goto(ticket.get_absolute_url())
    assert_no_horizontal_overflow(page)
    # The conversation first: all of it above the fold, on every screen.
    for selector in ("#ticket-header", "#quick-actions", "#work-info-form"):
        box = page.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= height, f"{selector} is below the fold"
    newest = page.locator("#history-entries > li").first
    expect(newest).to_contain_text("Llama para confirmar los datos.")
    assert newest.bounding_box()["y"] + newest.bounding_box()["height"] <= height
    # The fields are beside the conversation, not above it.
    assert page.locator("#ticket-edit-form").bounding_box()["x"] > 0.5 * width
    screenshot(page, f"ticket-{role}-{screen}")

    page.goto(reverse("incidents:new"))
    assert_no_horizontal_overflow(page)
    screenshot(page, f"ticket-new-{role}-{screen}")


def test_the_keys_of_the_ticket_page(page, agent):
    ticket = make_incident(user=agent, assignee=agent)
    log_in(page, agent)
    page.goto(ticket.get_absolute_url())
    page.keyboard.press("?")
    help_box = page.locator("#keys-help")
    expect(help_box).to_be_visible()
    expect(help_box).to_contain_text("Editar los datos de la gestión")
    # Bootstrap gives the dialog the focus once it has faded in.
    expect(help_box).to_be_focused()
    page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()

    page.keyboard.press("w")
    expect(page.locator("#id_wi-notes")).to_be_focused()
    # Typed in a field, the letters are text, not shortcuts.
    page.keyboard.type("me")
    expect(page.locator("#id_wi-notes")).to_have_value("me")
    expect(page).to_have_url(ticket.get_absolute_url())
    page.keyboard.press("Escape")
    page.locator("#id_wi-notes").evaluate("field => field.blur()")

    page.keyboard.press("e")
    expect(page.locator("#ticket-edit-form select").first).to_be_focused()
    page.locator("#ticket-edit-form select").first.evaluate("field => field.blur()")

    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.press("Escape")

    page.keyboard.press("m")
    page.wait_for_url(f"**/incidents/{ticket.number}/email/")


def test_the_resolution_and_the_guidance_show_only_when_they_apply(page, agent):
    ticket = make_incident(user=agent, assignee=agent)
    log_in(page, agent)
    page.goto(ticket.get_absolute_url())
    resolution = page.locator("#ticket-edit-form #id_resolution")
    expect(resolution).to_be_hidden()
    expect(page.locator("#escalation-help")).to_be_hidden()
    page.locator("#ticket-edit-form #id_status").select_option(label="Resuelto")
    expect(resolution).to_be_visible()
    page.locator("#ticket-edit-form #id_status").select_option(label="Pendiente")
    expect(resolution).to_be_hidden()
    group = page.locator("#ticket-edit-form #id_assigned_group")
    group.select_option(label="L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS")
    expect(page.locator("#escalation-help")).to_be_visible()
    group.select_option(label="L1 CAMPAÑA LIBROS/CUENTAS")
    expect(page.locator("#escalation-help")).to_be_hidden()
    page.locator('#quick-actions [data-bs-target="#action-escalate"]').click()
    expect(page.locator("#escalation-help")).to_be_visible()


def test_a_too_long_note_is_refused_and_kept(page, agent, settings):
    settings.ITSM_MAX_TEXT_LENGTH = 500
    ticket = make_incident(user=agent, assignee=agent)
    log_in(page, agent)
    page.goto(ticket.get_absolute_url())
    text = "Llamada larga " + "x" * 586  # 600 characters
    notes = page.locator("#id_wi-notes")
    notes.fill(text)
    # Said while typing, nothing cut.
    expect(page.locator("#id_wi-notes-length")).to_contain_text("600 caracteres")
    expect(notes).to_have_value(text)
    page.locator("#work-info-form").get_by_role("button", name="Agregar").click()
    expect(page.locator("#work-info-form .invalid-feedback")).to_contain_text(
        "Este texto tiene 600 caracteres y el máximo es 500"
    )
    expect(page.locator("#id_wi-notes")).to_have_value(text)
    assert not ticket.work_info.filter(notes__startswith="Llamada larga").exists()


def test_a_long_history_entry_is_folded(page, agent):
    ticket = make_incident(user=agent, assignee=agent)
    lines = "\n".join(f"Línea {number} de la conversación" for number in range(1, 61))
    work_info_add(ticket=ticket, user=agent, notes=lines)
    log_in(page, agent)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(ticket.get_absolute_url())
    entry = page.locator("#history-entries > li").first.locator(".entry-text")
    expect(entry).to_have_class("mt-1 entry-text folded")
    hidden = "entry => entry.scrollHeight - entry.clientHeight"
    assert entry.evaluate(hidden) > 30 * 20  # most of the 60 lines are folded away
    # About fifteen lines are left, starting above the fold.
    line = entry.evaluate("entry => parseFloat(getComputedStyle(entry).lineHeight)")
    assert 14 * line <= entry.bounding_box()["height"] <= 16 * line
    assert entry.bounding_box()["y"] < 768
    page.get_by_role("button", name="Mostrar todo").click()
    expect(entry).not_to_have_class("mt-1 entry-text folded")
    assert entry.evaluate(hidden) == 0
    expect(page.get_by_role("button", name="Mostrar menos")).to_be_visible()
    screenshot(page, "ticket-long-entry-1366x768")


def test_a_long_mail_from_the_customer_is_folded_in_the_history(page, agent, private_media):
    ticket = make_incident(user=agent, assignee=agent)
    body = "\n".join(f"Línea {number} de mi respuesta" for number in range(1, 61))
    stored(
        corpus.plain(
            subject=f"RE: {ticket.number} Colegio de Registradores",
            body=body,
            sender=f"{ticket.customer.full_name} <{ticket.customer.email}>",
        )
    )
    log_in(page, agent)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(ticket.get_absolute_url())
    entry = page.locator("#history-entries > li").first
    expect(entry).to_contain_text("Línea 1 de mi respuesta")
    text = entry.locator(".entry-text")
    expect(text).to_have_class("mt-1 entry-text folded")
    assert text.evaluate("text => text.scrollHeight - text.clientHeight") > 30 * 20
    entry.get_by_role("button", name="Mostrar todo").click()
    expect(text).not_to_have_class("mt-1 entry-text folded")


def test_a_file_over_the_limit_is_refused_before_sending(page, agent, settings, tmp_path):
    settings.ITSM_ATTACHMENT_MAX_BYTES = 1024
    ticket = make_incident(user=agent, assignee=agent)
    big = tmp_path / "captura.png"
    big.write_bytes(b"\x89PNG" + b"0" * 4096)
    log_in(page, agent)
    page.goto(ticket.get_absolute_url())
    page.locator("#work-info-files > summary").click()
    page.locator("#id_wi-attachment_1").set_input_files(str(big))
    expect(page.locator("#id_wi-attachment_1-size")).to_contain_text("«captura.png» ocupa")
    expect(page.locator("#id_wi-attachment_1-size")).to_contain_text("no se ha adjuntado")
    assert page.locator("#id_wi-attachment_1").evaluate("input => input.files.length") == 0


def test_a_template_is_found_by_any_word_of_its_name(page, agent):
    log_in(page, agent)
    page.goto(reverse("incidents:new"))
    finder = page.locator("#id_template-filter")
    finder.fill("vinculac")
    template = page.locator("#id_template")
    expect(template.locator("option:checked")).to_contain_text("VINCULACI")
    expect(page.locator("#id_summary")).not_to_have_value("")
    finder.press("Enter")
    expect(page.locator("#id_description")).to_be_focused()
