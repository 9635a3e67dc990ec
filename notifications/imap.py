"""Polling the desk's IMAP mailbox.

One poller at a time: the folder's state row carries a lease, claimed with a
conditional UPDATE (as outgoing mail is). Messages are read with
``BODY.PEEK[]`` (the server does not mark them read), in UID order and in
bounded batches; each is stored (its own transaction) and only after that
commit flagged ``\\Seen`` or moved to ``ITSM_IMAP_DONE_FOLDER``. A poller
killed between the two leaves the message unflagged: the next poll reads it
again and the store recognises it (Message-ID + SHA-256), so it is kept once.
While the server is unreachable the poller backs off exponentially and logs
the first failure, every tenth, and the recovery: not one line a minute.
"""

import contextlib
import logging
import secrets
import socket
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from imapclient import IMAPClient

from notifications.models import ImapFolderState, InboundSource
from notifications.services.inbound import inbound_receive

log = logging.getLogger(__name__)

SEEN = b"\\Seen"


@dataclass
class PollResult:
    skipped: str = ""  # "not configured", "locked", "backing off"
    fetched: int = 0
    outcomes: list = field(default_factory=list)
    error: str = ""


def imap_configured() -> bool:
    return bool(settings.ITSM_IMAP_HOST)


def _state() -> ImapFolderState:
    state, _created = ImapFolderState.objects.get_or_create(
        host=settings.ITSM_IMAP_HOST,
        username=settings.ITSM_IMAP_USER,
        folder=settings.ITSM_IMAP_FOLDER,
    )
    return state


def _lease_seconds() -> int:
    return settings.ITSM_IMAP_LEASE_SECONDS


def _acquire(state: ImapFolderState, *, force: bool) -> str | None:
    now = timezone.now()
    token = secrets.token_hex(8)
    queryset = ImapFolderState.objects.filter(pk=state.pk).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    )
    if not force:
        queryset = queryset.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    claimed = queryset.update(
        locked_until=now + timedelta(seconds=_lease_seconds()), lock_token=token
    )
    return token if claimed else None


def _renew(state: ImapFolderState, token: str) -> None:
    ImapFolderState.objects.filter(pk=state.pk, lock_token=token).update(
        locked_until=timezone.now() + timedelta(seconds=_lease_seconds())
    )


def _release(state: ImapFolderState, token: str, **changes) -> None:
    ImapFolderState.objects.filter(pk=state.pk, lock_token=token).update(
        locked_until=None, lock_token="", **changes
    )


def connect():
    client = IMAPClient(
        settings.ITSM_IMAP_HOST,
        port=settings.ITSM_IMAP_PORT,
        ssl=settings.ITSM_IMAP_SSL,
        timeout=settings.ITSM_IMAP_TIMEOUT,
    )
    client.login(settings.ITSM_IMAP_USER, settings.ITSM_IMAP_PASSWORD)
    return client


def imap_poll(*, max_batches: int | None = None, force: bool = False) -> PollResult:
    """Fetch what is new. ``force`` ignores the backoff (the command run by
    hand); the lease is always respected."""
    if not imap_configured():
        return PollResult(skipped="not configured")
    state = _state()
    token = _acquire(state, force=force)
    if token is None:
        state.refresh_from_db()
        busy = state.locked_until and state.locked_until > timezone.now()
        return PollResult(skipped="locked" if busy else "backing off")
    result = PollResult()
    try:
        _poll(state, token, result, max_batches=max_batches)
    except Exception as error:  # the server, the network or the database
        _record_failure(state, token, error)
        result.error = f"{type(error).__name__}: {error}"
        return result
    recovered = state.failures > 0
    _release(
        state,
        token,
        failures=0,
        next_attempt_at=None,
        last_error="",
        last_success_at=timezone.now(),
    )
    if recovered:
        log.warning("IMAP %s reachable again after %d failure(s)", state, state.failures)
    return result


