"""Auto-close: resolved and completed tickets close by themselves after
``ITSM_AUTOCLOSE_DAYS``."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from itsm import events as announced
from itsm import journal_events as events
from itsm.kinds import all_kinds
from itsm.models import Channel, Status, WorkInfoType


def tickets_autoclose(*, now: datetime | None = None, days: int | None = None) -> int:
    """Close every resolved/completed ticket whose resolution is older than
    ``days`` (``ITSM_AUTOCLOSE_DAYS``). Returns how many were closed."""
    now = now or timezone.now()
    days = settings.ITSM_AUTOCLOSE_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    closed = 0
    for kind in all_kinds():
        model = kind.model
        while True:
            with transaction.atomic():
                ids = list(
                    model.objects.filter(status=model.RESOLVED_STATUS, resolved_at__lt=cutoff)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:500]
                )
                if not ids:
                    break
                # Re-check the condition in the UPDATE: a ticket reopened meanwhile stays open.
                batch = model.objects.filter(
                    pk__in=ids, status=model.RESOLVED_STATUS, resolved_at__lt=cutoff
                )
                ids = list(batch.values_list("pk", flat=True))
                batch.update(
                    status=Status.CLOSED,
                    closed_at=now,
                    updated_at=now,
                    version=F("version") + 1,
                )
                entries = kind.journal_model.objects.bulk_create(
                    kind.journal_model(
                        ticket_id=pk,
                        author=None,
                        type=WorkInfoType.STATUS_CHANGE,
                        notes="",
                        event=events.AUTO_CLOSED,
                        data={"days": days},
                        channel=Channel.SYSTEM,
                        created_at=now,
                    )
                    for pk in ids
                )
                _announce(model, entries)
                closed += len(ids)
    return closed


ANNOUNCED = (announced.TICKET_UPDATED, announced.TICKET_STATUS_CHANGED, announced.JOURNAL_APPENDED)


def _announce(model, entries) -> None:
    """The closures, as any other change of status is announced; the
    tickets are read only when someone listens."""
    if not announced.wanted(*ANNOUNCED):
        return
    by_ticket = {entry.ticket_id: entry for entry in entries}
    tickets = model.objects.filter(pk__in=by_ticket).select_related(
        "customer", "status_reason", "assigned_group", "assignee"
    )
    for ticket in tickets.order_by("pk"):
        announced.publish(announced.TICKET_UPDATED, ticket=ticket, changed=["status", "closed_at"])
        announced.publish(
            announced.TICKET_STATUS_CHANGED,
            ticket=ticket,
            old_status=model.RESOLVED_STATUS,
            old_status_reason=ticket.status_reason_id,
        )
        announced.publish(announced.JOURNAL_APPENDED, ticket=ticket, entry=by_ticket[ticket.pk])
