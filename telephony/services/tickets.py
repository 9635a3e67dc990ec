"""Calls recorded on tickets, through the ticket services (the one door):
the journal says *Llamada entrante de … · 3 min 12 s* and the talk time
goes to the ticket's time spent."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from itsm.kinds import kind_for_number
from itsm.models import Ticket
from itsm.services.calls import ticket_record_call
from telephony.models import Call, CallTicket


def _journal(link: CallTicket, ticket: Ticket, call: Call, user) -> None:
    ticket_record_call(
        ticket=ticket,
        user=user,
        direction=call.direction,
        number=call.remote_number,
        talk_seconds=call.talk_seconds,
        call_id=call.pk,
    )
    link.journaled_at = timezone.now()
    link.save(update_fields=["journaled_at"])


@transaction.atomic
def call_link_ticket(*, call: Call, ticket: Ticket, user) -> CallTicket:
    """Record ``call`` on ``ticket`` (once): in the journal now if the call
    has ended, else when its hang-up arrives. The call takes the ticket's
    customer when it had none."""
    link, created = CallTicket.objects.get_or_create(
        call=call, number=ticket.number, defaults={"kind": ticket.KIND, "linked_by": user}
    )
    if not created:
        return link
    if call.customer_id is None:
        call.customer = ticket.customer
        call.save(update_fields=["customer"])
    if call.ended_at:
        _journal(link, ticket, call, user)
    return link


def journal_pending_links(call: Call) -> None:
    """The hang-up came: the tickets made during the call get it now. A
    ticket closed meanwhile keeps its journal as it was."""
    for link in call.ticket_links.filter(journaled_at__isnull=True).select_related("linked_by"):
        kind = kind_for_number(link.number)
        ticket = kind.model.objects.filter(number=link.number).first() if kind else None
        if ticket is None or link.linked_by is None:
            continue
        try:
            with transaction.atomic():
                _journal(link, ticket, call, link.linked_by)
        except ValidationError:
            continue
