"""Erasure, second step: once the limitation period is over, a blocked
customer's personal data is removed everywhere the desk keeps it, in one
transaction; the tickets stay (without the person) for the statistics.

Each place is one function: the customer record, the tickets and their
journals (``itsm.services.redaction``, the only path past the journal's
trigger), mail in and out with their raw messages and files, calls, the
webhook outbox, the audit trail and the full-text index. On SQLite deleted
text would survive in the file's free pages: the connection deletes
securely and the database is vacuumed afterwards."""

from email.message import EmailMessage

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from customers.models import Customer
from itsm import fulltext
from itsm.common.search_indexes import CUSTOMER_NAME_FTS
from itsm.kinds import all_kinds
from itsm.models import AuditEvent, TextIndexEntry
from itsm.models.fulltext import SQLITE_FTS_TABLE
from itsm.services.redaction import redact_data, ticket_redact
from notifications.models import InboundEmail, OutgoingEmail
from privacy.models import DataRequest, Right, StepAction
from privacy.redaction import FILE_PLACEHOLDER, Redactor
from privacy.services import step_add
from telephony.models import Call, CallEvent

ANONYMOUS_NAME = "Anonimizado"
MAIL_TEXT = ("from_name", "to", "cc", "subject", "body_text", "body_html", "quarantine_detail")
OUTGOING_TEXT = ("to_name", "subject", "body_text", "body_html", "note", "last_error")


class AlreadyAnonymised(Exception):
    pass


def customer_ticket_numbers(customer: Customer) -> list[str]:
    numbers = []
    for kind in all_kinds():
        numbers += kind.model.objects.filter(customer=customer).values_list("number", flat=True)
    return numbers


def _literal_terms(customer: Customer) -> list[str]:
    """Values searched with ``icontains`` to find rows outside the person's
    tickets that may name them (the regular expression then decides)."""
    terms = [customer.email, customer.tax_id, customer.full_name]
    terms += [phone.e164 for phone in customer.phones.all()]
    return [term for term in terms if term]


def _mentions(fields: tuple[str, ...], terms: list[str]) -> Q:
    condition = Q(pk__in=[])
    for field in fields:
        for term in terms:
            condition |= Q(**{f"{field}__icontains": term})
    return condition


def _redact_tickets(numbers: list[str], redactor: Redactor) -> None:
    for kind in all_kinds():
        for ticket in kind.model.objects.filter(number__in=numbers):
            ticket_redact(ticket, redact=redactor, redact_file=redactor.rewrite_file)


def _raw_message(email: InboundEmail) -> bytes:
    """The raw message rebuilt from its cleaned fields: the original may hold
    the person in encoded parts no rewriting of its text would reach."""
    message = EmailMessage()
    message["From"] = email.from_address or FILE_PLACEHOLDER
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message.set_content(email.body_text or "")
    return bytes(message)


def _redact_texts(email, redactor: Redactor, texts: tuple[str, ...], address: str) -> None:
    """A message's ``texts`` redacted, and its ``address`` emptied when it names the person."""
    for name in texts:
        setattr(email, name, redactor(getattr(email, name)))
    if redactor.found_in(getattr(email, address)):
        setattr(email, address, "")


def _redact_inbound(emails, redactor: Redactor) -> None:
    for email in emails:
        _redact_texts(email, redactor, MAIL_TEXT, "from_address")
        email.raw.name = redactor.rewrite_file(email.raw, _raw_message(email)) or ""
        email.save()
        for attachment in email.attachments.all():
            attachment.name = redactor.file_name(attachment.name)
            attachment.file.name = redactor.rewrite_file(attachment.file)
            attachment.save(update_fields=["name", "file"])


def _redact_outgoing(emails, redactor: Redactor) -> None:
    for email in emails:
        _redact_texts(email, redactor, OUTGOING_TEXT, "to_email")
        for name in ("attachment_1", "attachment_2", "attachment_3"):
            field = getattr(email, name)
            if field:
                field.name = redactor.rewrite_file(field)
        email.save()


