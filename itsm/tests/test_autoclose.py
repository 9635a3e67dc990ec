"""Resolved incidents and completed work orders close by themselves after
ITSM_AUTOCLOSE_DAYS, through the service, the management command and the
Celery beat task."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from incidents.models import Incident
from itsm.celery import app as celery_app
from itsm.models import Status, StatusReason, WorkInfoType
from itsm.presenters import entry_text
from itsm.services.autoclose import tickets_autoclose
from itsm.services.ticket_update import ticket_resolve
from itsm.tasks import autoclose_tickets
from itsm.tests.factories import make_ticket
from workorders.models import WorkOrder


def resolved(model, user, *, days_ago: float):
    ticket = make_ticket(model, user=user)
    reason = StatusReason.objects.filter(kind=model.KIND, status=model.RESOLVED_STATUS).first()
    ticket_resolve(ticket=ticket, user=user, expected_version=ticket.version, status_reason=reason)
    model.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=days_ago))
    return ticket


@pytest.fixture
def desk(agent, settings):
    """Tickets on both sides of a 10-day limit, plus open ones resolved long ago."""
    settings.ITSM_AUTOCLOSE_DAYS = 10
    old_pending = make_ticket(Incident, user=agent)
    Incident.objects.filter(pk=old_pending.pk).update(
        status=Status.PENDING, created_at=timezone.now() - timedelta(days=40)
    )
    old_pending.refresh_from_db()
    return {
        "due": [
            resolved(Incident, agent, days_ago=10.01),
            resolved(WorkOrder, agent, days_ago=30),
        ],
        "kept": [
            resolved(Incident, agent, days_ago=9.9),
            resolved(WorkOrder, agent, days_ago=1),
            old_pending,
            make_ticket(WorkOrder, user=agent),
        ],
    }


def assert_closed_exactly(desk) -> None:
    for ticket in desk["due"]:
        stored = type(ticket).objects.get(pk=ticket.pk)
        assert stored.status == Status.CLOSED, ticket.number
        assert stored.closed_at is not None
        assert stored.version == ticket.version + 1
        entry = stored.work_info.order_by("-pk").first()
        assert entry.author is None
        assert entry.type == WorkInfoType.STATUS_CHANGE
        assert entry_text(entry) == "Cerrada automáticamente 10 días después de su resolución."
    for ticket in desk["kept"]:
        stored = type(ticket).objects.get(pk=ticket.pk)
        assert stored.status == ticket.status, ticket.number
        assert stored.closed_at is None


def test_the_service_closes_exactly_the_tickets_resolved_more_than_n_days_ago(desk):
    assert tickets_autoclose() == 2

    assert_closed_exactly(desk)
    assert tickets_autoclose() == 0


def test_the_days_can_be_given_explicitly(desk):
    assert tickets_autoclose(days=0) == 4


def test_the_management_command_closes_them(desk):
    out = StringIO()

    call_command("autoclose_tickets", stdout=out)

    assert out.getvalue().strip() == "2 ticket(s) closed."
    assert_closed_exactly(desk)


def test_the_celery_task_closes_them_when_run_eagerly(desk):
    result = autoclose_tickets.apply()

    assert result.get() == 2
    assert_closed_exactly(desk)


def test_celery_beat_runs_the_autoclose_task():
    entry = django_settings.CELERY_BEAT_SCHEDULE["autoclose-resolved-tickets"]

    assert entry["task"] == "itsm.tasks.autoclose_tickets"
    assert entry["task"] in celery_app.tasks


def test_the_default_limit_is_fifteen_days():
    assert django_settings.ITSM_AUTOCLOSE_DAYS == 15
