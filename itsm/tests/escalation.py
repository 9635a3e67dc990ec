"""What the escalation tests post and open: the packet form's data per case,
a customer with a FLEI code, a ticket's pages."""

from django.urls import reverse

from customers.models import CustomerKind
from customers.tests.factories import CustomerFactory
from itsm.models import RegistroMercantil

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
COORDINATION = reverse("coordination")


def url(ticket, name: str) -> str:
    return reverse(ticket.kind.url_name(name), args=[ticket.number])


def subscriber():
    return CustomerFactory(kind=CustomerKind.SUBSCRIBER, flei_code="F123456")


def error23_data(ticket, **changes) -> dict:
    registro = RegistroMercantil.objects.get(name="Registro Mercantil de Madrid")
    data = {
        "escalate-version": str(ticket.version),
        "escalate-case": "error23",
        "escalate-error_type": "ERROR 23 al firmar",
        "escalate-tax_id": "B12345674",
        "escalate-flei_code": "F123456",
        "escalate-web_procedure": "Depósito de cuentas",
        "escalate-registro": str(registro.pk),
        "escalate-contact_phone": "600 123 456",
        "escalate-contact_person": "Ana Pérez",
        "escalate-note": "Llamó dos veces",
    }
    data.update({f"escalate-{name}": value for name, value in changes.items()})
    return data


def unsolved_data(**fields) -> dict:
    """What the *Error no resuelto* packet form posts, on version 1 of the
    ticket, with ``fields`` (unprefixed names) on top."""
    data = {
        "version": "1",
        "case": "unsolved",
        "ip_address": "2001:db8::1",
        "error_at": "2026-11-30T10:15",
        "checks_done": "Caché borrada, otro navegador",
        **fields,
    }
    return {f"escalate-{name}": value for name, value in data.items()}
