"""What the API reads and writes. Ticket serializers are made per kind
(``kind_serializers``): each kind's statuses are its own, and the schema
names them after the kind (``Incident``, ``WorkOrder``). Writes only parse
and type the input; the rules belong to the services they are handed to."""

import copy
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import CUSTOMER_FIELDS, Customer, CustomerKind, CustomerPhone, PhoneKind
from itsm.action_forms import MANUAL_WORK_INFO_TYPES
from itsm.attachments import validate_attachment
from itsm.kinds import Kind
from itsm.models import (
    Channel,
    RelationType,
    ReportedSource,
    RequiresAttention,
    SlaTarget,
    Status,
    StatusReason,
    SupportGroup,
    TicketTemplate,
    ViewAccess,
    WorkInfoType,
)
from itsm.services.rules import CLASSIFICATION_FIELDS, TEMPLATE_FIELDS

MAX_TEXT = settings.ITSM_MAX_TEXT_LENGTH
# Ids beyond a 64-bit integer designate nothing and would overflow the database.
MAX_ID = 2**63 - 1


def text(max_length: int = MAX_TEXT, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, allow_blank=True, trim_whitespace=False, **kwargs
    )


class IdField(serializers.PrimaryKeyRelatedField):
    """A row by its id, with the id's bounds in the schema."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int) and not str(data).isdigit():
            self.fail("incorrect_type", data_type=type(data).__name__)
        if int(data) > MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


# --- tickets ------------------------------------------------------------------------

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


class TicketSerializer(serializers.ModelSerializer):
    """A ticket as the API shows it; ``fields`` (a set of names) keeps only those."""

    kind = serializers.SerializerMethodField()
    customer_name = serializers.CharField(source="customer.full_name", read_only=True)
    status_reason_name = serializers.CharField(
        source="status_reason.name", read_only=True, default=None, allow_null=True
    )
    assigned_group_name = serializers.CharField(source="assigned_group.name", read_only=True)
    assignee_username = serializers.CharField(
        source="assignee.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        fields = TICKET_COLUMNS
        read_only_fields = TICKET_COLUMNS

    def __init__(self, *args, columns: set[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if columns:
            for name in set(self.fields) - columns:
                self.fields.pop(name)

    def get_fields(self) -> dict:
        """The fields the model gives, worked out once per class: DRF reads
        the model's every field again for each serializer, which took longer
        than the query behind a ticket's detail. Copied, as DRF copies the
        fields a serializer declares."""
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy.deepcopy(built)

    def get_kind(self, ticket) -> str:
        return ticket.KIND


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


class PageSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        allow_null=True, help_text="Matches, counted up to 1000 (see count_capped)."
    )
    count_capped = serializers.BooleanField(help_text="True when there are more than count.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


# --- quick actions -----------------------------------------------------------------


class NoteSerializer(serializers.Serializer):
    note = text(required=False)


class PendingSerializer(NoteSerializer):
    status_reason = IdField(queryset=StatusReason.objects.all())


class ResolveSerializer(PendingSerializer):
    resolution = text(required=False)


# --- journal ------------------------------------------------------------------------


class AttachmentSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)


class JournalEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    author = serializers.CharField(source="author.username", default=None, allow_null=True)
    type = serializers.ChoiceField(choices=WorkInfoType.choices)
    notes = serializers.CharField()
    event = serializers.CharField(allow_null=True)
    data = serializers.DictField(
        allow_null=True, help_text="The facts of an event the system recorded."
    )
    requires_attention = serializers.CharField()
    view_access = serializers.CharField()
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        allow_null=True,
        help_text="Where the change came from; empty for entries older than the channel.",
    )
    attachments = serializers.SerializerMethodField()

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, entry) -> list[dict]:
        files = []
        for index, field_file in entry.attachments:
            try:
                size = field_file.size
            except OSError:
                size = None
            files.append({"index": index, "name": field_file.name.rsplit("/", 1)[-1], "size": size})
        return files


class JournalPageSerializer(PageSerializer):
    results = JournalEntrySerializer(many=True)


class AttachmentFileField(serializers.FileField):
    def to_internal_value(self, data):
        upload = super().to_internal_value(data)
        try:
            validate_attachment(upload)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return upload


class JournalAppendSerializer(serializers.Serializer):
    notes = text(required=False, default="")
    type = serializers.ChoiceField(
        choices=[(value, WorkInfoType(value).label) for value in MANUAL_WORK_INFO_TYPES],
        default=WorkInfoType.WORK_NOTES,
    )
    requires_attention = serializers.ChoiceField(
        RequiresAttention.choices, default=RequiresAttention.NONE
    )
    view_access = serializers.ChoiceField(ViewAccess.choices, default=ViewAccess.INTERNAL)
    attachment_1 = AttachmentFileField(required=False)
    attachment_2 = AttachmentFileField(required=False)
    attachment_3 = AttachmentFileField(required=False)


# --- relations ----------------------------------------------------------------------


class RelationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=RelationType.choices)
    number = serializers.CharField(help_text="The ticket on the other side.")
    summary = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


def relation_side(relation, other) -> dict:
    """A relation as seen from one ticket: ``other`` is the ticket on the other side."""
    return {
        "id": relation.pk,
        "type": relation.type,
        "number": other.number,
        "summary": other.summary,
        "status": other.status,
        "created_at": relation.created_at,
    }


class RelationAddSerializer(serializers.Serializer):
    other_number = serializers.CharField(max_length=40)
    relation_type = serializers.ChoiceField(RelationType.choices, default=RelationType.RELATED)


# --- customers ----------------------------------------------------------------------


class CustomerPhoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerPhone
        fields = ("kind", "number", "e164")
        read_only_fields = fields


class CustomerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name", read_only=True)
    # Empty when unknown, which the e-mail format would not allow.
    email = serializers.CharField(read_only=True)
    phones = CustomerPhoneSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = (
            "id",
            "name",
            *CUSTOMER_FIELDS,
            "phones",
            "active",
            "email_failing_since",
            "created_at",
        )
        read_only_fields = fields


class PhoneWriteSerializer(serializers.Serializer):
    # Empty or absent: mobile or landline, as the numbering plan says.
    kind = serializers.ChoiceField(PhoneKind.choices, required=False, default="", allow_blank=True)
    number = text(40)

    def to_internal_value(self, data) -> tuple[str, str]:
        value = super().to_internal_value(data)
        return (value["kind"], value["number"])


class CustomerWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(CustomerKind.choices)
    first_name = text(100)
    surnames = text(150, required=False)
    organisation = text(200, required=False)
    tax_id = text(20, required=False)
    email = text(254, required=False)
    phones = PhoneWriteSerializer(
        many=True, required=False, help_text="Every phone; on update, replaces them all."
    )
    flei_code = text(20, required=False)


class CustomerUpdateSerializer(CustomerWriteSerializer):
    kind = serializers.ChoiceField(CustomerKind.choices, required=False)
    first_name = text(100, required=False)
    active = serializers.BooleanField(required=False)


# --- reference data -----------------------------------------------------------------


class GroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupportGroup
        fields = ("id", "name", "active", "is_agent_default", "is_coordination", "is_specialists")
        read_only_fields = fields


class TemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketTemplate
        fields = (
            "id",
            "name",
            "applies_to",
            "summary",
            "default_group",
            "active",
            *TEMPLATE_FIELDS,
        )
        read_only_fields = fields


class ReasonSerializer(serializers.ModelSerializer):
    # Empty for most reasons: only those the desk picks by itself have one.
    code = serializers.CharField(read_only=True)

    class Meta:
        model = StatusReason
        fields = ("id", "kind", "status", "name", "code", "active")
        read_only_fields = fields


class SlaTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaTarget
        fields = ("id", "priority", "response_minutes", "resolution_minutes")
        read_only_fields = fields


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
