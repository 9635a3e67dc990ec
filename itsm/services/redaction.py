"""Removing a person's data from tickets and their journals, for an erasure
request past its limitation period (``privacy.anonymise``). The tickets stay
for the desk's statistics; what is rewritten is the text.

This is the one path allowed past the journal's append-only trigger: the
trigger is lifted for the length of the caller's transaction, on this
journal's table only, and put back before it commits (PostgreSQL: ``DISABLE``
/ ``ENABLE TRIGGER``, transactional; SQLite: dropped and created again with
the text ``itsm.db.append_only_trigger`` gives it), so no other writer ever
sees the table unguarded. The journal records that it happened, not what
was removed."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import F
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from itsm import journal_events as events
from itsm.db import APPEND_ONLY_MESSAGE
from itsm.models import Channel, Ticket, WorkInfoType
from itsm.services.journal import journal_event

TICKET_TEXT = ("summary", "description", "resolution")
ATTACHMENTS = ("attachment_1", "attachment_2", "attachment_3")


@contextmanager
def journal_unguarded(journal_model: type) -> Iterator[None]:
    """The journal table accepts UPDATEs inside this block (in a transaction)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("The journal's guard is lifted only inside a transaction.")
    table = journal_model._meta.db_table
    name = f"{table}_append_only"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses a table with pending deferred trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {name}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                cursor.execute(
                    f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END;"
                )


def redact_data(value, redact: Callable[[str], str]):
    """Every string in a JSON value (lists and objects walked) through ``redact``."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact_data(item, redact) for item in value]
    if isinstance(value, dict):
        return {key: redact_data(item, redact) for key, item in value.items()}
    return value


def ticket_redact(
    ticket: Ticket,
    *,
    redact: Callable[[str], str],
    redact_file: Callable[[FieldFile], str],
    event: str = events.PERSONAL_DATA_REMOVED,
) -> None:
    """Rewrite ``ticket``'s text and every entry of its journal with
    ``redact``; each attached file through ``redact_file`` (its new name, or
    "" when it was deleted). Then one entry says what happened (``event``:
    personal data removed, or files removed by the retention rules).
    Call it inside the transaction of the whole erasure."""
    now = timezone.now()
    changed = {name: redact(getattr(ticket, name)) for name in TICKET_TEXT}
    type(ticket).objects.filter(pk=ticket.pk).update(
        **changed, updated_at=now, version=F("version") + 1
    )
    for name, value in changed.items():
        setattr(ticket, name, value)
    journal = ticket.kind.journal_model
    with journal_unguarded(journal):
        for entry in journal.objects.filter(ticket=ticket).order_by("pk"):
            fields = {"notes": redact(entry.notes), "data": redact_data(entry.data, redact)}
            for name in ATTACHMENTS:
                attached = getattr(entry, name)
                if attached:
                    fields[name] = redact_file(attached)
            journal._base_manager.filter(pk=entry.pk).update(**fields)
    journal_event(
        ticket,
        author=None,
        type=WorkInfoType.GENERAL,
        event=event,
        data={},
        channel=Channel.SYSTEM,
    )
