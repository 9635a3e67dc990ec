"""The dashboard's reads (selectors): what is open by status, group and age,
escalations by case and outcome, SLA breached and at risk, created against
resolved over 30 days, the week's top templates.

Every figure is an aggregate on an indexed column. For coordinators (the
whole desk) the figures come from a snapshot a beat task keeps
(``dashboard_refresh``), so the page reads one row at any size; a snapshot
older than the refresh setting is refreshed on demand (no beat under
``make run``). An agent's own figures are counted live on the assignee
indexes. Each figure carries the console query that lists its tickets."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from itsm.escalation_cases import CASES
from itsm.kinds import all_kinds
from itsm.models import (
    DashboardSnapshot,
    EscalationPacket,
    PacketState,
    Status,
    SupportGroup,
    TicketTemplate,
    open_tickets_q,
)

ALL = "all"
# Age buckets of open tickets: (code, from days, to days).
AGE_BUCKETS = (("0-1", 0, 1), ("1-3", 1, 3), ("3-7", 3, 7), ("7+", 7, None))


@dataclass
class Figures:
    """Counts only (JSON-friendly): labels and links are the presenter's."""

    computed_at: str = ""
    by_status: dict = field(default_factory=dict)  # kind → status → n
    by_group: dict = field(default_factory=dict)  # kind → group id → n
    by_age: dict = field(default_factory=dict)  # kind → bucket → n
    sla: dict = field(default_factory=dict)  # kind → {"breached": n, "at_risk": n}
    escalations: dict = field(default_factory=dict)  # case → state → n
    per_day: dict = field(default_factory=dict)  # "YYYY-MM-DD" → [created, resolved]
    per_day_by_kind: dict = field(default_factory=dict)  # kind → "YYYY-MM-DD" → [c, r]
    top_templates: list = field(default_factory=list)  # [kind, template id, n], best first


def _day_key(value) -> str:
    return value.isoformat()


def compute_figures(*, user=None, now=None) -> Figures:
    """The figures of the whole desk, or of ``user``'s own tickets."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    figures = Figures(computed_at=now.isoformat())
    figures.per_day = {_day_key(today - timedelta(days=n)): [0, 0] for n in range(29, -1, -1)}
    month_start = timezone.make_aware(
        timezone.datetime.combine(today - timedelta(days=29), timezone.datetime.min.time())
    )
    templates: dict[tuple[str, int], int] = {}
    for kind in all_kinds():
        tickets = kind.model.objects.all()
        if user is not None:
            tickets = tickets.filter(assignee=user)
        _count_open(figures, kind.code, tickets.filter(open_tickets_q()), now)
        _count_per_day(figures, kind.code, tickets, month_start)
        week = (
            tickets.filter(created_at__gte=now - timedelta(days=7), template__isnull=False)
            .values_list("template")
            .annotate(n=Count("id"))
            .order_by()
        )
        for template, n in week:
            templates[(kind.code, template)] = n
    figures.top_templates = [
        [kind_code, template, n]
        for (kind_code, template), n in sorted(templates.items(), key=lambda item: -item[1])[:8]
    ]
    packets = EscalationPacket.objects.all()
    if user is not None:
        packets = packets.filter(escalated_by=user)
    for case, state, n in packets.values_list("case", "state").annotate(n=Count("id")).order_by():
        figures.escalations.setdefault(case, {})[state] = n
    return figures


def _count_open(figures: Figures, kind_code: str, open_tickets, now) -> None:
    """A kind's open tickets by status, by group, by age and by SLA state."""
    figures.by_status[kind_code] = dict(
        open_tickets.values_list("status").annotate(n=Count("id")).order_by()
    )
    figures.by_group[kind_code] = {
        str(group): n
        for group, n in open_tickets.values_list("assigned_group")
        .annotate(n=Count("id"))
        .order_by()
    }
    ages = {}
    for code, start, end in AGE_BUCKETS:
        condition = Q(created_at__lte=now - timedelta(days=start))
        if end is not None:
            condition &= Q(created_at__gt=now - timedelta(days=end))
        ages[code] = Count("id", filter=condition)
    ages["breached"] = Count("id", filter=Q(due_sort__lte=now))
    ages["at_risk"] = Count("id", filter=Q(sla_warn_at__lte=now, due_sort__gt=now))
    ages["response_late"] = Count(
        "id", filter=Q(responded_at__isnull=True, response_due_at__lte=now)
    )
    # One query for both: what is not an SLA state is an age bucket.
    counts = open_tickets.aggregate(**ages)
    figures.sla[kind_code] = {
        key: counts.pop(key) for key in ("breached", "at_risk", "response_late")
    }
    figures.by_age[kind_code] = counts


