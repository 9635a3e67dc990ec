"""Webhook subscriptions and their delivery log, for admins: the same
services the admin pages call, so the checks (events, the destination's
address) and the cache of who listens follow every change."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.pagination import PAGE_PARAMETERS, newest_first_response
from api.rest import DeskAPIView, StaffPermission
from api.serializers import PageSerializer, text
from api.views.base import responses, validated
from itsm.common.rows import row_id
from itsm.events import EVENT_TYPES
from webhooks.models import Attempt, Delivery, Subscription
from webhooks.services import subscription_create, subscription_delete, subscription_update

EVENT_CHOICES = [(name, name) for name in EVENT_TYPES]


class SubscriptionSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", default=None, allow_null=True)
    events = serializers.ListField(child=serializers.ChoiceField(EVENT_CHOICES))

    class Meta:
        model = Subscription
        fields = ("id", "name", "url", "events", "active", *Subscription.RECORDED_FIELDS)
        read_only_fields = fields


class SubscriptionCreatedSerializer(SubscriptionSerializer):
    secret = serializers.CharField(
        help_text="whsec_…: shown only in this answer; keep it in the receiver."
    )

    class Meta(SubscriptionSerializer.Meta):
        fields = (*SubscriptionSerializer.Meta.fields, "secret")
        read_only_fields = fields


class SubscriptionWriteSerializer(serializers.Serializer):
    name = text(100)
    url = serializers.URLField(max_length=2000)
    events = serializers.ListField(
        child=serializers.ChoiceField(EVENT_CHOICES), min_length=1, max_length=len(EVENT_TYPES)
    )


class SubscriptionUpdateSerializer(SubscriptionWriteSerializer):
    name = text(100, required=False)
    url = serializers.URLField(max_length=2000, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(EVENT_CHOICES),
        min_length=1,
        max_length=len(EVENT_TYPES),
        required=False,
    )
    active = serializers.BooleanField(required=False)


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = (
            "number",
            "started_at",
            "request_headers",
            "status_code",
            "response_ms",
            "response_body",
            "error",
            "next_retry_at",
        )
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event.type")
    webhook_id = serializers.CharField(source="event.webhook_id")
    body = serializers.CharField(source="event.body", help_text="The JSON sent, byte for byte.")
    log = AttemptSerializer(many=True)

    class Meta:
        model = Delivery
        fields = (
            "id",
            "event",
            "webhook_id",
            "status",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "body",
            "log",
        )
        read_only_fields = fields


class DeliveryPageSerializer(PageSerializer):
    results = DeliverySerializer(many=True)


def _webhooks_schema(operation: str, **schema):
    """The schema of a webhooks endpoint: under their tag, with the id ``webhooks_<operation>``."""
    return extend_schema(tags=["webhooks"], operation_id=f"webhooks_{operation}", **schema)


class WebhookView(DeskAPIView):
    permission_classes = [StaffPermission]

    def subscription(self, pk: int) -> Subscription:
        found = Subscription.objects.select_related("owner").filter(pk=row_id(pk)).first()
        if found is None:
            raise Http404(_("There is no such webhook subscription."))
        return found


class SubscriptionListView(WebhookView):
    @_webhooks_schema("list", responses=responses({200: SubscriptionSerializer(many=True)}))
    def get(self, request) -> Response:
        rows = Subscription.objects.select_related("owner").order_by("name", "pk")
        return Response(SubscriptionSerializer(rows, many=True).data)

    @_webhooks_schema(
        "create",
        request=SubscriptionWriteSerializer,
        responses=responses({201: SubscriptionCreatedSerializer}),
    )
    def post(self, request) -> Response:
        data = validated(SubscriptionWriteSerializer, request)
        subscription = subscription_create(owner=request.user, **data)
        return Response(
            SubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED
        )


# What reading or changing one subscription answers.
ONE_SUBSCRIPTION = responses({200: SubscriptionSerializer}, 404)


class SubscriptionDetailView(WebhookView):
    @_webhooks_schema("retrieve", responses=ONE_SUBSCRIPTION)
    def get(self, request, pk: int) -> Response:
        return Response(SubscriptionSerializer(self.subscription(pk)).data)

    @_webhooks_schema("update", request=SubscriptionUpdateSerializer, responses=ONE_SUBSCRIPTION)
    def patch(self, request, pk: int) -> Response:
        subscription = self.subscription(pk)
        data = validated(SubscriptionUpdateSerializer, request, partial=True)
        subscription_update(subscription=subscription, **data)
        return Response(SubscriptionSerializer(subscription).data)

    @_webhooks_schema("destroy", responses=responses({204: None}, 404))
    def delete(self, request, pk: int) -> Response:
        subscription_delete(subscription=self.subscription(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryListView(WebhookView):
    @_webhooks_schema(
        "deliveries_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: DeliveryPageSerializer}, 404),
    )
    def get(self, request, pk: int) -> Response:
        subscription = self.subscription(pk)
        deliveries = (
            Delivery.objects.filter(subscription=subscription)
            .select_related("event")
            .prefetch_related(Prefetch("log", queryset=Attempt.objects.order_by("number")))
        )
        return Response(newest_first_response(request, deliveries, DeliverySerializer))
