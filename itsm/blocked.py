"""Customers blocked after an erasure request (LOPD-GDD art. 32) are out of
every ordinary use: the lists and searches of tickets and customers leave
them out for everyone but the data-protection role, whose every look at them
is audited. The privacy app blocks them; the core only reads the mark."""

from django.db.models import QuerySet
from django.http import HttpRequest

from customers.models import hide_blocked
from itsm.audit import audit_record
from itsm.common.permissions import is_data_protection
from itsm.models import AuditEventKind


def visible_by_customer(queryset: QuerySet, user) -> QuerySet:
    """``queryset`` of rows with a ``customer`` (tickets, calls) as ``user``
    may list them."""
    if user is not None and is_data_protection(user):
        return queryset
    return hide_blocked(queryset)


def visible_customers(queryset: QuerySet, user) -> QuerySet:
    if user is not None and is_data_protection(user):
        return queryset
    return hide_blocked(queryset, field="pk")


def audit_blocked_access(request: HttpRequest | None, user, customer_ids, what: str) -> None:
    """One audit entry per blocked customer the data-protection role saw."""
    for customer_id in sorted(set(customer_ids)):
        audit_record(
            kind=AuditEventKind.PERSONAL_DATA,
            request=request,
            user=user,
            detail=f"blocked customer {customer_id}: {what}",
        )
