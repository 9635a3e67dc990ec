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
