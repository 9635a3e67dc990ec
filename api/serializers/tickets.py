"""Tickets and their quick actions. Ticket serializers are made per kind
(``kind_serializers``): each kind's statuses are its own, and the schema
names them after the kind (``Incident``, ``WorkOrder``)."""

import copy
import operator
from datetime import datetime
from functools import cache

from django.contrib.auth import get_user_model
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from api.serializers.base import IdField, PageSerializer, text
from api.serializers.ticket_rows import row_plan
from customers.models import Customer, full_name
from itsm.kinds import Kind
from itsm.models import (
    ReportedSource,
    RequiresAttention,
    Status,
    StatusReason,
    SupportGroup,
    TicketTemplate,
)
from itsm.reference_names import group_names, reason_names, usernames
from itsm.services.rules import CLASSIFICATION_FIELDS

TICKET_COLUMNS = (
    "number",
    "kind",
    "version",
    "customer",
    "customer_name",
    "template",
    "summary",
    "description",
    "status",
    "status_reason",
    "status_reason_name",
    "resolution",
    "requires_attention",
    "assigned_group",
    "assigned_group_name",
    "assignee",
    "assignee_username",
    "priority",
    "impact",
    "urgency",
    "reported_source",
    *CLASSIFICATION_FIELDS,
    "created_at",
    "updated_at",
    "resolved_at",
    "closed_at",
    "response_due_at",
    "resolution_due_at",
    "sla_breached_at",
)


def list_columns(model) -> list[str]:
    """What a list reads of each ticket (``TicketListView``), as named tuples:
    every column and the parts of the customer's name. 50 tickets built as
    models cost more than their query."""
    columns = [field.attname for field in model._meta.concrete_fields]
    return [*columns, *CUSTOMER_NAME_PARTS]


CUSTOMER_NAME_PARTS = ("customer__first_name", "customer__surnames", "customer__organisation")


def _row_customer_name(row) -> str:
    return full_name(*(getattr(row, part) for part in CUSTOMER_NAME_PARTS))


def _reader(name: str, field: serializers.Field, *, row: bool) -> tuple:
    """(name, how to read the value off a ticket, how to write it) for one
    field, as ``Serializer.to_representation`` would: a key is its column
    (DRF's ``PKOnlyObject``), a method field gets the ticket itself. A
    ``row`` (of ``list_columns``) has the customer's name in parts and no
    class to tell its kind."""
    model = field.parent.Meta.model
    if row and field.source == "customer.full_name":
        return name, _row_customer_name, field.to_representation
    if row and field.source == "KIND":
        return name, lambda _row, kind=model.KIND: kind, field.to_representation
    if isinstance(field, serializers.PrimaryKeyRelatedField) and field.pk_field is None:
        column = model._meta.get_field(field.source).attname
        return name, operator.attrgetter(column), _same
    if field.source == "*":
        return name, _same, field.to_representation
    return name, operator.attrgetter(".".join(field.source_attrs)), _writer(field)


def _same(value):
    return value


def _writer(field: serializers.Field):
    """``field.to_representation``; for a date and time in ISO 8601 (most
    of a list's values), the same text without the checks DRF makes again
    for each value: the request's time zone is looked up once."""
    if not isinstance(field, serializers.DateTimeField):
        return field.to_representation
    output = getattr(field, "format", api_settings.DATETIME_FORMAT)
    zone = getattr(field, "timezone", None) or field.default_timezone()
    if not isinstance(output, str) or output.lower() != ISO_8601 or zone is None:
        return field.to_representation

    def write(value):
        if not isinstance(value, datetime) or value.tzinfo is None:
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


class TicketListSerializer(serializers.ListSerializer):
    def to_representation(self, data) -> list[dict]:
        if isinstance(data, list) and data and isinstance(data[0], tuple):
            return self.child.write_rows(data)
        return super().to_representation(data)


