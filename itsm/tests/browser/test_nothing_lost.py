"""Nothing typed is lost: a work-info entry and a new ticket being written
survive a reload or a closed tab (*Borrador recuperado*, which can be
discarded, and is forgotten once saved), and a file chosen on a form that
comes back with errors stays attached."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from itsm.models import WorkInfoType
from itsm.tests.browser.helpers import log_in
from itsm.tests.factories import make_incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


def test_a_work_info_draft_survives_a_reload_and_is_cleared_when_saved(page, agent):
    ticket = make_incident(user=agent)
    log_in(page, agent)
    page.goto(ticket.get_absolute_url())
    notes = page.locator("#id_wi-notes")
    notes.fill("El usuario envía la captura mañana")
    page.wait_for_timeout(500)  # the draft is kept a moment after typing stops
    page.reload()

    form = page.locator("#work-info-form")
    expect(form.locator("[data-draft-restored]")).to_contain_text("Borrador recuperado")
    expect(notes).to_have_value("El usuario envía la captura mañana")

    # Discarded: the form is empty again, and stays so after a reload.
    form.get_by_role("button", name="Descartar").click()
    expect(notes).to_have_value("")
    page.reload()
    expect(form.locator("[data-draft-restored]")).to_have_count(0)

    # Typed again, the tab closed, the ticket opened in a new one: still there.
    notes.fill("Llamará el lunes")
    page.wait_for_timeout(500)
    second = page.context.new_page()
    page.close()
    second.goto(ticket.get_absolute_url())
    expect(second.locator("#id_wi-notes")).to_have_value("Llamará el lunes")
    second.locator("#work-info-form").get_by_role("button", name="Agregar").click()
    expect(second.locator("#history")).to_contain_text("Llamará el lunes")
    second.reload()
    expect(second.locator("#id_wi-notes")).to_have_value("")
    expect(second.locator("[data-draft-restored]")).to_have_count(0)


def test_a_new_ticket_draft_is_kept_per_user(page_as, agent, other_agent):
    page = page_as(agent)
    page.goto(reverse("incidents:new"))
    page.locator("#id_description").fill("Llama porque el portal no carga")
    page.wait_for_timeout(500)
    page.goto(reverse("incidents:new"))
    expect(page.locator("#id_description")).to_have_value("Llama porque el portal no carga")
    expect(page.locator("[data-draft-restored]")).to_be_visible()
    # Another agent on the same browser does not get it.
    page.context.clear_cookies()
    log_in(page, other_agent)
    page.goto(reverse("incidents:new"))
    expect(page.locator("#id_description")).to_have_value("")


def test_a_chosen_file_stays_attached_after_an_error(page, agent, tmp_path):
    ticket = make_incident(user=agent)
    good = tmp_path / "captura.png"
    good.write_bytes(PNG)
    bad = tmp_path / "programa.exe"
    bad.write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    log_in(page, agent)
    page.goto(ticket.get_absolute_url())
    form = page.locator("#work-info-form")
    page.locator("#id_wi-notes").fill("Adjunto la captura")
    page.locator("#id_wi-attachment_1").set_input_files(str(good))
    page.locator("#id_wi-attachment_2").set_input_files(str(bad))
    form.get_by_role("button", name="Agregar").click()

    form = page.locator("#work-info-form")
    expect(form.locator("[data-held-files]")).to_contain_text("«captura.png»")
    expect(form).to_contain_text("no es un tipo de archivo permitido")
    form.get_by_role("button", name="Agregar").click()
    expect(page.locator("#history")).to_contain_text("captura.png")
    entry = ticket.work_info.get(type=WorkInfoType.WORK_NOTES)
    assert entry.attachment_1.name.endswith("captura.png")
