"""What was sent is what is recorded: a template's standard documents are
copied onto the message when it is queued, so changing them in the admin
afterwards changes neither a queued or re-sent message nor its record."""

import smtplib

from django.core.files.base import ContentFile
from django.urls import reverse

from notifications.models import EmailStatus, OutgoingEmail
from notifications.services.compose import email_resend, email_send
from notifications.services.delivery import email_deliver


def queue(ticket, user, template) -> OutgoingEmail:
    return email_send(ticket=ticket, user=user, template=template)


def change_documents_in_the_admin(template) -> None:
    first, second = template.documents.order_by("pk")
    first.file.save("cuadro_vinculacion.pdf", ContentFile(b"%PDF-1.4 version 2"), save=False)
    first.name = "cuadro_vinculacion_v2.pdf"
    first.save()
    second.delete()
    template.documents.create(name="nuevo.pdf", file=ContentFile(b"%PDF-1.4 new", name="n.pdf"))


def test_a_queued_message_carries_the_documents_as_they_were(agent, incident, linking, mailoutbox):
    original = {d.name: d.file.open("rb").read() for d in linking.documents.order_by("pk")}
    email = queue(incident, agent, linking)
    assert [d.name for d in email.documents.order_by("pk")] == list(original)

    change_documents_in_the_admin(linking)
    assert email_deliver(email_id=email.pk).status == EmailStatus.SENT
    sent = {name: content for name, content, _type in mailoutbox[0].attachments}
    assert sent == original
    entry = incident.work_info.get(event="email_sent")
    assert entry.data["attachments"] == list(original)


def test_a_re_sent_message_keeps_its_documents(
    agent, incident, linking, mailoutbox, settings, failing_smtp
):
    failing_smtp.error = smtplib.SMTPRecipientsRefused(
        {"ana.garcia@example.com": (550, b"5.1.1 mailbox unavailable")}
    )
    email = queue(incident, agent, linking)
    names = [d.name for d in email.documents.order_by("pk")]
    assert email_deliver(email_id=email.pk).status == EmailStatus.FAILED

    change_documents_in_the_admin(linking)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email_resend(email=OutgoingEmail.objects.get(pk=email.pk), user=agent)
    assert email_deliver(email_id=email.pk).status == EmailStatus.SENT
    assert [name for name, _content, _type in mailoutbox[0].attachments] == names
    assert [d.name for d in email.documents.order_by("pk")] == names


def test_the_message_page_shows_the_documents_it_carries(client, agent, incident, linking):
    email = queue(incident, agent, linking)
    change_documents_in_the_admin(linking)
    client.force_login(agent)
    url = reverse("incidents:email_message", args=[incident.number, email.pk])
    html = client.get(url).content.decode()
    assert "cuadro_vinculacion.pdf" in html and "formulario_lopd.pdf" in html
    assert "nuevo.pdf" not in html and "cuadro_vinculacion_v2.pdf" not in html