class TicketSerializer(serializers.ModelSerializer):
    """A ticket as the API shows it; ``columns`` (a set of names) keeps only those."""

    kind = serializers.SerializerMethodField()
    customer_name = serializers.CharField(source="customer.full_name", read_only=True)
    status_reason_name = serializers.SerializerMethodField()
    assigned_group_name = serializers.SerializerMethodField()
    assignee_username = serializers.SerializerMethodField()

    class Meta:
        fields = TICKET_COLUMNS
        read_only_fields = TICKET_COLUMNS
        list_serializer_class = TicketListSerializer

    def __init__(self, *args, columns: set[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.columns_asked = frozenset(columns) if columns else None

    def get_fields(self) -> dict:
        """The fields the model gives, worked out once per class: DRF reads
        the model's every field again for each serializer, which took longer
        than the query behind a ticket's detail. Each serializer binds copies
        of its own; shallow ones, as every field only reads (DRF's deep copy
        builds each field again from its arguments: 0.2 ms a request)."""
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        asked = self.columns_asked
        return {
            name: copy.copy(field)
            for name, field in built.items()
            if asked is None or name in asked
        }

    def write_rows(self, rows) -> list[dict]:
        """A page of rows (``list_columns``), as ``to_representation`` would
        write each (``RowPlan``)."""
        if not rows:
            return []
        plan = row_plan(self, rows[0]._fields, lambda: self._readers(row=True))
        return plan.write(rows, plan.writers(self))

    def _readers(self, *, row: bool) -> list:
        return [_reader(name, field, row=row) for name, field in self.fields.items()]

    def to_representation(self, ticket) -> dict:
        """What DRF writes, each value through its field's own
        ``to_representation``, but read straight from the ticket: DRF walks
        each field's source and wraps each key for every row, most of the
        time of a list of 50 (2 ms). A row (``list_columns``) is written as
        a page's are."""
        if isinstance(ticket, tuple):
            return self.write_rows([ticket])[0]
        readers = self.__dict__.get("_kept_readers")
        if readers is None:
            readers = self.__dict__["_kept_readers"] = self._readers(row=False)
        shown = {}
        for name, read, convert in readers:
            value = read(ticket)
            shown[name] = None if value is None else convert(value)
        return shown

    def get_kind(self, ticket) -> str:
        return ticket.KIND

    # A list's names come from its ``ListNames`` (the context's "names"), a
    # single ticket's from its relations.

    def get_status_reason_name(self, ticket) -> str | None:
        if ticket.status_reason_id is None:
            return None
        names = self.context.get("names")
        return names.reasons.get(ticket.status_reason_id) if names else ticket.status_reason.name

    def get_assigned_group_name(self, ticket) -> str:
        names = self.context.get("names")
        return names.groups.get(ticket.assigned_group_id) if names else ticket.assigned_group.name

    def get_assignee_username(self, ticket) -> str | None:
        if ticket.assignee_id is None:
            return None
        names = self.context.get("names")
        return names.usernames.get(ticket.assignee_id) if names else ticket.assignee.username


class ListNames:
    """The names a page of tickets shows, from the reference lists
    (``itsm.reference_names``) rather than three joins per query."""

    def __init__(self, tickets) -> None:
        self.groups = group_names()
        self.reasons = reason_names()
        self.usernames = usernames(ticket.assignee_id for ticket in tickets)


def _status_choices(kind: Kind) -> list[tuple[str, str]]:
    return [(status, Status(status).label) for status in kind.statuses]


class TicketWriteSerializer(serializers.Serializer):
    """The fields of sections 2–4 a person may set; the template fills the rest."""

    template = IdField(queryset=TicketTemplate.objects.all(), required=False, allow_null=True)
    summary = text(100, required=False)
    description = text(required=False)
    reported_source = serializers.ChoiceField(ReportedSource.choices, required=False)
    assigned_group = IdField(queryset=SupportGroup.objects.all(), required=False)
    assignee = IdField(queryset=get_user_model().objects.all(), required=False, allow_null=True)
    status_reason = IdField(queryset=StatusReason.objects.all(), required=False, allow_null=True)
    resolution = text(required=False)
    requires_attention = serializers.ChoiceField(RequiresAttention.choices, required=False)
    impact = serializers.IntegerField(min_value=1, max_value=4, required=False)
    urgency = serializers.IntegerField(min_value=1, max_value=4, required=False)


class TicketCreateSerializer(TicketWriteSerializer):
    customer = IdField(queryset=Customer.objects.all())
    work_info_notes = text(required=False)


class TicketUpdateSerializer(TicketWriteSerializer):
    note = text(required=False)


@cache
def kind_serializers(kind: Kind) -> dict[str, type[serializers.Serializer]]:
    """The serializers of one kind, named after its model for the schema."""
    name = kind.model.__name__
    status = serializers.ChoiceField(choices=_status_choices(kind), required=False)
    ticket = type(
        f"{name}Serializer",
        (TicketSerializer,),
        {
            "status": serializers.ChoiceField(choices=_status_choices(kind), read_only=True),
            # Its one code: a ticket of one kind never reads as another's in the schema.
            "kind": serializers.ChoiceField(
                choices=[(kind.code, kind.code)], source="KIND", read_only=True
            ),
            "Meta": type("Meta", (TicketSerializer.Meta,), {"model": kind.model}),
        },
    )
    page = type(
        f"{name}PageSerializer",
        (PageSerializer,),
        {"results": ticket(many=True)},
    )
    return {
        "ticket": ticket,
        "page": page,
        "create": type(f"{name}CreateSerializer", (TicketCreateSerializer,), {"status": status}),
        "update": type(f"{name}UpdateSerializer", (TicketUpdateSerializer,), {"status": status}),
    }


# --- quick actions -----------------------------------------------------------------


class NoteSerializer(serializers.Serializer):
    note = text(required=False)


class PendingSerializer(NoteSerializer):
    status_reason = IdField(queryset=StatusReason.objects.all())


class ResolveSerializer(PendingSerializer):
    resolution = text(required=False)
