"""Receiving mail: store the raw message first, then classify, parse and
thread it. Both ways in (IMAP polling, the pipe command) call
``inbound_receive``.

Storing and processing share one transaction, the processing inside a
savepoint: a message that cannot be read rolls back only its processing and
is kept, quarantined with the reason. A process killed before the commit
leaves nothing, and the message is delivered again (IMAP: not yet flagged;
pipe: exit status 75); a message stored but never processed (it cannot
happen through here, but an old row might) is processed when it comes again.
"""

import hashlib
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from itsm import events as announced
from itsm.selectors import ticket_get_by_number, ticket_or_merge_target
from notifications.classify import bounce_report, classify, subject_ticket_numbers
from notifications.mail_decoding import message_ids
from notifications.models import (
    Classification,
    EmailStatus,
    InboundAction,
    InboundAttachment,
    InboundEmail,
    InboundStatus,
    OutgoingEmail,
    QuarantineReason,
)
from notifications.parsing import MessageLimits, ParsedMessage, parse_message
from notifications.services.ticket_mail import (
    ticket_add_customer_message,
    ticket_new_for_closed,
    ticket_note_bounce,
)

log = logging.getLogger(__name__)

DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Outcome:
    """What became of a message, for the one line the commands print."""

    email_id: int
    result: str  # duplicate, quarantined, or the classification
    detail: str = ""  # the ticket number, "mailbox", the quarantine reason…

    def summary(self) -> str:
        if self.result == DUPLICATE:
            return f"duplicate {self.email_id}"
        return f"{self.result.replace('_', '-')} {self.detail}".strip() + f" ({self.email_id})"


_MESSAGE_ID_HEADER = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.I | re.M)


def message_id_of(raw: bytes, sha256: str) -> tuple[str, bool]:
    """The Message-ID as given, or one synthesised from the content (so the
    same bytes delivered twice get the same one). (id, synthesised?). Read
    from the header block with a pattern: this runs before any parsing."""
    head = re.split(rb"\r?\n\r?\n", raw[:262_144], maxsplit=1)[0]
    match = _MESSAGE_ID_HEADER.search(head)
    found = message_ids(match.group(1).decode("utf-8", "replace")) if match else []
    if found and len(found[0]) <= 500:
        return found[0], False
    return f"<{sha256[:40]}@inbound.invalid>", True


def inbound_receive(*, raw: bytes, source: str) -> Outcome:
    """Store ``raw`` (once) and process it. Raises only for infrastructure
    failures (database, storage): the caller must retry the delivery."""
    sha256 = hashlib.sha256(raw).hexdigest()
    message_id, synthesised = message_id_of(raw, sha256)
    existing = InboundEmail.objects.filter(message_id=message_id, sha256=sha256).first()
    if existing is not None:
        if existing.processed_at is None:
            return inbound_process(email=existing)
        return Outcome(existing.pk, DUPLICATE)
    try:
        with transaction.atomic():
            email = InboundEmail(
                size=len(raw),
                sha256=sha256,
                message_id=message_id,
                message_id_synthesised=synthesised,
                source=source,
            )
            email.raw.save(f"{sha256}.eml", ContentFile(raw), save=False)
            email.save()
            return _process_stored(email, raw)
    except IntegrityError:
        # Another delivery of the same message committed first.
        existing = InboundEmail.objects.filter(message_id=message_id, sha256=sha256).first()
        if existing is None:
            raise
        return Outcome(existing.pk, DUPLICATE)


@transaction.atomic
def inbound_process(*, email: InboundEmail) -> Outcome:
    """(Re)process a stored message from its raw bytes: after a fix, or a
    quarantine lifted. A message already on a ticket is not threaded twice."""
    email = InboundEmail.objects.select_for_update().get(pk=email.pk)
    with email.raw.open("rb") as handle:
        raw = handle.read()
    return _process_stored(email, raw)


def _quarantine(email: InboundEmail, reason: str, detail: str) -> Outcome:
    InboundEmail.objects.filter(pk=email.pk).update(
        quarantine_reason=reason,
        quarantine_detail=detail[:2000],
        processed_at=timezone.now(),
    )
    log.warning("Incoming e-mail %s quarantined (%s): %s", email.pk, reason, detail)
    return Outcome(email.pk, "quarantined", reason.replace("_", "-"))


def _process_stored(email: InboundEmail, raw: bytes) -> Outcome:
    """Parse, classify and route a stored message; one too large for the
    limit is kept in quarantine unread, whether it is new or processed again."""
    if len(raw) > settings.ITSM_INBOUND_MAX_BYTES:
        return _quarantine(
            email,
            QuarantineReason.TOO_LARGE,
            f"{len(raw)} bytes > {settings.ITSM_INBOUND_MAX_BYTES}",
        )
    try:
        with transaction.atomic():
            parsed = parse_message(raw)
            message = parsed.message
            verdict = classify(message, parsed)
            _store_parsed(email, parsed, verdict.classification, verdict.reason)
            detail = _route(email, message, parsed)
            email.save()
            announced.publish(announced.MAIL_RECEIVED, email=email)
    except MessageLimits as error:
        return _quarantine(email, QuarantineReason.LIMITS, str(error))
    except Exception as error:
        if _is_infrastructure(error):
            raise
        log.exception("Incoming e-mail %s could not be processed", email.pk)
        return _quarantine(email, QuarantineReason.PARSE_ERROR, f"{type(error).__name__}: {error}")
    return Outcome(email.pk, email.classification, detail)


