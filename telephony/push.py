"""The push channel to the agents' browsers: server-sent events fed by Redis
pub/sub, one channel per agent, so any web process can publish and the one
holding an agent's stream delivers it.

Without ``PUSH_REDIS_URL`` (``make run``) messages go through this process
only: enough for Django's runserver, which is one process, and for tests.

The stream is served two ways from one view: under ASGI (uvicorn) as an
async iterator, which holds no thread while it waits; under WSGI
(runserver) as a blocking iterator, which holds one thread per open page.
Each stream ends after ``PUSH_STREAM_SECONDS``; the browser reconnects by
itself, and the login and role are checked again then."""

import asyncio
import json
import queue
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator

import redis
import redis.asyncio
from django.conf import settings
from django.db import transaction

CHANNEL_PREFIX = "itsm:push:user:"
# How long the browser waits before reconnecting after the stream ends.
RETRY_MS = 1000


def channel(user_id: int) -> str:
    return f"{CHANNEL_PREFIX}{user_id}"


class LocalBroker:
    """Pub/sub inside one process: each subscriber is a function that takes
    the message (thread-safe; it must not block)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[Callable[[str], None]]] = defaultdict(set)

    def subscribe(self, name: str, deliver: Callable[[str], None]) -> None:
        with self._lock:
            self._subscribers[name].add(deliver)

    def unsubscribe(self, name: str, deliver: Callable[[str], None]) -> None:
        with self._lock:
            self._subscribers[name].discard(deliver)
            if not self._subscribers[name]:
                del self._subscribers[name]

    def publish(self, name: str, data: str) -> None:
        with self._lock:
            subscribers = list(self._subscribers.get(name, ()))
        for deliver in subscribers:
            deliver(data)


local_broker = LocalBroker()
_redis_lock = threading.Lock()
_redis_clients: dict[str, redis.Redis] = {}


def _redis_client(url: str) -> redis.Redis:
    """One client (and connection pool) per process for publishing."""
    with _redis_lock:
        client = _redis_clients.get(url)
        if client is None:
            client = _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=5)
        return client


def publish_now(user_ids: Iterable[int], message: dict) -> None:
    data = json.dumps(message, separators=(",", ":"))
    url = settings.PUSH_REDIS_URL
    if url:
        client = _redis_client(url)
        pipe = client.pipeline(transaction=False)
        for user_id in set(user_ids):
            pipe.publish(channel(user_id), data)
        pipe.execute()
    else:
        for user_id in set(user_ids):
            local_broker.publish(channel(user_id), data)


def publish(user_ids: Iterable[int], message: dict) -> None:
    """Send ``message`` to each user's open pages once the transaction that
    changed what it announces commits (a page fetching it then finds it)."""
    targets = list(user_ids)
    if targets:
        transaction.on_commit(lambda: publish_now(targets, message))


def _event(data: str) -> bytes:
    return f"event: call\ndata: {data}\n\n".encode()


def _opening() -> bytes:
    # The padding makes proxies that buffer small writes pass the first one on.
    return f"retry: {RETRY_MS}\n:{' ' * 2048}\n\n".encode()


PING = b": ping\n\n"


def stream_sync(user_id: int) -> Iterator[bytes]:
    """The stream for a WSGI server: blocks its thread while it waits."""
    deadline = time.monotonic() + settings.PUSH_STREAM_SECONDS
    keepalive = settings.PUSH_KEEPALIVE_SECONDS
    yield _opening()
    url = settings.PUSH_REDIS_URL
    if url:
        client = redis.Redis.from_url(url, socket_timeout=keepalive + 10)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(channel(user_id))
        quiet_since = time.monotonic()
        try:
            while time.monotonic() < deadline:
                message = pubsub.get_message(timeout=keepalive)
                if message and message["type"] == "message":
                    yield _event(message["data"].decode())
                    quiet_since = time.monotonic()
                elif time.monotonic() - quiet_since >= keepalive:
                    # Not on the subscription's confirmation: only when quiet.
                    yield PING
                    quiet_since = time.monotonic()
        finally:
            pubsub.close()
            client.close()
        return
    inbox: queue.SimpleQueue[str] = queue.SimpleQueue()
    local_broker.subscribe(channel(user_id), inbox.put)
    try:
        while time.monotonic() < deadline:
            try:
                yield _event(inbox.get(timeout=keepalive))
            except queue.Empty:
                yield PING
    finally:
        local_broker.unsubscribe(channel(user_id), inbox.put)


async def stream_async(user_id: int) -> AsyncIterator[bytes]:
    """The stream for an ASGI server: waits without holding a thread."""
    deadline = time.monotonic() + settings.PUSH_STREAM_SECONDS
    keepalive = settings.PUSH_KEEPALIVE_SECONDS
    yield _opening()
    url = settings.PUSH_REDIS_URL
    if url:
        client = redis.asyncio.Redis.from_url(url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(channel(user_id))
        quiet_since = time.monotonic()
        try:
            while time.monotonic() < deadline:
                message = await pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=keepalive
                )
                if message and message["type"] == "message":
                    yield _event(message["data"].decode())
                    quiet_since = time.monotonic()
                elif time.monotonic() - quiet_since >= keepalive:
                    yield PING
                    quiet_since = time.monotonic()
        finally:
            await pubsub.aclose()
            await client.aclose()
        return
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[str] = asyncio.Queue()

    def deliver(data: str) -> None:
        loop.call_soon_threadsafe(inbox.put_nowait, data)

    local_broker.subscribe(channel(user_id), deliver)
    try:
        while time.monotonic() < deadline:
            try:
                yield _event(await asyncio.wait_for(inbox.get(), keepalive))
            except TimeoutError:
                yield PING
    finally:
        local_broker.unsubscribe(channel(user_id), deliver)
