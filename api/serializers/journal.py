"""A ticket's journal: its entries, their attachments and what may be appended."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import PageSerializer, text
from itsm.action_forms import MANUAL_WORK_INFO_TYPES
from itsm.attachments import validate_attachment
from itsm.models import Channel, RequiresAttention, ViewAccess, WorkInfoType


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
