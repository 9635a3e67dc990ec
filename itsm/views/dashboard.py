"""The dashboard: coordinators see the whole desk (from the snapshot the beat
task keeps), agents the same figures for their own tickets."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from itsm.access import agent_required
from itsm.charts import dashboard_charts, mailbox_chart
from itsm.dashboard import agent_figures, dashboard_names, desk_figures
from itsm.permissions import is_coordinator
from notifications.selectors import mailbox_waiting


@agent_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    mine = not is_coordinator(request.user)
    figures = agent_figures(request.user) if mine else desk_figures()
    charts = dashboard_charts(figures, dashboard_names(figures), mine=mine)
    # Mail is counted live: it waits minutes, not days, and one count is cheap.
    waiting = mailbox_waiting(request.user if mine else None)
    charts.insert(1, mailbox_chart(waiting, mine=mine))
    context = {
        "mine": mine,
        "computed_at": parse_datetime(figures.computed_at),
        "charts": charts,
    }
    return render(request, "itsm/dashboard.html", context)
