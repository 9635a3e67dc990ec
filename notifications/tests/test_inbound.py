"""Intake: the raw message first, duplicates, quarantine, the pipe command,
and the classification of auto-replies, bounces and our own mail."""

import hashlib

import pytest
from django.core.management import call_command

from itsm.models import Status, StatusReason
from itsm.services.ticket_update import ticket_set_pending
from notifications.models import (
    Classification,
    ClassificationReason,
    InboundEmail,
    InboundStatus,
    QuarantineReason,
)
from notifications.services.inbound import inbound_process, inbound_receive
from notifications.tests import corpus
from notifications.tests.factories import receive

pytestmark = pytest.mark.django_db


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
