"""Intake: raw first, duplicates, quarantine, classification, threading and
bounces, with the corpus of real-world-shaped messages."""

import hashlib

import pytest
from django.core.management import call_command
from django.utils import translation

from customers.models import Customer
from incidents.models import Incident
from itsm.models import RequiresAttention, Status, StatusReason, WorkInfoType
from itsm.presenters import entry_text
from itsm.services.ticket_update import ticket_resolve, ticket_set_pending
from notifications.models import (
    Classification,
    ClassificationReason,
    EmailStatus,
    InboundAction,
    InboundEmail,
    InboundStatus,
    OutgoingEmail,
    QuarantineReason,
)
from notifications.services.inbound import inbound_process, inbound_receive
from notifications.tests import corpus
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def receive(raw: bytes, source: str = "pipe"):
    outcome = inbound_receive(raw=raw, source=source)
    return outcome, InboundEmail.objects.get(pk=outcome.email_id)


def sent_email(ticket, user, template, message_id: str) -> OutgoingEmail:
    return OutgoingEmail.objects.create(
        ticket=ticket,
        template=template,
        to_email=ticket.customer.email,
        subject=f"{ticket.number} Colegio de Registradores",
        body_text="Texto",
        body_html="<p>Texto</p>",
        status=EmailStatus.SENT,
        message_id=message_id,
        created_by=user,
        queued_by=user,
    )


# --- raw first, duplicates, quarantine ----------------------------------------


def test_the_raw_message_is_stored_byte_for_byte_with_its_hash(private_media):
    raw = corpus.plain(message_id="<raw@example.com>")
    outcome, email = receive(raw)
    with email.raw.open("rb") as handle:
        assert handle.read() == raw
    assert email.sha256 == hashlib.sha256(raw).hexdigest()
    assert email.message_id == "<raw@example.com>"
    assert email.size == len(raw)
    assert outcome.summary() == f"customer mailbox ({email.pk})"


def test_the_same_message_delivered_twice_is_stored_once(private_media):
    raw = corpus.plain(message_id="<twice@example.com>")
    first, _email = receive(raw, "imap")
    second = inbound_receive(raw=raw, source="pipe")
    assert second.result == "duplicate"
    assert second.email_id == first.email_id
    assert InboundEmail.objects.count() == 1


def test_same_message_id_with_other_bytes_is_another_message(private_media):
    receive(corpus.plain(message_id="<same@example.com>", body="uno"))
    receive(corpus.plain(message_id="<same@example.com>", body="dos"))
    assert InboundEmail.objects.count() == 2


def test_a_message_without_message_id_gets_one_and_is_still_deduplicated(private_media):
    raw = corpus.no_message_id()
    _outcome, email = receive(raw)
    assert email.message_id_synthesised
    assert email.message_id.endswith("@inbound.invalid>")
    assert inbound_receive(raw=raw, source="imap").result == "duplicate"


@pytest.mark.parametrize(
    "raw",
    [b"", corpus.binary_garbage(), b"\x00\x01\x02", b"Subject: solo cabecera"],
    ids=["empty", "garbage", "nul", "headers-only"],
)
def test_bad_input_is_stored_never_an_exception(private_media, raw):
    outcome, email = receive(raw)
    assert email.processed_at is not None
    assert outcome.result in ("customer", "quarantined")


def test_a_message_over_the_limit_is_kept_and_quarantined(private_media, settings):
    settings.ITSM_INBOUND_MAX_BYTES = 1024
    outcome, email = receive(corpus.huge(4096))
    assert outcome.summary().startswith("quarantined too-large")
    assert email.quarantine_reason == QuarantineReason.TOO_LARGE
    assert email.raw.size > 4096


def test_a_30_mb_message_is_quarantined_with_the_default_limit(private_media):
    outcome, email = receive(corpus.huge(30 * 1024 * 1024))
    assert email.quarantine_reason == QuarantineReason.TOO_LARGE
    assert outcome.result == "quarantined"


def test_a_message_too_deep_is_quarantined_and_can_be_reprocessed(private_media, settings):
    from notifications import parsing

    raw = corpus.nested_message()
    original = parsing.MAX_DEPTH
    parsing.MAX_DEPTH = 0
    try:
        _outcome, email = receive(raw)
    finally:
        parsing.MAX_DEPTH = original
    assert email.quarantine_reason == QuarantineReason.LIMITS
    call_command("reprocess_email", "--quarantined")
    email.refresh_from_db()
    assert email.quarantine_reason == ""
    assert email.classification == Classification.CUSTOMER


def test_a_parsing_crash_quarantines_and_keeps_the_message(private_media, monkeypatch):
    def explode(raw):
        raise ValueError("boom")

    monkeypatch.setattr("notifications.services.inbound.parse_message", explode)
    outcome, email = receive(corpus.plain())
    assert outcome.summary().startswith("quarantined parse-error")
    assert email.quarantine_reason == QuarantineReason.PARSE_ERROR
    assert "boom" in email.quarantine_detail
    monkeypatch.undo()
    assert inbound_process(email=email).result == "customer"


