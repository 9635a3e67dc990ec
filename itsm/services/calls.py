"""Phone calls recorded on a ticket. The phone system's app (telephony)
reports them here, by value: the core knows nothing of calls beyond what
its journal says about one."""

from django.db import transaction
from django.db.models import F

from itsm import journal_events as events
from itsm.common.permissions import require_agent
from itsm.models import Ticket, WorkInfo, WorkInfoType
from itsm.services.journal import journal_event
from itsm.services.rules import check_open


@transaction.atomic
def ticket_record_call(
    *,
    ticket: Ticket,
    user,
    direction: str,
    number: str,
    talk_seconds: int,
    call_id: int,
) -> WorkInfo:
    """A call on the ticket's journal (*Llamada entrante de … · 3 min 12 s*),
    its talk time added to the ticket's time spent."""
    require_agent(user)
    check_open(ticket)
    seconds = max(int(talk_seconds), 0)
    entry = journal_event(
        ticket,
        author=user,
        type=WorkInfoType.CUSTOMER_COMMUNICATION,
        event=events.PHONE_CALL,
        data={"direction": direction, "number": number, "seconds": seconds, "call": call_id},
    )
    # No version bump: no field an agent edits changed (as ticket_touch).
    type(ticket).objects.filter(pk=ticket.pk).update(
        updated_at=entry.created_at, time_spent_seconds=F("time_spent_seconds") + seconds
    )
    ticket.time_spent_seconds += seconds
    return entry
