"""Who has a ticket's page open, and whether they are only looking (*viendo*)
or have typed in one of its forms (*editando*): kept in Django's cache, not in
a process's memory, so every web worker sees the same (with several gunicorn
workers the cache must be shared, e.g. Redis). The page records its reader on
load and on each light poll, says at once when they start typing, and sends a
beacon when it closes; a reader whose page stopped polling without one (a
crash, a lost network) drops out after ``PRESENCE_SECONDS``."""

import time

from django.core.cache import cache

from itsm.common.text import person_name
from itsm.models import Ticket

# The page polls every POLL_SECONDS; a reader who missed two polls is gone,
# so a closed page whose beacon was lost disappears within 30 s.
POLL_SECONDS = 10
PRESENCE_SECONDS = 25


def _key(ticket: Ticket) -> str:
    return f"itsm:presence:{ticket.number}"


def _current(ticket: Ticket, now: float) -> dict[str, dict]:
    return {
        uid: entry
        for uid, entry in (cache.get(_key(ticket)) or {}).items()
        if now - entry["seen"] < PRESENCE_SECONDS
    }


def presence_touch(*, ticket: Ticket, user, page: str = "", editing: bool = False) -> dict:
    """``user`` has the page open now (``page`` names that copy of it);
    ``editing`` once they have typed in it. A reader who started editing
    stays editing until they leave the page. Returns who has it open, for
    ``presence_others`` (one read of the cache, not two)."""
    now = time.time()
    readers = _current(ticket, now)
    mine = readers.get(str(user.pk))
    editing_since = mine.get("editing_since") if mine else None
    if editing and editing_since is None:
        editing_since = now
    readers[str(user.pk)] = {
        "name": person_name(user),
        "since": mine["since"] if mine else now,
        "editing_since": editing_since,
        "page": page or (mine.get("page", "") if mine else ""),
        "seen": now,
    }
    cache.set(_key(ticket), readers, PRESENCE_SECONDS * 2)
    return readers


def presence_leave(*, ticket: Ticket, user, page: str) -> None:
    """``user`` closed the copy ``page`` of the ticket's page. Only that copy:
    after a save the page that closes sends its beacon once the new one has
    already said its reader is there."""
    readers = _current(ticket, time.time())
    mine = readers.get(str(user.pk))
    if mine is not None and mine.get("page") == page:
        del readers[str(user.pk)]
        cache.set(_key(ticket), readers, PRESENCE_SECONDS * 2)


def presence_others(*, ticket: Ticket, user, readers: dict | None = None) -> list[dict]:
    """The other people with the page open: name, whether they are editing,
    and whole minutes since they started (editing, or looking)."""
    now = time.time()
    others = []
    for uid, entry in (_current(ticket, now) if readers is None else readers).items():
        if uid == str(user.pk):
            continue
        editing_since = entry.get("editing_since")
        since = editing_since if editing_since is not None else entry["since"]
        others.append(
            {
                "name": entry["name"],
                "editing": editing_since is not None,
                "minutes": int((now - since) // 60),
            }
        )
    # Who is editing first: they are the ones a save could collide with.
    return sorted(others, key=lambda other: (not other["editing"], -other["minutes"]))
