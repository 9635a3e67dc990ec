"""The compose page, the message page, *Reenviar*, downloads and the e-mail
section of the ticket page."""

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from customers.tests.factories import CustomerFactory
from itsm.common.text import person_name
from itsm.reference_names import people_names
from itsm.tests.factories import make_incident
from notifications.models import EmailStatus, OutgoingEmail
from notifications.services.compose import email_save_draft, email_send
from notifications.tests.factories import pdf_upload

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def compose_url(ticket) -> str:
    return reverse(f"{ticket._meta.app_label}:email", args=[ticket.number])


def message_url(ticket, email) -> str:
    return reverse(f"{ticket._meta.app_label}:email_message", args=[ticket.number, email.pk])


@pytest.fixture
def draft(agent, incident, documentation):
    return email_save_draft(
        ticket=incident, user=agent, template=documentation, attachment=pdf_upload("a.pdf")
    )


@pytest.fixture
def failed(agent, incident, documentation):
    email = email_send(ticket=incident, user=agent, template=documentation)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.FAILED, attempts=1, last_error="550 5.1.1 mailbox unavailable"
    )
    email.refresh_from_db()
    return email


def all_urls(ticket, email) -> list[tuple[str, str]]:
    ns, number = ticket._meta.app_label, ticket.number
    return [
        ("get", compose_url(ticket)),
        ("get", message_url(ticket, email)),
        ("post", reverse(f"{ns}:email_resend", args=[number, email.pk])),
        ("get", reverse(f"{ns}:email_attachment", args=[number, email.pk, 1])),
        ("post", reverse(f"{ns}:email_attachment_remove", args=[number, email.pk, 1])),
    ]


def test_anonymous_users_are_sent_to_the_login_page(client, incident, draft):
    for method, url in all_urls(incident, draft):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_users_without_a_role_are_refused(outsider, incident, draft):
    client = logged_in(outsider)
    for method, url in all_urls(incident, draft):
        assert getattr(client, method)(url).status_code == 403, url


def test_an_unknown_ticket_is_not_found(agent, reference):
    response = logged_in(agent).get("/incidents/INC999999999999/email/")
    assert response.status_code == 404


def test_the_compose_page_shows_the_locked_recipient_and_subject(
    agent, incident, response_templates, django_assert_max_num_queries
):
    client = logged_in(agent)
    with django_assert_max_num_queries(12):
        response = client.get(compose_url(incident))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ana García López &lt;ana.garcia@example.com&gt;" in page
    assert 'name="to"' not in page and 'name="subject"' not in page
    assert "Archivo 1" in page
    assert "SOLICITUD DOCUMENTACIÓN" in page
    # Agents are not offered the coordinators' templates.
    assert "VINCULACIÓN – VINCULADO" not in page
    assert ">Guardar<" in page and ">Enviar<" in page


def test_coordinators_are_offered_their_templates(coordinator, incident, response_templates):
    page = logged_in(coordinator).get(compose_url(incident)).content.decode()
    assert "VINCULACIÓN – VINCULADO" in page
    assert "VINCULACIÓN – DESVINCULADO" in page


