"""Reads of data-protection requests the pages share."""

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from customers.models import Customer
from customers.selectors import customer_condition, name_order
from privacy.models import DataRequest

# "Due soon": within this many days.
DUE_SOON_DAYS = 7
DUE_FILTERS = ("overdue", "soon", "pending", "all")


def requests_listed(due: str = "pending", *, today: date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    requests = DataRequest.objects.select_related("customer", "handler")
    if due != "all":
        requests = requests.pending()
    if due == "overdue":
        requests = requests.filter(due_on__lt=today)
    elif due == "soon":
        requests = requests.filter(
            due_on__gte=today, due_on__lte=today + timedelta(days=DUE_SOON_DAYS)
        )
    return requests.order_by("due_on", "pk")


def requests_due_counts(*, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    return DataRequest.objects.pending().aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        soon=Count(
            "pk",
            filter=Q(due_on__gte=today, due_on__lte=today + timedelta(days=DUE_SOON_DAYS)),
        ),
        pending=Count("pk"),
    )


def customers_for_request(text: str, *, limit: int = 20) -> list[Customer]:
    """The person a request is about, blocked ones included (the role alone calls this)."""
    condition = customer_condition(text.strip())
    if condition is None:
        return []
    return list(Customer.objects.filter(condition).order_by(*name_order(text))[:limit])
