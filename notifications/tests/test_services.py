"""Composing, queueing and delivering, with Django's in-memory mail backend
(the real SMTP server, broker and worker are in test_integration.py)."""

import email as email_parser
import smtplib
from datetime import timedelta
from decimal import Decimal
from email import policy
from email.utils import parseaddr

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from customers.services import customer_update
from itsm.models import WorkInfoType
from itsm.presenters import entry_text
from itsm.tests.factories import make_incident
from notifications.models import EmailStatus, OutgoingEmail
from notifications.services.compose import (
    email_remove_attachment,
    email_resend,
    email_save_draft,
    email_send,
)
from notifications.services.delivery import (
    build_message,
    classify_error,
    email_deliver,
    emails_requeue_stuck,
    retry_delay,
)
from notifications.tasks import requeue_stuck_emails
from notifications.tests.factories import pdf_upload, png_upload

pytestmark = pytest.mark.django_db


def queue(ticket, user, template, **kwargs) -> OutgoingEmail:
    return email_send(ticket=ticket, user=user, template=template, **kwargs)


def test_recipient_and_subject_come_from_the_ticket(agent, incident, documentation):
    email = email_save_draft(ticket=incident, user=agent, template=documentation)
    assert email.status == EmailStatus.DRAFT
    assert email.to_email == "ana.garcia@example.com"
    assert email.to_name == "Ana García López"
    assert email.subject == f"{incident.number} Colegio de Registradores"
    assert email.message_id == ""
    assert "Estimado/a Ana García López:" in email.body_text


def test_a_draft_follows_the_customers_current_address(agent, incident, documentation):
    email = email_save_draft(ticket=incident, user=agent, template=documentation)
    customer_update(customer=incident.customer, email="nueva@example.com")
    incident.customer.refresh_from_db()
    email = email_save_draft(ticket=incident, user=agent, template=documentation, email=email)
    assert email.to_email == "nueva@example.com"
    assert OutgoingEmail.objects.count() == 1


def test_a_customer_without_email_gets_a_clear_message_and_nothing_is_queued(
    agent, reference, documentation
):
    from customers.tests.factories import CustomerFactory

    ticket = make_incident(user=agent, customer=CustomerFactory(email=""))
    with pytest.raises(ValidationError) as error:
        queue(ticket, agent, documentation)
    assert "no tiene ninguna dirección de correo registrada" in error.value.messages[0]
    assert not OutgoingEmail.objects.exists()


def test_agents_cannot_use_coordinator_templates(agent, coordinator, incident, linked):
    with pytest.raises(ValidationError) as error:
        queue(incident, agent, linked)
    # What the compose page says of a template its list does not offer.
    assert error.value.message_dict["template"] == [
        "Esta plantilla de respuesta no se puede usar en esta gestión."
    ]
    assert queue(incident, coordinator, linked).status == EmailStatus.QUEUED


def test_a_template_for_another_kind_is_refused(agent, work_order, documentation):
    documentation.applies_to = "INC"
    documentation.save()
    with pytest.raises(ValidationError) as error:
        queue(work_order, agent, documentation)
    assert "template" in error.value.error_dict


def test_the_debt_template_needs_the_amount(agent, incident, debt):
    with pytest.raises(ValidationError) as error:
        queue(incident, agent, debt)
    assert "amount" in error.value.error_dict
    email = queue(incident, agent, debt, amount=Decimal("89.90"))
    assert "una deuda pendiente de 89,90 €" in email.body_text


def test_files_are_added_one_at_a_time_up_to_three(agent, incident, documentation):
    email = None
    for name in ("a.pdf", "b.png", "c.pdf"):
        upload = png_upload(name) if name.endswith("png") else pdf_upload(name)
        email = email_save_draft(
            ticket=incident, user=agent, template=documentation, attachment=upload, email=email
        )
    assert [name for _, name in email.attachment_names] == ["a.pdf", "b.png", "c.pdf"]
    with pytest.raises(ValidationError) as error:
        email_save_draft(
            ticket=incident,
            user=agent,
            template=documentation,
            attachment=pdf_upload("d.pdf"),
            email=email,
        )
    assert "como máximo 3 archivos" in error.value.messages[0]
    email = email_remove_attachment(email=email, user=agent, position=1)
    assert [name for _, name in email.attachment_names] == ["b.png", "c.pdf"]


