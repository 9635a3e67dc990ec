"""The core's own sources: tickets (summary and description) and journal
notes, kept indexed from the events the services already publish
(``itsm.events``), in the transaction that writes them."""

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from itsm import events as announced
from itsm.fulltext.index import REBUILD_BATCH, index_text
from itsm.fulltext.sources import Row, Source, register_source
from itsm.kinds import all_kinds

TICKET = "ticket"
WORK_INFO = "work_info"


def ticket_text(ticket) -> str:
    return f"{ticket.summary}\n{ticket.description}"


def work_info_key(ticket, entry) -> str:
    return f"{ticket.KIND}-{entry.pk}"


def _ticket_rows() -> Iterator[Row]:
    for kind in all_kinds():
        tickets = kind.model.objects.only("number", "summary", "description", "updated_at")
        for ticket in tickets.order_by("pk").iterator(chunk_size=REBUILD_BATCH):
            yield Row(ticket.number, ticket_text(ticket), ticket.updated_at, ticket.number)


def _work_info_rows() -> Iterator[Row]:
    for kind in all_kinds():
        entries = (
            kind.journal_model.objects.exclude(notes="")
            .select_related(None)
            .values_list("pk", "notes", "created_at", "ticket__number")
        )
        for pk, notes, created_at, number in entries.order_by("pk").iterator(
            chunk_size=REBUILD_BATCH
        ):
            yield Row(f"{kind.code}-{pk}", notes, created_at, number)


INDEXED_EVENTS = frozenset(
    (announced.TICKET_CREATED, announced.TICKET_UPDATED, announced.JOURNAL_APPENDED)
)
TICKET_TEXT_FIELDS = frozenset(("summary", "description"))


def index_core_event(event_type: str, facts: dict) -> None:
    """Keep tickets and notes indexed from what the services announce."""
    if event_type == announced.TICKET_CREATED or (
        event_type == announced.TICKET_UPDATED
        and TICKET_TEXT_FIELDS.intersection(facts.get("changed") or ())
    ):
        ticket = facts["ticket"]
        index_text(TICKET, ticket.number, ticket_text(ticket), ticket.number, ticket.updated_at)
    elif event_type == announced.JOURNAL_APPENDED:
        ticket, entry = facts["ticket"], facts["entry"]
        if entry.notes.strip():
            index_text(
                WORK_INFO,
                work_info_key(ticket, entry),
                entry.notes,
                ticket.number,
                entry.created_at,
            )


def register() -> None:
    """The core's sources and receiver, from ``ItsmConfig.ready``."""
    register_source(Source(TICKET, _("Summary and description"), _ticket_rows))
    register_source(Source(WORK_INFO, _("Work info"), _work_info_rows))
    # ``wanted`` is asked by the batch announcers (auto-closure), whose
    # updates and entries carry no text: only a creation always writes.
    announced.register_receiver(
        index_core_event, wants=lambda event_type: event_type == announced.TICKET_CREATED
    )
