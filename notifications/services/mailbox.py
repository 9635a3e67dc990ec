"""What agents do in the mailbox (*Buzón*): take a message, turn it into a
ticket, add it to one, or close it with no action. Every action is recorded
on the message (who, when, which ticket) and refused when another agent
acted first: the message carries a version, as tickets do."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm import journal_events as events
from itsm.common.permissions import require_agent
from itsm.models import MAX_ATTACHMENTS, Channel, Ticket, WorkInfoType
from itsm.selectors import ticket_get_by_number
from itsm.services.journal import journal_event
from itsm.services.ticket_create import ticket_create
from notifications.models import InboundAction, InboundEmail, InboundStatus
from notifications.services.ticket_mail import _files, ticket_add_customer_message


class StaleMessageError(Exception):
    """Someone acted on the message since the user loaded it."""

    def __init__(self, current: InboundEmail) -> None:
        self.current = current
        who = current.acted_by or current.assigned_to
        name = (who.get_full_name() or who.get_username()) if who else _("someone else")
        when = current.acted_at or current.assigned_at
        super().__init__(
            _(
                "%(who)s acted on this message at %(when)s while you were looking at it. "
                "Nothing has been done: check its current state."
            )
            % {
                "who": name,
                "when": timezone.localtime(when).strftime("%H:%M:%S") if when else "?",
            }
        )


def _claim(email: InboundEmail, *, expected_version: int, open_required: bool = True, **changes):
    """Apply ``changes`` if the message is still the version the user saw."""
    queryset = InboundEmail.objects.filter(pk=email.pk, version=expected_version)
    if open_required:
        queryset = queryset.filter(status__in=[InboundStatus.NEW, InboundStatus.IN_PROGRESS])
    if not queryset.update(version=F("version") + 1, **changes):
        current = InboundEmail.objects.select_related("acted_by", "assigned_to").get(pk=email.pk)
        raise StaleMessageError(current)
    email.refresh_from_db()
    return email


def _acted(user, action: str, at, *, status: str = InboundStatus.DONE) -> dict:
    """What the message records when someone deals with it: its new status,
    the action, and who took it when."""
    return {"status": status, "action": action, "acted_by": user, "acted_at": at}


@transaction.atomic
def mailbox_take(*, email: InboundEmail, user, expected_version: int) -> InboundEmail:
    """*Asignarme*: the message is the user's; the others see who has it."""
    require_agent(user)
    return _claim(
        email,
        expected_version=expected_version,
        assigned_to=user,
        assigned_at=timezone.now(),
        status=InboundStatus.IN_PROGRESS,
    )


@transaction.atomic
def mailbox_no_action(
    *, email: InboundEmail, user, expected_version: int, reason: str
) -> InboundEmail:
    """*Sin acción* (spam, a thank-you, a duplicate), with the reason."""
    require_agent(user)
    reason = " ".join(reason.split())[:300]
    if not reason:
        raise ValidationError({"reason": _("Say why nothing is done with this message.")})
    now = timezone.now()
    return _claim(
        email,
        expected_version=expected_version,
        no_action_reason=reason,
        assigned_to=user,
        assigned_at=F("assigned_at") if email.assigned_to_id == user.pk else now,
        **_acted(user, InboundAction.NO_ACTION, now, status=InboundStatus.NO_ACTION),
    )


@transaction.atomic
def mailbox_add_to_ticket(
    *, email: InboundEmail, user, expected_version: int, number: str
) -> Ticket:
    """*Añadir a gestión*: the message goes to that ticket as a threaded
    reply does."""
    require_agent(user)
    ticket = ticket_get_by_number(number)
    if ticket is None:
        raise ValidationError({"number": _("There is no ticket %(number)s.") % {"number": number}})
    if ticket.is_closed:
        raise ValidationError(
            {
                "number": _("%(number)s is closed; create a new ticket instead.")
                % {"number": ticket.number}
            }
        )
    _claim(
        email,
        expected_version=expected_version,
        ticket_number=ticket.number,
        **_acted(user, InboundAction.ADDED, timezone.now()),
    )
    return ticket_add_customer_message(ticket=ticket, email=email, author=user)


@transaction.atomic
def mailbox_create_ticket(
    *,
    email: InboundEmail,
    user,
    expected_version: int,
    model: type[Ticket],
    work_info_attachments: Sequence[UploadedFile] = (),
    **fields,
) -> Ticket:
    """*Crear incidencia* / *Crear orden de trabajo*: the ticket the agent
    filled in on the prefilled page, with the mail's files carried into its
    first journal entry (and the next ones, three files each)."""
    require_agent(user)
    _claim(email, expected_version=expected_version)
    files = [*work_info_attachments, *_files(email)]
    first, rest = files[:MAX_ATTACHMENTS], files[MAX_ATTACHMENTS:]
    fields.setdefault("reported_source", "email")
    ticket = ticket_create(
        model=model,
        user=user,
        work_info_attachments=first,
        work_info_type=WorkInfoType.CUSTOMER_COMMUNICATION,
        channel=Channel.MAIL,
        **fields,
    )
    if rest:
        for index in range(0, len(rest), MAX_ATTACHMENTS):
            journal_event(
                ticket,
                author=user,
                type=WorkInfoType.CUSTOMER_COMMUNICATION,
                event=events.EMAIL_FILES,
                data={"email": email.pk},
                attachments=rest[index : index + MAX_ATTACHMENTS],
                channel=Channel.MAIL,
            )
    InboundEmail.objects.filter(pk=email.pk).update(
        ticket_number=ticket.number,
        assigned_to=F("assigned_to") if email.assigned_to_id else user,
        **_acted(user, InboundAction.CREATED, timezone.now()),
    )
    return ticket