def _redact_mail(customer: Customer, numbers: list[str], redactor: Redactor) -> None:
    terms = _literal_terms(customer)
    inbound = InboundEmail.objects.filter(
        Q(ticket_number__in=numbers)
        | _mentions(("from_address", "from_name", "subject", "body_text", "to", "cc"), terms)
    )
    outgoing = OutgoingEmail.objects.filter(
        Q(ticket_number__in=numbers) | _mentions(("to_email", "subject", "body_text"), terms)
    )
    _redact_inbound(inbound.prefetch_related("attachments"), redactor)
    _redact_outgoing(outgoing, redactor)


def _redact_calls(customer: Customer, redactor: Redactor) -> None:
    e164s = [phone.e164 for phone in customer.phones.all() if phone.e164]
    calls = Call.objects.filter(Q(customer=customer) | Q(remote_e164__in=e164s))
    for call in calls:
        call.from_number = redactor(call.from_number, FILE_PLACEHOLDER)
        call.to_number = redactor(call.to_number, FILE_PLACEHOLDER)
        if call.remote_e164 in e164s:
            call.remote_e164 = ""
        call.save(update_fields=["from_number", "to_number", "remote_e164"])
    for event in CallEvent.objects.filter(call__in=calls):
        event.payload = redact_data(event.payload, redactor)
        event.save(update_fields=["payload"])


def _redact_outbox_and_audit(customer: Customer, redactor: Redactor) -> None:
    terms = _literal_terms(customer)
    # By name: the core's URLs reach this module, and nothing below the
    # webhooks may import them (.importlinter).
    Event = apps.get_model("webhooks", "Event")
    for event in Event.objects.filter(_mentions(("body",), terms)):
        Event.objects.filter(pk=event.pk).update(body=redactor(event.body))
    for entry in AuditEvent.objects.filter(_mentions(("detail", "path"), terms)):
        AuditEvent.objects.filter(pk=entry.pk).update(
            detail=redactor(entry.detail), path=redactor(entry.path)
        )
    for logged in LogEntry.objects.filter(_mentions(("object_repr", "change_message"), terms)):
        LogEntry.objects.filter(pk=logged.pk).update(
            object_repr=redactor(logged.object_repr),
            change_message=redactor(logged.change_message),
        )


def _reindex(customer: Customer, numbers: list[str], redactor: Redactor) -> None:
    """Every indexed text of the person's tickets, or naming them, indexed
    again without them through the index's own writer."""
    entries = TextIndexEntry.objects.filter(
        Q(ticket_number__in=numbers) | _mentions(("text",), _literal_terms(customer))
    )
    for entry in entries:
        fulltext.index_text(
            entry.source, entry.key, redactor(entry.text), entry.ticket_number, entry.updated_at
        )


def _clear_customer(customer: Customer) -> None:
    customer.phones.all().delete()
    for name in ("surnames", "organisation", "tax_id", "email", "flei_code", "agent_note"):
        setattr(customer, name, "")
    customer.first_name = ANONYMOUS_NAME
    customer.email_failure = ""
    customer.email_failing_since = None
    customer.phones_summary = ""
    customer.search_name = ANONYMOUS_NAME.lower()
    customer.active = False
    customer.anonymised_at = timezone.now()
    if customer.blocked_at is None:
        customer.blocked_at = customer.anonymised_at
    customer.save()


def customer_anonymise(customer: Customer) -> list[str]:
    """Remove ``customer``'s personal data everywhere, in one transaction;
    the numbers of the tickets kept. Then scrub the database file."""
    if customer.anonymised_at is not None:
        raise AlreadyAnonymised(customer.pk)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        redactor = Redactor(customer)
        numbers = customer_ticket_numbers(customer)
        _redact_tickets(numbers, redactor)
        _redact_mail(customer, numbers, redactor)
        _redact_calls(customer, redactor)
        _redact_outbox_and_audit(customer, redactor)
        _reindex(customer, numbers, redactor)
        _clear_customer(customer)
        for request in DataRequest.objects.filter(customer=customer, right=Right.ERASURE):
            step_add(request, user=None, action=StepAction.ANONYMISED)
    scrub_database_file()
    return numbers


def scrub_database_file() -> None:
    """SQLite: merge the full-text index's segments (it keeps the terms of
    replaced rows until then) and vacuum the file so no free page holds the
    removed text. Not inside a transaction (tests): secure_delete alone."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for table in (SQLITE_FTS_TABLE, CUSTOMER_NAME_FTS):
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        cursor.execute("VACUUM")
