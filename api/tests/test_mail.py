"""Mail to a ticket's customer through the API: the compose page's templates,
form and service; the recipient locked to the customer."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from api.tests.conftest import token_client
from customers.tests.factories import CustomerFactory
from itsm.tests.factories import make_incident, make_work_order
from notifications import reference_data
from notifications.models import EmailStatus, OutgoingEmail, ResponseTemplate
from notifications.tests.factories import pdf_upload

pytestmark = pytest.mark.django_db

LINKING = "VINCULACIÓN – ENVÍO CUADRO DE VINCULACIÓN"
LINKED = "VINCULACIÓN – VINCULADO"  # coordinators only
DEBT = "FALTA DE PAGO"  # asks for the amount owed


@pytest.fixture
def templates(reference, private_media) -> dict[str, ResponseTemplate]:
    reference_data.load()
    return {template.title: template for template in ResponseTemplate.objects.all()}


@pytest.fixture
def incident(agent):
    customer = CustomerFactory(
        first_name="Ana", surnames="García López", email="ana.garcia@example.com"
    )
    return make_incident(user=agent, customer=customer)


@pytest.fixture
def mailer(agent):
    return token_client(agent, scopes=("read", "mail"), name_suffix="-mail")


def url(ticket, name: str = "mail") -> str:
    return reverse(f"api:{ticket.kind.namespace}-{name}", args=[ticket.number])


def test_an_agent_is_offered_the_templates_of_the_compose_page(
    mailer, coordinator, incident, templates
):
    response = mailer.get(url(incident, "mail-templates"))

    assert response.status_code == 200
    titles = [row["title"] for row in response.json()]
    assert LINKING in titles
    assert LINKED not in titles
    linking = next(row for row in response.json() if row["title"] == LINKING)
    assert linking["subject"] == f"{incident.number} Colegio de Registradores"
    assert linking["documents"] == ["cuadro_vinculacion.pdf", "formulario_lopd.pdf"]
    coordinating = token_client(coordinator, scopes=("mail",))
    titles = [row["title"] for row in coordinating.get(url(incident, "mail-templates")).json()]
    assert LINKED in titles


def test_a_message_is_sent_to_the_customer_with_its_documents_and_file(
    mailer, agent, incident, templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = mailer.post(
            url(incident),
            {
                "template": templates[LINKING].pk,
                "note": "Adjunto la captura.",
                "attachment": pdf_upload(),
            },
            format="multipart",
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["to_email"] == "ana.garcia@example.com"
    # Read inside the test's transaction: delivery runs once it commits.
    assert body["status"] == EmailStatus.QUEUED
    assert body["attachments"] == [{"index": 1, "name": "captura.pdf"}]
    (message,) = mail.outbox
    assert "ana.garcia@example.com" in message.to[0]
    names = [attachment[0] for attachment in message.attachments]
    assert names == ["cuadro_vinculacion.pdf", "formulario_lopd.pdf", "captura.pdf"]
    email = OutgoingEmail.objects.get()
    assert email.queued_by == agent
    listed = mailer.get(url(incident)).json()
    assert listed["count"] == 1
    assert listed["results"][0]["id"] == email.pk
    assert listed["results"][0]["status"] == "sent"


def test_the_recipient_cannot_be_chosen(mailer, incident, templates):
    response = mailer.post(
        url(incident),
        {"template": templates[LINKING].pk, "to_email": "otro@example.net", "subject": "Hola"},
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["to_email"] == [
        "El destinatario es siempre el cliente de la gestión y el asunto es fijo: "
        "no se pueden elegir."
    ]
    assert set(errors) == {"to_email", "subject"}
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []


def test_an_agent_cannot_send_a_coordinators_template_and_reads_the_pages_message(
    mailer, agent, incident, templates
):
    linked = templates[LINKED]
    response = mailer.post(url(incident), {"template": linked.pk}, format="json")

    assert response.status_code == 400
    page = Client()
    page.force_login(agent)
    form = page.post(
        reverse("incidents:email", args=[incident.number]),
        {"template": linked.pk, "action": "send"},
    ).context["form"]
    assert response.json()["errors"]["template"] == form.errors["template"]
    assert form.errors["template"] == [
        "Esta plantilla de respuesta no se puede usar en esta gestión."
    ]
    assert not OutgoingEmail.objects.exists()


def test_a_coordinator_sends_their_template(coordinator, incident, templates):
    client = token_client(coordinator, scopes=("mail",))
    response = client.post(url(incident), {"template": templates[LINKED].pk}, format="json")
    assert response.status_code == 201, response.json()


def test_the_amount_is_read_as_agents_type_it_and_required_as_in_the_form(
    mailer, incident, templates
):
    debt = templates[DEBT].pk
    missing = mailer.post(url(incident, "mail-preview"), {"template": debt}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"amount": ["Esta plantilla necesita el importe adeudado."]}

    preview = mailer.post(
        url(incident, "mail-preview"), {"template": debt, "amount": "1.234,50"}, format="json"
    )
    assert preview.status_code == 200, preview.json()
    body = preview.json()
    assert "1.234,50" in body["body_text"]
    assert body["to_email"] == "ana.garcia@example.com"
    assert body["subject"] == f"{incident.number} Colegio de Registradores"
    assert not OutgoingEmail.objects.exists()


def test_a_customer_without_an_address_gets_no_mail(mailer, agent, templates):
    ticket = make_work_order(user=agent, customer=CustomerFactory(email=""))
    response = mailer.post(url(ticket), {"template": templates[LINKING].pk}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": [
            "El cliente no tiene ninguna dirección de correo registrada, así que no se puede "
            "enviar el correo. Añada primero la dirección en la ficha del cliente."
        ]
    }


def test_mail_needs_the_mail_scope_and_mail_reaches_nothing_else(agent, incident, templates):
    reader = token_client(agent, scopes=("read", "write"), name_suffix="-rw")
    refused = reader.get(url(incident, "mail-templates"))
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Este token no tiene el permiso mail."

    only_mail = token_client(agent, scopes=("mail",), name_suffix="-m")
    assert only_mail.get(url(incident, "mail-templates")).status_code == 200
    assert only_mail.get(url(incident, "detail")).status_code == 403


def test_an_unknown_ticket_is_a_404(mailer, templates):
    response = mailer.get(reverse("api:incidents-mail", args=["INC000009999999"]))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_file_the_page_refuses_is_refused_with_its_message(mailer, incident, templates):
    page = SimpleUploadedFile("nota.html", b"<script>alert(1)</script>", content_type="image/png")
    response = mailer.post(
        url(incident),
        {"template": templates[LINKING].pk, "attachment": page},
        format="multipart",
    )

    assert response.status_code == 400
    (message,) = response.json()["errors"]["attachment"]
    assert message.startswith("«nota.html» no es un tipo de archivo permitido.")
    assert not OutgoingEmail.objects.exists()


def test_the_templates_and_the_outbox_cost_a_fixed_number_of_queries(
    mailer, incident, templates, django_assert_max_num_queries
):
    for _ in range(3):
        mailer.post(url(incident), {"template": templates[LINKING].pk}, format="json")

    with django_assert_max_num_queries(7):
        assert mailer.get(url(incident, "mail-templates")).status_code == 200
    with django_assert_max_num_queries(6):
        outbox = mailer.get(url(incident))
    assert outbox.json()["count"] == 3
