"""Server-rendered SVG charts for the dashboard (presenters): geometry is
worked out here, the template draws it. Every bar is a link to the console
filtered to what it counts, and every chart has its numbers as a table."""

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from itsm.dashboard import AGE_BUCKETS, Figures
from itsm.kinds import all_kinds, kind_for_code

BAR_HEIGHT = 14
BAR_GAP = 8
# Each bar's label is written whole on the line(s) above it, never cut.
LABEL_LINE_HEIGHT = 14
LABEL_LINE_CHARS = 80
BAR_WIDTH = 460
VALUE_WIDTH = 60
# The per-day chart writes a date under every DATE_TICK_EVERY-th day, today included.
DATE_TICK_EVERY = 7
PALETTE = ("#0d6efd", "#6f42c1", "#d63384", "#fd7e14", "#198754", "#20c997", "#0dcaf0")


@dataclass
class LabelLine:
    text: str
    y: int


@dataclass
class Bar:
    label: str
    value: int
    url: str
    y: int = 0  # the bar's top; its label's lines are above it
    width: int = 0
    colour: str = PALETTE[0]
    lines: list[LabelLine] = field(default_factory=list)


@dataclass
class BarChart:
    id: str
    title: str
    bars: list[Bar]
    height: int = 0
    bar_height: int = BAR_HEIGHT
    total_width: int = BAR_WIDTH + VALUE_WIDTH

    def __post_init__(self) -> None:
        peak = max((bar.value for bar in self.bars), default=0) or 1
        y = 0
        for index, bar in enumerate(self.bars):
            texts = textwrap.wrap(bar.label, LABEL_LINE_CHARS) or [""]
            bar.lines = [
                LabelLine(text, y + (number + 1) * LABEL_LINE_HEIGHT - 3)
                for number, text in enumerate(texts)
            ]
            bar.y = y + len(texts) * LABEL_LINE_HEIGHT
            bar.width = max(round(bar.value / peak * BAR_WIDTH), 1 if bar.value else 0)
            bar.colour = PALETTE[index % len(PALETTE)]
            y = bar.y + BAR_HEIGHT + BAR_GAP
        self.height = max(y - BAR_GAP, BAR_HEIGHT)


@dataclass
class KindDay:
    """One kind's figures of a day, each a link to its console."""

    created: int
    resolved: int
    created_url: str
    resolved_url: str


@dataclass
class DayColumn:
    day: date
    label: str
    created: int  # all kinds: the chart's columns
    resolved: int
    # The chart's column links to the day's row in the table, which has a
    # link per kind and figure.
    url: str
    kinds: list[KindDay]
    x: int = 0
    tick: bool = False  # its date is written under the axis
    created_height: int = 0
    resolved_height: int = 0
    created_y: int = 0
    resolved_y: int = 0


@dataclass
class DayChart:
    id: str
    title: str
    days: list[DayColumn]
    kind_labels: list[str] = field(default_factory=list)
    height: int = 140
    width: int = 0
    column_width: int = 16
    baseline: int = 140
    bars = None  # the template tells the two chart shapes apart by it

    def __post_init__(self) -> None:
        peak = max((max(d.created, d.resolved) for d in self.days), default=0) or 1
        last = len(self.days) - 1
        for index, day in enumerate(self.days):
            day.x = index * self.column_width
            day.tick = (last - index) % DATE_TICK_EVERY == 0
            day.created_height = round(day.created / peak * (self.height - 10))
            day.resolved_height = round(day.resolved / peak * (self.height - 10))
            day.created_y = self.baseline - day.created_height
            day.resolved_y = self.baseline - day.resolved_height
        self.width = len(self.days) * self.column_width


def _console(kind_code: str, **params) -> str:
    kind = kind_for_code(kind_code)
    query = {"f": "1", **{k: v for k, v in params.items() if v not in (None, "")}}
    return reverse(kind.url_name("console")) + "?" + urlencode(query)


def dashboard_charts(figures: Figures, names: dict, *, mine: bool) -> list:
    """The charts of the page, in reading order."""
    view = _ChartView(
        figures=figures,
        names=names,
        kinds=list(all_kinds()),
        scope={"mine": "on"} if mine else {},
        today=date.fromisoformat(figures.computed_at[:10]),
    )
    return [
        BarChart("open-by-status", _("Open tickets by status"), _status_bars(view)),
        BarChart("open-by-group", _("Open tickets by group"), _group_bars(view)),
        BarChart("open-by-age", _("Open tickets by age"), _age_bars(view)),
        BarChart("sla", _("SLA breached and at risk"), _sla_bars(view)),
        BarChart("escalations", _("Escalations by case and outcome"), _escalation_bars(view)),
        BarChart("top-templates", _("Top categorisations this week"), _template_bars(view)),
        DayChart(
            "per-day",
            _("Created and resolved per day (30 days)"),
            _day_columns(view),
            kind_labels=[kind.plural.capitalize() for kind in view.kinds],
        ),
    ]