def test_queueing_gives_a_message_id_and_publishes_on_commit(
    agent, incident, documentation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        email = queue(incident, agent, documentation)
    assert email.status == EmailStatus.QUEUED
    assert email.message_id.startswith("<") and email.message_id.endswith("@registradores.example>")
    assert email.queued_by == agent
    assert len(callbacks) == 1


def test_a_rolled_back_transaction_publishes_nothing(
    agent, incident, documentation, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue(incident, agent, documentation)
        raise RuntimeError("the ticket change failed")
    assert callbacks == []
    assert not OutgoingEmail.objects.exists()


def test_a_queued_message_cannot_be_changed_or_queued_again(agent, incident, documentation):
    email = queue(incident, agent, documentation)
    with pytest.raises(ValidationError):
        email_save_draft(ticket=incident, user=agent, template=documentation, email=email)
    with pytest.raises(ValidationError):
        queue(incident, agent, documentation, email=email)


def test_delivery_sends_once_and_journals_it(agent, incident, linking, mailoutbox):
    email = queue(incident, agent, linking, attachment=pdf_upload("captura.pdf"))
    assert email_deliver(email_id=email.pk).status == EmailStatus.SENT
    assert email_deliver(email_id=email.pk).status == "skipped"
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == ["Ana García López <ana.garcia@example.com>"]
    assert sent.subject == f"{incident.number} Colegio de Registradores"
    assert [name for name, _, _ in sent.attachments] == [
        "cuadro_vinculacion.pdf",
        "formulario_lopd.pdf",
        "captura.pdf",
    ]
    assert sent.alternatives[0].mimetype == "text/html"
    assert sent.extra_headers["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert (email.status, email.attempts, email.sent_at is not None) == (EmailStatus.SENT, 1, True)
    entry = incident.work_info.filter(type=WorkInfoType.EMAIL_SYSTEM).get()
    assert entry.author == agent
    assert "ana.garcia@example.com" in entry_text(entry)
    assert "VINCULACIÓN – ENVÍO CUADRO DE VINCULACIÓN" in entry_text(entry)
    assert "cuadro_vinculacion.pdf, formulario_lopd.pdf, captura.pdf" in entry_text(entry)


def test_header_injection_through_the_summary_or_the_name_is_impossible(
    agent, reference, documentation, mailoutbox
):
    from customers.tests.factories import CustomerFactory

    customer = CustomerFactory(
        first_name="Eva\r\nBcc: evil@example.com", surnames="", email="eva@example.com"
    )
    ticket = make_incident(user=agent, customer=customer, summary="x\r\nBcc: evil@example.com")
    documentation.subject_suffix = "Colegio\r\nBcc: evil@example.com"
    documentation.save()
    email = queue(ticket, agent, documentation)
    document = documentation.documents.create(
        name="a\r\nBcc: evil@example.com.pdf", file="response_templates/formulario_lopd.pdf"
    )
    assert document.pk
    assert email_deliver(email_id=email.pk).status == EmailStatus.SENT
    message = mailoutbox[0]
    assert [parseaddr(address)[1] for address in message.recipients()] == ["eva@example.com"]
    parsed = email_parser.message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert parsed["Bcc"] is None
    assert [a.addr_spec for a in parsed["To"].addresses] == ["eva@example.com"]
    assert "\n" not in parsed["Subject"] and "\n" not in parsed["To"]
    names = [part.get_filename() for part in parsed.iter_attachments()]
    assert names == ["a Bcc_ evil@example.com.pdf"]
    assert "x\r\nBcc: evil@example.com" not in message.message().as_string()


def test_the_outgoing_mime_message_has_text_html_and_the_stored_message_id(
    agent, incident, documentation
):
    email = queue(incident, agent, documentation)
    mime = build_message(email).message()
    assert mime["Message-ID"] == email.message_id
    assert mime.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in mime.get_payload()]
    assert kinds == ["text/plain", "text/html"]


def test_a_temporary_failure_is_retried_later_with_the_same_message_id(
    agent, incident, documentation, failing_smtp, settings
):
    settings.ITSM_EMAIL_RETRY_BASE_MS = 10_000
    email = queue(incident, agent, documentation)
    delivery = email_deliver(email_id=email.pk)
    assert delivery.status == EmailStatus.QUEUED
    assert 5 <= delivery.retry_in <= 10
    stored = OutgoingEmail.objects.get(pk=email.pk)
    assert stored.attempts == 1 and "Connection refused" in stored.last_error
    assert stored.message_id == email.message_id
    # Not before its time: a duplicate task finds nothing to claim.
    assert email_deliver(email_id=email.pk).status == "skipped"
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    failing_smtp.error = smtplib.SMTPResponseException(451, b"4.3.0 try again later")
    assert email_deliver(email_id=email.pk).status == EmailStatus.QUEUED
    assert OutgoingEmail.objects.get(pk=email.pk).message_id == email.message_id


def test_a_5xx_answer_fails_at_once_and_can_be_resent(
    agent, incident, documentation, failing_smtp, mailoutbox, settings
):
    failing_smtp.error = smtplib.SMTPRecipientsRefused(
        {"ana.garcia@example.com": (550, b"5.1.1 mailbox unavailable")}
    )
    email = queue(incident, agent, documentation)
    assert email_deliver(email_id=email.pk).status == EmailStatus.FAILED
    stored = OutgoingEmail.objects.get(pk=email.pk)
    assert (stored.status, stored.attempts) == (EmailStatus.FAILED, 1)
    assert stored.last_error == "550 5.1.1 mailbox unavailable"
    assert "NO enviado" in entry_text(
        incident.work_info.filter(type=WorkInfoType.EMAIL_SYSTEM).get()
    )
    assert failing_smtp.calls == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email_resend(email=stored, user=agent)
    assert email_deliver(email_id=email.pk).status == EmailStatus.SENT
    assert mailoutbox[0].extra_headers["Message-ID"] == email.message_id


def test_only_a_failed_message_can_be_resent(agent, incident, documentation):
    email = queue(incident, agent, documentation)
    with pytest.raises(ValidationError):
        email_resend(email=email, user=agent)


def test_temporary_failures_stop_after_the_maximum_attempts(
    agent, incident, documentation, failing_smtp, settings
):
    settings.ITSM_EMAIL_MAX_ATTEMPTS = 2
    email = queue(incident, agent, documentation)
    assert email_deliver(email_id=email.pk).status == EmailStatus.QUEUED
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert email_deliver(email_id=email.pk).status == EmailStatus.FAILED


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (ConnectionRefusedError(111, "refused"), False),
        (TimeoutError("timed out"), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (smtplib.SMTPResponseException(421, b"busy"), False),
        (smtplib.SMTPDataError(552, b"too big"), True),
        (smtplib.SMTPSenderRefused(553, b"no", "a@b"), True),
        (smtplib.SMTPRecipientsRefused({"a@b": (450, b"greylisted")}), False),
        (ValueError("bug"), True),
    ],
)
def test_errors_are_told_apart(error, permanent):
    assert classify_error(error)[0] is permanent


def test_the_backoff_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.ITSM_EMAIL_RETRY_BASE_MS = 1000
    settings.ITSM_EMAIL_RETRY_MAX_MS = 5000
    assert 0.5 <= retry_delay(1) <= 1
    assert 2 <= retry_delay(3) <= 4
    assert 2.5 <= retry_delay(10) <= 5
    assert len({retry_delay(4) for _ in range(20)}) > 1


def test_the_sweep_requeues_stuck_and_abandoned_rows_only(agent, incident, documentation, settings):
    settings.ITSM_EMAIL_STUCK_AFTER_SECONDS = 60
    now = timezone.now()
    fresh = queue(incident, agent, documentation)
    stuck = queue(incident, agent, documentation)
    abandoned = queue(incident, agent, documentation)
    still_sending = queue(incident, agent, documentation)
    OutgoingEmail.objects.filter(pk=stuck.pk).update(next_attempt_at=now - timedelta(minutes=5))
    OutgoingEmail.objects.filter(pk=abandoned.pk).update(
        status=EmailStatus.SENDING, lease_expires_at=now - timedelta(seconds=1), attempts=1
    )
    OutgoingEmail.objects.filter(pk=still_sending.pk).update(
        status=EmailStatus.SENDING, lease_expires_at=now + timedelta(minutes=1), attempts=1
    )
    assert sorted(emails_requeue_stuck(now=now)) == sorted([stuck.pk, abandoned.pk])
    # Claimed once: the next sweep finds them fresh again.
    assert emails_requeue_stuck(now=now) == []
    states = dict(OutgoingEmail.objects.values_list("pk", "status"))
    assert states[abandoned.pk] == EmailStatus.QUEUED
    assert states[still_sending.pk] == EmailStatus.SENDING
    assert states[fresh.pk] == EmailStatus.QUEUED


def test_the_sweep_task_publishes_what_the_sweep_claims(
    agent, incident, documentation, settings, monkeypatch
):
    settings.ITSM_EMAIL_STUCK_AFTER_SECONDS = 60
    queue(incident, agent, documentation)
    stuck = queue(incident, agent, documentation)
    OutgoingEmail.objects.filter(pk=stuck.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    # What is published is checked end to end in test_integration; here, which rows.
    published = []
    monkeypatch.setattr("notifications.tasks.publish_send", published.append)
    assert requeue_stuck_emails() == 1
    assert published == [stuck.pk]


def test_with_no_broker_the_mail_lands_in_the_file_folder(
    agent,
    incident,
    documentation,
    settings,
    tmp_path,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(incident, agent, documentation)
    files = list((tmp_path / "mail").iterdir())
    assert len(files) == 1
    parsed = email_parser.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["To"].addresses[0].addr_spec == "ana.garcia@example.com"
    assert parsed["Message-ID"] == email.message_id
    assert OutgoingEmail.objects.get(pk=email.pk).status == EmailStatus.SENT
