"""Who has a ticket's page open: kept in Django's cache, not in a process's
memory, so every web worker sees the same (with several gunicorn workers the
cache must be shared, e.g. Redis). The page records its reader on load and
on each light poll; a reader who stops polling drops out after
``PRESENCE_SECONDS``."""

import time

from django.core.cache import cache

from itsm.common.text import person_name
from itsm.models import Ticket

# The page polls every POLL_SECONDS; a reader missing three polls is gone.
POLL_SECONDS = 20
PRESENCE_SECONDS = 3 * POLL_SECONDS


def _key(ticket: Ticket) -> str:
    return f"itsm:presence:{ticket.number}"


def presence_touch(*, ticket: Ticket, user) -> None:
    """``user`` has the page open now (since when they opened it, if still there)."""
    now = time.time()
    readers = {
        uid: entry
        for uid, entry in (cache.get(_key(ticket)) or {}).items()
        if now - entry["seen"] < PRESENCE_SECONDS
    }
    mine = readers.get(str(user.pk))
    readers[str(user.pk)] = {
        "name": person_name(user),
        "since": mine["since"] if mine else now,
        "seen": now,
    }
    cache.set(_key(ticket), readers, PRESENCE_SECONDS * 2)


def presence_others(*, ticket: Ticket, user) -> list[dict]:
    """The other people with the page open: name and whole minutes since."""
    now = time.time()
    others = [
        {"name": entry["name"], "minutes": int((now - entry["since"]) // 60)}
        for uid, entry in (cache.get(_key(ticket)) or {}).items()
        if uid != str(user.pk) and now - entry["seen"] < PRESENCE_SECONDS
    ]
    return sorted(others, key=lambda other: -other["minutes"])
