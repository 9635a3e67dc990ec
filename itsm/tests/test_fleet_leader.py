"""The leader lock on a real redis-server: one holder at a time, renewed by
its holder only, taken over once the holder stops renewing (it died)."""

import threading
import time

import pytest

from itsm.ops.leader import Leadership, exclusive

pytestmark = pytest.mark.services

TTL = 1  # second: the takeover is awaited in the test


def test_one_process_leads_and_renews(redis):
    first = Leadership("beat", url=redis.url, ttl=TTL)
    second = Leadership("beat", url=redis.url, ttl=TTL)
    assert first.hold()
    assert not second.hold()
    for _ in range(3):  # renewed well within the expiry, it stays the first's
        time.sleep(TTL / 3)
        assert first.hold()
        assert not second.hold()


def test_another_takes_over_once_the_leader_stops_renewing(redis):
    dead = Leadership("beat", url=redis.url, ttl=TTL)
    heir = Leadership("beat", url=redis.url, ttl=TTL)
    assert dead.hold()
    started = time.monotonic()
    while not heir.hold():
        assert time.monotonic() - started < TTL + 1
        time.sleep(0.05)
    assert time.monotonic() - started >= TTL * 0.9
    assert not dead.hold(), "the old leader finds the lock taken and steps down"


def test_a_released_lock_is_free_at_once_and_only_its_holder_releases_it(redis):
    first = Leadership("beat", url=redis.url, ttl=60)
    second = Leadership("beat", url=redis.url, ttl=60)
    assert first.hold()
    second.release()  # not the holder: nothing happens
    assert not second.hold()
    first.release()
    assert second.hold()


def test_different_names_are_different_locks(redis):
    assert Leadership("beat", url=redis.url, ttl=60).hold()
    assert Leadership("imap-poll", url=redis.url, ttl=60).hold()


def test_redis_unreachable_means_nobody_leads():
    assert not Leadership("beat", url="redis://127.0.0.1:9/0", ttl=60).hold()


def test_without_redis_the_one_process_leads():
    assert Leadership("beat", url="", ttl=60).hold()


def test_exclusive_admits_one_block_and_keeps_the_lock_while_it_runs(redis, settings):
    settings.ITSM_LEADER_REDIS_URL = redis.url
    settings.ITSM_LEADER_TTL_SECONDS = TTL
    inside, leave = threading.Event(), threading.Event()
    outcomes = []

    def long_poll() -> None:
        with exclusive("imap-poll") as alone:
            outcomes.append(alone)
            inside.set()
            leave.wait(10)

    runner = threading.Thread(target=long_poll)
    runner.start()
    assert inside.wait(10)
    time.sleep(TTL * 2)  # longer than the expiry: the block's thread renews it
    with exclusive("imap-poll") as alone:
        assert not alone
    leave.set()
    runner.join()
    assert outcomes == [True]
    with exclusive("imap-poll") as alone:
        assert alone, "released when the block ended"
