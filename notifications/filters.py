"""The mailbox console's filters (django-filter)."""

import re

import django_filters
from django import forms
from django.db.models import BigIntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from itsm import fulltext
from itsm.filters import DATE_INPUT
from itsm.people import agent_users
from itsm.reference_cache import reference_choices, show_choices
from notifications.fulltext import MAIL_RECEIVED
from notifications.models import Classification, InboundEmail, InboundStatus

QUARANTINED = "quarantined"
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class InboundEmailFilterSet(django_filters.FilterSet):
    mine = django_filters.BooleanFilter(
        label=_("Mine"), method="filter_mine", widget=forms.CheckboxInput
    )
    # No DISTINCT: nothing is joined, and DISTINCT would sort every match.
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=InboundStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    classification = django_filters.ChoiceFilter(
        label=_("Classification"),
        choices=[
            *[(value, label) for value, label in Classification.choices if value != "unprocessed"],
            (QUARANTINED, _("Quarantined")),
        ],
        method="filter_classification",
    )
    assigned_to = django_filters.ModelChoiceFilter(label=_("Assigned to"), queryset=agent_users())
    received = django_filters.DateFromToRangeFilter(
        label=_("Received"),
        field_name="received_at",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    q = django_filters.CharFilter(label=_("Sender, subject or text"), method="filter_text")

    class Meta:
        model = InboundEmail
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.form.fields["assigned_to"]
        field.label_from_instance = lambda u: u.get_full_name() or u.get_username()
        show_choices(field, reference_choices(field, "filter-agents"))
        self.form.fields["received"].widget.widgets[0].format = DATE_INPUT.format

    def filter_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(assigned_to=self.request.user) if value else queryset

    def filter_classification(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == QUARANTINED:
            return queryset.exclude(quarantine_reason="")
        return queryset.filter(classification=value)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = " ".join(value.split())
        if not value:
            return queryset
        if EMAIL.fullmatch(value):
            # An address: the sender's messages, read from inboundemail_sender_idx.
            return queryset.filter(from_address=value.lower())
        # The words in any form and without accents, from the full-text index.
        by_words = (
            fulltext.matching_entries(value, [MAIL_RECEIVED])
            .annotate(email_id=Cast("key", BigIntegerField()))
            .values("email_id")
        )
        return queryset.filter(
            Q(from_address__icontains=value)
            | Q(from_name__icontains=value)
            | Q(subject__icontains=value)
            | Q(body_text__icontains=value)
            | Q(pk__in=by_words)
        )
