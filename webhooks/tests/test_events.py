"""Every event the services announce reaches a subscriber with its data:
relations, escalation, SLA breaches and mail both ways."""

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from incidents.models import Incident
from itsm import events
from itsm.services.relations import ticket_relate
from itsm.services.sla import sla_mark_breaches
from itsm.tests.factories import escalate_other, make_incident, make_work_order
from notifications import reference_data
from notifications.models import ResponseTemplate
from notifications.services.compose import email_send
from notifications.services.inbound import inbound_receive
from notifications.tests.corpus import plain

pytestmark = pytest.mark.django_db


@pytest.fixture
def listening(receiver, subscribe, private_media):
    return subscribe(receiver.url(), list(events.EVENT_TYPES))


def received(subscription, receiver, event_type: str) -> list[dict]:
    webhook = Webhook(subscription.secret)
    payloads = [webhook.verify(r.body, r.headers) for r in receiver.requests]
    return [p["data"] for p in payloads if p["type"] == event_type]


def test_a_relation_is_announced_with_the_other_ticket(
    agent, listening, receiver, django_capture_on_commit_callbacks
):
    incident = make_incident(user=agent)
    work_order = make_work_order(user=agent, customer=incident.customer)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_relate(ticket=incident, user=agent, other_number=work_order.number)
    (data,) = received(listening, receiver, events.RELATION_ADDED)
    assert data["ticket"] == {"number": incident.number, "kind": "INC"}
    assert data["relation"]["number"] == work_order.number
    assert data["relation"]["type"] == "related"


def test_an_escalation_is_announced_with_its_packet(
    agent, listening, receiver, django_capture_on_commit_callbacks
):
    ticket = make_incident(user=agent)
    with django_capture_on_commit_callbacks(execute=True):
        escalate_other(ticket, agent, "No carga el trámite")
    (data,) = received(listening, receiver, events.ESCALATION_CHANGED)
    assert data["packet"]["event"] == "escalated"
    assert data["packet"]["case"] == "other"
    assert data["packet"]["data"] == {"description": "No carga el trámite"}
    assert data["ticket"]["assigned_group_name"] == "L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS"


def test_an_sla_breach_is_announced(agent, listening, receiver, django_capture_on_commit_callbacks):
    ticket = make_incident(user=agent)
    due = timezone.now() - timedelta(minutes=5)
    Incident.objects.filter(pk=ticket.pk).update(resolution_due_at=due)
    with django_capture_on_commit_callbacks(execute=True):
        sla_mark_breaches()
    breaches = received(listening, receiver, events.SLA_BREACHED)
    (data,) = [d for d in breaches if d["target"] == "resolution"]
    assert data["ticket"]["number"] == ticket.number
    assert data["ticket"]["sla_breached_at"] is not None


def test_mail_sent_and_received_are_announced(
    agent, listening, receiver, django_capture_on_commit_callbacks
):
    reference_data.load()
    ticket = make_incident(user=agent)
    template = ResponseTemplate.objects.get(title="SOLICITUD DOCUMENTACIÓN")
    with django_capture_on_commit_callbacks(execute=True):
        email = email_send(ticket=ticket, user=agent, template=template)
    (sent,) = received(listening, receiver, events.MAIL_SENT)
    assert sent["email"]["id"] == email.pk
    assert sent["email"]["status"] == "sent"
    assert sent["email"]["ticket_number"] == ticket.number

    with django_capture_on_commit_callbacks(execute=True):
        outcome = inbound_receive(raw=plain(subject=f"Re: {ticket.number}"), source="pipe")
    (mail,) = received(listening, receiver, events.MAIL_RECEIVED)
    assert mail["email"]["id"] == outcome.email_id
    assert mail["email"]["ticket_number"] == ticket.number
