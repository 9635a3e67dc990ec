"""CSV exports beside each console: current filters and sort, `;`-separated
UTF-8 with BOM, formula-safe, streamed; who may export what."""

import csv
import io
import tracemalloc

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.exports import formula_safe
from itsm.models import AuditEvent, AuditEventKind, SupportGroup
from itsm.tests.factories import make_incident, make_work_order

EXPORT = reverse("incidents:export")
COORDINATION_EXPORT = reverse("coordination_export")


def read(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+34 600", "'+34 600"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Normal", "Normal"),
        ("", ""),
        (None, ""),
    ],
)
def test_cells_that_start_a_formula_are_quoted(value, expected):
    assert formula_safe(value) == expected


def test_anonymous_user_is_sent_to_login(client, reference):
    for url in (EXPORT, COORDINATION_EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_user_without_role_is_refused(client, outsider):
    client.force_login(outsider)
    assert client.get(EXPORT).status_code == 403
    assert client.get(COORDINATION_EXPORT).status_code == 403


def test_agents_cannot_export_the_coordination_queue(client, agent):
    client.force_login(agent)
    assert client.get(COORDINATION_EXPORT).status_code == 403


def test_export_follows_the_console_filters_and_sort_with_bom_and_semicolons(client, agent):
    customer = CustomerFactory(first_name='=HYPERLINK("x")', surnames="")
    first = make_incident(user=agent, assignee=agent, customer=customer)
    second = make_incident(user=agent, assignee=agent, summary="Otra; con punto y coma")
    make_work_order(user=agent, assignee=agent)
    client.force_login(agent)
    response = client.get(EXPORT, {"f": "1", "mine": "on", "o": "number"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="incidencias.csv"' in response["Content-Disposition"]
    rows = read(response)
    assert rows[0][:3] == ["Número", "Cliente", "Resumen"]
    assert [row[0] for row in rows[1:]] == [first.number, second.number]
    assert rows[1][1] == '\'=HYPERLINK("x")'
    assert rows[2][2] == "Otra; con punto y coma"
    descending = read(client.get(EXPORT, {"f": "1", "mine": "on", "o": "-number"}))
    assert [row[0] for row in descending[1:]] == [second.number, first.number]


def test_agents_export_only_their_own_tickets(client, agent, other_agent, coordinator):
    mine = make_incident(user=agent, assignee=agent)
    theirs = make_incident(user=other_agent, assignee=other_agent)
    client.force_login(agent)
    numbers = [row[0] for row in read(client.get(EXPORT, {"f": "1"}))[1:]]
    assert numbers == [mine.number]
    client.force_login(coordinator)
    numbers = {row[0] for row in read(client.get(EXPORT, {"f": "1"}))[1:]}
    assert numbers == {mine.number, theirs.number}


def test_every_export_is_in_the_audit_trail(client, agent, coordinator):
    make_incident(user=agent, assignee=agent)
    client.force_login(agent)
    read(client.get(EXPORT, {"f": "1", "mine": "on"}, REMOTE_ADDR="10.1.2.3"))
    client.force_login(coordinator)
    read(client.get(COORDINATION_EXPORT))
    events = list(AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).order_by("pk"))
    assert [(e.user, e.detail) for e in events] == [
        (agent, "incidencias.csv?f=1&mine=on"),
        (coordinator, "coordinacion.csv"),
    ]
    assert events[0].address == "10.1.2.3" and events[0].path == EXPORT


def test_the_row_limit_is_a_setting(client, coordinator, settings, agent):
    for _ in range(3):
        make_incident(user=agent)
    settings.ITSM_EXPORT_MAX_ROWS = 2
    client.force_login(coordinator)
    assert len(read(client.get(EXPORT, {"f": "1"}))) == 3


def test_coordinators_export_the_coordination_queue(client, agent, coordinator):
    from itsm.services.escalation import ticket_escalate

    ticket = make_incident(user=agent)
    ticket_escalate(
        ticket=ticket, user=agent, expected_version=1, case="other", data={"description": "x"}
    )
    client.force_login(coordinator)
    rows = read(client.get(COORDINATION_EXPORT, {"case": "other"}))
    assert rows[1][0] == ticket.number and rows[1][-3] == "Otra causa"


def test_export_query_count_does_not_grow_with_rows(
    client, coordinator, agent, django_assert_max_num_queries
):
    for _ in range(30):
        make_incident(user=agent)
    client.force_login(coordinator)
    # Session, user, roles, the filter form's checks, the audit entry, then
    # one query for the rows.
    with django_assert_max_num_queries(9):
        response = client.get(EXPORT, {"f": "1"})
        assert len(read(response)) == 31


def test_streaming_100000_rows_keeps_memory_flat(client, coordinator, agent):
    """100 000 rows stream under a fixed bound: the response never holds them."""
    template = make_incident(user=agent)
    group = SupportGroup.objects.get(is_agent_default=True)
    now = timezone.now()
    Incident.objects.bulk_create(
        Incident(
            number=f"INC9{n:011d}",
            customer_id=template.customer_id,
            summary="Fila de exportación",
            assigned_group=group,
            created_by=agent,
            updated_by=agent,
            created_at=now,
            updated_at=now,
        )
        for n in range(100_000)
    )
    client.force_login(coordinator)
    response = client.get(EXPORT, {"f": "1"})
    tracemalloc.start()
    lines = 0
    size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\r\n")
        size += len(chunk)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert lines == 100_001  # the header and the row limit (100 000)
    assert size > 5_000_000
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_export_reads_in_chunks_without_losing_or_repeating_rows(
    client, coordinator, agent, monkeypatch
):
    from itsm import exports

    tickets = [make_incident(user=agent) for _ in range(5)]
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    client.force_login(coordinator)
    for order, expected in (("number", tickets), ("-number", tickets[::-1])):
        rows = read(client.get(EXPORT, {"f": "1", "o": order}))
        assert [row[0] for row in rows[1:]] == [t.number for t in expected]
    # A sort with ties (every status the same) still lists each ticket once.
    rows = read(client.get(EXPORT, {"f": "1", "o": "status"}))
    assert sorted(row[0] for row in rows[1:]) == sorted(t.number for t in tickets)
