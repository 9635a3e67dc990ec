"""The push channel to the agents' browsers: server-sent events fed by Redis
pub/sub, one channel per agent, so any web process can publish and the one
holding an agent's stream delivers it.

Without ``PUSH_REDIS_URL`` (``make run``) messages go through this process
only: enough for Django's runserver, which is one process, and for tests.

The stream is served two ways from one view: under ASGI (uvicorn) as an
async iterator, which holds no thread while it waits and shares one Redis
subscription per worker with the other streams; under WSGI (runserver) as
a blocking iterator, which holds one thread (and its own subscription) per
open page.
Each stream ends after ``PUSH_STREAM_SECONDS``; the browser reconnects by
itself, and the login and role are checked again then."""

import asyncio
import json
import queue
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator

import redis
import redis.asyncio
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections, transaction

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


def release_connections() -> None:
    """A stream reads no database: the request's connections go back when it
    starts (the middleware is done with them), not when it ends minutes
    later; a PostgreSQL connection per open page would exhaust the server.
    Never one inside a transaction, which is not the stream's to end."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


def stream_sync(user_id: int) -> Iterator[bytes]:
    """The stream for a WSGI server: blocks its thread while it waits."""
    release_connections()
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


class RedisHub:
    """One Redis subscription per event loop (so per ASGI worker) for all
    the streams it serves: a pattern over every agent's channel, each
    message handed to the queues of that agent's open streams. A stream then
    costs a queue, not a Redis connection."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.queues: dict[int, set[asyncio.Queue]] = defaultdict(set)
        self.listening: asyncio.Task | None = None
        self.ready = asyncio.Event()

    async def subscribe(self, user_id: int) -> asyncio.Queue:
        inbox: asyncio.Queue[str] = asyncio.Queue()
        self.queues[user_id].add(inbox)
        if self.listening is None or self.listening.done():
            self.ready = asyncio.Event()
            self.listening = asyncio.create_task(self._listen())
        await asyncio.wait_for(self.ready.wait(), 10)
        return inbox

    def unsubscribe(self, user_id: int, inbox: asyncio.Queue) -> None:
        self.queues[user_id].discard(inbox)
        if not self.queues[user_id]:
            del self.queues[user_id]

    async def _listen(self) -> None:
        """Listen while any stream is open; after a Redis failure, again."""
        while True:
            client = redis.asyncio.Redis.from_url(self.url)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(CHANNEL_PREFIX + "*")
                self.ready.set()
                async for message in pubsub.listen():
                    if message["type"] == "pmessage":
                        self._deliver(message["channel"].decode(), message["data"].decode())
            except redis.RedisError:
                await asyncio.sleep(1)
            finally:
                await pubsub.aclose()
                await client.aclose()
            if not self.queues:
                return

    def _deliver(self, name: str, data: str) -> None:
        user_id = name.removeprefix(CHANNEL_PREFIX)
        if user_id.isdigit():
            for inbox in list(self.queues.get(int(user_id), ())):
                inbox.put_nowait(data)


# Per event loop: a hub's tasks and queues belong to the loop that made them.
_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, RedisHub]]" = (
    weakref.WeakKeyDictionary()
)


def _hub(url: str) -> RedisHub:
    hubs = _hubs.setdefault(asyncio.get_running_loop(), {})
    if url not in hubs:
        hubs[url] = RedisHub(url)
    return hubs[url]


async def stream_async(user_id: int) -> AsyncIterator[bytes]:
    """The stream for an ASGI server: waits without holding a thread."""
    # In the request's own thread, where its connection was opened.
    await sync_to_async(release_connections)()
    deadline = time.monotonic() + settings.PUSH_STREAM_SECONDS
    keepalive = settings.PUSH_KEEPALIVE_SECONDS
    yield _opening()
    url = settings.PUSH_REDIS_URL
    if url:
        hub = _hub(url)
        inbox = await hub.subscribe(user_id)
        unsubscribe = hub.unsubscribe
    else:
        loop = asyncio.get_running_loop()
        inbox = asyncio.Queue()

        def deliver(data: str) -> None:
            loop.call_soon_threadsafe(inbox.put_nowait, data)

        local_broker.subscribe(channel(user_id), deliver)

        def unsubscribe(user_id: int, inbox: asyncio.Queue) -> None:
            local_broker.unsubscribe(channel(user_id), deliver)

    try:
        while time.monotonic() < deadline:
            try:
                yield _event(await asyncio.wait_for(inbox.get(), keepalive))
            except TimeoutError:
                yield PING
    finally:
        unsubscribe(user_id, inbox)
