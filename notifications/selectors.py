"""Reads of the mailbox that other parts of the desk show, and the response
templates a user may send."""

from django.db.models import Count, Q, QuerySet

from customers.models import Customer
from itsm.common.permissions import is_coordinator
from notifications.models import InboundEmail, InboundStatus, ResponseTemplate


def response_templates_for(*, kind: str, user) -> QuerySet:
    """The response templates ``user`` may send from a ticket of ``kind``:
    active, for the kind, the coordinators' own only for coordinators. The
    compose page offers these and ``email_save_draft`` refuses any other."""
    return ResponseTemplate.objects.usable_by(kind=kind, coordinator=is_coordinator(user))


def mailbox_waiting(user=None) -> dict[str, int]:
    """Messages waiting in the mailbox: not taken yet (*Nuevo*) and being
    dealt with (*En curso*), the latter by ``user`` when given. One count on
    the partial index ``inboundemail_status_idx``."""
    in_progress = Q(status=InboundStatus.IN_PROGRESS)
    if user is not None:
        in_progress &= Q(assigned_to=user)
    return (
        InboundEmail.objects.in_mailbox()
        .filter(status__in=(InboundStatus.NEW, InboundStatus.IN_PROGRESS))
        .aggregate(
            new=Count("pk", filter=Q(status=InboundStatus.NEW)),
            in_progress=Count("pk", filter=in_progress),
        )
    )


def mailbox_messages() -> QuerySet:
    """What the mailbox console lists (the page and the API), without the
    long columns a row does not show, nor the mail of blocked customers
    (privacy/): their addresses as a subquery, no extra query."""
    blocked = Customer.objects.filter(blocked_at__isnull=False).exclude(email="")
    return (
        InboundEmail.objects.in_mailbox()
        .exclude(from_address__in=blocked.values("email"))
        .select_related("assigned_to")
        .defer("body_html", "body_text", "references", "to", "cc", "quarantine_detail")
    )


def sender_customers(email: InboundEmail) -> list[Customer]:
    """Active customers with the sender's address (five at most): one is the
    customer a ticket made from the message is for."""
    if not email.from_address:
        return []
    # customer_email_idx: addresses are stored in lower case.
    # Blocked customers are never matched (privacy/).
    customers = Customer.objects.active().unblocked()
    return list(customers.filter(email=email.from_address.lower())[:5])
