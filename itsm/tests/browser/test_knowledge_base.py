"""The knowledge base in a real browser: an agent types a summary on the
new-ticket page, sees a suggested article, links it before the ticket
exists and resolves the ticket; the article then counts the ticket as
helped. *Enviar al cliente* opens the e-mail with the article's text and
documents."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory
from itsm.tests.browser.helpers import log_in, screenshot
from itsm.tests.browser.test_new_ticket import find_and_pick_customer
from itsm.tests.factories import make_incident
from kb.models import Article
from kb.selectors import helped_resolve_counts
from kb.services.articles import article_save
from notifications import reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTICLE = "Certificado caducado o revocado"
# The screen the desk's agents have.
SCREEN = {"width": 1366, "height": 768}


def test_an_agent_links_a_suggested_article_and_resolving_counts_it(page, agent, admin_user):
    call_command("seed_demo_kb", force=True, verbosity=0)
    CustomerFactory(first_name="Lucía", surnames="Ibáñez Gómez", tax_id="12345678Z")
    article = Article.objects.get(title=ARTICLE)
    page.set_viewport_size(SCREEN)
    log_in(page, agent)
    page.goto("/incidents/new/")
    find_and_pick_customer(page, "12345678Z", "Lucía Ibáñez Gómez")
    summary = page.locator("#id_summary")
    summary.fill("")
    summary.press_sequentially("Certificado caducado, no puede firmar")
    suggestion = page.locator(".kb-suggestion", has_text=ARTICLE)
    expect(suggestion).to_be_visible()
    # Typing went on while the panel loaded: nothing was lost.
    expect(summary).to_have_value("Certificado caducado, no puede firmar")

    # *Vincular* before the ticket exists: kept with the form as it goes on.
    suggestion.get_by_role("button", name="Vincular").click()
    expect(page.locator("#kb-chosen")).to_contain_text(ARTICLE)
    # Typing goes on (the panel comes again from the form): the choice stays.
    page.locator("#id_work_info_notes").press_sequentially("Se le explica cómo renovar.")
    expect(page.locator("#kb-chosen")).to_contain_text(ARTICLE)
    expect(suggestion).to_contain_text("Se vinculará")
    screenshot(page, "kb-01-new-ticket-suggestions")

    page.locator("#id_work_info_notes").press("Control+Enter")
    page.wait_for_url(re.compile(r"/incidents/INC\d{12}/$"))
    expect(page.locator("#history-entries")).to_contain_text(ARTICLE)
    screenshot(page, "kb-02-ticket-linked")

    page.locator('#quick-actions [data-bs-target="#action-resolve"]').click()
    resolve = page.locator("#action-resolve")
    resolve.locator("#id_resolve-status_reason").select_option(index=1)
    resolve.locator("#id_resolve-note").fill("Renovado el certificado.")
    resolve.locator("#id_resolve-note").press("Control+Enter")
    expect(page.locator("#ticket-status")).to_contain_text("Resuelto")

    assert helped_resolve_counts([article.pk])[article.pk] == 1
    page.goto(f"/kb/{article.pk}/")
    expect(page.locator("#kb-helped")).to_contain_text("Ayudó a resolver 1 gestión")
    screenshot(page, "kb-03-article")


def test_a_reload_that_overtakes_the_choice_keeps_it(page, agent, admin_user):
    """*Vincular* sends a request; the panel also reloads from the form (the
    agent types on, or leaves the summary) and that reload replaces a request
    still in flight. Held here until the reload has come back: the choice
    must come back with it."""
    call_command("seed_demo_kb", force=True, verbosity=0)
    page.set_viewport_size(SCREEN)
    log_in(page, agent)
    page.goto("/incidents/new/")
    summary = page.locator("#id_summary")
    summary.press_sequentially("Certificado caducado")
    suggestion = page.locator(".kb-suggestion", has_text=ARTICLE)
    expect(suggestion).to_be_visible()

    held = []
    page.route(re.compile(r"/kb/suggest/.*kb_choose="), lambda route: held.append(route))
    with page.expect_response(lambda response: "/kb/suggest/" in response.url) as reload:
        suggestion.get_by_role("button", name="Vincular").click()
        summary.press_sequentially(", no puede firmar")
    assert "kb_choose=" not in reload.value.url
    assert held, "the choice's own request was not sent"
    expect(page.locator("#kb-chosen")).to_contain_text(ARTICLE)
    expect(suggestion).to_contain_text("Se vinculará")
    page.unroute(re.compile(r"/kb/suggest/.*kb_choose="))  # the held one was cancelled
    # Taken off the same way: gone from the form at the click.
    page.locator(".kb-chosen-article").get_by_role("button", name="Quitar").click()
    expect(page.locator("#kb-chosen")).to_have_count(0)
    expect(page.locator('#ticket-form input[name="kb_article"]')).to_have_count(0)


def test_send_to_the_customer_opens_the_mail_with_the_articles_documents(
    page, agent, admin_user, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    reference_data.load()  # response templates (transactional tests flush them)
    call_command("seed_demo_kb", force=True, verbosity=0)
    article = Article.objects.get(title=ARTICLE)
    uploads = [
        SimpleUploadedFile("formulario_lopd.pdf", b"%PDF-1.4 LOPD"),
        SimpleUploadedFile("renovacion_certificado.pdf", b"%PDF-1.4 renovar"),
    ]
    article_save(article, user=admin_user, documents=uploads)
    customer = CustomerFactory(email="lucia.ibanez@example.com")
    ticket = make_incident(user=agent, customer=customer, summary="Certificado caducado")
    page.set_viewport_size(SCREEN)
    log_in(page, agent)
    page.goto(f"/incidents/{ticket.number}/")
    suggestion = page.locator(".kb-suggestion", has_text=ARTICLE)
    suggestion.get_by_role("link", name="Enviar al cliente").click()
    expect(page.locator("#email-article-documents")).to_contain_text("formulario_lopd.pdf")
    expect(page.locator("#email-article-documents")).to_contain_text("renovacion_certificado.pdf")
    expect(page.locator("#id_note")).to_have_value(re.compile(ARTICLE))
    screenshot(page, "kb-04-compose-with-article-documents")
