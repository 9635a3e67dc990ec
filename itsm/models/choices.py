"""The choices tickets and their journal are made of, and Remedy's priority
matrix."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """Every status of both kinds; each kind allows its own subset."""

    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")

    @classmethod
    def subset(cls, *values: str) -> tuple["Status", ...]:
        """A kind's statuses, in the order its lists show them."""
        return tuple(cls(value) for value in values)


# The one definition of "open": someone still has to act on the ticket. Every
# console filter, count, list of a customer's open tickets, search result and
# partial index derives from it. Resolved/completed tickets are not open: they
# await closure (their own console filter).
OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING)

# A ticket in one of these is finished: no longer editable.
FINISHED_STATUSES = (Status.CLOSED, Status.CANCELLED, Status.REJECTED)


class Impact(models.IntegerChoices):
    EXTENSIVE = 1, _("1-Extensive/Widespread")
    SIGNIFICANT = 2, _("2-Significant/Large")
    MODERATE = 3, _("3-Moderate/Limited")
    MINOR = 4, _("4-Minor/Localized")


class Urgency(models.IntegerChoices):
    CRITICAL = 1, _("1-Critical")
    HIGH = 2, _("2-High")
    MEDIUM = 3, _("3-Medium")
    LOW = 4, _("4-Low")


class Priority(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


def priority_rank() -> models.Case:
    """0 for critical … 3 for low: the order of the console's priority sort."""
    return models.Case(
        *(
            models.When(priority=value, then=models.Value(rank))
            for rank, value in enumerate(Priority.values)
        ),
        default=models.Value(len(Priority.values)),
        output_field=models.PositiveSmallIntegerField(),
    )


# Remedy's default weights and ranges (Incident Management configuration).
IMPACT_WEIGHTS = {
    Impact.EXTENSIVE: 9,
    Impact.SIGNIFICANT: 5,
    Impact.MODERATE: 3,
    Impact.MINOR: 0,
}
URGENCY_WEIGHTS = {
    Urgency.CRITICAL: 20,
    Urgency.HIGH: 15,
    Urgency.MEDIUM: 10,
    Urgency.LOW: 0,
}


def priority_for(impact: int, urgency: int) -> Priority:
    weight = IMPACT_WEIGHTS[Impact(impact)] + URGENCY_WEIGHTS[Urgency(urgency)]
    if weight >= 24:
        return Priority.CRITICAL
    if weight >= 16:
        return Priority.HIGH
    if weight >= 10:
        return Priority.MEDIUM
    return Priority.LOW


class ReportedSource(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web")
    WALK_IN = "walk_in", _("Walk-in")
    SELF_SERVICE = "self_service", _("Self service")
    OTHER = "other", _("Other")


class RequiresAttention(models.TextChoices):
    NONE = "", _("(none)")
    RESPONSE = "response", _("Requires response")

    @classmethod
    def field(cls) -> models.CharField:
        """What a ticket, and each journal entry, says is awaited."""
        return models.CharField(
            _("requires attention"),
            max_length=10,
            choices=cls.choices,
            default=cls.NONE,
            blank=True,
        )


class WorkInfoType(models.TextChoices):
    WORK_NOTES = "notes", _("Work notes")
    CUSTOMER_COMMUNICATION = "customer", _("Customer communication")
    EMAIL_SYSTEM = "email", _("E-mail system")
    STATUS_CHANGE = "status", _("Status change")
    ASSIGNMENT = "assignment", _("Assignment")
    RESOLUTION = "resolution", _("Resolution")
    GENERAL = "general", _("General information")


class Channel(models.TextChoices):
    """Where a journal entry's change came from: a person on the pages, an
    integration through the API, an e-mail, a call, or the desk by itself."""

    WEB = "web", _("Web")
    API = "api", _("API")
    MAIL = "mail", _("E-mail")
    PHONE = "phone", _("Phone")
    SYSTEM = "system", _("System")


class ViewAccess(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    PUBLIC = "public", _("Public")


class RelationType(models.TextChoices):
    RELATED = "related", _("Related to")
    DUPLICATE = "duplicate", _("Duplicate of")
