"""The push channel: a newCall reaches the open stream of the agent whose
extension rang, and nobody else's; through this process (runserver) and
through Redis pub/sub (several web processes)."""

import asyncio
import json
import os
import threading
import time
import uuid

import pytest
import redis
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client
from django.urls import reverse

from conftest import missing_service
from customers.tests.factories import CustomerFactory
from telephony import push
from telephony.models import Call
from telephony.tests.conftest import post_event

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("ITSM_TEST_REDIS_URL", "redis://127.0.0.1:56379/5")


@pytest.fixture
def redis_url(settings) -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        missing_service(f"Redis at {REDIS_URL}: {error}")
    settings.PUSH_REDIS_URL = REDIS_URL
    return REDIS_URL


class Reader:
    """Reads a blocking stream in a thread and keeps its events."""

    def __init__(self, stream) -> None:
        self.events: list[dict] = []
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self.thread.start()
        assert self.started.wait(5)

    def _run(self, stream) -> None:
        for chunk in stream:
            text = chunk.decode()
            if text.startswith("retry:"):
                # Give the stream a moment to subscribe after its opening line.
                self.started.set()
                continue
            if text.startswith("event: call"):
                self.events.append(json.loads(text.split("data: ", 1)[1]))

    def wait(self, count: int, timeout: float = 3) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.events


def test_the_local_broker_delivers_to_the_users_stream_only(settings):
    settings.PUSH_REDIS_URL = ""
    settings.PUSH_STREAM_SECONDS = 3
    settings.PUSH_KEEPALIVE_SECONDS = 1
    mine = Reader(push.stream_sync(1))
    theirs = Reader(push.stream_sync(2))
    time.sleep(0.1)

    push.publish_now([1], {"call": 7, "state": "ringing"})

    assert mine.wait(1) == [{"call": 7, "state": "ringing"}]
    assert theirs.wait(1, timeout=0.5) == []


def test_redis_pub_sub_delivers_across_processes(redis_url, settings):
    settings.PUSH_STREAM_SECONDS = 3
    settings.PUSH_KEEPALIVE_SECONDS = 1
    user = 10_000 + uuid.uuid4().int % 1_000_000
    mine = Reader(push.stream_sync(user))
    theirs = Reader(push.stream_sync(user + 1))
    time.sleep(0.3)

    # Published the way another web process does: straight into Redis.
    redis.Redis.from_url(redis_url).publish(push.channel(user), json.dumps({"call": 9}))

    assert mine.wait(1) == [{"call": 9}]
    assert theirs.wait(1, timeout=0.5) == []


def test_the_async_stream_reads_redis_without_a_thread(redis_url, settings):
    settings.PUSH_STREAM_SECONDS = 3
    settings.PUSH_KEEPALIVE_SECONDS = 1
    user = 20_000 + uuid.uuid4().int % 1_000_000

    async def scenario() -> list[bytes]:
        stream = push.stream_async(user)
        chunks = [await anext(stream)]  # the opening; then it subscribes
        reading = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.3)
        await asyncio.to_thread(push.publish_now, [user], {"call": 11})
        chunks.append(await asyncio.wait_for(reading, 3))
        await stream.aclose()
        return chunks

    chunks = asyncio.run(scenario())
    assert chunks[1] == b'event: call\ndata: {"call":11}\n\n'


def test_a_new_call_is_pushed_to_the_agent_whose_extension_rang(
    settings, cti_url, extensions, django_capture_on_commit_callbacks
):
    settings.PUSH_REDIS_URL = ""
    settings.PUSH_STREAM_SECONDS = 3
    settings.PUSH_KEEPALIVE_SECONDS = 1
    CustomerFactory(phone="612345678")
    agent, other = extensions["101"], extensions["102"]
    mine = Reader(push.stream_sync(agent.pk))
    theirs = Reader(push.stream_sync(other.pk))
    time.sleep(0.1)

    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            Client(),
            cti_url,
            event="newCall",
            from_="612345678",
            to="4930123456",
            direction="in",
            callId="p1",
            user=["101"],
        )

    call = Call.objects.get(call_id="p1")
    assert mine.wait(1) == [{"call": call.pk, "state": "ringing", "agent": agent.pk}]
    assert theirs.wait(1, timeout=0.5) == []


def test_the_stream_page_is_for_agents_and_speaks_event_stream(client, agent, outsider, settings):
    settings.PUSH_STREAM_SECONDS = 0
    client.force_login(agent)
    response = client.get(reverse("telephony:push"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert b"".join(response.streaming_content).startswith(b"retry: ")
    client.force_login(outsider)
    assert client.get(reverse("telephony:push")).status_code == 403


def test_under_asgi_the_stream_is_served_asynchronously(settings, agent):
    settings.PUSH_STREAM_SECONDS = 0
    settings.PUSH_REDIS_URL = ""

    async def scenario():
        client = AsyncClient()
        await client.aforce_login(agent)
        response = await client.get(reverse("telephony:push"))
        return response, [chunk async for chunk in response.streaming_content]

    response, chunks = async_to_sync(scenario)()
    assert response.status_code == 200
    assert response.is_async
    assert chunks[0].startswith(b"retry: ")
