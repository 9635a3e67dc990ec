"""What a received message does to a ticket, written on the core's public
services and its journal: a *Comunicación con cliente* entry with the text
and the files, the ticket put back in front of an agent (Pendiente or
Resuelto → Asignado / *Pdte comunicación con cliente*), a new related ticket
when the old one is closed, a note when our mail to the customer bounced.

Entries the system writes by itself have no author (as auto-close's); each
names the message that caused it.
"""

from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.db import transaction

from itsm import journal_events as events
from itsm.models import MAX_ATTACHMENTS, Channel, RequiresAttention, Ticket, WorkInfoType
from itsm.selectors import agent_default_group
from itsm.services.journal import journal_event
from itsm.services.relations import ticket_relate
from itsm.services.rules import can_be_assignee
from itsm.services.ticket_create import ticket_create
from itsm.services.ticket_update import ticket_customer_replied
from notifications.models import InboundEmail


def _files(email: InboundEmail) -> list[ContentFile]:
    files = []
    for attachment in email.attachments.order_by("position"):
        if attachment.inline:
            continue
        with attachment.file.open("rb") as handle:
            files.append(ContentFile(handle.read(), name=attachment.name))
    return files


def _chunks(files: Sequence, size: int = MAX_ATTACHMENTS) -> list[list]:
    return [list(files[index : index + size]) for index in range(0, len(files), size)] or [[]]


@transaction.atomic
def ticket_add_customer_message(
    *, ticket: Ticket, email: InboundEmail, author=None, extra_files: Sequence = ()
) -> Ticket:
    """Append the message to the ticket's journal as *Comunicación con
    cliente* (requires attention) and put the ticket back in front of an
    agent through the ticket services (``ticket_customer_replied``: a
    Pendiente or resolved ticket goes back to Asignado and its clock runs).
    Returns the ticket as stored now."""
    ticket = type(ticket).objects.select_for_update().get(pk=ticket.pk)
    sender_mismatch = (
        not ticket.customer.email or ticket.customer.email.lower() != email.from_address.lower()
    )
    files = [*extra_files, *_files(email)]
    facts = {"email": email.pk, "sender": email.sender, "subject": email.subject}
    if sender_mismatch:
        facts["other_sender"] = True
    for index, chunk in enumerate(_chunks(files)):
        # The message's header lines are facts, put into words when read; its
        # text is the customer's, kept as written (on the first entry).
        journal_event(
            ticket,
            author=author,
            type=WorkInfoType.CUSTOMER_COMMUNICATION,
            event=events.CUSTOMER_EMAIL,
            data=facts if index == 0 else {**facts, "part": index + 1},
            notes=email.body_text.strip() if index == 0 else "",
            requires_attention=RequiresAttention.RESPONSE,
            attachments=chunk,
            channel=Channel.MAIL,
        )
    ticket_customer_replied(ticket=ticket, email_id=email.pk, author=author)
    InboundEmail.objects.filter(pk=email.pk).update(sender_is_customer=not sender_mismatch)
    return ticket


@transaction.atomic
def ticket_new_for_closed(*, closed: Ticket, email: InboundEmail) -> Ticket:
    """A reply to a closed ticket opens a new one of the same kind for the
    same customer, related to the closed one. It is created in the name of
    the agent who had the closed ticket (a ticket needs a creator); the
    journal says the message caused it."""
    owner = closed.assignee or closed.created_by
    group = closed.assigned_group if closed.assigned_group.active else agent_default_group(owner)
    # The closed ticket's assignee keeps it only if they still work in its group.
    keeps = (
        closed.assignee is not None
        and group is not None
        and can_be_assignee(closed.assignee, group.pk)
    )
    ticket = ticket_create(
        model=type(closed),
        user=owner,
        customer=closed.customer,
        summary=(email.subject or closed.summary)[:100],
        assigned_group=group,
        assignee=closed.assignee if keeps else None,
        reported_source="email",
        channel=Channel.MAIL,
    )
    journal_event(
        ticket,
        author=None,
        type=WorkInfoType.GENERAL,
        event=events.OPENED_BY_EMAIL,
        data={"email": email.pk, "number": closed.number},
        channel=Channel.MAIL,
    )
    ticket_relate(ticket=ticket, user=owner, other_number=closed.number, channel=Channel.MAIL)
    return ticket_add_customer_message(ticket=ticket, email=email)


@transaction.atomic
def ticket_note_bounce(
    *, ticket: Ticket, email: InboundEmail, address: str, diagnostic: str, permanent: bool
) -> None:
    """A bounce of our mail: a note in the journal, no reopening."""
    journal_event(
        ticket,
        author=None,
        type=WorkInfoType.EMAIL_SYSTEM,
        event=events.EMAIL_BOUNCED,
        data={
            "address": address,
            "diagnostic": diagnostic,
            "permanent": permanent,
            "email": email.pk,
        },
        channel=Channel.MAIL,
    )
