"""The ``data`` of each event: the objects of the change as the API shows
them (its serializers), written once when the event is recorded, so the
receiver learns the state the change left, not a later one."""

from collections.abc import Callable

from api.serializers import (
    JournalEntrySerializer,
    RelationSerializer,
    kind_serializers,
    relation_side,
)
from itsm import events


def _ticket(ticket) -> dict:
    return dict(kind_serializers(ticket.kind)["ticket"](ticket).data)


def _ticket_reference(ticket) -> dict:
    return {"number": ticket.number, "kind": ticket.KIND}


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _ticket_created(ticket, **_facts) -> dict:
    return {"ticket": _ticket(ticket)}


def _ticket_updated(ticket, changed: list[str], **_facts) -> dict:
    return {"ticket": _ticket(ticket), "changed": changed}


def _status_changed(ticket, old_status: str, old_status_reason: int | None, **_facts) -> dict:
    return {
        "ticket": _ticket(ticket),
        "old_status": old_status,
        "old_status_reason": old_status_reason,
    }


def _journal_appended(ticket, entry, **_facts) -> dict:
    return {"ticket": _ticket_reference(ticket), "entry": dict(JournalEntrySerializer(entry).data)}


def _relation_added(ticket, other, relation, **_facts) -> dict:
    side = RelationSerializer(relation_side(relation, other)).data
    return {"ticket": _ticket_reference(ticket), "relation": dict(side)}


def _escalation_changed(ticket, packet, event: str, **_facts) -> dict:
    return {
        "ticket": _ticket(ticket),
        "packet": {
            "event": event,
            "case": packet.case,
            "state": packet.state,
            "complete": packet.complete,
            "missing": list(packet.missing or []),
            "data": packet.data,
            "version": packet.version,
            "escalated_at": _iso(packet.escalated_at),
            "updated_at": _iso(packet.updated_at),
        },
    }


def _sla_breached(ticket, target: str, due_at, **_facts) -> dict:
    return {"ticket": _ticket(ticket), "target": target, "due_at": _iso(due_at)}


def _email(email, names: tuple[str, ...], **computed) -> dict:
    """An e-mail as its events carry it: the id, the fields ``names`` as
    stored, and the ``computed`` ones."""
    return {"email": {"id": email.pk, **{name: getattr(email, name) for name in names}, **computed}}


def _mail_received(email, **_facts) -> dict:
    return _email(
        email,
        ("from_address", "from_name", "subject", "classification", "status"),
        received_at=_iso(email.received_at),
        ticket_number=email.ticket_number or None,
    )


def _mail_outgoing(email, **_facts) -> dict:
    return _email(
        email,
        ("ticket_number", "subject", "status", "message_id"),
        to=email.to_email,
        template=email.template.title,
        sent_at=_iso(email.sent_at),
        error=email.last_error,
    )


BUILDERS: dict[str, Callable[..., dict]] = {
    events.TICKET_CREATED: _ticket_created,
    events.TICKET_UPDATED: _ticket_updated,
    events.TICKET_STATUS_CHANGED: _status_changed,
    events.JOURNAL_APPENDED: _journal_appended,
    events.RELATION_ADDED: _relation_added,
    events.ESCALATION_CHANGED: _escalation_changed,
    events.MAIL_RECEIVED: _mail_received,
    events.MAIL_SENT: _mail_outgoing,
    events.MAIL_FAILED: _mail_outgoing,
    events.SLA_BREACHED: _sla_breached,
}


def event_data(event_type: str, facts: dict) -> dict:
    return BUILDERS[event_type](**facts)
