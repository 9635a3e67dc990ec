"""The dashboard: coordinators see the whole desk (from the snapshot the beat
task keeps), agents the same figures for their own tickets."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from itsm.charts import dashboard_charts, live_charts
from itsm.common.access import agent_required
from itsm.common.permissions import is_coordinator
from itsm.dashboard import agent_figures, dashboard_names, desk_figures


@agent_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    mine = not is_coordinator(request.user)
    figures = agent_figures(request.user) if mine else desk_figures()
    charts = dashboard_charts(figures, dashboard_names(figures), mine=mine)
    # What the apps above the core add (the mail waiting), counted as the page is drawn.
    for position, chart in live_charts(request.user, mine=mine):
        charts.insert(position, chart)
    context = {
        "mine": mine,
        "computed_at": parse_datetime(figures.computed_at),
        "charts": charts,
    }
    return render(request, "itsm/dashboard.html", context)
