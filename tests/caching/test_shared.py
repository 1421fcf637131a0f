"""Single flight through Redis (SharedCache.get_or_compute_once): of the workers that miss the same
entry at once, one computes it and the others get its result; a waiter never waits forever and
never goes without a value, whatever happens to the worker computing or to Redis."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from app.caching.shared import SharedCache
from tests.local_services import redis_test_url

REDIS_URL = redis_test_url("shared_cache")
PREFIX = "jishi:test-single-flight:"


@pytest.fixture
def store():
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


def _worker() -> SharedCache:
    """One gunicorn worker's view of the shared cache (each has its own client)."""
    return SharedCache(REDIS_URL, prefix=PREFIX)


@pytest.mark.redis
def test_of_two_workers_missing_at_once_only_one_computes(store):
    first, second = _worker(), _worker()
    computing, finish = threading.Event(), threading.Event()
    calls: list[str] = []
    answers: dict[str, str] = {}

    def slow_search() -> str:
        calls.append("first")
        computing.set()
        assert finish.wait(5)
        return "ids 7, 3, 9"

    thread = threading.Thread(
        target=lambda: answers.update(
            first=first.get_or_compute_once(("玉米",), slow_search, ttl_seconds=60, lock_seconds=5)
        )
    )
    thread.start()
    assert computing.wait(5)
    threading.Timer(0.15, finish.set).start()  # the first worker finishes while the second waits

    started = time.monotonic()
    answers["second"] = second.get_or_compute_once(
        ("玉米",), lambda: calls.append("second") or "other", ttl_seconds=60, lock_seconds=5
    )
    thread.join(5)
    assert calls == ["first"]
    assert answers == {"first": "ids 7, 3, 9", "second": "ids 7, 3, 9"}
    assert time.monotonic() - started < 2  # woke up by polling, not at the end of the lock
    assert store.keys(PREFIX + "*:lock") == []  # released
    ttl = store.ttl(first.key(("玉米",)))
    assert 0 < ttl <= 60


@pytest.mark.redis
def test_a_stored_value_is_returned_without_computing(store):
    _worker().get_or_compute_once(("apple",), lambda: "stored", ttl_seconds=60, lock_seconds=5)
    assert (
        _worker().get_or_compute_once(("apple",), lambda: pytest.fail("computed again"), ttl_seconds=60, lock_seconds=5)
        == "stored"
    )


@pytest.mark.redis
def test_a_waiter_computes_itself_when_the_computing_worker_fails(store):
    first, second = _worker(), _worker()
    computing, fail = threading.Event(), threading.Event()
    errors: list[Exception] = []

    def failing_search() -> str:
        computing.set()
        assert fail.wait(5)
        raise RuntimeError("database went away")

    def run_first():
        try:
            first.get_or_compute_once(("玉米",), failing_search, ttl_seconds=60, lock_seconds=5)
        except RuntimeError as error:
            errors.append(error)

    thread = threading.Thread(target=run_first)
    thread.start()
    assert computing.wait(5)
    threading.Timer(0.1, fail.set).start()
    started = time.monotonic()
    assert (
        second.get_or_compute_once(("玉米",), lambda: "computed by the waiter", ttl_seconds=60, lock_seconds=5)
        == "computed by the waiter"
    )
    thread.join(5)
    assert len(errors) == 1  # the failure reaches only the worker that ran the search
    assert time.monotonic() - started < 2  # the released lock ended the wait, not its expiry


@pytest.mark.redis
def test_a_waiter_gives_up_after_lock_seconds(store):
    """A worker killed while computing leaves its lock until it expires; nobody waits longer."""
    worker = _worker()
    store.set(worker.key(("玉米",)) + ":lock", "a dead worker's token", px=60_000)
    started = time.monotonic()
    assert worker.get_or_compute_once(("玉米",), lambda: "computed", ttl_seconds=60, lock_seconds=0.3) == "computed"
    assert 0.3 <= time.monotonic() - started < 2
    assert (
        _worker().get_or_compute_once(("玉米",), lambda: pytest.fail("computed again"), ttl_seconds=60, lock_seconds=5)
        == "computed"
    )


@pytest.mark.redis
def test_a_lock_taken_over_after_expiry_is_not_released_by_the_first_owner(store):
    """Computing longer than the lock lives: the first worker must not delete a later worker's lock."""
    worker = _worker()
    lock_key = worker.key(("slow",)) + ":lock"

    def outlived_search() -> str:
        store.set(lock_key, "a later worker's token", px=60_000)  # ours expired, another took it
        return "late"

    assert worker.get_or_compute_once(("slow",), outlived_search, ttl_seconds=60, lock_seconds=5) == "late"
    assert store.get(lock_key) == b"a later worker's token"


def test_without_redis_every_worker_computes(caplog):
    worker = SharedCache("redis://127.0.0.1:1/0", prefix=PREFIX)  # nothing listens there
    started = time.monotonic()
    assert worker.get_or_compute_once(("玉米",), lambda: "local", ttl_seconds=60, lock_seconds=5) == "local"
    assert worker.get_or_compute_once(("玉米",), lambda: "local again", ttl_seconds=60, lock_seconds=5) == "local again"
    assert time.monotonic() - started < 1
    assert [r.message for r in caplog.records].count(
        "shared cache unavailable; rendering and searching locally for 5.0 s"
    ) == 1