# --- classification -----------------------------------------------------------


@pytest.mark.parametrize(
    "kind,reason",
    [
        ("auto-submitted", ClassificationReason.AUTO_SUBMITTED),
        ("precedence", ClassificationReason.PRECEDENCE),
        ("x-autoreply", ClassificationReason.AUTORESPONDER_HEADER),
        ("x-autorespond", ClassificationReason.AUTORESPONDER_HEADER),
        ("suppress", ClassificationReason.AUTORESPONDER_HEADER),
        ("list-id", ClassificationReason.MAILING_LIST),
        ("list-unsubscribe", ClassificationReason.MAILING_LIST),
        ("return-path", ClassificationReason.EMPTY_RETURN_PATH),
    ],
)
def test_auto_replies_are_recognised_by_their_headers(private_media, kind, reason):
    _outcome, email = receive(corpus.auto_reply(kind, subject="Consulta"))
    assert email.classification == Classification.AUTO_REPLY
    assert email.classification_reason == reason
    assert email.status == InboundStatus.DONE


@pytest.mark.parametrize("subject", corpus.AUTO_REPLY_SUBJECTS)
def test_auto_replies_are_recognised_by_spanish_and_english_subjects(private_media, subject):
    _outcome, email = receive(corpus.auto_reply("subject", subject=subject))
    assert email.classification == Classification.AUTO_REPLY
    assert email.classification_reason == ClassificationReason.AUTO_REPLY_SUBJECT


def test_auto_submitted_no_is_a_person(private_media):
    _outcome, email = receive(corpus.plain(headers={"Auto-Submitted": "no"}))
    assert email.classification == Classification.CUSTOMER


def test_mailer_daemon_without_a_report_is_a_bounce(private_media):
    _outcome, email = receive(corpus.mailer_daemon_plain("<unknown@registradores.example>"))
    assert email.classification == Classification.BOUNCE


def test_our_own_mail_coming_back_is_recognised(private_media):
    _outcome, email = receive(corpus.own_mail())
    assert email.classification == Classification.OWN
    assert email.classification_reason == ClassificationReason.OWN_MESSAGE_ID


def test_x_loop_with_our_address_is_our_own_mail(private_media):
    raw = corpus.plain(headers={"X-Loop": "soporte@registradores.example"})
    _outcome, email = receive(raw)
    assert email.classification == Classification.OWN
    assert email.classification_reason == ClassificationReason.X_LOOP


def test_an_auto_reply_to_a_ticket_never_changes_it(private_media, incident, agent):
    pending_reason = StatusReason.objects.filter(kind="INC", status=Status.PENDING).first()
    ticket_set_pending(
        ticket=incident, user=agent, expected_version=incident.version, status_reason=pending_reason
    )
    entries = incident.work_info.count()
    outcome, email = receive(
        corpus.auto_reply("auto-submitted", subject=f"Re: {incident.number} Colegio")
    )
    incident.refresh_from_db()
    assert incident.status == Status.PENDING
    assert incident.work_info.count() == entries
    assert email.ticket_number == incident.number
    assert outcome.summary() == f"auto-reply {incident.number} ({email.pk})"


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


# --- bounces -------------------------------------------------------------------


def test_a_permanent_bounce_marks_the_message_the_address_and_the_journal(
    private_media, incident, agent, documentation
):
    outgoing = sent_email(incident, agent, documentation, "<b1@registradores.example>")
    status = incident.status
    outcome, email = receive(corpus.dsn(outgoing.message_id))
    outgoing.refresh_from_db()
    assert email.classification == Classification.BOUNCE
    assert outcome.summary() == f"bounce {incident.number} ({email.pk})"
    assert outgoing.status == EmailStatus.BOUNCED
    assert "5.1.1" in outgoing.bounce_diagnostic
    assert "User unknown" in outgoing.bounce_diagnostic
    customer = Customer.objects.get(pk=incident.customer_id)
    assert customer.email_failing_since is not None
    incident.refresh_from_db()
    assert incident.status == status
    entry = incident.work_info.get(
        type=WorkInfoType.EMAIL_SYSTEM, author=None, event="email_bounced"
    )
    with translation.override("en"):
        assert entry_text(entry).startswith(
            f"Our e-mail to {customer.email} bounced: the address fails ("
        )


def test_a_temporary_bounce_does_not_mark_the_address(
    private_media, incident, agent, documentation
):
    outgoing = sent_email(incident, agent, documentation, "<b2@registradores.example>")
    receive(corpus.dsn(outgoing.message_id, status="4.2.2"))
    outgoing.refresh_from_db()
    assert outgoing.status == EmailStatus.SENT
    assert Customer.objects.get(pk=incident.customer_id).email_failing_since is None


def test_a_non_standard_bounce_is_matched_by_the_quoted_message_id(
    private_media, incident, agent, documentation
):
    outgoing = sent_email(incident, agent, documentation, "<b3@registradores.example>")
    _outcome, email = receive(corpus.mailer_daemon_plain(outgoing.message_id))
    outgoing.refresh_from_db()
    assert email.bounced_email_id == outgoing.pk
    assert outgoing.status == EmailStatus.BOUNCED


