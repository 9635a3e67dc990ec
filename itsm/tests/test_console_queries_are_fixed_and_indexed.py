"""A console runs a fixed number of queries, and its queries have their indexes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.models import Incident
from itsm.common import pagination
from itsm.models import SupportGroup, open_tickets_q
from itsm.tests.console import INCIDENTS, WORK_ORDERS, numbers
from itsm.tests.factories import make_incident, make_work_order
from workorders.models import WorkOrder

# --- queries and indexes -----------------------------------------------------


@pytest.mark.parametrize("url", [INCIDENTS, WORK_ORDERS])
def test_console_runs_a_fixed_number_of_queries(
    client, agent, other_agent, django_assert_max_num_queries, url
):
    client.force_login(agent)
    make = make_incident if url == INCIDENTS else make_work_order
    params = {"f": "1", "o": "priority"}
    for count in (3, 30):
        while (Incident if url == INCIDENTS else WorkOrder).objects.count() < count:
            make(user=agent, assignee=other_agent)
        client.get(url, params)  # fills the cached option lists
        with django_assert_max_num_queries(5):
            response = client.get(url, params)
        assert len(numbers(response)) == count
        with django_assert_max_num_queries(5):
            client.get(url)  # the saved/default view


def test_the_count_joins_no_customer(client, agent, monkeypatch):
    """The page reads each line's customer; the count, over up to
    COUNT_CAP + 1 tickets, only the tickets."""
    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)
    for _ in range(3):
        make_incident(user=agent, assignee=agent)
    client.force_login(agent)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INCIDENTS, {"f": "1", "mine": "on"})
    assert len(numbers(response)) == 2 and "3" in response.content.decode()
    page, count = [q["sql"] for q in queries if 'FROM "incidents_incident"' in q["sql"]]
    assert "COUNT(" in count and "COUNT(" not in page
    assert 'JOIN "customers_customer"' in page and 'JOIN "customers_customer"' not in count


def _uses_index(queryset, name: str) -> bool:
    """SQLite's planner (no statistics) picks by rule: check the plan. With
    PostgreSQL's cost-based planner a plan on a tiny test table says nothing,
    so check the index is there and its condition is the query's (the
    benchmark measures the plans at scale)."""
    if connection.vendor == "sqlite":
        return name in queryset.explain()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        row = cursor.fetchone()
    return row is not None


def test_default_console_query_uses_the_partial_open_index(agent):
    make_incident(user=agent, assignee=agent)
    queryset = Incident.objects.filter(open_tickets_q(), assignee=agent).order_by(
        "-updated_at", "-id"
    )[:51]
    assert _uses_index(queryset, "incident_open_mine_idx")


def test_partial_index_condition_is_the_console_open_filter(reference):
    # SQLite matches a partial index only if the query repeats its WHERE term by term.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'workorder_open_mine_idx'")
        else:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'workorder_open_mine_idx'"
            )
        definition = cursor.fetchone()[0]
    for status in ("resolved", "completed", "closed", "cancelled", "rejected"):
        assert f"'{status}'" in definition
    assert " IN " not in definition.upper()


def test_group_queue_and_status_filters_have_their_indexes(agent, reference):
    group = SupportGroup.objects.get(is_agent_default=True)
    by_group = Incident.objects.filter(assigned_group=group).order_by("-updated_at", "-id")[:51]
    assert _uses_index(by_group, "incident_group_idx")
    by_assignee_status = WorkOrder.objects.filter(assignee=agent, status="pending").order_by(
        "-updated_at", "-id"
    )[:51]
    assert _uses_index(by_assignee_status, "workorder_assignee_status_idx")


def test_a_customer_filter_tests_each_tickets_customer_from_an_index(reference):
    """PostgreSQL: the name is read with the key (an index-only probe);
    SQLite reads its rows by that key already."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'customer_id_name_idx'")
            assert cursor.fetchone() is None
            return
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'customer_id_name_idx'")
        definition = cursor.fetchone()[0]
    assert "(id) INCLUDE (search_name)" in definition
