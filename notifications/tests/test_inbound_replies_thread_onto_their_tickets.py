"""A customer's reply lands on its ticket by number, In-Reply-To or
References, and what it does to the ticket is journaled."""

import pytest
from django.utils import translation

from incidents.models import Incident
from itsm.models import RequiresAttention, Status, StatusReason, WorkInfoType
from itsm.presenters import entry_text
from itsm.services.ticket_update import ticket_resolve, ticket_set_pending
from notifications.models import (
    InboundAction,
    InboundStatus,
)
from notifications.tests import corpus
from notifications.tests.factories import receive, sent_email

pytestmark = pytest.mark.django_db


# --- threading -------------------------------------------------------------------


def test_a_reply_with_the_number_in_the_subject_lands_on_its_ticket(private_media, incident):
    raw = corpus.reply(
        subject=f"RE: {incident.number.lower()} Colegio de Registradores",
        attachments=[("captura.png", "image/png", corpus.PNG)],
    )
    outcome, email = receive(raw)
    assert outcome.summary() == f"customer {incident.number} ({email.pk})"
    assert email.threaded and email.action == InboundAction.THREADED
    entry = incident.work_info.filter(type=WorkInfoType.CUSTOMER_COMMUNICATION).get()
    assert "Gracias, ya lo he podido enviar." in entry.notes
    assert entry.data["email"] == email.pk
    with translation.override("es"):
        assert f"(mensaje {email.pk})" in entry_text(entry)
    assert entry.requires_attention == RequiresAttention.RESPONSE
    assert entry.author is None
    assert [f.name.rsplit("/", 1)[-1] for _i, f in entry.attachments] == ["captura.png"]


@pytest.mark.parametrize("prefix", ["Re:", "RV:", "Fwd:", "Fw:", "AW:", "re: re:"])
def test_subject_prefixes_do_not_hide_the_number(private_media, incident, prefix):
    _outcome, email = receive(corpus.reply(subject=f"{prefix} {incident.number}"))
    assert email.ticket_number == incident.number


def test_a_reply_by_in_reply_to_lands_on_the_ticket_of_our_message(
    private_media, work_order, agent, documentation
):
    outgoing = sent_email(work_order, agent, documentation, "<out-1@registradores.example>")
    raw = corpus.reply(subject="Re: su consulta", in_reply_to=outgoing.message_id)
    _outcome, email = receive(raw)
    assert email.ticket_number == work_order.number
    assert work_order.work_info.filter(type=WorkInfoType.CUSTOMER_COMMUNICATION).exists()


def test_a_reply_by_references_lands_on_the_ticket(private_media, incident, agent, documentation):
    sent_email(incident, agent, documentation, "<out-2@registradores.example>")
    raw = corpus.reply(
        subject="Re: sin número",
        references="<other@example.com> <out-2@registradores.example>",
    )
    _outcome, email = receive(raw)
    assert email.ticket_number == incident.number


def test_a_pending_ticket_goes_back_to_assigned_awaiting_communication(
    private_media, incident, agent
):
    reason = StatusReason.objects.filter(kind="INC", status=Status.PENDING).first()
    ticket_set_pending(
        ticket=incident, user=agent, expected_version=incident.version, status_reason=reason
    )
    version = Incident.objects.get(pk=incident.pk).version
    receive(corpus.reply(subject=f"Re: {incident.number}"))
    incident.refresh_from_db()
    assert incident.status == Status.ASSIGNED
    assert incident.status_reason.code == "reopened"
    assert incident.requires_attention == RequiresAttention.RESPONSE
    assert incident.version == version + 1
    assert incident.work_info.filter(type=WorkInfoType.STATUS_CHANGE, author=None).exists()


