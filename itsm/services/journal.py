"""The journal (*información de trabajo*): entries are appended, never
changed. ``journal_append`` is how every service writes one."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from itsm import events as announced
from itsm.common.permissions import require_agent
from itsm.models import (
    MAX_ATTACHMENTS,
    Channel,
    RequiresAttention,
    Ticket,
    ViewAccess,
    WorkInfo,
    WorkInfoType,
)
from itsm.services.rules import check_open, field_error


def journal_append(
    ticket: Ticket,
    *,
    author,
    type: str,
    notes: str,
    requires_attention: str = RequiresAttention.NONE,
    view_access: str = ViewAccess.INTERNAL,
    attachments: Sequence[UploadedFile] = (),
    event: str | None = None,
    data: dict | None = None,
    channel: str = Channel.WEB,
) -> WorkInfo:
    """One entry in ``ticket``'s journal, in the caller's transaction.
    ``author`` is None for what the system does by itself; ``channel`` says
    where the change came from (the pages, the API, an e-mail, the desk)."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("A work info entry takes at most %(max)d files.") % {"max": MAX_ATTACHMENTS}
        )
    entry = ticket.kind.journal_model(
        ticket=ticket,
        author=author,
        type=type,
        notes=notes,
        requires_attention=requires_attention,
        view_access=view_access,
        event=event,
        data=data,
        channel=channel,
    )
    for index, upload in enumerate(attachments, start=1):
        setattr(entry, f"attachment_{index}", upload)
    entry.save()
    announced.publish(announced.JOURNAL_APPENDED, ticket=ticket, entry=entry)
    return entry


def journal_event(
    ticket: Ticket,
    *,
    author,
    type: str,
    event: str,
    data: dict,
    notes: str = "",
    requires_attention: str = RequiresAttention.NONE,
    attachments: Sequence[UploadedFile] = (),
    channel: str = Channel.WEB,
) -> WorkInfo:
    """An entry the system writes by itself: the facts (``event`` and its
    ``data``, codes and ids; see ``itsm.journal_events``), no words. The
    history puts them into words in the reader's language. ``notes`` is what
    a person wrote that comes with the event (a customer's message), kept as
    written."""
    return journal_append(
        ticket,
        author=author,
        type=type,
        notes=notes,
        requires_attention=requires_attention,
        attachments=attachments,
        event=event,
        data=data,
        channel=channel,
    )


@transaction.atomic
def work_info_add(
    *,
    ticket: Ticket,
    user,
    notes: str,
    entry_type: str = WorkInfoType.WORK_NOTES,
    attachments: Sequence[UploadedFile] = (),
    requires_attention: str = RequiresAttention.NONE,
    view_access: str = ViewAccess.INTERNAL,
    channel: str = Channel.WEB,
) -> WorkInfo:
    """*Agregar*: append an entry to the ticket's history."""
    require_agent(user)
    check_open(ticket)
    if not notes.strip() and not attachments:
        raise field_error("notes", _("Write the notes of this entry."), code="notes_required")
    entry = journal_append(
        ticket,
        author=user,
        type=entry_type,
        notes=notes.strip(),
        requires_attention=requires_attention,
        view_access=view_access,
        attachments=attachments,
        channel=channel,
    )
    ticket_touch(ticket, at=entry.created_at)
    return entry


def ticket_touch(ticket: Ticket, *, at) -> None:
    """Something was added to the ticket (an entry, a mail): its *Actualizada*
    moves, and nothing else. No version bump: the fields an agent may be
    editing did not change, so their save is not refused."""
    type(ticket).objects.filter(pk=ticket.pk).update(updated_at=at)
