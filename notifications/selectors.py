"""Reads of the mailbox that other parts of the desk show."""

from django.db.models import Count, Q

from notifications.models import InboundEmail, InboundStatus


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
