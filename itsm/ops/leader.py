"""One leader in the fleet for the work that must run once.

Every worker machine runs beat and may poll the mailbox; a lock in Redis
(``ITSM_LEADER_REDIS_URL``, by default the broker) decides who acts. The lock
is a key holding its owner's identity with an expiry (``ITSM_LEADER_TTL_SECONDS``);
the owner renews it every third of that, and only the owner can renew or
release it (compare-and-set in a Lua script). An owner that dies simply stops
renewing: the key expires and the next process that asks takes it. Without
a Redis (development: one process, tasks in-process) every caller leads."""

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

log = logging.getLogger(__name__)

KEY_PREFIX = "itsm:leader:"

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


def _identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Leadership:
    """A named lock held by this object while ``hold()`` keeps being called."""

    def __init__(self, name: str, *, url: str | None = None, ttl: int | None = None) -> None:
        self.name = name
        self.key = KEY_PREFIX + name
        self.url = settings.ITSM_LEADER_REDIS_URL if url is None else url
        self.ttl_ms = 1000 * (settings.ITSM_LEADER_TTL_SECONDS if ttl is None else ttl)
        self.identity = _identity()
        self.leading = False
        self._client = (
            redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=2)
            if self.url
            else None
        )

    @property
    def renew_every(self) -> float:
        return self.ttl_ms / 3000

    def hold(self) -> bool:
        """Renew the lock if it is ours, take it if it is free; whether we lead.
        Redis unreachable: we do not lead (better nobody than two)."""
        if self._client is None:
            return True
        try:
            mine = bool(self._client.eval(_RENEW, 1, self.key, self.identity, self.ttl_ms))
            if not mine:
                mine = bool(self._client.set(self.key, self.identity, nx=True, px=self.ttl_ms))
        except redis.RedisError as error:
            log.warning("Leader lock %s: Redis unreachable (%s)", self.name, error)
            mine = False
        if mine != self.leading:
            log.warning(
                "%s the leader for %s",
                "Now" if mine else "No longer",
                self.name,
                extra={"identity": self.identity},
            )
        self.leading = mine
        return mine

    def release(self) -> None:
        if self._client is None or not self.leading:
            return
        try:
            self._client.eval(_RELEASE, 1, self.key, self.identity)
        except redis.RedisError as error:
            log.warning("Leader lock %s not released (%s); it expires", self.name, error)
        self.leading = False


@contextmanager
def exclusive(name: str) -> Iterator[bool]:
    """Run a block only if no other process in the fleet runs it now: yields
    whether this one got the lock, which a thread renews while the block runs
    and which is released after it (or expires, should the process die)."""
    leadership = Leadership(name)
    if not leadership.hold():
        yield False
        return
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(leadership.renew_every):
            leadership.hold()

    renewer = threading.Thread(target=renew, name=f"leader-{name}", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        stop.set()
        renewer.join()
        leadership.release()


class LeaderScheduler(PersistentScheduler):
    """Celery beat that publishes only while it leads (``beat_scheduler``).
    Every machine runs one; the others keep asking, and one of them takes
    over within ``ITSM_LEADER_TTL_SECONDS`` of the leader's death."""

    def setup_schedule(self) -> None:
        super().setup_schedule()
        self.leadership = Leadership("beat")

    def tick(self, *args, **kwargs) -> float:
        if not self.leadership.hold():
            return self.leadership.renew_every
        return min(super().tick(*args, **kwargs), self.leadership.renew_every)

    def close(self) -> None:
        super().close()
        self.leadership.release()
