"""The console filters and the advanced search (*Buscar incidencias*), written
once for both kinds; ``incidents.filters`` and ``workorders.filters`` only
name the model."""

import copy
import time

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from django_filters.widgets import DateRangeWidget

from customers.models import CustomerKind
from customers.selectors import customer_key_condition
from itsm import fulltext
from itsm.blocked import visible_by_customer
from itsm.common.lookups import KeysIn
from itsm.common.text import person_name
from itsm.models import (
    APPLIES_TO_ALL,
    Priority,
    ReportedSource,
    Status,
    StatusReason,
    SupportGroup,
    TicketTemplate,
    open_tickets_q,
)
from itsm.people import agent_users
from itsm.reference_cache import reference_choices, show_choices
from itsm.selectors import ticket_numbers

ATTENTION_NONE = "none"

# The fields shown in the console's filter bar; the rest make the advanced search.
BASIC_FIELDS = (
    "mine",
    "open",
    "awaiting_closure",
    "status",
    "status_reason",
    "assigned_group",
    "assignee",
    "requires_attention",
    "priority",
    "sla",
)
SLA_BREACHED = "breached"
SLA_AT_RISK = "at_risk"
SLA_RESPONSE_LATE = "response_late"
# Up to this many tickets about to breach are picked by id first, read
# again after AT_RISK_SECONDS (see _at_risk_ids).
AT_RISK_BY_ID = 500
AT_RISK_SECONDS = 10
_at_risk_kept: dict[str, tuple[float, list | bool]] = {}
# Filters whose condition is a constant once set (the open statuses, those
# resolved awaiting closure): with no other, a console's queries plan alike
# for every request, and may be prepared (itsm/common/prepared.py).
CONSTANT_FILTERS = frozenset({"open", "awaiting_closure"})
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _ShallowCopied(dict):
    """A kind's configured filters: django-filter deep-copies them for each
    request (a thousand copies of choices and querysets); a shallow copy of
    each gives every request its own filter all the same."""

    def __deepcopy__(self, memo) -> dict:
        copies = {name: copy.copy(filter_) for name, filter_ in self.items()}
        for filter_ in copies.values():
            if filter_.method is not None:
                filter_.method = filter_.method  # bound to the copy, not the original
        return copies


class _LightlyCopiedFields(dict):
    """The filter form's fields: Django deep-copies a form's fields for each
    form (the choices of every list and a clone of every queryset: 0.45 ms
    of a console's 1 ms of filters). A form here changes its fields only by
    putting new values in (``label_from_instance``, the choices of the
    reference lists), so each form gets copies of the field, its widget and
    what Django's own copy renews, and shares the rest."""

    def __deepcopy__(self, memo) -> dict:
        copies = {}
        for name, field in self.items():
            field = copies[name] = copy.copy(field)
            field.widget = copy.copy(field.widget)
            field.widget.attrs = field.widget.attrs.copy()
            field.error_messages = field.error_messages.copy()
            field.validators = field.validators[:]
        return copies


