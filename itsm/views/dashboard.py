"""The dashboard: coordinators see the whole desk (from the snapshot the beat
task keeps, refreshed on demand when beat is late or absent), agents the
same figures for their own tickets."""

import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET
from kombu.exceptions import OperationalError

from itsm.charts import dashboard_charts, live_charts
from itsm.common.access import agent_required
from itsm.common.permissions import is_coordinator
from itsm.dashboard import (
    Figures,
    agent_figures,
    dashboard_names,
    dashboard_refresh,
    desk_figures,
    figures_are_stale,
)
from itsm.tasks import refresh_dashboard

log = logging.getLogger(__name__)

# Set while a refresh asked by a page is under way, so a room of coordinators
# reloading the page asks for one, not one each.
REFRESH_REQUESTED = "dashboard:refresh-requested"
REFRESH_REQUEST_SECONDS = 60


def _fresh_desk_figures() -> tuple[Figures, bool]:
    """The whole desk's figures, and whether a newer count is on its way.

    Older than the refresh setting (no beat under ``make run``, or beat
    late), a refresh is queued; without a broker the task runs at once and
    the page shows its result."""
    figures = desk_figures()
    if not figures_are_stale(figures):
        return figures, False
    if cache.add(REFRESH_REQUESTED, True, REFRESH_REQUEST_SECONDS):
        try:
            refresh_dashboard.delay()
        except (OperationalError, OSError) as error:
            # No broker to ask: count now rather than show old figures.
            log.warning("Could not queue the dashboard refresh (%s); counting now.", error)
            dashboard_refresh()
        figures = desk_figures()
        if not figures_are_stale(figures):
            cache.delete(REFRESH_REQUESTED)
    return figures, figures_are_stale(figures)


@dataclass
class Dashboard:
    """What the dashboard shows one user: their own figures (``mine``) or
    the desk's, whether newer ones are on their way, and the charts."""

    mine: bool
    figures: Figures
    refreshing: bool
    charts: list


def dashboard_for(user) -> Dashboard:
    """The page's figures and charts for ``user``; the API answers the same."""
    mine = not is_coordinator(user)
    refreshing = False
    if mine:
        figures = agent_figures(user)
    else:
        figures, refreshing = _fresh_desk_figures()
    charts = dashboard_charts(figures, dashboard_names(figures), mine=mine)
    # What the apps above the core add (the mail waiting), counted as the page is drawn.
    for position, chart in live_charts(user, mine=mine):
        charts.insert(position, chart)
    return Dashboard(mine, figures, refreshing, charts)


@agent_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    shown = dashboard_for(request.user)
    context = {
        "mine": shown.mine,
        "computed_at": parse_datetime(shown.figures.computed_at),
        "now": timezone.now(),
        "refreshing": shown.refreshing,
        "charts": shown.charts,
    }
    return render(request, "itsm/dashboard.html", context)
