"""The console's priority sort reads a stored rank through an index."""

import pytest
from django.db import connection

from incidents.models import Incident
from itsm.models import Priority, open_tickets_q
from itsm.tests.factories import make_incident, make_work_order
from workorders.models import WorkOrder


@pytest.mark.parametrize("make", [make_incident, make_work_order])
def test_the_rank_follows_the_priority_critical_first(agent, make):
    ticket = make(user=agent)
    model = type(ticket)
    ranks = {}
    for value in Priority.values:
        model.objects.filter(pk=ticket.pk).update(priority=value)
        ranks[value] = model.objects.values_list("priority_rank", flat=True).get(pk=ticket.pk)
    assert ranks == {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _index_serves(queryset, name: str) -> bool:
    """SQLite plans by rule, so its plan says which index serves the query;
    PostgreSQL's plan on a tiny table says nothing (the benchmark checks it
    at scale), so there check the index exists."""
    if connection.vendor == "sqlite":
        plan = queryset.explain()
        return name in plan and "TEMP B-TREE" not in plan
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
        return cursor.fetchone() is not None


def test_sorting_every_ticket_by_priority_reads_the_index_without_sorting(agent):
    make_incident(user=agent)
    ordered = Incident.objects.order_by("priority_rank", "updated_at", "id")[:51]
    assert _index_serves(ordered, "incident_priority_idx")
    backwards = WorkOrder.objects.order_by("-priority_rank", "-updated_at", "-id")[:51]
    assert _index_serves(backwards, "workorder_priority_idx")


def test_open_tickets_by_priority_read_the_partial_index(agent):
    make_incident(user=agent)
    ordered = Incident.objects.filter(open_tickets_q()).order_by(
        "priority_rank", "updated_at", "id"
    )[:51]
    assert _index_serves(ordered, "incident_open_priority_idx")


def test_the_priority_filter_reads_the_rank_index(client, agent):
    make_incident(user=agent)
    client.force_login(agent)
    response = client.get("/incidents/", {"f": "1", "priority": "critical"})
    filtered = response.context["filterset"].qs.order_by("-updated_at", "-id")[:51]
    assert '"priority_rank" IN' in str(filtered.query)
    assert _index_serves(filtered, "incident_priority_idx")


def test_all_open_and_all_mine_have_their_indexes(agent):
    make_incident(user=agent, assignee=agent)
    all_open = Incident.objects.filter(open_tickets_q()).order_by("-updated_at", "-id")[:51]
    assert _index_serves(all_open, "incident_open_updated_idx")
    mine = WorkOrder.objects.filter(assignee=agent).order_by("-updated_at", "-id")[:51]
    assert _index_serves(mine, "workorder_assignee_idx")