class TicketFilterSet(django_filters.FilterSet):
    """Subclasses set ``Meta.model`` to Incident or WorkOrder; the choices
    (statuses, reasons, templates, the group's label) follow the model."""

    mine = django_filters.BooleanFilter(
        label=_("My tickets"), method="filter_mine", widget=forms.CheckboxInput
    )
    open = django_filters.BooleanFilter(
        label=_("Open only"), method="filter_open", widget=forms.CheckboxInput
    )
    awaiting_closure = django_filters.BooleanFilter(
        label=_("Resolved awaiting closure"),
        method="filter_awaiting_closure",
        widget=forms.CheckboxInput,
    )
    # No DISTINCT (django-filter's default for multiple choices): the filter
    # joins nothing, and DISTINCT makes PostgreSQL sort every match before
    # the LIMIT instead of reading the console index in order.
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    status_reason = django_filters.ModelChoiceFilter(
        label=_("Status reason"), queryset=StatusReason.objects.none()
    )
    assigned_group = django_filters.ModelChoiceFilter(
        label=_("Assigned group"), queryset=SupportGroup.objects.none()
    )
    assignee = django_filters.ModelChoiceFilter(
        label=_("Assignee"), queryset=get_user_model().objects.none()
    )
    requires_attention = django_filters.ChoiceFilter(
        label=_("Requires attention"),
        method="filter_requires_attention",
        choices=[("response", _("Requires response")), (ATTENTION_NONE, _("Nothing pending"))],
    )
    priority = django_filters.MultipleChoiceFilter(
        label=_("Priority"),
        choices=Priority.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        method="filter_priority",
    )
    sla = django_filters.ChoiceFilter(
        label=_("Due"),
        method="filter_sla",
        choices=[
            (SLA_BREACHED, _("Breached")),
            (SLA_AT_RISK, _("About to breach")),
            (SLA_RESPONSE_LATE, _("First response late")),
        ],
    )
    # Advanced search.
    number = django_filters.CharFilter(label=_("Number"), method="filter_number")
    customer = django_filters.CharFilter(
        label=_("Customer (name, CIF/NIF, e-mail or phone)"), method="filter_customer"
    )
    customer_kind = django_filters.ChoiceFilter(
        label=_("Customer kind"), field_name="customer__kind", choices=CustomerKind.choices
    )
    text = django_filters.CharFilter(label=_("Summary or notes contain"), method="filter_text")
    words = django_filters.CharFilter(
        label=_("Text"),
        help_text=_(
            "Every word in the summary, notes, work info or mail, in any form "
            "(contraseñas finds contraseña), without accents."
        ),
        method="filter_words",
    )
    tier = django_filters.CharFilter(label=_("Categorisation contains"), method="filter_tier")
    service = django_filters.CharFilter(
        label=_("Service contains"), field_name="service", lookup_expr="icontains"
    )
    template = django_filters.ModelChoiceFilter(
        label=_("Template"), queryset=TicketTemplate.objects.none()
    )
    reported_source = django_filters.ChoiceFilter(
        label=_("Reported source"), choices=ReportedSource.choices
    )
    created = django_filters.DateFromToRangeFilter(
        label=_("Created"),
        field_name="created_at",
        widget=DateRangeWidget(attrs={"type": "date"}),
    )
    updated = django_filters.DateFromToRangeFilter(
        label=_("Updated"),
        field_name="updated_at",
        widget=DateRangeWidget(attrs={"type": "date"}),
    )
    # What was resolved or completed in a period (a month's report): *_resolved_idx.
    resolved = django_filters.DateFromToRangeFilter(
        label=_("Resolved"),
        field_name="resolved_at",
        widget=DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        if not isinstance(type(self).__dict__.get("base_filters"), _ShallowCopied):
            type(self)._configure()
        super().__init__(*args, **kwargs)
        model = self._meta.model
        fields = self.form.fields
        fields["status_reason"].label_from_instance = lambda r: (
            f"{Status(r.status).label} · {r.name}"
        )
        fields["assignee"].label_from_instance = person_name
        # The options come from the reference cache; a submitted value is still
        # looked up through the queryset.
        for name, key in (
            ("status_reason", f"filter-reasons:{model.KIND}"),
            ("assigned_group", "filter-groups"),
            ("assignee", "filter-agents"),
            ("template", f"filter-templates:{model.KIND}"),
        ):
            show_choices(fields[name], reference_choices(fields[name], key))

    @classmethod
    def _configure(cls) -> None:
        """Once per kind: the choices and querysets follow the model, never
        the request, so the filters are set up once, each request takes
        shallow copies of them, and the form class is built once."""
        model = cls._meta.model
        filters = {name: copy.deepcopy(filter_) for name, filter_ in cls.base_filters.items()}
        for filter_ in filters.values():
            filter_.__dict__.pop("_field", None)  # a field built before this
        filters["status"].extra["choices"] = [(s, Status(s).label) for s in model.STATUSES]
        filters["status_reason"].queryset = StatusReason.objects.filter(kind=model.KIND).order_by(
            "status", "name"
        )
        filters["assigned_group"].queryset = SupportGroup.objects.order_by("name")
        filters["assigned_group"].label = model.GROUP_LABEL
        filters["assignee"].queryset = agent_users().order_by("first_name", "last_name", "username")
        filters["template"].queryset = TicketTemplate.objects.filter(
            applies_to__in=[model.KIND, APPLIES_TO_ALL]
        ).order_by("name")
        cls.base_filters = _ShallowCopied(filters)
        cls._form_class = None

    def get_form_class(self) -> type[forms.Form]:
        cls = type(self)
        if cls.__dict__.get("_form_class") is None:
            form_class = super().get_form_class()
            form_class.base_fields = _LightlyCopiedFields(form_class.base_fields)
            cls._form_class = form_class
        return cls._form_class

    @property
    def basic_fields(self) -> list:
        return [self.form[name] for name in BASIC_FIELDS]

    @property
    def advanced_fields(self) -> list:
        return [self.form[name] for name in self.form.fields if name not in BASIC_FIELDS]

    @property
    def uses_advanced_fields(self) -> bool:
        if not self.is_bound:
            return False
        return any(
            self.data.get(name) or self.data.get(f"{name}_after") or self.data.get(f"{name}_before")
            for name in self.form.fields
            if name not in BASIC_FIELDS
        )

    @property
    def constant_filters_only(self) -> bool:
        """Whether every filter set is one of ``CONSTANT_FILTERS``."""
        return self.is_valid() and all(
            name in CONSTANT_FILTERS or value in EMPTY_VALUES or value is False
            for name, value in self.form.cleaned_data.items()
        )

    # While ``counted_qs`` filters: the filters may then be written for a
    # COUNT rather than for a page walked in the list's order.
    counting = False
    # The tickets about to breach, read once for the page and its count.
    _at_risk_ids: list | bool | None = None

    def counted_qs(self) -> QuerySet:
        """The same matches as ``qs``, written for a COUNT (the customer
        filter: see ``customer_key_condition``); filtered only when the
        count is made. Without a customer the count is ``qs``'s, not
        filtered again (1 ms for a few filters)."""
        if not self.form.cleaned_data.get("customer"):
            return self.qs
        self.counting = True
        try:
            return self.filter_queryset(self.queryset.all())
        finally:
            self.counting = False

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The consoles, their exports and the API's lists all come through here.
        user = self.request.user if self.request is not None else None
        return visible_by_customer(super().filter_queryset(queryset), user)

    def filter_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(assignee=self.request.user) if value else queryset

    def filter_open(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        # The same condition the partial indexes are declared with.
        return queryset.filter(open_tickets_q()) if value else queryset

    def filter_awaiting_closure(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.awaiting_closure() if value else queryset

    def filter_priority(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        # The stored rank, so the *_priority_idx indexes serve the filter.
        ranks = [Priority.values.index(v) for v in value]
        return queryset.filter(priority_rank__in=ranks) if ranks else queryset

    def filter_sla(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # On the stored due times: *_due_idx / *_open_warn_idx serve them.
        now = timezone.now()
        if value == SLA_BREACHED:
            return queryset.filter(due_sort__lte=now)
        if value == SLA_RESPONSE_LATE:
            # Nobody has answered and the first response was due: *_unanswered_idx.
            return queryset.filter(
                open_tickets_q(), responded_at__isnull=True, response_due_at__lte=now
            )
        if self._at_risk_ids is None:
            self._at_risk_ids = _at_risk_ids(queryset.model, now)
        ids = self._at_risk_ids
        if ids is not False:
            # Read a few seconds ago: checked again against the clock.
            queryset = queryset.filter(KeysIn(ids))
        return _at_risk_condition(queryset, now)

    def filter_requires_attention(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(requires_attention="" if value == ATTENTION_NONE else value)

    def filter_number(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        numbers = [n for kind, n in ticket_numbers(value) if kind.model is self._meta.model]
        return queryset.filter(number__in=numbers)

    def filter_customer(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Blocked customers are left out, or not, by filter_queryset.
        return queryset.filter(customer_key_condition(value, "customer_id", counted=self.counting))

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Served by the *_summary_trgm / *_description_trgm indexes on PostgreSQL.
        return queryset.filter(Q(summary__icontains=value) | Q(description__icontains=value))

    def filter_words(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The full-text index (GIN on PostgreSQL, FTS5 on SQLite) as a subquery.
        return queryset.filter(number__in=fulltext.matching_ticket_numbers(value))

    def filter_tier(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = Q()
        for level in ("operational", "product"):
            for tier in (1, 2, 3):
                condition |= Q(**{f"{level}_tier_{tier}__icontains": value})
        return queryset.filter(condition)


def _at_risk_condition(queryset: QuerySet, now) -> QuerySet:
    return queryset.filter(sla_warn_at__lte=now, due_sort__gt=now)


def _at_risk_ids(model, now) -> list | bool:
    """The kind's tickets about to breach: warned, not yet due. They are
    few, and the ``*_open_warn_idx`` index finds them; but sorted by their
    last change, PostgreSQL prefers to walk the open tickets newest first
    and check each (thousands of rows for a page). So their ids are read
    first, and the page is taken from those: their ids, or False when there
    are too many to list. Each process reads them again after
    AT_RISK_SECONDS: every console and filter of the kind shares them, a
    ticket joins the list up to that late, and one that breaches, stops its
    clock or closes leaves it at once (the page checks the condition)."""
    kept = _at_risk_kept.get(model._meta.label)
    if kept is not None and kept[0] > time.monotonic():
        return kept[1]
    at_risk = _at_risk_condition(model.objects.filter(open_tickets_q()), now)
    ids = list(at_risk.order_by().values_list("pk", flat=True)[: AT_RISK_BY_ID + 1])
    found = False if len(ids) > AT_RISK_BY_ID else ids
    _at_risk_kept[model._meta.label] = (time.monotonic() + AT_RISK_SECONDS, found)
    return found


def forget_at_risk() -> None:
    _at_risk_kept.clear()
