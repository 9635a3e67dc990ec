"""The knowledge base in a real browser: an agent types a summary on the
new-ticket page, sees a suggested article, links it on the ticket and
resolves it; the article then counts the ticket as helped."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory
from itsm.tests.browser.helpers import log_in, screenshot
from itsm.tests.browser.test_new_ticket import find_and_pick_customer
from kb.models import Article
from kb.selectors import helped_resolve_counts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTICLE = "Certificado caducado o revocado"


def test_an_agent_links_a_suggested_article_and_resolving_counts_it(page, agent, admin_user):
    call_command("seed_demo_kb", force=True, verbosity=0)
    CustomerFactory(first_name="Lucía", surnames="Ibáñez Gómez", tax_id="12345678Z")
    article = Article.objects.get(title=ARTICLE)
    log_in(page, agent)
    page.goto("/incidents/new/")
    find_and_pick_customer(page, "12345678Z", "Lucía Ibáñez Gómez")
    summary = page.locator("#id_summary")
    summary.fill("")
    summary.press_sequentially("Certificado caducado, no puede firmar")
    panel = page.locator("#kb-suggestions")
    expect(panel).to_contain_text(ARTICLE)
    # Typing went on while the panel loaded: nothing was lost.
    expect(summary).to_have_value("Certificado caducado, no puede firmar")
    screenshot(page, "kb-01-new-ticket-suggestions")

    page.locator("#id_work_info_notes").fill("Se le explica cómo renovar el certificado.")
    page.locator("#id_work_info_notes").press("Control+Enter")
    page.wait_for_url(re.compile(r"/incidents/INC\d{12}/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[1]

    suggestion = page.locator(".kb-suggestion", has_text=ARTICLE)
    suggestion.get_by_role("button", name="Vincular").click()
    expect(suggestion).to_contain_text(f"Vinculado a {number}")
    screenshot(page, "kb-02-ticket-linked")

    page.locator('#quick-actions [data-bs-target="#action-resolve"]').click()
    resolve = page.locator("#action-resolve")
    resolve.locator("#id_resolve-status_reason").select_option(index=1)
    resolve.locator("#id_resolve-note").fill("Renovado el certificado.")
    resolve.locator("#id_resolve-note").press("Control+Enter")
    expect(page.locator("#ticket-status")).to_contain_text("Resuelto")
    expect(page.locator("#history-entries")).to_contain_text(ARTICLE)

    assert helped_resolve_counts([article.pk])[article.pk] == 1
    page.goto(f"/kb/{article.pk}/")
    expect(page.locator("#kb-helped")).to_contain_text("Ayudó a resolver 1 gestión")
    screenshot(page, "kb-03-article")
