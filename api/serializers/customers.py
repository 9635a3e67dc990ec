"""Customers and their phones."""

from rest_framework import serializers

from api.serializers.base import text
from customers.models import CUSTOMER_FIELDS, Customer, CustomerKind, CustomerPhone, PhoneKind


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
