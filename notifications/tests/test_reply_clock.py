"""A customer's reply changes its ticket through the ticket services: a
*Pendiente* or resolved ticket goes back to Asignado and its SLA clock runs
again, journaled once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident
from itsm import journal_events
from itsm.models import RequiresAttention, Status, StatusReason
from itsm.services.sla import business_calendar, sla_mark_breaches
from itsm.services.ticket_update import ticket_resolve, ticket_set_pending
from itsm.tests.factories import pending_reason
from itsm.working_time import add_working_minutes
from notifications.services.inbound import inbound_receive
from notifications.tests import corpus

pytestmark = pytest.mark.django_db


def reply_to(ticket) -> None:
    inbound_receive(raw=corpus.reply(subject=f"Re: {ticket.number}"), source="pipe")


def resumed(ticket):
    return ticket.work_info.filter(event=journal_events.SLA_RESUMED)


def test_a_reply_to_a_pending_ticket_resumes_its_clock(private_media, incident, agent):
    # The clock ran two days before the ticket waited on the customer.
    started = timezone.now() - timedelta(days=2)
    Incident.objects.filter(pk=incident.pk).update(sla_running_since=started)
    incident.refresh_from_db()
    ticket_set_pending(
        ticket=incident,
        user=agent,
        expected_version=incident.version,
        status_reason=pending_reason(),
    )
    incident.refresh_from_db()
    assert incident.sla_running_since is None and incident.resolution_due_at is None
    used, version = incident.sla_elapsed_minutes, incident.version

    reply_to(incident)

    incident.refresh_from_db()
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
    ticket_resolve(
        ticket=work_order,
        user=agent,
        expected_version=work_order.version,
        status_reason=StatusReason.objects.filter(kind="WO", status=Status.COMPLETED).first(),
    )
    work_order.refresh_from_db()
    assert work_order.sla_running_since is None

    reply_to(work_order)

    work_order.refresh_from_db()
    assert work_order.status == Status.ASSIGNED
    assert work_order.resolution == "" and work_order.resolved_at is None
    assert work_order.sla_running_since == work_order.updated_at
    assert work_order.resolution_due_at is not None
    assert resumed(work_order).count() == 1


def test_a_second_reply_journals_no_second_resumption(private_media, incident, agent):
    ticket_set_pending(
        ticket=incident,
        user=agent,
        expected_version=incident.version,
        status_reason=pending_reason(),
    )
    reply_to(incident)
    incident.refresh_from_db()
    version = incident.version

    inbound_receive(
        raw=corpus.reply(subject=f"Re: {incident.number}", message_id="<second@example.com>"),
        source="pipe",
    )

    incident.refresh_from_db()
    assert incident.version == version + 1  # an agent editing meanwhile is told
    assert incident.status == Status.ASSIGNED
    assert incident.sla_running_since is not None
    assert resumed(incident).count() == 1


def test_the_breach_sweep_sees_a_ticket_a_reply_brought_back(private_media, incident, agent):
    ticket_set_pending(
        ticket=incident,
        user=agent,
        expected_version=incident.version,
        status_reason=pending_reason(),
    )
    reply_to(incident)
    incident.refresh_from_db()

    assert sla_mark_breaches(now=incident.resolution_due_at + timedelta(minutes=1)) == 1
    incident.refresh_from_db()
    assert incident.sla_breached_at == incident.resolution_due_at
