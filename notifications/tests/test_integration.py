"""Delivery with the real parts: a redis-server, a ``celery -A itsm worker``
(with beat) and an SMTP server, each started by the test on loopback; the
worker uses this test's database. What the SMTP server received is read back
from its files."""

import time

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from conftest import start_service
from itsm.models import WorkInfoType
from itsm.presenters import entry_text
from notifications.models import EmailStatus, OutgoingEmail
from notifications.services.compose import email_send
from notifications.tests.factories import pdf_upload
from notifications.tests.live import (
    CeleryWorker,
    SmtpSink,
    free_port,
    parts,
    publishing_to,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp(tmp_path):
    sink = SmtpSink(tmp_path / "smtp")
    yield sink
    sink.stop()


@pytest.fixture
def worker(transactional_db, tmp_path, redis, smtp, private_media):
    """Not started: each test starts it when its scenario needs it. Torn down
    before the test database is flushed."""
    process = CeleryWorker(tmp_path / "worker", broker_url=redis.url, smtp_port=smtp.port)
    yield process
    process.kill()  # nothing to finish: what it was doing is what the test checked
    print(process.log_tail(200))


@pytest.fixture
def web(redis):
    """The web side publishes to the same broker."""
    with publishing_to(redis.url):
        yield


def queue(ticket, user, template, count: int = 1) -> list[OutgoingEmail]:
    with transaction.atomic():
        return [email_send(ticket=ticket, user=user, template=template) for _ in range(count)]


def statuses(emails) -> list[str]:
    return list(
        OutgoingEmail.objects.filter(pk__in=[e.pk for e in emails])
        .order_by("pk")
        .values_list("status", flat=True)
    )


def serve(smtp, worker, mode: str = "accept") -> None:
    """The SMTP sink answering in ``mode``, then the worker."""
    smtp.set_mode(mode)
    start_service(smtp)
    start_service(worker)


def signed_in(user) -> Client:
    """A browser on the web side, signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def wait_until_all(emails, status: str, timeout: float) -> bool:
    return bool(wait_for(lambda: set(statuses(emails)) == {status}, timeout=timeout, interval=0.1))


def test_a_message_sent_from_the_compose_page_reaches_the_customer(
    agent, incident, linking, worker, smtp, web
):
    serve(smtp, worker)
    client = signed_in(agent)
    response = client.post(
        reverse("incidents:email", args=[incident.number]),
        {"template": linking.pk, "attachment": pdf_upload("captura.pdf"), "action": "send"},
    )
    assert response.status_code == 302
    email = OutgoingEmail.objects.get()
    assert wait_until_all([email], EmailStatus.SENT, timeout=15), worker.log_tail()

    (received,) = smtp.messages()
    message = received["message"]
    assert received["rcpt_tos"] == ["ana.garcia@example.com"]
    assert message["Subject"] == f"{incident.number} Colegio de Registradores"
    assert message["Message-ID"] == OutgoingEmail.objects.get().message_id
    content = parts(message)
    assert content["attachments"] == [
        "cuadro_vinculacion.pdf",
        "formulario_lopd.pdf",
        "captura.pdf",
    ]
    assert content["text"].startswith("Estimado/a Ana García López:")
    assert "cuadro de vinculación" in content["text"]
    assert "Servicio de atención a usuarios · Campaña Libros/Cuentas" in content["text"]
    assert "<p>Estimado/a Ana García López:</p>" in content["html"]
    entry = incident.work_info.get(type=WorkInfoType.EMAIL_SYSTEM)
    assert "captura.pdf" in entry_text(entry) and "ana.garcia@example.com" in entry_text(entry)


def test_twenty_messages_queued_while_smtp_is_down_arrive_once_each(
    agent, incident, documentation, worker, smtp, web
):
    start_service(worker)
    emails = queue(incident, agent, documentation, count=20)
    # Every message has met the closed port at least once...
    assert wait_for(
        lambda: (
            OutgoingEmail.objects.filter(attempts__gte=1, status=EmailStatus.QUEUED).count() == 20
        ),
        timeout=15,
        interval=0.1,
    ), worker.log_tail()
    assert "Connection refused" in OutgoingEmail.objects.first().last_error
    # ...then the server comes back.
    start_service(smtp)
    assert wait_until_all(emails, EmailStatus.SENT, timeout=20), worker.log_tail()

    received_ids = [record["message"]["Message-ID"] for record in smtp.messages()]
    assert sorted(received_ids) == sorted(e.message_id for e in emails)
    assert len(set(received_ids)) == 20
    assert incident.work_info.filter(type=WorkInfoType.EMAIL_SYSTEM).count() == 20


def test_a_550_answer_fails_after_one_attempt_without_retries(
    agent, incident, documentation, worker, smtp, web
):
    serve(smtp, worker, mode="reject")
    (email,) = queue(incident, agent, documentation)
    assert wait_until_all([email], EmailStatus.FAILED, timeout=15), worker.log_tail()
    # Longer than the retry backoff, the sweep period and the stuck delay together.
    time.sleep(3)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, 1)
    assert email.last_error.startswith("550 5.1.1")
    assert smtp.rcpt_attempts() == 1
    assert smtp.messages() == []


def test_a_worker_killed_while_sending_is_replaced_and_the_message_id_kept(
    agent, incident, documentation, worker, smtp, web
):
    serve(smtp, worker, mode="delay")
    (email,) = queue(incident, agent, documentation)
    # The server has the data and is holding its answer: kill the whole worker.
    assert wait_for(smtp.messages, timeout=15), worker.log_tail()
    worker.kill()
    assert statuses([email]) == [EmailStatus.SENDING]
    smtp.set_mode("accept")
    start_service(worker)
    assert wait_until_all([email], EmailStatus.SENT, timeout=20), worker.log_tail()

    email.refresh_from_db()
    assert email.attempts == 2
    received_ids = {record["message"]["Message-ID"] for record in smtp.messages()}
    assert received_ids == {email.message_id}
    assert incident.work_info.filter(type=WorkInfoType.EMAIL_SYSTEM).count() == 1


def test_a_rolled_back_transaction_sends_nothing(agent, incident, documentation, worker, smtp, web):
    serve(smtp, worker)
    with pytest.raises(RuntimeError), transaction.atomic():
        email_send(ticket=incident, user=agent, template=documentation)
        raise RuntimeError("the ticket change failed")
    # A committed message sent afterwards arrives; the rolled-back one never does.
    (email,) = queue(incident, agent, documentation)
    assert wait_until_all([email], EmailStatus.SENT, timeout=15), worker.log_tail()
    time.sleep(1.5)
    assert OutgoingEmail.objects.count() == 1
    assert [r["message"]["Message-ID"] for r in smtp.messages()] == [email.message_id]


def test_with_the_broker_down_at_commit_the_request_is_fast_and_the_sweep_sends_later(
    agent, incident, documentation, worker, smtp, redis
):
    serve(smtp, worker)
    client = signed_in(agent)
    with publishing_to(f"redis://127.0.0.1:{free_port()}/0"):
        began = time.monotonic()
        response = client.post(
            reverse("incidents:email", args=[incident.number]),
            {"template": documentation.pk, "action": "send"},
        )
        elapsed = time.monotonic() - began
    assert response.status_code == 302
    assert elapsed < 1.5
    email = OutgoingEmail.objects.get()
    assert email.status == EmailStatus.QUEUED
    assert wait_until_all([email], EmailStatus.SENT, timeout=20), worker.log_tail()
    assert [r["message"]["Message-ID"] for r in smtp.messages()] == [email.message_id]
