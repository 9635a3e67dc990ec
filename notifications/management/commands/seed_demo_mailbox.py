"""A dozen received messages for the demo desk (``seed_demo`` runs it): one
reply threaded onto its ticket, one auto-reply, one bounce of our mail, the
rest waiting in the mailbox. They go through the same intake as real mail;
their Message-IDs are fixed, so running it again stores nothing twice."""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from customers.models import Customer
from itsm.kinds import all_kinds
from notifications.models import EmailStatus, InboundSource, OutgoingEmail, ResponseTemplate
from notifications.services.inbound import inbound_receive

DESK = "soporte@registradores.example"
DATE = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
PDF = b"%PDF-1.4\n% demo\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def message(
    key: str,
    *,
    sender: str,
    subject: str,
    body: str,
    html: str = "",
    headers: dict | None = None,
    files: tuple = (),
) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = DESK
    mail["Subject"] = subject
    # Fixed, like the Message-ID: the same bytes every run, stored once.
    mail["Date"] = format_datetime(DATE)
    mail["Message-ID"] = f"<demo-{key}@example.com>"
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    if html:
        mail.add_alternative(html, subtype="html")
    for name, maintype, subtype, content in files:
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    if mail.is_multipart():
        mail.set_boundary(f"demo-{key}")  # not a random one: the same bytes every run
    return bytes(mail)


def bounce(original_id: str, recipient: str) -> bytes:
    return (
        "Return-Path: <>\r\n"
        "From: MAILER-DAEMON@mx.registradores.example (Mail Delivery System)\r\n"
        f"To: {DESK}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <demo-bounce@mx.registradores.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        "--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--r\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.registradores.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: User unknown\r\n"
        "--r\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {DESK}\r\nTo: {recipient}\r\nMessage-ID: {original_id}\r\n"
        "--r--\r\n"
    ).encode()


class Command(BaseCommand):
    help = "Load a dozen demo messages into the mailbox (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="even with DEBUG off")

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: refusing to load demo mail.")
        customers = list(Customer.objects.exclude(email="").order_by("pk")[:6])
        if len(customers) < 3:
            raise CommandError("Load the demo desk first (seed_demo).")
        incident_model = next(all_kinds()).model
        open_ticket = incident_model.objects.open().filter(customer=customers[0]).first() or (
            incident_model.objects.open().select_related("customer").order_by("pk").first()
        )
        messages = []
        if open_ticket is not None:
            messages += self._about_ticket(open_ticket)
        first = customers[1]
        messages.append(
            message(
                "ooo",
                sender=f"{first.full_name} <{first.email}>",
                subject="Respuesta automática: Fuera de la oficina",
                body="Estaré fuera de la oficina hasta el lunes.",
                headers={"Auto-Submitted": "auto-replied"},
            )
        )
        messages += self._waiting(customers)
        messages += self._from_strangers()
        stored = 0
        for raw in messages:
            outcome = inbound_receive(raw=raw, source=InboundSource.PIPE)
            stored += outcome.result != "duplicate"
        self.stdout.write(f"Demo mailbox: {stored} new message(s) of {len(messages)}.")

    def _about_ticket(self, ticket) -> list[bytes]:
        """The customer's reply, threaded onto the ticket, and the bounce of a
        message we sent from it."""
        messages = [
            message(
                "reply",
                sender=f"{ticket.customer.full_name} <{ticket.customer.email}>",
                subject=f"RE: {ticket.number} Colegio de Registradores",
                body="Buenos días,\n\nadjunto la captura que me pidieron.\n\n"
                "El lun, a las 10:00, Soporte escribió:\n> Envíenos una captura.\n",
                files=(("captura.pdf", "application", "pdf", PDF),),
            )
        ]
        bounced = self._sent_message(ticket)
        if bounced is not None:
            messages.append(bounce(bounced.message_id, bounced.to_email))
        return messages

    def _waiting(self, customers: list[Customer]) -> list[bytes]:
        """Customers' messages that wait in the mailbox, one with a file and
        one with a remote image."""
        waiting = [
            ("Error 23 al firmar el depósito de cuentas", "Me sale ERROR 23 al firmar."),
            ("No puedo legalizar el libro de actas", "La web se queda cargando."),
            ("Solicitud de vinculación", "Adjunto el cuadro de vinculación firmado."),
            ("Pago realizado y FLEI sin confirmar", "Pagué ayer y FLEI no lo refleja."),
            ("Cambio de correo electrónico", "Quiero cambiar mi dirección de correo."),
            ("Consulta sobre plazos", "¿Hasta cuándo puedo presentar las cuentas?"),
            ("Certificado digital caducado", "Mi certificado ha caducado y no puedo firmar."),
        ]
        messages = []
        for index, (subject, body) in enumerate(waiting):
            customer = customers[(index + 2) % len(customers)]
            files = ()
            if "vinculación" in subject:
                files = (("cuadro_vinculacion.pdf", "application", "pdf", PDF),)
            html = ""
            if index == 1:
                html = (
                    f"<p>{body}</p><p><img src='https://static.example.net/firma.png' "
                    "alt='firma'></p>"
                )
            messages.append(
                message(
                    f"waiting-{index}",
                    sender=f"{customer.full_name} <{customer.email}>",
                    subject=subject,
                    body=body,
                    html=html,
                    files=files,
                )
            )
        return messages

    def _from_strangers(self) -> list[bytes]:
        """Two senders who are no customer of the desk."""
        return [
            message(
                "unknown-1",
                sender="Gestoría Núñez <gestoria.nunez@example.org>",
                subject="Alta de un nuevo cliente",
                body="Somos una gestoría y queremos dar de alta a un cliente.",
            ),
            message(
                "unknown-2",
                sender="Pedro Gil <pedro.gil@example.net>",
                subject="Gracias",
                body="Muchas gracias por la ayuda.",
            ),
        ]

    def _sent_message(self, ticket) -> OutgoingEmail | None:
        """A message we 'sent' from the ticket, for the demo bounce to name."""
        template = ResponseTemplate.objects.filter(active=True).order_by("pk").first()
        agent = get_user_model().objects.filter(username="agente").first()
        if template is None or agent is None:
            return None
        email, _created = OutgoingEmail.objects.get_or_create(
            message_id="<demo-sent-1@registradores.example>",
            defaults={
                "ticket": ticket,
                "template": template,
                "to_email": "buzon.inexistente@example.com",
                "subject": f"{ticket.number} Colegio de Registradores",
                "body_text": "Mensaje de demostración.",
                "body_html": "<p>Mensaje de demostración.</p>",
                "status": EmailStatus.SENT,
                "created_by": agent,
                "queued_by": agent,
                "queued_at": timezone.now(),
                "sent_at": timezone.now(),
            },
        )
        return email
