"""Server-rendered SVG charts for the dashboard (presenters): geometry is
worked out here, the template draws it. Every bar is a link to the console
filtered to what it counts, and every chart has its numbers as a table."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from itsm.dashboard import AGE_BUCKETS, Figures
from itsm.kinds import all_kinds, kind_for_code

BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 240
BAR_WIDTH = 230
PALETTE = ("#0d6efd", "#6f42c1", "#d63384", "#fd7e14", "#198754", "#20c997", "#0dcaf0")


@dataclass
class Bar:
    label: str
    value: int
    url: str
    y: int = 0
    width: int = 0
    colour: str = PALETTE[0]


@dataclass
class BarChart:
    id: str
    title: str
    bars: list[Bar]
    height: int = 0
    label_width: int = LABEL_WIDTH
    value_x: int = 0
    total_width: int = LABEL_WIDTH + BAR_WIDTH + 60

    def __post_init__(self) -> None:
        peak = max((bar.value for bar in self.bars), default=0) or 1
        for index, bar in enumerate(self.bars):
            bar.y = index * (BAR_HEIGHT + BAR_GAP)
            bar.width = max(round(bar.value / peak * BAR_WIDTH), 1 if bar.value else 0)
            bar.colour = PALETTE[index % len(PALETTE)]
        self.height = max(len(self.bars) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT)


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
        for index, day in enumerate(self.days):
            day.x = index * self.column_width
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
    scope = {"mine": "on"} if mine else {}
    kinds = list(all_kinds())
    charts: list = []
    status_bars = [
        Bar(
            f"{kind.plural.capitalize()} · {names['statuses'].get(status, status)}",
            n,
            _console(kind.code, status=status, open="on", **scope),
        )
        for kind in kinds
        for status, n in sorted(figures.by_status.get(kind.code, {}).items())
    ]
    charts.append(BarChart("open-by-status", _("Open tickets by status"), status_bars))
    group_bars = [
        Bar(
            f"{kind.plural.capitalize()} · {names['groups'].get(int(group), group)}",
            n,
            _console(kind.code, assigned_group=group, open="on", **scope),
        )
        for kind in kinds
        for group, n in sorted(figures.by_group.get(kind.code, {}).items(), key=lambda i: -i[1])
    ]
    charts.append(BarChart("open-by-group", _("Open tickets by group"), group_bars))
    today = date.fromisoformat(figures.computed_at[:10])
    age_labels = {
        "0-1": _("Less than a day"),
        "1-3": _("1 to 3 days"),
        "3-7": _("3 to 7 days"),
        "7+": _("More than 7 days"),
    }
    age_bars = []
    for kind in kinds:
        for code, start, end in AGE_BUCKETS:
            n = figures.by_age.get(kind.code, {}).get(code, 0)
            before = (today - timedelta(days=start)).isoformat()
            after = (today - timedelta(days=end)).isoformat() if end is not None else ""
            age_bars.append(
                Bar(
                    f"{kind.plural.capitalize()} · {age_labels[code]}",
                    n,
                    _console(
                        kind.code,
                        open="on",
                        created_after=after,
                        created_before=before,
                        o="created",
                        **scope,
                    ),
                )
            )
    charts.append(BarChart("open-by-age", _("Open tickets by age"), age_bars))
    sla_bars = [
        Bar(
            f"{kind.plural.capitalize()} · {label}",
            figures.sla.get(kind.code, {}).get(key, 0),
            _console(kind.code, sla=value, open="on", o="due", **scope),
        )
        for kind in kinds
        for key, value, label in (
            ("breached", "breached", _("Breached")),
            ("at_risk", "at_risk", _("About to breach")),
            ("response_late", "response_late", _("First response late")),
        )
    ]
    charts.append(BarChart("sla", _("SLA breached and at risk"), sla_bars))
    coordination = reverse("coordination")
    escalation_bars = [
        Bar(
            f"{names['cases'].get(case, case)} · {names['states'].get(state, state)}",
            n,
            coordination + "?" + urlencode({"case": case}),
        )
        for case, states in sorted(figures.escalations.items())
        for state, n in sorted(states.items())
    ]
    charts.append(BarChart("escalations", _("Escalations by case and outcome"), escalation_bars))
    template_bars = [
        Bar(
            f"{kind_for_code(kind_code).plural.capitalize()} · "
            f"{names['templates'].get(template, template)}",
            n,
            _console(
                kind_code,
                template=template,
                created_after=(today - timedelta(days=7)).isoformat(),
                **scope,
            ),
        )
        for kind_code, template, n in figures.top_templates
        if kind_for_code(kind_code)
    ]
    charts.append(BarChart("top-templates", _("Top categorisations this week"), template_bars))
    days = []
    for key, (created, resolved) in sorted(figures.per_day.items()):
        day = date.fromisoformat(key)
        per_kind = [
            KindDay(
                *figures.per_day_by_kind.get(kind.code, {}).get(key, (0, 0)),
                created_url=_console(kind.code, created_after=key, created_before=key, **scope),
                resolved_url=_console(kind.code, resolved_after=key, resolved_before=key, **scope),
            )
            for kind in kinds
        ]
        days.append(
            DayColumn(day, day.strftime("%d/%m"), created, resolved, f"#day-{key}", per_kind)
        )
    charts.append(
        DayChart(
            "per-day",
            _("Created and resolved per day (30 days)"),
            days,
            kind_labels=[kind.plural.capitalize() for kind in kinds],
        )
    )
    return charts


# --- charts of the apps above the core ---------------------------------------------

# A chart another app adds to the dashboard, counted live when the page is
# drawn (the mailbox's mail waiting): ``build(user, mine=...)``, where ``mine``
# says whether the page shows the user's own figures or the whole desk's.
LiveChart = Callable[..., BarChart]

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
    return [(position, build(user, mine=mine)) for build, position in ordered]