@dataclass(frozen=True)
class _ChartView:
    """What every chart of one page reads: the figures, the names of the ids
    they count, the registered kinds and the scope (``mine``) of the links."""

    figures: Figures
    names: dict
    kinds: list
    scope: dict
    today: date

    def bar(self, kind, label: str, n: int, **params) -> Bar:
        """One kind's bar, linked to its console filtered by ``params``."""
        return Bar(
            f"{kind.plural.capitalize()} · {label}", n, _console(kind.code, **params, **self.scope)
        )


def _status_bars(view: _ChartView) -> list[Bar]:
    statuses = view.names["statuses"]
    return [
        view.bar(kind, statuses.get(status, status), n, status=status, open="on")
        for kind in view.kinds
        for status, n in sorted(view.figures.by_status.get(kind.code, {}).items())
    ]


def _group_bars(view: _ChartView) -> list[Bar]:
    groups = view.names["groups"]
    return [
        view.bar(kind, groups.get(int(group), group), n, assigned_group=group, open="on")
        for kind in view.kinds
        for group, n in sorted(
            view.figures.by_group.get(kind.code, {}).items(), key=lambda i: -i[1]
        )
    ]


def _age_bars(view: _ChartView) -> list[Bar]:
    labels = {
        "0-1": _("Less than a day"),
        "1-3": _("1 to 3 days"),
        "3-7": _("3 to 7 days"),
        "7+": _("More than 7 days"),
    }
    bars = []
    for kind in view.kinds:
        for code, start, end in AGE_BUCKETS:
            before = (view.today - timedelta(days=start)).isoformat()
            after = (view.today - timedelta(days=end)).isoformat() if end is not None else ""
            n = view.figures.by_age.get(kind.code, {}).get(code, 0)
            bars.append(
                view.bar(
                    kind,
                    labels[code],
                    n,
                    open="on",
                    created_after=after,
                    created_before=before,
                    o="created",
                )
            )
    return bars


_SLA_BARS = (
    ("breached", _lazy("Breached")),
    ("at_risk", _lazy("About to breach")),
    ("response_late", _lazy("First response late")),
)


def _sla_bars(view: _ChartView) -> list[Bar]:
    return [
        view.bar(
            kind,
            str(label),
            view.figures.sla.get(kind.code, {}).get(key, 0),
            sla=key,
            open="on",
            o="due",
        )
        for kind in view.kinds
        for key, label in _SLA_BARS
    ]


def _escalation_bars(view: _ChartView) -> list[Bar]:
    cases, states = view.names["cases"], view.names["states"]
    coordination = reverse("coordination")
    return [
        Bar(
            f"{cases.get(case, case)} · {states.get(state, state)}",
            n,
            coordination + "?" + urlencode({"case": case}),
        )
        for case, by_state in sorted(view.figures.escalations.items())
        for state, n in sorted(by_state.items())
    ]


def _template_bars(view: _ChartView) -> list[Bar]:
    templates = view.names["templates"]
    week_ago = (view.today - timedelta(days=7)).isoformat()
    return [
        view.bar(
            kind_for_code(kind_code),
            templates.get(template, template),
            n,
            template=template,
            created_after=week_ago,
        )
        for kind_code, template, n in view.figures.top_templates
        if kind_for_code(kind_code)
    ]


def _day_columns(view: _ChartView) -> list[DayColumn]:
    columns = []
    for key, (created, resolved) in sorted(view.figures.per_day.items()):
        day = date.fromisoformat(key)
        per_kind = [
            KindDay(
                *view.figures.per_day_by_kind.get(kind.code, {}).get(key, (0, 0)),
                created_url=_console(
                    kind.code, created_after=key, created_before=key, **view.scope
                ),
                resolved_url=_console(
                    kind.code, resolved_after=key, resolved_before=key, **view.scope
                ),
            )
            for kind in view.kinds
        ]
        columns.append(
            DayColumn(day, day.strftime("%d/%m"), created, resolved, f"#day-{key}", per_kind)
        )
    return columns


# --- charts of the apps above the core ---------------------------------------------

# A chart another app adds to the dashboard, counted live when the page is
# drawn (the mailbox's mail waiting): ``build(user, mine=...)``, where ``mine``
# says whether the page shows the user's own figures or the whole desk's;
# None leaves the chart out for that user (a role's own chart).
LiveChart = Callable[..., BarChart | None]

# Each app registers its charts from its AppConfig.ready(), the way kinds
# register, so the core imports none of them: the chart and its position
# among the core's charts.
_LIVE_CHARTS: dict[LiveChart, int] = {}


def register_live_chart(build: LiveChart, *, position: int) -> None:
    _LIVE_CHARTS[build] = position


def unregister_live_chart(build: LiveChart) -> None:
    _LIVE_CHARTS.pop(build, None)


def live_charts(user, *, mine: bool) -> list[tuple[int, BarChart]]:
    """The registered charts, built for this page, with their positions in
    ascending order so inserting them one by one puts each where it asked."""
    ordered = sorted(_LIVE_CHARTS.items(), key=lambda item: item[1])
    built = [(position, build(user, mine=mine)) for build, position in ordered]
    return [(position, chart) for position, chart in built if chart is not None]