def test_what_the_mail_does_to_a_ticket_reads_in_the_readers_language(
    private_media, incident, agent
):
    reason = StatusReason.objects.filter(kind="INC", status=Status.PENDING).first()
    ticket_set_pending(
        ticket=incident, user=agent, expected_version=incident.version, status_reason=reason
    )
    _outcome, email = receive(corpus.reply(subject=f"Re: {incident.number}"))
    entry = incident.work_info.get(type=WorkInfoType.STATUS_CHANGE, author=None)
    # Stored as facts, no words: the history puts them into words when read.
    assert entry.notes == ""
    assert entry.event == "status"
    assert entry.data["email"] == email.pk
    with translation.override("es"):
        assert f"El cliente ha escrito (mensaje {email.pk})." in entry_text(entry)
    with translation.override("en"):
        assert "Status: Pending → Assigned" in entry_text(entry)
        assert f"The customer wrote (message {email.pk})." in entry_text(entry)


def test_a_resolved_ticket_is_reopened(private_media, work_order, agent):
    reason = StatusReason.objects.filter(kind="WO", status=Status.COMPLETED).first()
    ticket_resolve(
        ticket=work_order, user=agent, expected_version=work_order.version, status_reason=reason
    )
    receive(corpus.reply(subject=f"Re: {work_order.number}"))
    work_order.refresh_from_db()
    assert work_order.status == Status.ASSIGNED
    assert work_order.resolved_at is None
    assert work_order.resolution == ""


def test_a_reply_to_a_closed_ticket_opens_a_related_new_one(private_media, incident):
    Incident.objects.filter(pk=incident.pk).update(status=Status.CLOSED)
    outcome, email = receive(corpus.reply(subject=f"Re: {incident.number}"))
    new = Incident.objects.exclude(pk=incident.pk).get()
    assert email.ticket_number == new.number
    assert email.action == InboundAction.NEW_TICKET_FOR_CLOSED
    assert new.customer_id == incident.customer_id
    from itsm.models import Relation

    assert Relation.objects.filter(source_number=new.number, target_number=incident.number)
    opened = new.work_info.get(event="opened_by_email")
    with translation.override("en"):
        assert entry_text(opened) == (
            f"Opened by the e-mail {email.pk}: a reply to {incident.number}, which is closed."
        )
    assert new.work_info.filter(type=WorkInfoType.CUSTOMER_COMMUNICATION).exists()
    assert outcome.summary() == f"customer {new.number} ({email.pk})"


def test_a_sender_other_than_the_customer_is_threaded_and_said_so(private_media, incident):
    raw = corpus.reply(subject=f"Re: {incident.number}", sender="Pedro <pedro@example.org>")
    _outcome, email = receive(raw)
    assert email.ticket_number == incident.number
    assert not email.sender_is_customer
    entry = incident.work_info.get(type=WorkInfoType.CUSTOMER_COMMUNICATION)
    # The header lines are facts in the reader's language; the text is the customer's.
    assert entry.notes.startswith("Gracias, ya lo he podido enviar.")
    assert entry.data["other_sender"] is True
    with translation.override("es"):
        text = entry_text(entry)
    assert text.startswith(f"Correo de Pedro <pedro@example.org> (mensaje {email.pk})")
    assert "Remitente distinto del cliente." in text
    assert text.endswith(entry.notes)
    with translation.override("en"):
        assert "Sender different from the customer." in entry_text(entry)


def test_an_unknown_number_leaves_the_message_in_the_mailbox(private_media, reference):
    _outcome, email = receive(corpus.reply(subject="Re: INC000000999999"))
    assert not email.threaded
    assert email.status == InboundStatus.NEW


def test_many_attachments_go_three_per_entry(private_media, incident):
    files = [(f"f{i}.txt", "text/plain", b"hola") for i in range(5)]
    receive(corpus.reply(subject=f"Re: {incident.number}", attachments=files))
    entries = incident.work_info.filter(type=WorkInfoType.CUSTOMER_COMMUNICATION)
    assert sorted(len(entry.attachments) for entry in entries) == [2, 3]
