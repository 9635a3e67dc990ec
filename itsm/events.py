"""What the desk announces to whoever listens: each service that changes a
ticket or a mail calls ``publish`` inside its own transaction, with the
objects of the change as facts. The apps above the core (the webhooks'
outbox) register a receiver from their ``AppConfig.ready()``, the way charts
and kinds register, so the core imports none of them.

A receiver runs in the caller's transaction: what it writes commits or rolls
back with the change. It must be cheap when nobody listens to the event."""

from collections.abc import Callable

TICKET_CREATED = "ticket.created"
TICKET_UPDATED = "ticket.updated"
TICKET_STATUS_CHANGED = "ticket.status_changed"
JOURNAL_APPENDED = "journal.appended"
RELATION_ADDED = "relation.added"
ESCALATION_CHANGED = "escalation.changed"
MAIL_RECEIVED = "mail.received"
MAIL_SENT = "mail.sent"
MAIL_FAILED = "mail.failed"
SLA_BREACHED = "sla.breached"

EVENT_TYPES = (
    TICKET_CREATED,
    TICKET_UPDATED,
    TICKET_STATUS_CHANGED,
    JOURNAL_APPENDED,
    RELATION_ADDED,
    ESCALATION_CHANGED,
    MAIL_RECEIVED,
    MAIL_SENT,
    MAIL_FAILED,
    SLA_BREACHED,
)

# ``receiver(event_type, facts)``; facts are the keyword arguments of publish.
Receiver = Callable[[str, dict], None]
# ``wants(event_type)``: whether the receiver would do anything with the event.
Wants = Callable[[str], bool]

_RECEIVERS: dict[Receiver, Wants | None] = {}


def register_receiver(receiver: Receiver, *, wants: Wants | None = None) -> None:
    _RECEIVERS[receiver] = wants


def unregister_receiver(receiver: Receiver) -> None:
    _RECEIVERS.pop(receiver, None)


def wanted(*event_types: str) -> bool:
    """Whether anyone listens to one of these events: a caller whose facts
    cost a query to gather (a batch of rows) asks before gathering them."""
    return any(
        wants is None or any(wants(event_type) for event_type in event_types)
        for wants in _RECEIVERS.values()
    )


def publish(event_type: str, **facts) -> None:
    """Tell every receiver, in the caller's transaction."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {event_type!r}")
    for receiver in _RECEIVERS:
        receiver(event_type, facts)
