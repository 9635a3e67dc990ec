"""*Enviar al cliente*: a published article's text and its standard
documents go into the e-mail (the documents as the message's files, through
the compose page's own path); an internal article or a draft never reaches
a customer, whatever is posted."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from itsm.tests.factories import make_incident
from kb.models import ArticleStatus
from kb.services.articles import article_save
from kb.tests.test_kb import make_article
from notifications.models import EmailStatus, OutgoingEmail, ResponseTemplate
from notifications.services.delivery import email_deliver

pytestmark = pytest.mark.django_db

LOPD = b"%PDF-1.4 formulario LOPD"
CUADRO = b"%PDF-1.4 cuadro de vinculacion"


@pytest.fixture
def ticket(agent, reference, private_media):
    customer = CustomerFactory(email="ana.garcia@example.com")
    return make_incident(user=agent, customer=customer)


@pytest.fixture
def template(reference):
    # A template without documents of its own: whatever the message carries
    # comes from the article.
    template = ResponseTemplate.objects.get(title="SOLICITUD DOCUMENTACIÓN")
    template.documents.all().delete()
    return template


def with_documents(article, user, **files):
    uploads = [SimpleUploadedFile(name, content) for name, content in files.items()]
    article_save(article, user=user, documents=uploads)
    return article


@pytest.fixture
def published(coordinator, private_media):
    article = make_article(coordinator, title="Vinculación", body="Rellene el cuadro LOPD.")
    return with_documents(
        article, coordinator, **{"formulario_lopd.pdf": LOPD, "cuadro.pdf": CUADRO}
    )


@pytest.fixture
def internal(coordinator, private_media):
    article = make_article(
        coordinator, title="Solo agentes", body="Secreto interno", status=ArticleStatus.INTERNAL
    )
    return with_documents(article, coordinator, **{"interno.pdf": b"%PDF-1.4 interno"})


def compose_url(ticket) -> str:
    return reverse("incidents:email", args=[ticket.number])


def send(client, ticket, template, article, note="") -> None:
    response = client.post(
        compose_url(ticket),
        {"template": template.pk, "note": note, "article": article.pk, "action": "send"},
    )
    assert response.status_code == 302


def test_the_compose_page_shows_the_articles_text_and_documents(client, agent, ticket, published):
    client.force_login(agent)
    page = client.get(compose_url(ticket), {"article": published.pk}).content.decode()
    assert "Rellene el cuadro LOPD." in page
    assert "formulario_lopd.pdf" in page and "cuadro.pdf" in page
    assert f'name="article" value="{published.pk}"' in page


def test_sending_carries_the_articles_documents_as_the_mails_files(
    client, agent, ticket, template, published, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        send(client, ticket, template, published, note="Rellene el cuadro LOPD.")
    email = OutgoingEmail.objects.get()
    assert [name for _position, name in email.attachment_names] == [
        "formulario_lopd.pdf",
        "cuadro.pdf",
    ]
    if email.status != EmailStatus.SENT:
        email_deliver(email_id=email.pk)
    sent = {name: content for name, content, _type in mailoutbox[-1].attachments}
    assert sent == {"formulario_lopd.pdf": LOPD, "cuadro.pdf": CUADRO}
    assert "Rellene el cuadro LOPD." in mailoutbox[-1].body


def test_a_draft_saved_from_an_article_keeps_its_documents_once(
    client, agent, ticket, template, published
):
    client.force_login(agent)
    response = client.post(
        compose_url(ticket), {"template": template.pk, "article": published.pk, "action": "save"}
    )
    email = OutgoingEmail.objects.get()
    assert response.url.endswith(f"/email/{email.pk}/")
    # Saving the draft again (its page posts no article) adds nothing more.
    client.post(response.url, {"template": template.pk, "action": "save"})
    email.refresh_from_db()
    assert len(email.attachments) == 2


def test_an_internal_article_never_reaches_the_customer(
    client, agent, ticket, template, internal, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    page = client.get(compose_url(ticket), {"article": internal.pk}).content.decode()
    assert "Secreto interno" not in page and "interno.pdf" not in page
    # Posted by hand, the reference carries nothing either.
    with django_capture_on_commit_callbacks(execute=True):
        send(client, ticket, template, internal)
    email = OutgoingEmail.objects.get()
    assert email.attachments == [] and "Secreto interno" not in email.body_text
    assert all("interno.pdf" not in name for m in mailoutbox for name, *_ in m.attachments)


def test_a_draft_article_never_reaches_the_customer_even_from_its_writer(
    client, coordinator, ticket, template
):
    draft = make_article(coordinator, title="Borrador", body="Aún sin revisar", status="draft")
    with_documents(draft, coordinator, **{"borrador.pdf": b"%PDF-1.4 borrador"})
    client.force_login(coordinator)
    page = client.get(compose_url(ticket), {"article": draft.pk}).content.decode()
    assert "Aún sin revisar" not in page and "borrador.pdf" not in page
    send(client, ticket, template, draft)
    assert OutgoingEmail.objects.get().attachments == []
