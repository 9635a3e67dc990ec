"""How long the desk keeps what it no longer needs, per category of data
(docs/configuration.md, *Data protection*):

- raw messages (``.eml``) of mail received: deleted after
  ``ITSM_RETENTION_RAW_MAIL_DAYS`` (the mail's text stays on its ticket);
- files of closed tickets (journal attachments) and of their mail: deleted
  after ``ITSM_RETENTION_ATTACHMENT_DAYS`` from the closure;
- closed tickets: their customer's data removed from them after
  ``ITSM_RETENTION_CLOSED_TICKET_DAYS`` (the ticket stays for the statistics);
- blocked customers: anonymised after ``ITSM_PRIVACY_LIMITATION_DAYS``.

``retention_plan`` lists what is due (the dry run); ``retention_apply`` does
exactly what a plan lists, so what was read is what is done."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from itsm import journal_events as events
from itsm.kinds import all_kinds, kind_for_number
from itsm.models import Status
from itsm.services.redaction import ticket_redact
from notifications.models import InboundEmail
from privacy.anonymise import customer_anonymise
from privacy.redaction import Redactor

RAW_MAIL = "raw_mail"
ATTACHMENTS = "attachments"
CLOSED_TICKET = "closed_ticket"
ATTACHMENT_FIELDS = ("attachment_1", "attachment_2", "attachment_3")


@dataclass(frozen=True)
class PlanItem:
    category: str
    key: str  # the mail's id, or the ticket's number
    when: datetime  # what the period counts from

    def line(self) -> str:
        return f"{self.category}\t{self.key}\t{self.when:%Y-%m-%d}"


def _before(days: int, now: datetime) -> datetime:
    return now - timedelta(days=days)


def _raw_mail(now: datetime) -> list[PlanItem]:
    old = InboundEmail.objects.filter(
        received_at__lt=_before(settings.ITSM_RETENTION_RAW_MAIL_DAYS, now)
    ).exclude(raw="")
    return [PlanItem(RAW_MAIL, str(pk), at) for pk, at in old.values_list("pk", "received_at")]


def _closed(kind, days: int, now: datetime):
    return kind.model.objects.filter(status=Status.CLOSED, closed_at__lt=_before(days, now))


def _attachments(now: datetime) -> list[PlanItem]:
    items = []
    for kind in all_kinds():
        closed = _closed(kind, settings.ITSM_RETENTION_ATTACHMENT_DAYS, now)
        with_files = kind.journal_model.objects.filter(ticket__in=closed).exclude(
            attachment_1="", attachment_2="", attachment_3=""
        )
        for number, closed_at in (
            closed.filter(pk__in=with_files.values("ticket_id"))
            .values_list("number", "closed_at")
            .order_by("closed_at")
        ):
            items.append(PlanItem(ATTACHMENTS, number, closed_at))
    return items


def _closed_tickets(now: datetime) -> list[PlanItem]:
    items = []
    for kind in all_kinds():
        done = kind.journal_model.objects.filter(event=events.PERSONAL_DATA_REMOVED)
        due = (
            _closed(kind, settings.ITSM_RETENTION_CLOSED_TICKET_DAYS, now)
            .exclude(pk__in=done.values("ticket_id"))
            .exclude(customer__anonymised_at__isnull=False)
        )
        for number, closed_at in due.values_list("number", "closed_at").order_by("closed_at"):
            items.append(PlanItem(CLOSED_TICKET, number, closed_at))
    return items


def retention_plan(now: datetime | None = None) -> list[PlanItem]:
    now = now or timezone.now()
    return _raw_mail(now) + _attachments(now) + _closed_tickets(now)


def _ticket(number: str):
    kind = kind_for_number(number)
    return kind.model.objects.select_related("customer").get(number=number)


def _apply(item: PlanItem) -> None:
    if item.category == RAW_MAIL:
        email = InboundEmail.objects.get(pk=int(item.key))
        email.raw.delete(save=False)
        InboundEmail.objects.filter(pk=email.pk).update(raw="")
    elif item.category == ATTACHMENTS:
        ticket = _ticket(item.key)
        # Every file is deleted (none rewritten): a redactor that keeps no file.
        ticket_redact(
            ticket,
            redact=lambda text: text,
            redact_file=_delete_file,
            event=events.FILES_REMOVED,
        )
        for email in InboundEmail.objects.filter(ticket_number=ticket.number):
            for attachment in email.attachments.all():
                attachment.file.delete(save=True)
    elif item.category == CLOSED_TICKET:
        ticket = _ticket(item.key)
        redactor = Redactor(ticket.customer)
        ticket_redact(ticket, redact=redactor, redact_file=redactor.rewrite_file)


def _delete_file(field) -> str:
    field.storage.delete(field.name)
    return ""


def retention_apply(plan: list[PlanItem]) -> int:
    """Do what ``plan`` lists, each item in its own transaction."""
    for item in plan:
        with transaction.atomic():
            _apply(item)
    return len(plan)


def anonymise_due(now: datetime | None = None) -> list[int]:
    """Blocked customers past the limitation period, anonymised one by one."""
    limit = _before(settings.ITSM_PRIVACY_LIMITATION_DAYS, now or timezone.now())
    due = Customer.objects.filter(blocked_at__lt=limit, anonymised_at__isnull=True)
    done = []
    for customer in due.order_by("pk"):
        customer_anonymise(customer)
        done.append(customer.pk)
    return done
