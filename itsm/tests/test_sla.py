"""The SLA clock on tickets: targets per priority, due times stored on the
ticket, the pause while *Pendiente* (journaled), the *Vence* column, its
sort and filters, and the beat task that marks breaches."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from incidents.models import Incident
from itsm.dashboard import compute_figures
from itsm.models import Priority, SlaTarget, Status, StatusReason, WorkInfoType
from itsm.presenters import entry_text
from itsm.services.sla import business_calendar, sla_mark_breaches
from itsm.services.ticket_update import ticket_resolve, ticket_set_pending, ticket_update
from itsm.tasks import mark_sla_breaches
from itsm.tests.factories import make_incident, pending_reason, resolve
from itsm.working_time import add_working_minutes, working_minutes_between

INCIDENTS = reverse("incidents:console")


def set_due(ticket, due, warn=None) -> None:
    Incident.objects.filter(pk=ticket.pk).update(resolution_due_at=due, sla_warn_at=warn or due)


def test_targets_are_seeded_per_priority(reference):
    targets = {
        t.priority: (t.response_minutes, t.resolution_minutes) for t in SlaTarget.objects.all()
    }
    assert targets == {
        Priority.CRITICAL: (60, 240),
        Priority.HIGH: (240, 540),
        Priority.MEDIUM: (540, 1620),
        Priority.LOW: (1080, 2700),
    }


def test_a_new_ticket_stores_its_due_times(agent):
    ticket = make_incident(user=agent, assignee=agent)
    calendar, targets = business_calendar()
    target = targets[ticket.priority][1]
    assert ticket.sla_target_minutes == target
    assert ticket.resolution_due_at == add_working_minutes(calendar, ticket.created_at, target)
    assert ticket.sla_warn_at == add_working_minutes(calendar, ticket.created_at, target * 0.8)
    assert ticket.responded_at == ticket.created_at
    stored = Incident.objects.get(pk=ticket.pk)
    assert stored.due_sort == stored.resolution_due_at


def test_pending_pauses_the_clock_and_leaving_it_resumes_it(agent):
    ticket = make_incident(user=agent, assignee=agent)
    # The clock ran for a while before the pause.
    started = timezone.now() - timedelta(days=2)
    Incident.objects.filter(pk=ticket.pk).update(sla_running_since=started)
    ticket.refresh_from_db()
    ticket_set_pending(
        ticket=ticket, user=agent, expected_version=ticket.version, status_reason=pending_reason()
    )
    ticket.refresh_from_db()
    calendar, _targets = business_calendar()
    used = working_minutes_between(calendar, started, ticket.updated_at)
    assert ticket.resolution_due_at is None and ticket.sla_running_since is None
    assert ticket.sla_elapsed_minutes == pytest.approx(used)
    journal = [entry_text(e) for e in ticket.work_info.filter(type=WorkInfoType.GENERAL)]
    assert "Reloj del SLA en pausa: la gestión está pendiente." in journal
    assert Incident.objects.get(pk=ticket.pk).due_sort.year == 9999  # sorts last

    ticket_update(
        ticket=ticket, user=agent, expected_version=ticket.version, status=Status.ASSIGNED
    )
    ticket.refresh_from_db()
    remaining = ticket.sla_target_minutes - used
    assert ticket.resolution_due_at == add_working_minutes(
        calendar, ticket.updated_at, max(remaining, 0)
    )
    resumed = ticket.work_info.filter(type=WorkInfoType.GENERAL).latest("pk")
    assert resumed.notes == ""  # stored as facts, put into words when read
    local_due = timezone.localtime(ticket.resolution_due_at).strftime("%d/%m/%Y %H:%M")
    assert entry_text(resumed) == f"Reloj del SLA reanudado: vence el {local_due}."
    with translation.override("en"):
        assert entry_text(resumed) == f"SLA clock resumed: due {local_due}."


def test_resolving_stops_the_clock(agent):
    ticket = make_incident(user=agent, assignee=agent)
    resolve(ticket, agent)
    ticket.refresh_from_db()
    assert ticket.resolution_due_at is None and ticket.sla_running_since is None


def test_a_priority_change_moves_the_due_time(agent):
    ticket = make_incident(user=agent, assignee=agent)
    before = ticket.resolution_due_at
    ticket_update(ticket=ticket, user=agent, expected_version=ticket.version, impact=1, urgency=1)
    ticket.refresh_from_db()
    assert ticket.priority == Priority.CRITICAL
    assert ticket.sla_target_minutes == 240 and ticket.resolution_due_at < before


def test_the_beat_task_marks_each_breach_once_and_journals_it(agent):
    late = make_incident(user=agent)
    on_time = make_incident(user=agent)
    due = timezone.now() - timedelta(minutes=5)
    set_due(late, due)
    assert mark_sla_breaches.apply().get() == 1
    assert sla_mark_breaches() == 0
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.sla_breached_at == due and on_time.sla_breached_at is None
    entry = late.work_info.latest("pk")
    assert entry.author is None and entry.event == "sla_breached"
    assert entry_text(entry).startswith("SLA incumplido: la resolución vencía el")


def test_a_first_response_not_given_in_time_is_marked_once_and_journaled(client, agent):
    waiting = make_incident(user=agent)
    answered = make_incident(user=agent, assignee=agent)
    due = timezone.now() - timedelta(minutes=5)
    Incident.objects.filter(pk__in=[waiting.pk, answered.pk]).update(response_due_at=due)
    # Nobody has answered the first one yet.
    Incident.objects.filter(pk=waiting.pk).update(status=Status.NEW, responded_at=None)
    assert sla_mark_breaches() == 1
    assert sla_mark_breaches() == 0
    waiting.refresh_from_db()
    answered.refresh_from_db()
    assert waiting.response_breached_at == due and answered.response_breached_at is None
    entry = waiting.work_info.get(event="sla_response_breached")
    local_due = timezone.localtime(due).strftime("%d/%m/%Y %H:%M")
    assert entry.author is None
    assert entry_text(entry) == f"SLA incumplido: la primera respuesta vencía el {local_due}."
    # Listed by the console's *Primera respuesta incumplida* and counted on the dashboard.
    client.force_login(agent)
    response = client.get(INCIDENTS, {"f": "1", "sla": "response_late"})
    assert [row.ticket.number for row in response.context["rows"]] == [waiting.number]
    assert compute_figures().sla["INC"]["response_late"] == 1
    # Taken afterwards: the mark stays, nothing more is journaled, no longer listed.
    ticket_update(ticket=waiting, user=agent, expected_version=waiting.version, assignee=agent)
    assert sla_mark_breaches() == 0
    assert not client.get(INCIDENTS, {"f": "1", "sla": "response_late"}).context["rows"]
    assert compute_figures().sla["INC"]["response_late"] == 0


def test_the_ticket_page_shows_the_clock(client, agent):
    ticket = make_incident(user=agent, assignee=agent)
    client.force_login(agent)
    due = timezone.now() - timedelta(hours=1)
    set_due(ticket, due)
    html = client.get(ticket.get_absolute_url()).content.decode()
    local_due = timezone.localtime(due).strftime("%d/%m/%Y %H:%M")
    assert f">{local_due}</time> (Incumplido)" in html
    assert 'id="ticket-response-due"' not in html  # already answered
    ticket.refresh_from_db()
    ticket_set_pending(
        ticket=ticket, user=agent, expected_version=ticket.version, status_reason=pending_reason()
    )
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "Reloj en pausa (pendiente)" in html
    waiting = make_incident(user=agent)
    response_due = timezone.now() + timedelta(hours=2)
    Incident.objects.filter(pk=waiting.pk).update(
        status=Status.NEW, responded_at=None, response_due_at=response_due
    )
    html = client.get(waiting.get_absolute_url()).content.decode()
    local = timezone.localtime(response_due).strftime("%d/%m/%Y %H:%M")
    assert 'id="ticket-response-due"><time class="due due-ok"' in html and local in html
    waiting.refresh_from_db()
    resolved = StatusReason.objects.filter(kind="INC", status=Status.RESOLVED).first()
    ticket_resolve(
        ticket=waiting, user=agent, expected_version=waiting.version, status_reason=resolved
    )
    assert 'id="ticket-due"' not in client.get(waiting.get_absolute_url()).content.decode()


def test_console_shows_due_with_its_state_and_filters_breached_and_at_risk(client, agent):
    now = timezone.now()
    breached = make_incident(user=agent)
    at_risk = make_incident(user=agent)
    fine = make_incident(user=agent)
    paused = make_incident(user=agent, assignee=agent)
    ticket_set_pending(
        ticket=paused, user=agent, expected_version=paused.version, status_reason=pending_reason()
    )
    set_due(breached, now - timedelta(hours=1))
    set_due(at_risk, now + timedelta(hours=1), now - timedelta(minutes=10))
    set_due(fine, now + timedelta(days=3), now + timedelta(days=2))
    client.force_login(agent)

    def shown(**params):
        response = client.get(INCIDENTS, {"f": "1", **params})
        assert response.status_code == 200
        return [row.ticket.number for row in response.context["rows"]]

    assert shown(sla="breached") == [breached.number]
    assert shown(sla="at_risk") == [at_risk.number]
    assert shown(o="due") == [breached.number, at_risk.number, fine.number, paused.number]
    assert shown(o="-due")[-1] == breached.number
    html = client.get(INCIDENTS, {"f": "1", "o": "due"}).content.decode()
    assert 'class="due due-breached"' in html and 'class="due due-risk"' in html
    assert ">Vence" in html


@pytest.mark.parametrize("listed", [True, False], ids=["by-id", "too-many-to-list"])
def test_tickets_about_to_breach_are_read_once_for_the_page_and_its_count(
    client, agent, monkeypatch, listed
):
    from itsm import filters
    from itsm.common import pagination

    now = timezone.now()
    at_risk = [make_incident(user=agent) for _ in range(3)]
    for ticket in at_risk:
        set_due(ticket, now + timedelta(hours=1), now - timedelta(minutes=10))
    set_due(make_incident(user=agent), now + timedelta(days=3), now + timedelta(days=2))
    monkeypatch.setattr(filters, "AT_RISK_BY_ID", 3 if listed else 2)
    # Pages of two: the first has a next page, so its matches are counted.
    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)
    client.force_login(agent)
    params = {"f": "1", "sla": "at_risk", "o": "number"}
    ids_read = []
    real = filters._at_risk_ids
    monkeypatch.setattr(filters, "_at_risk_ids", lambda *a: ids_read.append(1) or real(*a))
    response = client.get(INCIDENTS, params)
    assert [row.ticket.number for row in response.context["rows"]] == sorted(
        ticket.number for ticket in at_risk
    )[:2]
    assert response.context["count"] == 3
    assert len(ids_read) == 1


def test_tickets_about_to_breach_are_kept_a_few_seconds_and_checked_again(
    client, agent, monkeypatch
):
    """The ids are read again after AT_RISK_SECONDS: a ticket joins the list
    that late, and one that breaches or is put on hold leaves it at once."""
    from itsm import filters

    clock = [1000.0]
    monkeypatch.setattr(filters.time, "monotonic", lambda: clock[0])
    now = timezone.now()
    soon, later, newcomer = (make_incident(user=agent) for _ in range(3))
    for ticket in (soon, later):
        set_due(ticket, now + timedelta(hours=1), now - timedelta(minutes=10))
    client.force_login(agent)

    def shown() -> list[str]:
        response = client.get(INCIDENTS, {"f": "1", "sla": "at_risk", "o": "number"})
        return [row.ticket.number for row in response.context["rows"]]

    assert shown() == [soon.number, later.number]
    set_due(soon, now - timedelta(minutes=1))  # breached
    set_due(newcomer, now + timedelta(hours=1), now - timedelta(minutes=1))
    assert shown() == [later.number]
    clock[0] += filters.AT_RISK_SECONDS + 1
    assert shown() == [later.number, newcomer.number]


def test_due_sorted_console_pages_by_keyset(
    client, agent, monkeypatch, django_assert_max_num_queries
):
    from itsm.common import pagination

    tickets = [make_incident(user=agent) for _ in range(5)]
    now = timezone.now()
    for offset, ticket in enumerate(tickets):
        set_due(ticket, now + timedelta(hours=offset))
    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)
    client.force_login(agent)
    seen = []
    response = client.get(INCIDENTS, {"f": "1", "o": "due"})
    while True:
        seen.extend(row.ticket.number for row in response.context["rows"])
        if not response.context["next_url"]:
            break
        with django_assert_max_num_queries(12):
            response = client.get(INCIDENTS + response.context["next_url"])
    assert seen[:5] == [t.number for t in tickets]
