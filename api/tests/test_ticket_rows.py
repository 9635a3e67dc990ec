"""A list's rows written straight off the columns it read, as DRF writes
each ticket (``api.serializers.ticket_rows``)."""

import pytest
from django.utils import timezone
from rest_framework import serializers

from api.serializers import ListNames, list_columns
from api.serializers.tickets import kind_serializers
from incidents.models import Incident
from itsm.tests.factories import make_incident, make_work_order

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("zone", ["Europe/Madrid", "UTC"])
@pytest.mark.parametrize("make", [make_incident, make_work_order])
def test_a_list_row_reads_as_drf_writes_the_ticket(agent, make, zone):
    """A list writes each row straight off the columns it read; what it
    writes is what DRF's own serializer writes for the ticket, dates and
    times ("Z" in UTC) included."""
    ticket = make(user=agent, assignee=agent)
    stamp = timezone.now().replace(microsecond=123456)
    type(ticket).objects.filter(pk=ticket.pk).update(
        resolved_at=stamp, closed_at=stamp, sla_breached_at=stamp
    )
    kind = ticket.kind
    serializer = kind_serializers(kind)["ticket"]
    with timezone.override(zone):
        row = (
            type(ticket)
            .objects.filter(pk=ticket.pk)
            .values_list(*list_columns(type(ticket)), named=True)
            .get()
        )
        fast = serializer(context={"names": ListNames([row])}).to_representation(row)
        page = serializer([row], many=True, context={"names": ListNames([row])}).data
        asked = {"number", "kind", "customer_name", "closed_at", "assignee_username"}
        some = serializer([row], many=True, columns=asked, context={"names": ListNames([row])})
        some = some.data[0]
        ticket.refresh_from_db()
        generic = serializers.ModelSerializer.to_representation(serializer(), ticket)
    assert fast == generic
    # A page is written in the serializer's order of fields, as DRF writes it.
    assert list(page[0].items()) == list(generic.items())
    assert list(some.items()) == [(name, value) for name, value in generic.items() if name in asked]
    assert fast["closed_at"].endswith("Z" if zone == "UTC" else "+01:00")


def test_a_page_of_rows_takes_the_names_of_its_own_request(agent, other_agent):
    """How a class writes rows is worked out once; each page still reads the
    names its own serializer was given."""
    mine, theirs = make_incident(user=agent, assignee=agent), make_incident(user=agent)
    serializer = kind_serializers(mine.kind)["ticket"]
    rows = list(
        Incident.objects.filter(pk__in=[mine.pk, theirs.pk])
        .order_by("pk")
        .values_list(*list_columns(Incident), named=True)
    )

    class Renamed(ListNames):
        def __init__(self, tickets, name: str) -> None:
            super().__init__(tickets)
            self.usernames = {agent.pk: name}

    for name in ("first", "second"):
        page = serializer(rows, many=True, context={"names": Renamed(rows, name)}).data
        assert [row["assignee_username"] for row in page] == [name, None]


def test_the_ways_of_writing_rows_are_bounded(agent, monkeypatch):
    """Every choice of ``fields`` has its own way of writing a row: a caller
    trying many cannot fill the process."""
    from api.serializers import ticket_rows

    serializer = kind_serializers(make_incident(user=agent).kind)["ticket"]
    monkeypatch.setattr(serializer, "_row_plans", {}, raising=False)
    monkeypatch.setattr(ticket_rows, "MAX_PLANS", 3)
    rows = list(Incident.objects.values_list(*list_columns(Incident), named=True))
    for name in ("number", "summary", "status", "priority", "impact"):
        data = serializer(rows, many=True, columns={name}, context={"names": ListNames(rows)}).data
        assert list(data[0]) == [name]
        assert len(serializer._row_plans) <= 3
