"""Reference data an integrator reads: groups, templates, reasons, SLA targets."""

from rest_framework import serializers

from itsm.models import SlaTarget, StatusReason, SupportGroup, TicketTemplate
from itsm.services.rules import TEMPLATE_FIELDS


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
