"""Polling a real Dovecot IMAP server, started by the test (unprivileged,
loopback, its own folders); messages are put there with IMAP APPEND."""

import logging
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings

from itsm.models import WorkInfoType
from notifications.imap import imap_poll
from notifications.models import ImapFolderState, InboundEmail
from notifications.tests import corpus
from notifications.tests.dovecot import dovecot_running
from notifications.tests.live import database_environment

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SEEN = b"\\Seen"


@pytest.fixture
def dovecot(settings):
    with dovecot_running("itsm-dovecot-") as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        settings.ITSM_IMAP_BATCH_SIZE = 3
        settings.ITSM_IMAP_RETRY_BASE_SECONDS = 30
        yield server


def mixed_messages(count: int) -> list[bytes]:
    return [
        corpus.plain(subject=f"Consulta {index}", message_id=f"<imap-{index}@example.com>")
        for index in range(count)
    ]


def test_poll_stores_threads_and_flags(dovecot, reference, private_media, incident):
    dovecot.append(
        [
            *mixed_messages(4),
            corpus.reply(subject=f"RE: {incident.number} Colegio de Registradores"),
            corpus.auto_reply("auto-submitted", subject="Fuera de la oficina"),
        ]
    )
    result = imap_poll(force=True)
    assert result.error == ""
    assert result.fetched == 6
    assert InboundEmail.objects.count() == 6
    assert InboundEmail.objects.filter(source="imap").count() == 6
    assert incident.work_info.filter(type=WorkInfoType.CUSTOMER_COMMUNICATION).exists()
    flags = dovecot.flags()
    assert len(flags) == 6 and all(SEEN in value for value in flags.values())
    state = ImapFolderState.objects.get()
    assert state.last_uid == 6 and state.uidvalidity and state.locked_until is None
    # Nothing new: nothing read.
    assert imap_poll(force=True).fetched == 0


def test_done_folder_receives_what_was_stored(dovecot, reference, private_media, settings):
    settings.ITSM_IMAP_DONE_FOLDER = "Hecho"
    client = dovecot.client()
    client.create_folder("Hecho")
    client.logout()
    dovecot.append(mixed_messages(2))
    imap_poll(force=True)
    assert dovecot.flags("Desk") == {}
    assert len(dovecot.flags("Hecho")) == 2


KILL_BETWEEN_STORE_AND_FLAG = """
import os, signal, django
django.setup()
import notifications.imap as imap
def die(client, done):
    os.kill(os.getpid(), signal.SIGKILL)
imap.mark_done = die
imap.imap_poll(force=True)
"""


def test_a_poller_killed_between_store_and_flag_stores_each_message_once(
    dovecot, reference, private_media
):
    messages = mixed_messages(5)
    dovecot.append(messages)
    environment = {
        **os.environ,
        **database_environment(),
        **{name: str(value) for name, value in dovecot.settings().items()},
        "ITSM_IMAP_SSL": "false",
        "ITSM_IMAP_BATCH_SIZE": "3",
        "ITSM_IMAP_LEASE_SECONDS": "1",
        "PRIVATE_MEDIA_ROOT": str(django_settings.PRIVATE_MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "itsm.settings",
    }
    process = subprocess.run(
        [sys.executable, "-c", KILL_BETWEEN_STORE_AND_FLAG],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        timeout=60,
    )
    assert process.returncode == -9, process.stderr.decode()[-2000:]
    stored_before = InboundEmail.objects.count()
    assert stored_before == 3  # the first batch, committed, never flagged
    assert not any(SEEN in value for value in dovecot.flags().values())
    time.sleep(1.2)  # the dead poller's lease runs out
    result = imap_poll(force=True)
    assert result.error == ""
    assert InboundEmail.objects.count() == 5
    assert sorted(InboundEmail.objects.values_list("message_id", flat=True)) == sorted(
        f"<imap-{index}@example.com>" for index in range(5)
    )
    assert all(SEEN in value for value in dovecot.flags().values())
    duplicates = [o for o in result.outcomes if o.result == "duplicate"]
    assert len(duplicates) == 3


def test_imap_down_is_retried_with_few_log_lines_and_nothing_lost(
    dovecot, reference, private_media, caplog
):
    dovecot.append(mixed_messages(2))
    dovecot.stop()
    caplog.set_level(logging.INFO, logger="notifications.imap")
    for _attempt in range(25):
        result = imap_poll(force=True)
        assert result.error
    state = ImapFolderState.objects.get()
    assert state.failures == 25
    assert state.next_attempt_at is not None
    # The beat task (not forced) waits for the backoff: no attempt, no line.
    assert imap_poll().skipped == "backing off"
    lines = [r for r in caplog.records if r.name == "notifications.imap"]
    assert len(lines) == 3  # the 1st, 10th and 20th failure
    dovecot.start()
    result = imap_poll(force=True)
    assert result.fetched == 2
    assert InboundEmail.objects.count() == 2
    state.refresh_from_db()
    assert state.failures == 0 and state.next_attempt_at is None


def test_a_new_uidvalidity_brings_no_duplicates(dovecot, reference, private_media):
    messages = mixed_messages(4)
    dovecot.append(messages)
    imap_poll(force=True)
    first = ImapFolderState.objects.get().uidvalidity
    dovecot.recreate_folder("Desk", messages)
    result = imap_poll(force=True)
    assert ImapFolderState.objects.get().uidvalidity != first
    assert result.fetched == 4
    assert {o.result for o in result.outcomes} == {"duplicate"}
    assert InboundEmail.objects.count() == 4
    assert all(SEEN in value for value in dovecot.flags().values())


def test_one_poller_at_a_time(dovecot, reference, private_media):
    state = ImapFolderState.objects.create(
        host="127.0.0.1",
        username="desk",
        folder="Desk",
        locked_until=django_settings_now_plus(60),
        lock_token="other",
    )
    assert imap_poll(force=True).skipped == "locked"
    state.refresh_from_db()
    assert state.lock_token == "other"


def django_settings_now_plus(seconds: int):
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(seconds=seconds)


def test_bad_messages_never_stop_the_fetch_loop(dovecot, reference, private_media, settings):
    settings.ITSM_INBOUND_MAX_BYTES = 50_000
    dovecot.append(
        [b"x", corpus.binary_garbage(), corpus.huge(60_000), corpus.plain(subject="Buena")]
    )
    result = imap_poll(force=True)
    assert result.error == ""
    assert result.fetched == 4
    assert InboundEmail.objects.filter(subject="Buena").exists()
    assert InboundEmail.objects.filter(quarantine_reason="too_large").count() == 1
