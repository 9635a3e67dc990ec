"""A customer's reply changes its ticket through the ticket services: a
*Pendiente* or resolved ticket goes back to Asignado and its SLA clock runs
again, journaled once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident
from itsm import journal_events
from itsm.models import RequiresAttention, Status
from itsm.services.sla import business_calendar, sla_mark_breaches
from itsm.tests.factories import pend, resolve
from itsm.working_time import add_working_minutes
from notifications.services.inbound import inbound_receive
from notifications.tests import corpus

pytestmark = pytest.mark.django_db


def reply_to(ticket, message_id: str | None = None) -> None:
    raw = corpus.reply(subject=f"Re: {ticket.number}", message_id=message_id)
    inbound_receive(raw=raw, source="pipe")
    ticket.refresh_from_db()


def resumed(ticket):
    return ticket.work_info.filter(event=journal_events.SLA_RESUMED)


@pytest.fixture
def brought_back(private_media, incident, agent) -> Incident:
    """A Pendiente incident the customer's reply brought back to Asignado."""
    pend(incident, agent)
    reply_to(incident)
    return incident


def test_a_reply_to_a_pending_ticket_resumes_its_clock(private_media, incident, agent):
    # The clock ran two days before the ticket waited on the customer.
    started = timezone.now() - timedelta(days=2)
    Incident.objects.filter(pk=incident.pk).update(sla_running_since=started)
    incident.refresh_from_db()
    pend(incident, agent)
    incident.refresh_from_db()
    assert incident.sla_running_since is None and incident.resolution_due_at is None
    used, version = incident.sla_elapsed_minutes, incident.version

    reply_to(incident)

    assert incident.status == Status.ASSIGNED
    assert incident.status_reason.code == "reopened"
    assert incident.requires_attention == RequiresAttention.RESPONSE
    assert incident.version == version + 1
    assert incident.sla_running_since == incident.updated_at
    calendar, _targets = business_calendar()
    assert incident.resolution_due_at == add_working_minutes(
        calendar, incident.updated_at, max(incident.sla_target_minutes - used, 0)
    )
    [entry] = resumed(incident)
    assert entry.author is None
    assert entry.data == {"due": incident.resolution_due_at.isoformat()}


def test_a_reply_to_a_resolved_ticket_reopens_it_with_its_clock_running(
    private_media, work_order, agent
):
    resolve(work_order, agent)
    work_order.refresh_from_db()
    assert work_order.sla_running_since is None

    reply_to(work_order)

    assert work_order.status == Status.ASSIGNED
    assert work_order.resolution == "" and work_order.resolved_at is None
    assert work_order.sla_running_since == work_order.updated_at
    assert work_order.resolution_due_at is not None
    assert resumed(work_order).count() == 1


def test_a_second_reply_journals_no_second_resumption(brought_back):
    version = brought_back.version

    reply_to(brought_back, message_id="<second@example.com>")

    assert brought_back.version == version + 1  # an agent editing meanwhile is told
    assert brought_back.status == Status.ASSIGNED
    assert brought_back.sla_running_since is not None
    assert resumed(brought_back).count() == 1


def test_the_breach_sweep_sees_a_ticket_a_reply_brought_back(brought_back):
    assert sla_mark_breaches(now=brought_back.resolution_due_at + timedelta(minutes=1)) == 1
    brought_back.refresh_from_db()
    assert brought_back.sla_breached_at == brought_back.resolution_due_at
