"""Every journal entry says where its change came from: the pages (web),
the API, an e-mail, or the desk by itself; the ticket's history shows it
discreetly when it was not the pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.tests.conftest import token_client
from itsm.models import Channel, Status, StatusReason
from itsm.services.autoclose import tickets_autoclose
from itsm.services.ticket_update import ticket_resolve
from itsm.tests.factories import make_incident
from notifications.services.inbound import inbound_receive
from notifications.tests import corpus

pytestmark = pytest.mark.usefixtures("private_media")


def test_what_the_pages_do_is_journaled_as_web_without_a_badge(client, agent):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    client.post(
        reverse("incidents:work_info_add", args=[ticket.number]),
        {"wi-notes": "Llamó la cliente", "wi-type": "notes", "wi-view_access": "internal"},
    )

    assert {entry.channel for entry in ticket.work_info.all()} == {Channel.WEB}
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Llamó la cliente" in page and 'title="Canal:' not in page


def test_what_a_token_does_is_journaled_as_its_user_with_the_channel_api(client, agent):
    ticket = make_incident(user=agent)
    response = token_client(agent).post(
        reverse("api:incidents-journal", args=[ticket.number]),
        {"notes": "Desde el portal"},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["channel"] == "api"

    entry = ticket.work_info.get(notes="Desde el portal")
    assert entry.author == agent and entry.channel == Channel.API
    client.force_login(agent)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert page.count('title="Canal: API">API</span>') == 1


def test_what_the_desk_does_by_itself_is_journaled_as_system(agent):
    ticket = make_incident(user=agent)
    reason = StatusReason.objects.filter(kind="INC", status=Status.RESOLVED).first()
    ticket_resolve(ticket=ticket, user=agent, expected_version=ticket.version, status_reason=reason)
    type(ticket).objects.filter(pk=ticket.pk).update(
        resolved_at=timezone.now() - timedelta(days=30)
    )

    assert tickets_autoclose() == 1

    closed = ticket.work_info.get(event="auto_closed")
    assert closed.author is None and closed.channel == Channel.SYSTEM


def test_a_customers_reply_is_journaled_as_mail(agent, client):
    ticket = make_incident(user=agent)
    ticket.customer.email = corpus.CUSTOMER
    ticket.customer.save()
    before = ticket.work_info.order_by("pk").last().pk

    inbound_receive(raw=corpus.plain(subject=f"Re: {ticket.number} Colegio"), source="pipe")

    replied = ticket.work_info.filter(pk__gt=before)
    assert replied and {entry.channel for entry in replied} == {Channel.MAIL}
    client.force_login(agent)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'title="Canal: Correo electrónico">Correo electrónico</span>' in page
