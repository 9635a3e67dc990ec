"""Writes of data-protection requests, ``request_<verb>`` and
``customer_block``: each checks the role, changes the request and appends
its step, in one transaction."""

import calendar
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from itsm.common.permissions import is_data_protection
from privacy.models import DataRequest, DataRequestStep, RequestStatus, Right, StepAction

# RGPD art. 12.3: one month, extendable by two more when needed.
ANSWER_MONTHS = 1
EXTENSION_MONTHS = 2


def require_data_protection(user) -> None:
    if not is_data_protection(user):
        raise PermissionDenied(_("Only the data-protection role can do this."))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 Jan → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def step_add(request: DataRequest, *, user, action: str, note: str = "") -> DataRequestStep:
    return DataRequestStep.objects.create(request=request, user=user, action=action, note=note)


@transaction.atomic
def request_create(
    *,
    user,
    customer: Customer,
    right: str,
    identity_check: str,
    received_on: date,
    note: str = "",
) -> DataRequest:
    require_data_protection(user)
    request = DataRequest.objects.create(
        customer=customer,
        right=right,
        identity_check=identity_check,
        received_on=received_on,
        due_on=add_months(received_on, ANSWER_MONTHS),
        handler=user,
    )
    step_add(request, user=user, action=StepAction.RECEIVED, note=note)
    return request


def _pending(request: DataRequest) -> None:
    if not request.is_pending:
        raise ValidationError(_("This request is already closed."), code="closed")


@transaction.atomic
def request_extend(*, request: DataRequest, user, reason: str) -> DataRequest:
    """Two more months, once, with the reason the person is told."""
    require_data_protection(user)
    _pending(request)
    if request.status == RequestStatus.EXTENDED:
        raise ValidationError(_("The due date was already extended."), code="extended")
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the answer needs more time.")})
    request.status = RequestStatus.EXTENDED
    request.extension_reason = reason.strip()
    request.due_on = add_months(request.received_on, ANSWER_MONTHS + EXTENSION_MONTHS)
    request.save(update_fields=["status", "extension_reason", "due_on"])
    step_add(request, user=user, action=StepAction.EXTENDED, note=request.extension_reason)
    return request


@transaction.atomic
def request_close(*, request: DataRequest, user, refused: bool, note: str) -> DataRequest:
    require_data_protection(user)
    _pending(request)
    request.status = RequestStatus.REFUSED if refused else RequestStatus.ANSWERED
    request.save(update_fields=["status"])
    action = StepAction.REFUSED if refused else StepAction.ANSWERED
    step_add(request, user=user, action=action, note=note.strip())
    return request


@transaction.atomic
def customer_block(*, request: DataRequest, user) -> Customer:
    """Erasure, first step (LOPD-GDD art. 32): the customer leaves every
    ordinary use; the data stays for courts and authorities until anonymised."""
    require_data_protection(user)
    _pending(request)
    if request.right not in (Right.ERASURE, Right.LIMITATION, Right.OBJECTION):
        raise ValidationError(_("Only erasure, limitation or objection block a customer."))
    customer = Customer.objects.select_for_update().get(pk=request.customer_id)
    if customer.blocked_at is None:
        customer.blocked_at = timezone.now()
        customer.save(update_fields=["blocked_at"])
    step_add(request, user=user, action=StepAction.BLOCKED)
    return customer
