"""Service-level targets and the business calendar they are counted in;
admins keep both."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.models.choices import Priority


class SlaTarget(models.Model):
    """First response and resolution targets of a priority, in working minutes."""

    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, unique=True)
    response_minutes = models.PositiveIntegerField(_("first response (working minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (working minutes)"))

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(response_minutes__gt=0, resolution_minutes__gt=0),
                name="slatarget_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()}: {self.response_minutes} / {self.resolution_minutes}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingHours(models.Model):
    """The desk's opening hours on a weekday (Europe/Madrid); a weekday
    without a row is closed."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, unique=True)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="workinghours_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class Holiday(models.Model):
    day = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.name}"