def _is_infrastructure(error: Exception) -> bool:
    return isinstance(error, DatabaseError | OSError) and not isinstance(error, IntegrityError)


def _store_parsed(email: InboundEmail, parsed: ParsedMessage, classification: str, reason: str):
    email.classification = classification
    email.classification_reason = reason
    email.quarantine_reason = QuarantineReason.NONE
    email.quarantine_detail = ""
    email.from_address = parsed.from_address
    email.from_name = parsed.from_name
    email.to = parsed.to
    email.cc = parsed.cc
    email.subject = parsed.subject
    email.sent_at = parsed.sent_at
    email.in_reply_to = parsed.in_reply_to
    email.references = " ".join(parsed.references)[:10_000]
    email.body_text = parsed.text
    email.body_html = parsed.html
    email.has_remote_images = "http" in parsed.html.lower() and "<img" in parsed.html.lower()
    email.processed_at = timezone.now()
    if not email.attachments.exists():
        for position, attachment in enumerate(parsed.attachments, start=1):
            stored = InboundAttachment(
                email=email,
                position=position,
                name=attachment.name,
                content_type=attachment.content_type[:255],
                size=len(attachment.content),
                content_id=attachment.content_id,
                inline=attachment.inline,
            )
            stored.file.save(attachment.name, ContentFile(attachment.content), save=False)
            stored.save()


def _route(email: InboundEmail, message, parsed: ParsedMessage) -> str:
    """Thread the message or leave it in the mailbox. Returns where it went."""
    if email.ticket_number and email.action:
        return email.ticket_number  # reprocessed: already on its ticket
    if email.classification == Classification.BOUNCE:
        return _route_bounce(email, message, parsed)
    number = _thread_number(parsed)
    if email.classification in (Classification.OWN, Classification.AUTO_REPLY):
        # Recorded, never answered, never changes a ticket.
        email.status = InboundStatus.DONE
        if number and ticket_get_by_number(number) is not None:
            email.ticket_number = number
            email.threaded = True
            return number
        return "mailbox"
    # A reply to a merged ticket's thread lands on the ticket it was merged into.
    ticket = ticket_or_merge_target(ticket_get_by_number(number) if number else None)
    if ticket is None:
        return "mailbox"
    email.save()  # the journal entries name the message by its id
    try:
        with transaction.atomic():
            if ticket.is_closed:
                new = ticket_new_for_closed(closed=ticket, email=email)
                email.action = InboundAction.NEW_TICKET_FOR_CLOSED
                email.ticket_number = new.number
            else:
                ticket_add_customer_message(ticket=ticket, email=email)
                email.action = InboundAction.THREADED
                email.ticket_number = ticket.number
    except (ValidationError, PermissionDenied) as error:
        # The ticket refuses it (e.g. the closed ticket's agent has left and
        # nobody may open a new one in their name): an agent decides.
        log.warning("E-mail %s not threaded onto %s: %s", email.pk, ticket.number, error)
        email.action = InboundAction.NONE
        return "mailbox"
    email.refresh_from_db(fields=["sender_is_customer"])
    email.threaded = True
    email.status = InboundStatus.DONE
    email.acted_at = timezone.now()
    return email.ticket_number


def _thread_number(parsed: ParsedMessage) -> str:
    """The ticket a message answers: a number in the subject, else the
    ticket of the message named by In-Reply-To/References (ours or one we
    received and threaded)."""
    numbers = subject_ticket_numbers(parsed.subject)
    if numbers:
        return numbers[0]
    wanted = [*([parsed.in_reply_to] if parsed.in_reply_to else []), *reversed(parsed.references)]
    wanted = wanted[:50]
    if not wanted:
        return ""
    ours = (
        OutgoingEmail.objects.filter(message_id__in=wanted)
        .values_list("ticket_number", flat=True)
        .first()
    )
    if ours:
        return ours
    earlier = (
        InboundEmail.objects.filter(message_id__in=wanted)
        .exclude(ticket_number="")
        .values_list("ticket_number", flat=True)
        .first()
    )
    return earlier or ""


def _route_bounce(email: InboundEmail, message, parsed: ParsedMessage) -> str:
    report = bounce_report(message, parsed)
    email.bounce_status = report.status
    email.status = InboundStatus.DONE
    outgoing = (
        OutgoingEmail.objects.filter(message_id__in=report.original_message_ids[:20]).first()
        if report.original_message_ids
        else None
    )
    if outgoing is None:
        return "mailbox"
    ticket = outgoing.ticket
    email.bounced_email = outgoing
    email.ticket_number = ticket.number
    email.threaded = True
    email.action = InboundAction.BOUNCE_RECORDED
    email.acted_at = timezone.now()
    now = timezone.now()
    diagnostic = " ".join(filter(None, [report.status, report.diagnostic]))[:2000]
    if report.permanent:
        OutgoingEmail.objects.filter(pk=outgoing.pk).update(
            status=EmailStatus.BOUNCED, bounced_at=now, bounce_diagnostic=diagnostic
        )
        customer = ticket.customer
        if customer.email and customer.email.lower() == outgoing.to_email.lower():
            type(customer).objects.filter(pk=customer.pk).update(
                email_failing_since=now, email_failure=diagnostic[:500]
            )
    else:
        OutgoingEmail.objects.filter(pk=outgoing.pk).update(bounce_diagnostic=diagnostic)
    email.save()
    ticket_note_bounce(
        ticket=ticket,
        email=email,
        address=outgoing.to_email,
        diagnostic=diagnostic,
        permanent=report.permanent,
    )
    return ticket.number
