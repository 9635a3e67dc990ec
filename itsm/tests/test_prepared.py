"""Prepared statements on PostgreSQL (``DATABASE_PREPARED_STATEMENTS``): a
Statement's SQL and a console's first page are prepared once per connection
and answer as the plain queries do; anything else runs as it is."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import Incident, IncidentWorkInfo
from itsm.common.prepared import runnable, statement_body
from itsm.common.statements import Statement
from itsm.services.journal import work_info_add
from itsm.tests.factories import escalate_other, make_ticket
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'(?<=csrfmiddlewaretoken" value=")[^"]+|(?<="X-CSRFToken": ")[^"]+')


@pytest.fixture(autouse=True)
def prepared(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    monkeypatch.setitem(connection.settings_dict, "PREPARED_STATEMENTS", True)


# A query of this module's own, prepared by no other test before.
JOURNAL = Statement(
    lambda ticket_id: (
        IncidentWorkInfo.objects.filter(ticket_id=ticket_id)
        .select_related("author")
        .order_by("-created_at", "id")
    )
)


def _journal(ticket) -> list[tuple]:
    return [(e.pk, e.notes, e.author.username) for e in JOURNAL(ticket.pk)]


def _sent(run) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        run()
    return [query["sql"] for query in queries]


def test_a_statement_is_prepared_once_and_answers_as_the_plain_query(agent, coordinator):
    first, second = make_ticket(Incident, user=agent), make_ticket(Incident, user=agent)
    work_info_add(ticket=second, user=coordinator, notes="Llamada de seguimiento")
    plain = {
        ticket.pk: [(e.pk, e.notes, e.author.username) for e in JOURNAL.build(ticket.pk)]
        for ticket in (first, second)
    }

    sent = _sent(lambda: _journal(first))
    assert any(sql.startswith("PREPARE itsm_prepared_") for sql in sent)
    assert sent[-1].startswith("EXECUTE itsm_prepared_")

    sent = _sent(lambda: [_journal(first), _journal(second)])
    assert len(sent) == 2 and all(sql.startswith("EXECUTE itsm_prepared_") for sql in sent)
    assert _journal(first) == plain[first.pk] and _journal(second) == plain[second.pk]
    assert plain[second.pk]


SINCE = Statement(
    lambda customer_id, since: (
        Incident.objects.filter(customer_id=customer_id, created_at__lt=since)
        .order_by("-created_at", "-id")
        .values_list("number", "created_at")
    )
)


def test_a_datetime_is_a_parameter_of_the_prepared_statement(agent):
    tickets = [make_ticket(Incident, user=agent) for _ in range(3)]
    Incident.objects.update(customer_id=tickets[0].customer_id)
    moments = sorted(Incident.objects.values_list("created_at", flat=True))

    for since in (moments[1], moments[2], moments[2] + timedelta(seconds=1)):
        sent = _sent(lambda since=since: list(SINCE(tickets[0].customer_id, since)))
        assert sent[-1].startswith("EXECUTE itsm_prepared_")
        assert list(SINCE(tickets[0].customer_id, since)) == list(
            SINCE.build(tickets[0].customer_id, since)
        )
    assert len(list(SINCE(tickets[0].customer_id, moments[2]))) == 2


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again(agent):
    ticket = make_ticket(Incident, user=agent)
    expected = _journal(ticket)

    connection.close()

    sent = _sent(lambda: _journal(ticket))
    assert any(sql.startswith("PREPARE itsm_prepared_") for sql in sent)
    assert _journal(ticket) == expected


def test_the_values_are_parameters_and_the_constants_written_in():
    sql = "SELECT 1 WHERE status = %s AND id = %s AND summary LIKE 'x%%' AND note = %s"

    body = statement_body(connection, sql, ["closed", 7, "it's"], values={1})

    # The planner sees the constants, so a partial index can serve the query.
    assert (
        body
        == "SELECT 1 WHERE status = 'closed' AND id = $1 AND summary LIKE 'x%' AND note = 'it''s'"
    )


def test_what_the_server_will_not_prepare_runs_as_it_is_and_the_transaction_goes_on(agent):
    body = "SELECT no_such_column FROM incidents_incident WHERE id = $1"

    assert runnable(connection, body, 1) is None
    assert _sent(lambda: runnable(connection, body, 1)) == []  # remembered: not tried again
    # The refusal happened in a savepoint: the test's transaction still works.
    assert make_ticket(Incident, user=agent).pk


def _console_rows(client, query: str) -> str:
    """The console page, its tokens masked."""
    answer = client.get(reverse("incidents:console") + query)
    assert answer.status_code == 200
    return CSRF.sub("", answer.content.decode())


def test_a_consoles_first_page_of_constant_filters_is_prepared(client, agent, monkeypatch):
    tickets = [make_ticket(Incident, user=agent) for _ in range(3)]
    client.force_login(agent)
    monkeypatch.setitem(connection.settings_dict, "PREPARED_STATEMENTS", False)
    plain = _console_rows(client, "?f=1&open=on")
    monkeypatch.setitem(connection.settings_dict, "PREPARED_STATEMENTS", True)
    _console_rows(client, "?f=1&open=on")

    sent = _sent(lambda: _console_rows(client, "?f=1&open=on"))
    assert any(sql.startswith("EXECUTE itsm_prepared_") for sql in sent)
    assert _console_rows(client, "?f=1&open=on") == plain
    assert all(ticket.number in plain for ticket in tickets)


def test_a_console_filtered_by_a_value_is_not_prepared(client, agent):
    make_ticket(Incident, user=agent)
    client.force_login(agent)

    for query in ("?f=1&open=on&sla=breached", "?f=1&customer=garcia", "?f=1&mine=on"):
        sent = _sent(lambda query=query: _console_rows(client, query))
        assert not any(sql.startswith(("PREPARE", "EXECUTE")) for sql in sent), query


def test_nothing_is_prepared_for_connections_that_end_with_the_request(agent, monkeypatch):
    ticket = make_ticket(Incident, user=agent)
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)

    sent = _sent(lambda: _journal(ticket))

    assert len(sent) == 1 and sent[0].startswith("SELECT")


def test_the_whole_coordination_queue_is_prepared_a_filtered_one_is_not(client, agent, coordinator):
    tickets = [
        escalate_other(make_ticket(kind, user=agent), agent, "Falta el NIF")
        for kind in (Incident, WorkOrder)
    ]
    client.force_login(coordinator)
    queue = reverse("coordination")
    client.get(queue)

    sent = _sent(lambda: client.get(queue))
    assert sum(sql.startswith("EXECUTE itsm_prepared_") for sql in sent) == 2  # one a kind
    page = client.get(queue).content.decode()
    assert all(ticket.number in page for ticket in tickets)

    sent = _sent(lambda: client.get(queue, {"complete": "no"}))
    assert not any(sql.startswith(("PREPARE", "EXECUTE")) for sql in sent)