def _poll(state: ImapFolderState, token: str, result: PollResult, *, max_batches) -> None:
    client = connect()
    try:
        selected = client.select_folder(settings.ITSM_IMAP_FOLDER)
        uidvalidity = int(selected[b"UIDVALIDITY"])
        state.refresh_from_db(fields=["uidvalidity", "last_uid"])
        if state.uidvalidity != uidvalidity:
            if state.uidvalidity is not None:
                log.warning(
                    "IMAP %s: UIDVALIDITY changed (%s → %s); reading the folder again",
                    state,
                    state.uidvalidity,
                    uidvalidity,
                )
            ImapFolderState.objects.filter(pk=state.pk).update(uidvalidity=uidvalidity, last_uid=0)
            state.uidvalidity, state.last_uid = uidvalidity, 0
        # New mail (above the last UID stored, read or not) and anything
        # stored but left unflagged by a poller that died before flagging.
        new = set(client.search(["UID", f"{state.last_uid + 1}:*"]))
        new = {uid for uid in new if uid > state.last_uid}
        leftovers = set(client.search(["UNSEEN"])) if state.last_uid else set()
        uids = sorted(new | leftovers)
        batch_size = max(1, settings.ITSM_IMAP_BATCH_SIZE)
        batches = 0
        while uids and (max_batches is None or batches < max_batches):
            batch, uids = uids[:batch_size], uids[batch_size:]
            batches += 1
            _fetch_batch(client, state, batch, result)
            _renew(state, token)
    finally:
        with contextlib.suppress(Exception):
            client.logout()


def _fetch_batch(client, state: ImapFolderState, batch: list[int], result: PollResult) -> None:
    response = client.fetch(batch, ["BODY.PEEK[]"])
    done = []
    highest = state.last_uid
    for uid in batch:
        data = response.get(uid)
        if data is None:
            continue  # expunged meanwhile
        raw = data.get(b"BODY[]") or b""
        outcome = inbound_receive(raw=raw, source=InboundSource.IMAP)
        result.outcomes.append(outcome)
        result.fetched += 1
        done.append(uid)
        highest = max(highest, uid)
    if highest > state.last_uid:
        with transaction.atomic():
            ImapFolderState.objects.filter(pk=state.pk, last_uid__lt=highest).update(
                last_uid=highest
            )
        state.last_uid = highest
    if not done:
        return
    # Only now, with every message of the batch committed.
    mark_done(client, done)


def mark_done(client, done: list[int]) -> None:
    """Flag ``\\Seen`` or move to ``ITSM_IMAP_DONE_FOLDER`` what is stored."""
    if settings.ITSM_IMAP_DONE_FOLDER:
        if client.has_capability("MOVE"):
            client.move(done, settings.ITSM_IMAP_DONE_FOLDER)
        else:
            client.copy(done, settings.ITSM_IMAP_DONE_FOLDER)
            client.delete_messages(done)
            client.expunge(done) if client.has_capability("UIDPLUS") else client.expunge()
    else:
        client.add_flags(done, [SEEN])


def _record_failure(state: ImapFolderState, token: str, error: Exception) -> None:
    state.refresh_from_db(fields=["failures"])
    failures = state.failures + 1
    delay = min(
        settings.ITSM_IMAP_RETRY_MAX_SECONDS,
        settings.ITSM_IMAP_RETRY_BASE_SECONDS * 2 ** (failures - 1),
    )
    description = f"{type(error).__name__}: {error}"[:1000]
    _release(
        state,
        token,
        failures=failures,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=description,
    )
    if failures == 1 or failures % 10 == 0:
        expected = isinstance(error, OSError | socket.timeout) or type(error).__module__.startswith(
            "imapclient"
        )
        (log.warning if expected else log.error)(
            "IMAP %s failed (%d in a row, next try in %ds): %s", state, failures, delay, description
        )
