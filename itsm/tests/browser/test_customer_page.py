"""The customer page in Chromium: a customer whose name, note, tickets and
mail carry the XSS corpus shows it all as text (no dialog, no injected
markup, nothing blocked by the Content-Security-Policy), and pages through
its timeline by the pager's links."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.services import customer_note_set
from customers.tests.factories import CustomerFactory
from itsm.tests.browser.helpers import log_in, screenshot
from itsm.tests.browser.test_xss import INJECTED, PAYLOADS
from itsm.tests.factories import make_incident
from notifications import reference_data as notification_reference
from notifications.services.inbound import inbound_receive
from notifications.tests import corpus
from notifications.tests.factories import sent_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOWN = PAYLOADS[:12]


@pytest.fixture
def hostile_customer(agent, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    notification_reference.load()
    customer = CustomerFactory(
        first_name=PAYLOADS[0],
        surnames=PAYLOADS[9],
        organisation=PAYLOADS[2],
        email=corpus.CUSTOMER,
    )
    customer_note_set(customer=customer, note="\n".join(PAYLOADS))
    for index, payload in enumerate(SHOWN):
        ticket = make_incident(user=agent, customer=customer, summary=payload)
        inbound_receive(raw=corpus.plain(subject=payload), source="pipe")
        sent_email(
            ticket,
            agent,
            subject=payload,
            sent_at=timezone.now() - timedelta(minutes=index),
        )
    return customer


def test_hostile_text_on_the_customer_page_is_shown_as_text(open_page, agent, hostile_customer):
    dialogs: list[str] = []
    page = open_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, agent)
    page.set_viewport_size({"width": 1366, "height": 768})
    url = reverse("customers:detail", args=[hostile_customer.pk])
    seen = ""
    while url:
        response = page.goto(url)
        assert response is not None and response.status == 200
        page.wait_for_load_state("load")
        assert page.evaluate(INJECTED) == []
        seen += page.inner_text("#customer-timeline")
        next_link = page.locator("#customer-timeline a[rel=next]")
        url = next_link.get_attribute("href") if next_link.count() else None
        url = reverse("customers:detail", args=[hostile_customer.pk]) + url if url else None
    screenshot(page, "customer-page-hostile")

    header = page.inner_text("#customer-header")
    assert PAYLOADS[0] in header and PAYLOADS[9] in header and PAYLOADS[2] in header
    note = page.inner_text("#note-text")
    assert all(payload.strip() in note for payload in SHOWN)
    # Each payload is a ticket's summary, a mail received and a mail sent.
    assert all(seen.count(payload.strip()) >= 3 for payload in SHOWN), seen
    assert dialogs == []