def test_an_exchange_report_with_the_whole_original_is_matched(
    private_media, work_order, agent, documentation
):
    outgoing = sent_email(work_order, agent, documentation, "<b4@registradores.example>")
    _outcome, email = receive(corpus.exchange_ndr(outgoing.message_id))
    assert email.classification == Classification.BOUNCE
    assert email.bounced_email_id == outgoing.pk
    assert email.bounce_status == "5.1.10"
    assert WorkOrder.objects.get(pk=work_order.pk).status == work_order.status


# --- the pipe command ------------------------------------------------------------


def test_receive_email_prints_one_line_and_exits_0(private_media, reference, capsys, monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(corpus.plain())))
    call_command("receive_email")
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("customer mailbox")


def test_receive_email_exits_75_when_the_database_is_down(private_media, monkeypatch):
    import io
    import sys

    from django.db import OperationalError

    def down(**kwargs):
        raise OperationalError("could not connect")

    monkeypatch.setattr("notifications.management.commands.receive_email.inbound_receive", down)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(corpus.plain())))
    with pytest.raises(SystemExit) as exit_info:
        call_command("receive_email")
    assert exit_info.value.code == 75


# --- outgoing replies, the customer's address, the admin -------------------------


def test_our_replies_carry_in_reply_to_and_references(
    private_media, incident, agent, documentation
):
    from notifications.services.delivery import build_message

    first = sent_email(incident, agent, documentation, "<first@registradores.example>")
    _outcome, reply = receive(
        corpus.reply(subject=f"Re: {incident.number}", message_id="<customer-1@example.com>")
    )
    second = sent_email(incident, agent, documentation, "<second@registradores.example>")
    mime = build_message(second).message()
    assert mime["In-Reply-To"] == "<customer-1@example.com>"
    assert mime["References"] == f"{first.message_id} <customer-1@example.com>"
    assert mime["X-Loop"] == "soporte@registradores.example"


def test_a_new_address_clears_the_failing_flag(private_media, incident, agent, documentation):
    from customers.services import customer_update

    outgoing = sent_email(incident, agent, documentation, "<b5@registradores.example>")
    receive(corpus.dsn(outgoing.message_id))
    customer = Customer.objects.get(pk=incident.customer_id)
    assert customer.email_failing_since is not None
    customer_update(customer=customer, email="ana.nueva@example.com")
    customer.refresh_from_db()
    assert customer.email_failing_since is None and customer.email_failure == ""


def test_the_ticket_page_says_the_address_fails(
    client, private_media, incident, agent, documentation
):
    from django.urls import reverse

    outgoing = sent_email(incident, agent, documentation, "<b6@registradores.example>")
    receive(corpus.dsn(outgoing.message_id))
    client.force_login(agent)
    content = client.get(reverse("incidents:detail", args=[incident.number])).content.decode()
    assert "data-email-failing" in content
    assert "Rebotado" in content


def test_admins_see_quarantined_messages(admin_client, private_media, settings):
    from django.urls import reverse

    settings.ITSM_INBOUND_MAX_BYTES = 100
    _outcome, email = receive(corpus.huge(1000))
    url = reverse("admin:notifications_inboundemail_changelist")
    response = admin_client.get(url, {"quarantine_reason": "too_large"})
    assert response.status_code == 200
    assert str(email.subject or email.pk) in response.content.decode()
    detail = admin_client.get(reverse("admin:notifications_inboundemail_change", args=[email.pk]))
    assert detail.status_code == 200
    assert (
        admin_client.get(reverse("admin:notifications_imapfolderstate_changelist")).status_code
        == 200
    )


def test_agents_cannot_open_the_admin_of_messages(client, agent):
    from django.urls import reverse

    client.force_login(agent)
    response = client.get(reverse("admin:notifications_inboundemail_changelist"))
    assert response.status_code == 302


def test_a_reply_the_ticket_refuses_waits_in_the_mailbox(private_media, incident, agent):
    Incident.objects.filter(pk=incident.pk).update(status=Status.CLOSED)
    agent.groups.clear()  # the closed ticket's agent has left the desk
    outcome, email = receive(corpus.reply(subject=f"Re: {incident.number}"))
    assert outcome.summary() == f"customer mailbox ({email.pk})"
    assert not email.threaded and email.status == InboundStatus.NEW
    assert Incident.objects.count() == 1


def test_reprocess_email_by_id_prints_what_became_of_it(private_media, reference, capsys):
    _outcome, email = receive(corpus.plain())
    call_command("reprocess_email", str(email.pk))
    assert capsys.readouterr().out.strip() == f"customer mailbox ({email.pk})"


def test_the_customer_lookup_shows_the_failing_address(
    client, private_media, incident, agent, documentation
):
    from django.urls import reverse

    outgoing = sent_email(incident, agent, documentation, "<b7@registradores.example>")
    receive(corpus.dsn(outgoing.message_id))
    client.force_login(agent)
    response = client.get(reverse("customers:lookup"), {"q": incident.customer.email})
    assert "data-email-failing" in response.content.decode()