def _count_per_day(figures: Figures, kind_code: str, tickets, month_start) -> None:
    """Created (column 0) and resolved (column 1) per local day, for the kind
    and added to the desk's total."""
    zone = timezone.get_current_timezone()
    by_kind = figures.per_day_by_kind.setdefault(kind_code, {})
    for column, moment in enumerate(("created_at", "resolved_at")):
        days = (
            tickets.filter(**{f"{moment}__gte": month_start})
            .annotate(day=TruncDate(moment, tzinfo=zone))
            .values_list("day")
            .annotate(n=Count("id"))
            .order_by()
        )
        for day, n in days:
            key = _day_key(day)
            if key not in figures.per_day:
                continue  # a date ahead of today (a clock set wrong): not a day of the chart
            figures.per_day[key][column] += n
            by_kind.setdefault(key, [0, 0])[column] += n


def dashboard_refresh() -> Figures:
    """The whole desk's figures, stored for the dashboard (the beat task)."""
    figures = compute_figures()
    DashboardSnapshot.objects.update_or_create(
        scope=ALL, defaults={"data": figures.__dict__, "computed_at": timezone.now()}
    )
    return figures


def desk_figures() -> Figures:
    """The snapshot, or live figures when it is missing or so old that no
    refresh asked of a worker came in time (twice the refresh setting)."""
    snapshot = DashboardSnapshot.objects.filter(scope=ALL).first()
    max_age = timedelta(seconds=2 * settings.ITSM_DASHBOARD_REFRESH_SECONDS)
    if snapshot is None or timezone.now() - snapshot.computed_at > max_age:
        return dashboard_refresh()
    return Figures(**snapshot.data)


def figures_are_stale(figures: Figures, *, now=None) -> bool:
    """Older than the refresh setting: beat should have refreshed them."""
    now = now or timezone.now()
    age = now - datetime.fromisoformat(figures.computed_at)
    return age > timedelta(seconds=settings.ITSM_DASHBOARD_REFRESH_SECONDS)


def agent_figures(user) -> Figures:
    """An agent's own figures, kept as a snapshot for a short while: an agent
    with tens of thousands of tickets takes a second to count, and reloads
    the page far more often than the figures change."""
    scope = f"user:{user.pk}"
    snapshot = DashboardSnapshot.objects.filter(scope=scope).first()
    max_age = timedelta(seconds=settings.ITSM_DASHBOARD_AGENT_SECONDS)
    if snapshot is not None and timezone.now() - snapshot.computed_at <= max_age:
        return Figures(**snapshot.data)
    figures = compute_figures(user=user)
    DashboardSnapshot.objects.update_or_create(
        scope=scope, defaults={"data": figures.__dict__, "computed_at": timezone.now()}
    )
    return figures


def dashboard_names(figures: Figures) -> dict:
    """Names of the groups and templates the figures count: two queries."""
    group_ids = {int(g) for counts in figures.by_group.values() for g in counts}
    template_ids = [t for _kind, t, _n in figures.top_templates]
    return {
        "groups": dict(SupportGroup.objects.filter(pk__in=group_ids).values_list("pk", "name")),
        "templates": dict(
            TicketTemplate.objects.filter(pk__in=template_ids).values_list("pk", "name")
        ),
        "cases": {code: case.label for code, case in CASES.items()},
        "states": dict(PacketState.choices),
        "statuses": dict(Status.choices),
    }
