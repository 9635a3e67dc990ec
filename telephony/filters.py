"""The calls page's filters (django-filter), as the consoles'."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.filters import DATE_INPUT
from telephony.models import Call, CallbackStatus, Direction


class CallFilterSet(django_filters.FilterSet):
    day = django_filters.DateFilter(
        label=_("Day"), method="filter_day", widget=forms.DateInput(attrs={"type": "date"})
    )
    missed = django_filters.BooleanFilter(
        label=_("Missed"), method="filter_missed", widget=forms.CheckboxInput
    )
    to_call_back = django_filters.BooleanFilter(
        label=_("To call back"), method="filter_to_call_back", widget=forms.CheckboxInput
    )
    mine = django_filters.BooleanFilter(
        label=_("Mine"), method="filter_mine", widget=forms.CheckboxInput
    )
    direction = django_filters.ChoiceFilter(label=_("Direction"), choices=Direction.choices)
    queue = django_filters.CharFilter(label=_("Queue"), field_name="queue")
    # From the customer page's figures (call_customer_rung_idx).
    customer = django_filters.NumberFilter(field_name="customer", widget=forms.HiddenInput)

    class Meta:
        model = Call
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.form.fields["day"].widget.format = DATE_INPUT.format

    def filter_day(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # The desk's day (Europe/Madrid): call_rung_idx serves the range.
        start = timezone.make_aware(datetime.combine(value, time.min))
        return queryset.filter(rung_at__gte=start, rung_at__lt=start + timedelta(days=1))

    def filter_missed(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(missed=True) if value else queryset

    def filter_to_call_back(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(callback_status=CallbackStatus.OPEN) if value else queryset

    def filter_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        user = self.request.user
        return queryset.filter(agent=user) | queryset.filter(callback_assignee=user)
