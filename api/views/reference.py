"""Reference data: groups, templates, status reasons and SLA targets."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from api.rest import DeskAPIView
from api.serializers import (
    GroupSerializer,
    ReasonSerializer,
    SlaTargetSerializer,
    TemplateSerializer,
)
from api.views.base import responses
from itsm.models import SlaTarget, StatusReason, SupportGroup, TicketTemplate


class ReferenceView(DeskAPIView, generics.ListAPIView):
    pagination_class = None
    filter_backends: list = []


class GroupListView(ReferenceView):
    serializer_class = GroupSerializer
    queryset = SupportGroup.objects.order_by("name")


class TemplateListView(ReferenceView):
    serializer_class = TemplateSerializer
    queryset = TicketTemplate.objects.order_by("name")


class ReasonListView(ReferenceView):
    serializer_class = ReasonSerializer
    queryset = StatusReason.objects.order_by("kind", "status", "name")


class SlaTargetListView(ReferenceView):
    serializer_class = SlaTargetSerializer
    queryset = SlaTarget.objects.order_by("id")


for reference_view in (GroupListView, TemplateListView, ReasonListView, SlaTargetListView):
    extend_schema(responses=responses({200: reference_view.serializer_class(many=True)}))(
        reference_view
    )