def test_plus_previews_the_template_without_saving(agent, incident, debt):
    response = logged_in(agent).post(
        compose_url(incident),
        {"template": debt.pk, "amount": "1.234,50", "note": "", "action": "preview"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "deuda pendiente de 1.234,50 €" in page
    assert f"{incident.number} Colegio de Registradores" in page
    assert not OutgoingEmail.objects.exists()


def test_a_posted_recipient_or_subject_is_ignored(agent, incident, documentation):
    response = logged_in(agent).post(
        compose_url(incident),
        {
            "template": documentation.pk,
            "to": "evil@example.com",
            "to_email": "evil@example.com",
            "subject": "Otro asunto\r\nBcc: evil@example.com",
            "action": "save",
        },
    )
    email = OutgoingEmail.objects.get()
    assert response.status_code == 302
    assert response.url == message_url(incident, email)
    assert email.to_email == "ana.garcia@example.com"
    assert email.subject == f"{incident.number} Colegio de Registradores"
    assert email.status == EmailStatus.DRAFT


def test_send_queues_the_message_and_returns_to_the_ticket(agent, incident, documentation):
    response = logged_in(agent).post(
        compose_url(incident),
        {"template": documentation.pk, "note": "- Captura del error", "action": "send"},
        follow=False,
    )
    email = OutgoingEmail.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("incidents:detail", args=[incident.number]) + "#ticket-emails"
    assert email.status == EmailStatus.QUEUED
    assert "- Captura del error" in email.body_text


def test_missing_template_is_reported_in_spanish_and_the_text_is_kept(agent, incident, reference):
    response = logged_in(agent).post(
        compose_url(incident), {"template": "", "note": "Texto que escribí", "action": "send"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Este campo es obligatorio." in page
    assert "Texto que escribí" in page
    assert not OutgoingEmail.objects.exists()


def test_the_debt_template_without_amount_is_refused_keeping_the_input(agent, incident, debt):
    response = logged_in(agent).post(
        compose_url(incident),
        {"template": debt.pk, "amount": "", "note": "Pague antes del día 30", "action": "send"},
    )
    page = response.content.decode()
    assert "Esta plantilla necesita el importe adeudado." in page
    assert "Pague antes del día 30" in page
    assert f'<option value="{debt.pk}" selected>' in page
    assert not OutgoingEmail.objects.exists()


def test_a_file_of_a_forbidden_type_is_refused_in_spanish(agent, incident, documentation):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("programa.exe", b"MZ\x90\x00\x03" + b"\x00" * 100)
    response = logged_in(agent).post(
        compose_url(incident),
        {"template": documentation.pk, "attachment": upload, "action": "save"},
    )
    page = response.content.decode()
    assert "no es un tipo de archivo permitido" in page
    assert not OutgoingEmail.objects.exists()


def test_an_agent_cannot_post_a_coordinator_template(agent, incident, linked):
    response = logged_in(agent).post(
        compose_url(incident), {"template": linked.pk, "action": "send"}
    )
    assert response.status_code == 200
    # The words the service says to any caller with the same template.
    assert "Esta plantilla de respuesta no se puede usar en esta gestión." in (
        response.content.decode()
    )
    assert not OutgoingEmail.objects.exists()


def test_a_customer_without_email_gets_a_clear_message_and_no_send(agent, reference, documentation):
    ticket = make_incident(user=agent, customer=CustomerFactory(email=""))
    client = logged_in(agent)
    page = client.get(compose_url(ticket)).content.decode()
    assert "El cliente no tiene ninguna dirección de correo registrada" in page
    assert ">Enviar<" not in page
    response = client.post(compose_url(ticket), {"template": documentation.pk, "action": "send"})
    assert "El cliente no tiene ninguna dirección de correo registrada" in (
        response.content.decode()
    )
    assert not OutgoingEmail.objects.exists()


def test_files_are_added_one_at_a_time_on_the_draft(agent, incident, draft, documentation):
    client = logged_in(agent)
    page = client.get(message_url(incident, draft)).content.decode()
    assert "Archivo 1" in page and "a.pdf" in page and "Archivo 2" in page
    response = client.post(
        message_url(incident, draft),
        {"template": documentation.pk, "attachment": pdf_upload("b.pdf"), "action": "save"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert [name for _, name in draft.attachment_names] == ["a.pdf", "b.pdf"]
    remove = reverse("incidents:email_attachment_remove", args=[incident.number, draft.pk, 1])
    assert client.post(remove).status_code == 302
    draft.refresh_from_db()
    assert [name for _, name in draft.attachment_names] == ["b.pdf"]


def test_an_attachment_is_downloaded_not_shown(agent, incident, draft):
    client = logged_in(agent)
    url = reverse("incidents:email_attachment", args=[incident.number, draft.pk, 1])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    missing = reverse("incidents:email_attachment", args=[incident.number, draft.pk, 3])
    assert client.get(missing).status_code == 404


def test_a_message_of_another_ticket_is_not_found(agent, incident, draft, customer):
    other = make_incident(user=agent, customer=customer)
    assert logged_in(agent).get(message_url(other, draft)).status_code == 404


def test_a_sent_message_is_shown_read_only(agent, incident, failed):
    client = logged_in(agent)
    page = client.get(message_url(incident, failed)).content.decode()
    assert "Error de envío" in page
    assert "550 5.1.1 mailbox unavailable" in page
    assert escape(failed.message_id) in page
    assert ">Reenviar<" in page
    response = client.post(message_url(incident, failed), {"action": "send"})
    assert response.status_code == 302


def test_resend_queues_a_failed_message_again(agent, incident, failed):
    client = logged_in(agent)
    url = reverse("incidents:email_resend", args=[incident.number, failed.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == EmailStatus.QUEUED
    response = client.post(url, follow=True)
    assert "Solo se puede reenviar un correo cuyo envío ha fallado." in (response.content.decode())


def test_the_work_order_pages_are_the_same_view(agent, work_order, documentation):
    client = logged_in(agent)
    assert client.get(compose_url(work_order)).status_code == 200
    response = client.post(
        compose_url(work_order), {"template": documentation.pk, "action": "send"}
    )
    assert response.url.startswith(reverse("workorders:detail", args=[work_order.number]))
    assert OutgoingEmail.objects.get().ticket_number == work_order.number


def render_section(ticket) -> str:
    template = Template("{% load notifications %}{% ticket_emails ticket %}")
    return template.render(Context({"ticket": ticket, "csrf_token": "token"}))


def test_the_ticket_section_lists_the_conversation_in_two_queries(
    agent, incident, documentation, failed, django_assert_num_queries
):
    email_save_draft(ticket=incident, user=agent, template=documentation)
    email_send(ticket=incident, user=agent, template=documentation)
    people_names([agent.pk])  # read by the page's journal before this section
    with django_assert_num_queries(2):
        page = render_section(incident)
    assert page.count('data-email-status="') == 3
    assert page.count(f"· {person_name(agent)}") == 3  # who wrote or sent each
    assert 'data-email-status="failed"' in page
    assert 'data-email-status="queued"' in page
    assert 'data-email-status="draft"' in page
    assert ">Reenviar<" in page and page.count(">Reenviar<") == 1
    assert ">Enviar correo<" in page
    assert compose_url(incident) in page
    for _ in range(5):
        email_send(ticket=incident, user=agent, template=documentation)
    with django_assert_num_queries(2):
        assert render_section(incident).count('data-email-status="') == 8


def test_the_ticket_section_says_when_the_customer_has_no_email(agent, reference):
    ticket = make_incident(user=agent, customer=CustomerFactory(email=""))
    page = render_section(ticket)
    assert "El cliente no tiene dirección de correo registrada." in page
    assert "Enviar correo" not in page
    assert "No se ha enviado ningún correo desde esta gestión." in page


def test_a_text_for_the_customer_over_the_limit_is_refused_and_kept(
    agent, incident, documentation, settings
):
    settings.ITSM_MAX_TEXT_LENGTH = 50
    response = logged_in(agent).post(
        compose_url(incident), {"template": documentation.pk, "note": "q" * 60, "action": "send"}
    )
    page = response.content.decode()
    assert "Este texto tiene 60 caracteres y el máximo es 50." in page
    assert "q" * 60 in page
    assert 'maxlength="' not in page
    assert not OutgoingEmail.objects.exists()


def test_picking_a_template_previews_it_in_the_page(agent, incident, documentation):
    page = logged_in(agent).get(compose_url(incident)).content.decode()
    fields = page[page.index('id="email-fields"') :]
    assert 'hx-trigger="change"' in fields[:400]
    assert 'hx-vals=\'{"action": "preview"}\'' in fields[:400]
    assert ">+</button>" not in page
