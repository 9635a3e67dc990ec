"""The dashboard: coordinators see the whole desk (from the snapshot the beat
task keeps, refreshed on demand when beat is late or absent), agents the
same figures for their own tickets."""

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
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
from itsm.kinds import all_kinds
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
    the desk's, whether newer ones are on their way, the charts and, for
    the page, each chart's HTML."""

    mine: bool
    figures: Figures
    refreshing: bool
    charts: list
    sections: list[str]


# The core charts and their HTML for the figures, the names they show, the
# kinds, the language and the script prefix: all they depend on. A coordinator's page
# draws the desk's snapshot, the same for every coordinator until the next
# refresh, and an agent's figures are kept a minute; drawing the seven charts
# (seven hundred values and links) was most of the page's time. Per process,
# the most recent few; the charts are read, never changed.
_DRAWN: OrderedDict[tuple, tuple[list, list[str]]] = OrderedDict()
DRAWN_KEPT = 32


def _draw(chart) -> str:
    return render_to_string("itsm/snippets/dashboard_chart.html", {"chart": chart})


def _core_charts(figures: Figures, *, mine: bool) -> tuple[list, list[str]]:
    """The core's charts and each one's HTML."""
    names = dashboard_names(figures)
    key = (
        get_language(),
        get_script_prefix(),
        mine,
        tuple(kind.code for kind in all_kinds()),
        # Keys in order: read back from a JSON column they may come in another.
        json.dumps(vars(figures), sort_keys=True, default=str),
        repr(names["groups"]),
        repr(names["templates"]),
    )
    drawn = _DRAWN.get(key)
    if drawn is None:
        charts = dashboard_charts(figures, names, mine=mine)
        drawn = _DRAWN[key] = (charts, [_draw(chart) for chart in charts])
        while len(_DRAWN) > DRAWN_KEPT:
            _DRAWN.popitem(last=False)
    else:
        _DRAWN.move_to_end(key)
    return list(drawn[0]), list(drawn[1])


def dashboard_for(user, *, draw: bool = False) -> Dashboard:
    """The page's figures and charts for ``user``; the API answers the same.
    ``draw``: each chart's HTML too."""
    mine = not is_coordinator(user)
    refreshing = False
    if mine:
        figures = agent_figures(user)
    else:
        figures, refreshing = _fresh_desk_figures()
    charts, sections = _core_charts(figures, mine=mine)
    # What the apps above the core add (the mail waiting), counted as the page is drawn.
    for position, chart in live_charts(user, mine=mine):
        charts.insert(position, chart)
        if draw:
            sections.insert(position, _draw(chart))
    return Dashboard(mine, figures, refreshing, charts, sections if draw else [])


@agent_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    shown = dashboard_for(request.user, draw=True)
    context = {
        "mine": shown.mine,
        "computed_at": parse_datetime(shown.figures.computed_at),
        "now": timezone.now(),
        "refreshing": shown.refreshing,
        "charts": shown.charts,
        "chart_sections": shown.sections,
    }
    return render(request, "itsm/dashboard.html", context)
