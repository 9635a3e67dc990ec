from datetime import datetime
from email.utils import make_msgid

from django.core.files.uploadedfile import SimpleUploadedFile

from notifications.models import EmailStatus, InboundEmail, OutgoingEmail, ResponseTemplate
from notifications.services.inbound import inbound_receive

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf_upload(name: str = "captura.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png_upload(name: str = "pantalla.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def receive(raw: bytes, source: str = "pipe"):
    """Deliver ``raw`` as the mail server would; what it became, and its row."""
    outcome = inbound_receive(raw=raw, source=source)
    return outcome, InboundEmail.objects.get(pk=outcome.email_id)


def sent_email(
    ticket,
    user,
    template: ResponseTemplate | None = None,
    message_id: str | None = None,
    *,
    subject: str | None = None,
    sent_at: datetime | None = None,
) -> OutgoingEmail:
    """A reply we sent on ``ticket`` (for a customer's answer to thread on,
    or a page to show); the first response template unless one is named."""
    return OutgoingEmail.objects.create(
        ticket=ticket,
        template=template or ResponseTemplate.objects.order_by("pk").first(),
        to_email=ticket.customer.email,
        subject=f"{ticket.number} Colegio de Registradores" if subject is None else subject,
        body_text="Texto",
        body_html="<p>Texto</p>",
        status=EmailStatus.SENT,
        message_id=message_id or make_msgid(domain="example.com"),
        created_by=user,
        queued_by=user,
        sent_at=sent_at,
    )


def stored(raw: bytes) -> InboundEmail:
    """A received message as the mailbox keeps it."""
    return InboundEmail.objects.get(pk=inbound_receive(raw=raw, source="pipe").email_id)
