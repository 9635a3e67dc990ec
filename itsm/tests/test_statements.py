"""A Statement answers as its queryset would, with SQL written once."""

from datetime import datetime, timedelta
from functools import partial
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from incidents.models import Incident, IncidentWorkInfo
from itsm.common.statements import Statement
from itsm.models import Status
from itsm.selectors import OWN_JOURNAL
from itsm.services.journal import work_info_add
from itsm.tests.factories import make_ticket
from itsm.tests.sql import sql_written

pytestmark = pytest.mark.django_db

# What a ticket page runs for its journal.
JOURNAL = partial(OWN_JOURNAL, shape=(IncidentWorkInfo,))
BY_NUMBERS = Statement(
    lambda limit, numbers: (
        Incident.objects.filter(number__in=numbers)
        .only("number", "summary", "created_at")
        .order_by("number")[:limit]
    )
)
ROWS = Statement(
    lambda status, customer_id: (
        Incident.objects.filter(customer_id=customer_id, status=status)
        .order_by("id")
        .values_list("number", "created_at", named=True)
    )
)


def test_instances_with_their_related_rows_as_the_queryset_gives_them(agent, coordinator):
    first, second = make_ticket(Incident, user=agent), make_ticket(Incident, user=agent)
    work_info_add(ticket=second, user=coordinator, notes="Llamada de seguimiento")

    for ticket in (first, second, first):
        plain = list(OWN_JOURNAL.build(IncidentWorkInfo, ticket.pk))
        kept = list(JOURNAL(ticket.pk))
        assert [(e.pk, e.notes, e.created_at, e.author.username) for e in kept] == [
            (e.pk, e.notes, e.created_at, e.author.username) for e in plain
        ]
        assert kept


def test_the_sql_is_written_once_and_run_with_each_calls_values(agent):
    first, second = make_ticket(Incident, user=agent), make_ticket(Incident, user=agent)
    list(JOURNAL(first.pk))

    with CaptureQueriesContext(connection) as queries:
        assert sql_written(lambda: list(JOURNAL(second.pk))) == 0
    assert len(queries) == 1
    assert {entry.ticket_id for entry in JOURNAL(second.pk)} == {second.pk}


def test_lists_of_each_length_deferred_fields_and_a_limit_in_the_shape(agent):
    tickets = [make_ticket(Incident, user=agent) for _ in range(3)]
    numbers = sorted(ticket.number for ticket in tickets)

    assert [t.number for t in BY_NUMBERS(numbers[:1], shape=(10,))] == numbers[:1]
    assert [t.number for t in BY_NUMBERS(numbers, shape=(10,))] == numbers
    assert [t.number for t in BY_NUMBERS(numbers, shape=(2,))] == numbers[:2]
    assert [t.number for t in BY_NUMBERS(numbers[1:], shape=(10,))] == numbers[1:]
    found = BY_NUMBERS(numbers, shape=(10,))[0]
    assert found.get_deferred_fields() >= {"description", "status"}
    assert found.summary == tickets[[t.number for t in tickets].index(numbers[0])].summary
    assert list(BY_NUMBERS([], shape=(10,))) == []


def test_named_rows_and_their_values_converted(agent):
    ticket = make_ticket(Incident, user=agent)

    kept = list(ROWS(ticket.customer_id, shape=(ticket.status,)))

    assert kept == list(ROWS.build(ticket.status, ticket.customer_id))
    assert kept[0].number == ticket.number
    assert kept[0].created_at == Incident.objects.get(pk=ticket.pk).created_at
    assert list(ROWS(ticket.customer_id, shape=(Status.CLOSED,))) == []


def test_what_is_chained_on_it_is_written_anew(agent):
    tickets = [make_ticket(Incident, user=agent) for _ in range(3)]
    numbers = sorted(ticket.number for ticket in tickets)

    by_numbers = Statement(lambda numbers: Incident.objects.filter(number__in=numbers))
    list(by_numbers(numbers))

    assert by_numbers(numbers).filter(number=numbers[2]).get().number == numbers[2]
    assert by_numbers(numbers).exclude(number=numbers[2]).count() == 2
    assert BY_NUMBERS(numbers, shape=(10,)).count() == 3
    assert [t.number for t in BY_NUMBERS(numbers, shape=(10,))[1:]] == numbers[1:]
    assert BY_NUMBERS(numbers, shape=(10,)).exists()


@pytest.mark.parametrize(
    "build",
    [
        lambda text: Incident.objects.filter(summary__icontains=text),
        lambda limit: Incident.objects.order_by("id")[:limit],
    ],
    ids=["rewritten by Django", "written into the SQL"],
)
def test_a_value_that_is_no_parameter_of_its_own_is_refused(build):
    statement = Statement(build)

    with pytest.raises(ImproperlyConfigured):
        statement("garcía" if "text" in build.__code__.co_varnames else 5)


def test_a_build_that_computes_a_value_of_its_own_is_refused():
    statement = Statement(
        lambda number: Incident.objects.filter(number=number, created_at__lt=now())
    )

    with pytest.raises(ImproperlyConfigured):
        statement("INC000000000001")


def test_values_are_ints_strings_and_aware_datetimes():
    with pytest.raises(ImproperlyConfigured):
        JOURNAL(1.5)
    with pytest.raises(ImproperlyConfigured):
        SINCE(1, datetime(2026, 1, 1))


SINCE = Statement(
    lambda customer_id, since: (
        Incident.objects.filter(customer_id=customer_id, created_at__gte=since)
        .order_by("created_at", "id")
        .values_list("number", flat=True)
    )
)


def test_datetimes_are_values_put_in_as_the_database_takes_them(agent):
    tickets = [make_ticket(Incident, user=agent) for _ in range(3)]
    customer_id = tickets[0].customer_id
    for number, days in zip((t.number for t in tickets), (30, 20, 10), strict=True):
        Incident.objects.filter(number=number).update(created_at=now() - timedelta(days=days))
    Incident.objects.exclude(customer_id=customer_id).update(customer_id=customer_id)
    madrid = ZoneInfo("Europe/Madrid")

    for since in (
        now() - timedelta(days=25),
        (now() - timedelta(days=15)).astimezone(madrid),
        now() - timedelta(days=40),
        now(),
    ):
        kept = list(SINCE(customer_id, since))
        assert kept == list(SINCE.build(customer_id, since))
    assert list(SINCE(customer_id, now() - timedelta(days=25))) == [t.number for t in tickets[1:]]
    with CaptureQueriesContext(connection) as queries:
        assert sql_written(lambda: list(SINCE(customer_id, now()))) == 0
    assert len(queries) == 1


def test_the_columns_converters_are_worked_out_once_per_connection(agent):
    first, second = make_ticket(Incident, user=agent), make_ticket(Incident, user=agent)
    rows = list(ROWS(first.status, first.customer_id))
    with mock.patch.object(
        SQLCompiler, "get_converters", autospec=True, side_effect=SQLCompiler.get_converters
    ) as spy:
        again = list(ROWS(first.status, first.customer_id))
        other = list(ROWS(second.status, second.customer_id))
    assert spy.call_count == 0
    # Dates still come back converted (aware datetimes on both databases).
    assert again == rows and again[0].created_at.tzinfo is not None
    assert [row.number for row in other] == [second.number]
