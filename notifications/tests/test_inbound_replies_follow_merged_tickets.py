"""A customer's reply to a merged ticket's thread lands on the ticket it
was merged into, through the pipe command the mail server runs."""

import io
import sys

import pytest
from django.core.management import call_command

from itsm.models import WorkInfoType
from itsm.selectors import history_entries
from itsm.services.merge import ticket_merge
from notifications.models import InboundAction, InboundEmail
from notifications.tests import corpus
from notifications.tests.factories import sent_email

pytestmark = pytest.mark.django_db


def receive_email(raw: bytes, monkeypatch, capsys) -> InboundEmail:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    call_command("receive_email")
    capsys.readouterr()
    return InboundEmail.objects.latest("pk")


@pytest.fixture
def merged(incident, work_order, agent):
    ticket_merge(source=incident, target_number=work_order.number, user=agent)
    return incident, work_order


def test_a_reply_to_our_mail_on_the_merged_ticket_lands_on_the_target(
    private_media, merged, agent, documentation, monkeypatch, capsys
):
    source, target = merged
    outgoing = sent_email(source, agent, documentation, "<merged-1@registradores.example>")
    raw = corpus.reply(subject="Re: su consulta", in_reply_to=outgoing.message_id)

    email = receive_email(raw, monkeypatch, capsys)

    assert email.ticket_number == target.number
    assert email.action == InboundAction.THREADED
    assert target.work_info.filter(type=WorkInfoType.CUSTOMER_COMMUNICATION).exists()
    assert not source.work_info.filter(type=WorkInfoType.CUSTOMER_COMMUNICATION).exists()


def test_a_reply_naming_the_merged_number_lands_on_the_target(
    private_media, merged, monkeypatch, capsys
):
    source, target = merged
    raw = corpus.reply(subject=f"RE: {source.number} Colegio de Registradores")

    email = receive_email(raw, monkeypatch, capsys)

    assert email.ticket_number == target.number
    replies = [e for e in history_entries(target) if e.type == WorkInfoType.CUSTOMER_COMMUNICATION]
    assert [e.origin for e in replies] == [target.number]


def test_the_target_e_mail_tab_shows_the_merged_tickets_thread(
    client, private_media, merged, agent, documentation
):
    source, target = merged
    sent_email(source, agent, documentation, "<merged-2@registradores.example>")
    client.force_login(agent)
    response = client.get(target.get_absolute_url())
    tab = response.content.decode().split('id="emails"')[1].split('id="relations"')[0]
    assert documentation.title in tab and f"de {source.number}" in tab
