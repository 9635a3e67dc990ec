"""What every resource's serializers share: bounded text and ids, the page
envelope and the problem details of an error."""

from django.conf import settings
from rest_framework import serializers

from itsm.common.rows import MAX_ID
from itsm.common.statements import Statement

MAX_TEXT = settings.ITSM_MAX_TEXT_LENGTH


def text(max_length: int = MAX_TEXT, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, allow_blank=True, trim_whitespace=False, **kwargs
    )


# A row of a model by its id, the SQL written once per model.
_BY_ID = Statement(lambda model, pk: model._base_manager.filter(pk=pk))


class IdField(serializers.PrimaryKeyRelatedField):
    """A row by its id, with the id's bounds in the schema. Over a whole
    table (``Model.objects.all()``), looked up with a kept statement; the
    services check what may be picked."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int) and not str(data).isdigit():
            self.fail("incorrect_type", data_type=type(data).__name__)
        if int(data) > MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        queryset = self.get_queryset()
        if self.pk_field is not None or queryset.query.where:
            return super().to_internal_value(data)
        found = _BY_ID.first(int(data), shape=(queryset.model,))
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found


class PageSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        allow_null=True, help_text="Matches, counted up to 1000 (see count_capped)."
    )
    count_capped = serializers.BooleanField(help_text="True when there are more than count.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
