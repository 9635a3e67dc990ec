"""The dashboard's figures as the page shows them to the same person
(``itsm.views.dashboard.dashboard_for``): a coordinator the whole desk's,
from the snapshot the beat task keeps; anyone else their own tickets'."""

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.rest import DeskAPIView
from api.views.base import responses
from itsm.kinds import all_kinds
from itsm.views.dashboard import dashboard_for


class BarSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.IntegerField()
    url = serializers.CharField(help_text="The console page listing what the bar counts.")


class KindDaySerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="The kind's namespace.")
    created = serializers.IntegerField()
    resolved = serializers.IntegerField()


class DaySerializer(serializers.Serializer):
    day = serializers.DateField()
    created = serializers.IntegerField(help_text="Every kind.")
    resolved = serializers.IntegerField(help_text="Every kind.")
    kinds = KindDaySerializer(many=True)


class ChartSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    bars = BarSerializer(many=True, allow_null=True, help_text="A bar chart's bars, in order.")
    days = DaySerializer(many=True, allow_null=True, help_text="The per-day chart's days.")


class DashboardSerializer(serializers.Serializer):
    mine = serializers.BooleanField(
        help_text="True: the figures of the user's own tickets; false: the whole desk's."
    )
    computed_at = serializers.DateTimeField()
    refreshing = serializers.BooleanField(help_text="Newer figures are being counted.")
    figures = serializers.DictField(
        help_text="The counts behind the charts, by codes and ids (statuses, group ids, "
        "age buckets, SLA states, escalation cases and states, days, template ids)."
    )
    charts = ChartSerializer(many=True)


def _chart(chart) -> dict:
    body = {"id": chart.id, "title": str(chart.title), "bars": None, "days": None}
    if chart.bars is not None:
        body["bars"] = [{"label": b.label, "value": b.value, "url": b.url} for b in chart.bars]
        return body
    kinds = [kind.namespace for kind in all_kinds()]
    body["days"] = [
        {
            "day": column.day,
            "created": column.created,
            "resolved": column.resolved,
            "kinds": [
                {"kind": kind, "created": figures.created, "resolved": figures.resolved}
                for kind, figures in zip(kinds, column.kinds, strict=True)
            ],
        }
        for column in chart.days
    ]
    return body


class DashboardView(DeskAPIView):
    @extend_schema(responses=responses({200: DashboardSerializer}))
    def get(self, request) -> Response:
        shown = dashboard_for(request.user)
        body = {
            "mine": shown.mine,
            "computed_at": parse_datetime(shown.figures.computed_at),
            "refreshing": shown.refreshing,
            "figures": shown.figures.__dict__,
            "charts": [_chart(chart) for chart in shown.charts],
        }
        return Response(DashboardSerializer(body).data)
