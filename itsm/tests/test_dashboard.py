"""The dashboard: who sees what, every figure a link to the console filtered
to it, the charts' numbers as tables, and a fixed number of queries."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from itsm.charts import Bar, BarChart, register_live_chart, unregister_live_chart
from itsm.dashboard import compute_figures, dashboard_refresh
from itsm.models import DashboardSnapshot, Status, StatusReason
from itsm.tasks import refresh_dashboard
from itsm.tests.factories import escalate_other, make_incident, make_work_order

DASHBOARD = reverse("dashboard")


def test_anonymous_user_is_sent_to_login(client, reference):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_user_without_role_is_refused(client, outsider):
    client.force_login(outsider)
    assert client.get(DASHBOARD).status_code == 403


def test_dashboard_needs_get(client, agent):
    client.force_login(agent)
    assert client.post(DASHBOARD).status_code == 405


def test_agents_see_their_own_tickets_only(client, agent, other_agent):
    make_incident(user=agent, assignee=agent)
    make_incident(user=other_agent, assignee=other_agent)
    make_work_order(user=other_agent, assignee=other_agent)
    client.force_login(agent)
    response = client.get(DASHBOARD)
    assert response.status_code == 200 and response.context["mine"]
    status_chart = response.context["charts"][0]
    assert sum(bar.value for bar in status_chart.bars) == 1
    assert all("mine=on" in bar.url for bar in status_chart.bars)
    assert "Sus gestiones." in response.content.decode()
    # Kept for a minute, then counted again.
    make_incident(user=agent, assignee=agent)
    assert sum(b.value for b in client.get(DASHBOARD).context["charts"][0].bars) == 1
    DashboardSnapshot.objects.filter(scope=f"user:{agent.pk}").update(
        computed_at=timezone.now() - timedelta(minutes=2)
    )
    assert sum(b.value for b in client.get(DASHBOARD).context["charts"][0].bars) == 2


def test_coordinators_see_the_whole_desk_from_the_snapshot(client, agent, other_agent, coordinator):
    make_incident(user=agent, assignee=agent)
    make_incident(user=other_agent, assignee=other_agent)
    client.force_login(coordinator)
    response = client.get(DASHBOARD)
    assert not response.context["mine"]
    assert sum(bar.value for bar in response.context["charts"][0].bars) == 2
    assert DashboardSnapshot.objects.filter(scope="all").exists()
    # A ticket created after the snapshot shows at the next refresh.
    make_incident(user=agent)
    assert sum(b.value for b in client.get(DASHBOARD).context["charts"][0].bars) == 2
    refresh_dashboard.apply()
    assert sum(b.value for b in client.get(DASHBOARD).context["charts"][0].bars) == 3


def test_every_figure_links_to_the_filtered_console(client, agent, coordinator):
    ticket = make_incident(user=agent, assignee=agent)
    Incident.objects.filter(pk=ticket.pk).update(
        resolution_due_at=timezone.now() - timedelta(hours=1)
    )
    escalate_other(make_incident(user=agent), agent, "x")
    client.force_login(coordinator)
    response = client.get(DASHBOARD)
    charts = {chart.id: chart for chart in response.context["charts"]}
    breached = next(b for b in charts["sla"].bars if b.label.endswith("Incumplido") and b.value)
    listed = client.get(breached.url).context["rows"]
    assert [row.ticket.number for row in listed] == [ticket.number]
    status = next(b for b in charts["open-by-status"].bars if b.value)
    assert len(client.get(status.url).context["rows"]) == status.value
    escalation = charts["escalations"].bars[0]
    assert escalation.label == "Otra causa · Escalada" and escalation.value == 1
    assert len(client.get(escalation.url).context["rows"]) == 1
    html = response.content.decode()
    assert html.count('class="dashboard-chart"') == len(charts)
    assert html.count("dashboard-table") == len(charts)
    assert f'href="{breached.url.replace("&", "&amp;")}"' in html


def test_a_registered_chart_is_built_live_and_placed_where_it_asked(client, agent, coordinator):
    seen = []

    def open_count(user, *, mine: bool) -> BarChart:
        seen.append((user, mine))
        return BarChart("registered", "Registered", [Bar("Open", 3, "/")])

    register_live_chart(open_count, position=0)
    try:
        client.force_login(coordinator)
        charts = client.get(DASHBOARD).context["charts"]
        client.force_login(agent)
        client.get(DASHBOARD)
    finally:
        unregister_live_chart(open_count)
    assert charts[0].id == "registered"
    assert seen == [(coordinator, False), (agent, True)]
    client.force_login(coordinator)
    assert "registered" not in [c.id for c in client.get(DASHBOARD).context["charts"]]


CHART = "itsm/snippets/dashboard_chart.html"


def _drawn(response) -> int:
    return sum(template.name == CHART for template in response.templates)


def _charts_html(response) -> str:
    page = response.content.decode()
    return page[page.index('<div class="row g-3">') : page.index("</main>")]


def test_the_charts_are_drawn_once_for_the_same_figures_names_and_language(
    client, agent, other_agent, coordinator
):
    make_incident(user=agent, assignee=agent)
    client.force_login(coordinator)
    first = client.get(DASHBOARD)
    client.force_login(other_agent)
    client.get(DASHBOARD)
    client.force_login(coordinator)
    again = client.get(DASHBOARD)

    live = len(again.context["charts"]) - 7
    assert _drawn(first) == 7 + live and _drawn(again) == live
    assert _charts_html(again) == _charts_html(first)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(DASHBOARD)
    assert _drawn(english) == 7 + live and "Open tickets by status" in english.content.decode()
    # New figures, new charts.
    make_incident(user=agent, assignee=agent)
    refresh_dashboard.apply()
    assert _drawn(client.get(DASHBOARD)) == 7 + live


def test_created_and_resolved_per_day_cover_thirty_days(agent):
    make_incident(user=agent)
    figures = compute_figures()
    assert len(figures.per_day) == 30
    today = timezone.localdate().isoformat()
    assert figures.per_day[today][0] == 1
    assert figures.by_status["INC"] == {Status.ASSIGNED: 1}


def test_each_day_links_per_kind_to_what_was_created_and_resolved(client, agent, coordinator):
    from itsm.services.ticket_update import ticket_resolve

    resolved = make_work_order(user=agent, assignee=agent)
    reason = StatusReason.objects.filter(kind="WO", status=Status.COMPLETED).first()
    ticket_resolve(
        ticket=resolved, user=agent, expected_version=resolved.version, status_reason=reason
    )
    make_incident(user=agent)
    make_incident(user=agent)
    dashboard_refresh()
    client.force_login(coordinator)
    response = client.get(DASHBOARD)
    chart = {c.id: c for c in response.context["charts"]}["per-day"]
    assert chart.kind_labels == ["Incidencias", "Órdenes de trabajo"]
    today = chart.days[-1]
    assert (today.created, today.resolved) == (3, 1)
    assert today.url == f"#day-{timezone.localdate().isoformat()}"
    incidents, work_orders = today.kinds
    assert (incidents.created, incidents.resolved) == (2, 0)
    assert (work_orders.created, work_orders.resolved) == (1, 1)
    for figure, link in (
        (incidents.created, incidents.created_url),
        (work_orders.created, work_orders.created_url),
        (work_orders.resolved, work_orders.resolved_url),
        (incidents.resolved, incidents.resolved_url),
    ):
        assert len(client.get(link).context["rows"]) == figure
    html = response.content.decode()
    assert f'<tr id="day-{timezone.localdate().isoformat()}">' in html
    assert work_orders.resolved_url.replace("&", "&amp;") in html


def test_dashboard_runs_a_fixed_number_of_queries(
    client, agent, coordinator, django_assert_max_num_queries
):
    for _ in range(5):
        make_incident(user=agent, assignee=agent)
        make_work_order(user=agent, assignee=agent)
    dashboard_refresh()
    client.force_login(coordinator)
    # One of them counts the mail waiting.
    with django_assert_max_num_queries(9):
        assert client.get(DASHBOARD).status_code == 200
    client.force_login(agent)
    # Counting an agent's figures, then reading them from the snapshot.
    with django_assert_max_num_queries(27):
        assert client.get(DASHBOARD).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(DASHBOARD).status_code == 200


def test_top_templates_link_to_the_console_of_their_kind(client, agent, coordinator):
    work_order = make_work_order(user=agent)
    client.force_login(coordinator)
    charts = {chart.id: chart for chart in client.get(DASHBOARD).context["charts"]}
    bar = charts["top-templates"].bars[0]
    assert bar.label == f"Órdenes de trabajo · {work_order.template.name}" and bar.value == 1
    assert bar.url.startswith(reverse("workorders:console"))
    assert [row.ticket.number for row in client.get(bar.url).context["rows"]] == [work_order.number]


def test_figures_older_than_the_refresh_setting_are_counted_again_without_beat(
    client, agent, coordinator, settings
):
    settings.ITSM_DASHBOARD_REFRESH_SECONDS = 300
    make_incident(user=agent)
    dashboard_refresh()
    make_incident(user=agent)
    client.force_login(coordinator)
    # Younger than the setting: the snapshot as it is.
    assert sum(b.value for b in client.get(DASHBOARD).context["charts"][0].bars) == 1
    # Older (six minutes): refreshed on demand (no broker: the task runs at once).
    DashboardSnapshot.objects.filter(scope="all").update(
        computed_at=timezone.now() - timedelta(minutes=6),
        data=DashboardSnapshot.objects.get(scope="all").data
        | {"computed_at": (timezone.now() - timedelta(minutes=6)).isoformat()},
    )
    response = client.get(DASHBOARD)
    assert sum(b.value for b in response.context["charts"][0].bars) == 2
    assert not response.context["refreshing"]
    assert timezone.now() - response.context["computed_at"] < timedelta(minutes=1)


def test_the_age_of_the_figures_is_shown(client, agent, coordinator):
    dashboard_refresh()
    snapshot = DashboardSnapshot.objects.get(scope="all")
    two_minutes_ago = timezone.now() - timedelta(minutes=2)
    snapshot.data["computed_at"] = two_minutes_ago.isoformat()
    snapshot.computed_at = two_minutes_ago
    snapshot.save()
    client.force_login(coordinator)
    html = client.get(DASHBOARD).content.decode()
    age = html[html.index('id="dashboard-age"') :]
    age = age[: age.index("</time>")]
    assert "(hace 2\xa0minutos)" in age


def test_every_table_is_folded_under_its_chart_and_labels_are_whole(client, agent, coordinator):
    from itsm.models import SupportGroup

    group = SupportGroup.objects.create(name="L2 ESPECIALISTAS DE FIRMA ELECTRÓNICA Y CERTIFICADOS")
    make_incident(user=agent, assigned_group=group)
    client.force_login(coordinator)
    response = client.get(DASHBOARD)
    html = response.content.decode()
    charts = response.context["charts"]
    assert html.count('<details class="mt-1"><summary') == len(charts) - 1
    assert html.count("<details") == len(charts)
    label = "Incidencias · L2 ESPECIALISTAS DE FIRMA ELECTRÓNICA Y CERTIFICADOS"
    assert f'font-size="11" fill="#212529">{label}</text>' in html


def test_the_thirty_days_have_dates_on_their_axis(client, agent, coordinator):
    dashboard_refresh()
    client.force_login(coordinator)
    response = client.get(DASHBOARD)
    chart = {c.id: c for c in response.context["charts"]}["per-day"]
    ticked = [day for day in chart.days if day.tick]
    assert [day.label for day in ticked][-1] == timezone.localdate().strftime("%d/%m")
    assert len(ticked) == 5
    html = response.content.decode()
    for day in ticked:
        assert f'class="date-tick" x="{day.x + 7}"' in html and f">{day.label}</text>" in html
