"""E-mail to the customer from a ticket: locked recipient, a response template
picked (the preview follows at once), *Enviar*, and the ticket shows it sent."""

import pytest
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory
from itsm.celery import app as celery_app
from itsm.tests.browser.helpers import expect_tab_shown, log_in, screenshot
from itsm.tests.factories import make_incident
from notifications import reference_data
from notifications.models import EmailStatus, OutgoingEmail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEMPLATE = "SOLICITUD DOCUMENTACIÓN"


@pytest.fixture
def mail_in_process(settings, tmp_path, mailoutbox):
    """No broker: the send task runs in the request, into Django's test outbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield mailoutbox
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def incident(agent, mail_in_process):
    reference_data.load()  # response templates (transactional tests flush them)
    customer = CustomerFactory(
        first_name="Lucía", surnames="Ibáñez Gómez", email="lucia.ibanez@example.com"
    )
    return make_incident(user=agent, customer=customer, assignee=agent)


def test_an_agent_sends_a_response_template_to_the_customer(page, agent, incident, mail_in_process):
    number = incident.number
    log_in(page, agent)
    page.goto(f"/incidents/{number}/")
    page.locator("#quick-actions").get_by_role("link", name="Enviar correo").click()
    page.wait_for_url(f"**/incidents/{number}/email/")

    recipient = page.locator("#email-to")
    expect(recipient).to_have_value("Lucía Ibáñez Gómez <lucia.ibanez@example.com>")
    expect(recipient).not_to_be_editable()

    # Picking the template is enough: the preview appears without another click.
    page.get_by_label("Plantilla de respuesta").select_option(label=TEMPLATE)
    expect(page.locator("#email-subject")).to_have_value(f"{number} Colegio de Registradores")
    preview = page.frame_locator("#email-preview")
    expect(preview.locator("body")).to_contain_text("Estimado/a Lucía Ibáñez Gómez")
    expect(preview.locator("body")).to_contain_text(number)
    # The picked template stays chosen after the preview.
    expect(page.get_by_label("Plantilla de respuesta").locator("option:checked")).to_have_text(
        TEMPLATE
    )
    screenshot(page, "08-email-compose")

    page.get_by_role("button", name="Enviar", exact=True).click()
    page.wait_for_url(f"**/incidents/{number}/*")
    expect(page.locator(".alert-success")).to_contain_text(
        "El correo a lucia.ibanez@example.com se ha enviado"
    )
    # Back on the ticket, the e-mail section is in view with the message sent.
    expect_tab_shown(page, "emails")
    emails = page.locator("#ticket-emails")
    expect(emails).to_be_visible()
    sent = emails.locator('[data-email-status="sent"]')
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text("Enviado")
    expect(sent).to_contain_text(TEMPLATE)
    screenshot(page, "09-ticket-email-sent")
    page.get_by_role("tab", name="Historial").click()
    expect(page.locator("#history-entries")).to_contain_text(
        "Correo enviado a Lucía Ibáñez Gómez <lucia.ibanez@example.com>"
    )

    assert len(mail_in_process) == 1
    message = mail_in_process[0]
    assert message.to == ["Lucía Ibáñez Gómez <lucia.ibanez@example.com>"]
    assert message.subject == f"{number} Colegio de Registradores"
    assert "Estimado/a Lucía Ibáñez Gómez" in message.body
    assert OutgoingEmail.objects.get().status == EmailStatus.SENT
