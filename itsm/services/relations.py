"""Relations between tickets of any kind (*relacionar gestiones*), journaled
on both sides."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from itsm import events as announced
from itsm import journal_events as events
from itsm.common.permissions import require_agent
from itsm.models import Channel, Relation, RelationType, Ticket, WorkInfoType
from itsm.selectors import ticket_get_by_number
from itsm.services.journal import journal_event
from itsm.services.rules import check_open, field_error


def _already_related(ticket: Ticket, other: Ticket):
    return field_error(
        "other_number",
        _("%(a)s and %(b)s are already related.") % {"a": ticket.number, "b": other.number},
        code="duplicate_relation",
    )


@transaction.atomic
def ticket_relate(
    *,
    ticket: Ticket,
    user,
    other_number: str,
    relation_type: str = RelationType.RELATED,
    channel: str = Channel.WEB,
) -> Relation:
    require_agent(user)
    check_open(ticket)
    if relation_type not in RelationType.values:
        raise field_error("relation_type", _("Choose a valid relation type."), code="relation_type")
    other = ticket_get_by_number(other_number)
    if other is None:
        raise field_error(
            "other_number",
            _("There is no ticket %(number)s.") % {"number": other_number},
            code="unknown_ticket",
        )
    if other.number == ticket.number:
        raise field_error(
            "other_number", _("A ticket cannot be related to itself."), code="self_relation"
        )
    duplicate = Relation.objects.filter(
        source_number__in=(ticket.number, other.number),
        target_number__in=(ticket.number, other.number),
    ).exists()
    if duplicate:
        raise _already_related(ticket, other)
    try:
        with transaction.atomic():
            relation = Relation.objects.create(
                source_number=ticket.number,
                target_number=other.number,
                type=relation_type,
                created_by=user,
            )
    except IntegrityError:
        # A concurrent request created the same pair between our check and insert.
        raise _already_related(ticket, other) from None
    journal_event(
        ticket,
        author=user,
        type=WorkInfoType.GENERAL,
        event=events.RELATION_ADDED,
        data={"type": relation_type, "number": other.number},
        channel=channel,
    )
    journal_event(
        other,
        author=user,
        type=WorkInfoType.GENERAL,
        event=events.RELATION_ADDED,
        data={"type": relation_type, "number": ticket.number, "reverse": True},
        channel=channel,
    )
    announced.publish(announced.RELATION_ADDED, ticket=ticket, other=other, relation=relation)
    return relation


@transaction.atomic
def ticket_unrelate(*, relation: Relation, user, channel: str = Channel.WEB) -> None:
    require_agent(user)
    numbers = (relation.source_number, relation.target_number)
    relation.delete()
    for number, other in (numbers, numbers[::-1]):
        ticket = ticket_get_by_number(number)
        if ticket is not None:
            journal_event(
                ticket,
                author=user,
                type=WorkInfoType.GENERAL,
                event=events.RELATION_REMOVED,
                data={"number": other},
                channel=channel,
            )
