"""A person's data in one archive (RGPD arts. 15 and 20): their customer
record, tickets, journal entries, mail received and sent, calls and files,
as JSON, with a readable summary (``summary.html``) beside it.

Only what belongs to the person: their own tickets and the mail threaded
onto them that they sent or were sent, and mail from their address."""

import io
import json
import posixpath
import zipfile
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from customers.models import CUSTOMER_FIELDS, Customer
from itsm.journal_events import Names, describe
from itsm.kinds import all_kinds
from notifications.models import InboundEmail, OutgoingEmail
from telephony.models import Call

TICKET_FIELDS = (
    "number", "summary", "description", "resolution", "status", "priority",
    "reported_source", "created_at", "updated_at", "resolved_at", "closed_at",
)  # fmt: skip
ENTRY_FIELDS = ("created_at", "type", "view_access", "channel")
INBOUND_FIELDS = ("received_at", "from_address", "from_name", "to", "cc", "subject",
                  "body_text", "ticket_number")  # fmt: skip
OUTGOING_FIELDS = ("created_at", "sent_at", "status", "to_email", "to_name", "subject",
                   "body_text", "note", "ticket_number")  # fmt: skip
CALL_FIELDS = ("rung_at", "answered_at", "ended_at", "direction", "from_number", "to_number",
               "talk_seconds")  # fmt: skip
ATTACHMENTS = ("attachment_1", "attachment_2", "attachment_3")


def _row(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


class Archive:
    """The ZIP being written: JSON documents and files, each file once."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED)
        self.names: set[str] = set()

    def json(self, name: str, value) -> None:
        data = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        self.zip.writestr(name, data)

    def file(self, folder: str, field) -> str | None:
        """Copy a stored file in (through its storage); its path in the archive."""
        if not field or not field.storage.exists(field.name):
            return None
        name = f"files/{folder}/{posixpath.basename(field.name)}"
        if name not in self.names:
            self.names.add(name)
            with field.storage.open(field.name, "rb") as handle:
                self.zip.writestr(name, handle.read())
        return name

    def close(self) -> bytes:
        self.zip.close()
        return self.buffer.getvalue()


def _customer(customer: Customer) -> dict:
    record = _row(customer, CUSTOMER_FIELDS + ("agent_note", "created_at"))
    record["id"] = customer.pk
    record["phones"] = [
        {"kind": phone.kind, "number": phone.number} for phone in customer.phones.all()
    ]
    return record


def _tickets(customer: Customer, archive: Archive) -> list[dict]:
    tickets = []
    for kind in all_kinds():
        for ticket in kind.model.objects.filter(customer=customer).order_by("created_at"):
            entries = list(ticket.work_info.order_by("created_at", "pk"))
            names = Names(entries)
            row = _row(ticket, TICKET_FIELDS) | {"kind": kind.code, "journal": []}
            for entry in entries:
                item = _row(entry, ENTRY_FIELDS) | {"text": describe(entry, names, kind.singular)}
                item["files"] = [
                    archive.file(ticket.number, getattr(entry, name))
                    for name in ATTACHMENTS
                    if getattr(entry, name)
                ]
                row["journal"].append(item)
            tickets.append(row)
    return tickets


def _mail(customer: Customer, numbers: list[str], archive: Archive) -> tuple[list, list]:
    mine = Q(from_address__iexact=customer.email) if customer.email else Q(pk__in=[])
    inbound = InboundEmail.objects.filter(
        (Q(ticket_number__in=numbers) & Q(sender_is_customer=True)) | mine
    ).order_by("received_at", "pk")
    received = []
    for email in inbound.prefetch_related("attachments"):
        row = _row(email, INBOUND_FIELDS)
        row["files"] = [archive.file(f"mail-{email.pk}", email.raw)] + [
            archive.file(f"mail-{email.pk}", attachment.file)
            for attachment in email.attachments.all()
        ]
        received.append(row)
    to_them = Q(to_email__iexact=customer.email) if customer.email else Q(pk__in=[])
    outgoing = OutgoingEmail.objects.filter(Q(ticket_number__in=numbers) | to_them)
    sent = []
    for email in outgoing.order_by("created_at", "pk"):
        row = _row(email, OUTGOING_FIELDS)
        row["files"] = [
            archive.file(f"sent-{email.pk}", getattr(email, name))
            for name in ATTACHMENTS
            if getattr(email, name)
        ]
        sent.append(row)
    return received, sent


def customer_archive(customer: Customer, *, now: datetime | None = None) -> bytes:
    """The ZIP of everything the desk holds about ``customer``."""
    archive = Archive()
    record = _customer(customer)
    with override("es"):
        tickets = _tickets(customer, archive)
    numbers = [ticket["number"] for ticket in tickets]
    received, sent = _mail(customer, numbers, archive)
    calls = [_row(call, CALL_FIELDS) for call in Call.objects.filter(customer=customer)]
    made_at = now or timezone.now()
    archive.json("customer.json", record)
    archive.json("tickets.json", tickets)
    archive.json("mail_received.json", received)
    archive.json("mail_sent.json", sent)
    archive.json("calls.json", calls)
    context = {
        "customer": record,
        "tickets": tickets,
        "received": received,
        "sent": sent,
        "calls": calls,
        "made_at": made_at,
    }
    with override("es"):
        archive.zip.writestr("summary.html", render_to_string("privacy/summary.html", context))
    return archive.close()
