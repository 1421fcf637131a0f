"""A cache shared by every worker and host, in Redis (PAGE_CACHE_REDIS_URL, by default REDIS_URL).

The per-process caches (app/caching/local.py) make each gunicorn worker render a page once; with
several workers on several hosts each page is still rendered once per worker. Entries that are
the same for everyone (a visitor's posting page, with its CSRF token cut out) are also kept here,
so that the first worker to render a page saves the others the work.

Keys are digests of the entry's full key plus a *release* digest (templates, translations and the
application's code), so a deploy that changes how pages look never serves pages of the old code.
Redis is an optimisation only: when it is down or slow (timeouts of 50 ms), every call answers
"not stored", it is left alone for RETRY_SECONDS, and pages are rendered as without it.

The market's search results are kept here too, and computed *once* for all workers: after every
new or changed posting each cached search is stale, and without coordination every worker on every
host would rank the same 65,000 matches of 玉米 at the same moment. :meth:`SharedCache.get_or_compute_once`
lets the first worker that misses take a short lock in Redis and compute; the others wait for its
result (polling, at most as long as the lock lives) instead of computing it again.

Values are stored zlib-compressed (a posting page of ~10 KB becomes ~3 KB; compressing costs a
fraction of a millisecond, once per render). Size Redis with ``maxmemory`` and the
``allkeys-lru`` policy, on an instance of its own or at least not the one holding the rate
limits, so that evicting pages never evicts limit counters.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import redis
from flask import current_app

log = logging.getLogger(__name__)

EXTENSION_KEY = "jishi_shared_cache"
TIMEOUT_SECONDS = 0.05
RETRY_SECONDS = 5.0
# How often a worker waiting for another's result looks for it: small next to a search that is
# worth computing once (0.2 s and more), and a poll is one Redis round trip.
POLL_SECONDS = 0.02
# Deletes the lock only if it is still the one this worker took (not a later worker's, after ours
# expired).
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
_PROJECT_DIR = Path(__file__).resolve().parent.parent.parent


class SharedCache:
    """Strings under digested keys in Redis, with a time to live."""

    def __init__(self, url: str, prefix: str, clock=time.monotonic):
        self.client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
        self.prefix = prefix
        self.clock = clock
        self._down_until = 0.0
        self._lock = threading.Lock()
        self._release = self.client.register_script(_RELEASE)

    def key(self, parts: tuple) -> str:
        """The Redis key of ``parts``: their repr digested with the prefix (which names the release)."""
        return self.prefix + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()

    def get(self, parts: tuple) -> str | None:
        """The stored string, or None when absent or when Redis does not answer."""
        if self.clock() < self._down_until:
            return None
        try:
            value = self.client.get(self.key(parts))
        except redis.RedisError:
            self._failed()
            return None
        return None if value is None else self._decoded(value)

    @staticmethod
    def _decoded(value: bytes) -> str | None:
        try:
            return zlib.decompress(value).decode()
        except (zlib.error, UnicodeDecodeError):  # not ours, or damaged: render it again
            return None

    def put(self, parts: tuple, value: str, ttl_seconds: int) -> None:
        """Store ``value`` for ``ttl_seconds``; a failure is logged and otherwise ignored."""
        if self.clock() < self._down_until:
            return
        try:
            self.client.set(self.key(parts), zlib.compress(value.encode(), 1), ex=ttl_seconds)
        except redis.RedisError:
            self._failed()

    def ping(self) -> bool:
        """True when Redis answers now (for /healthz); a failure is handled as any other."""
        try:
            self.client.ping()
        except redis.RedisError:
            self._failed()
            return False
        self._down_until = 0.0
        return True

    def get_or_compute_once(
        self, parts: tuple, compute: Callable[[], str], ttl_seconds: int, lock_seconds: float
    ) -> str:
        """The string stored for ``parts``, else ``compute()``'s, stored for ``ttl_seconds``.

        Single flight: of the workers that miss at the same time, the one that takes the lock (a
        Redis key living ``lock_seconds``) computes; the others poll for its result and return it.
        A waiter computes the value itself when the lock is gone without a result (the computing
        worker failed or died), when ``lock_seconds`` have passed, or when Redis stops answering;
        so a value is always returned, and an exception of ``compute()`` reaches only the worker
        that ran it."""
        value = self.get(parts)
        if value is not None:
            return value
        if self.clock() >= self._down_until:
            key, token = self.key(parts), secrets.token_hex(8)
            lock_key = key + ":lock"
            try:
                locked = self.client.set(lock_key, token, nx=True, px=max(1, int(lock_seconds * 1000)))
            except redis.RedisError:
                self._failed()
            else:
                if locked:
                    try:
                        value = compute()
                        self.put(parts, value, ttl_seconds)
                    finally:
                        self._unlock(lock_key, token)
                    return value
                value = self._wait_for(key, lock_key, lock_seconds)
                if value is not None:
                    return value
        value = compute()
        self.put(parts, value, ttl_seconds)
        return value

    def _wait_for(self, key: str, lock_key: str, lock_seconds: float) -> str | None:
        """The value another worker stores under ``key`` while it holds ``lock_key``; None when the
        lock goes without a value, after ``lock_seconds``, or when Redis fails."""
        deadline = self.clock() + lock_seconds
        while self.clock() < deadline:
            time.sleep(POLL_SECONDS)
            try:
                stored, lock = self.client.mget(key, lock_key)  # one round trip for both
            except redis.RedisError:
                self._failed()
                return None
            if stored is not None:
                return self._decoded(stored)
            if lock is None:
                return None
        return None

    def _unlock(self, lock_key: str, token: str) -> None:
        try:
            self._release(keys=[lock_key], args=[token])
        except redis.RedisError:  # the lock expires on its own
            self._failed()

    def _failed(self) -> None:
        with self._lock:
            first = self.clock() >= self._down_until
            self._down_until = self.clock() + RETRY_SECONDS
        if first:
            log.warning(
                "shared cache unavailable; rendering and searching locally for %s s", RETRY_SECONDS, exc_info=True
            )


def release_digest() -> str:
    """A digest of what decides how a page renders: the templates, the compiled translations and the
    application's Python code. Read once per process (a few milliseconds)."""
    digest = hashlib.blake2b(digest_size=8)
    for pattern, root in (
        ("**/*.html", _PROJECT_DIR / "templates"),
        ("**/*.mo", _PROJECT_DIR / "app"),
        ("**/*.py", _PROJECT_DIR / "app"),
    ):
        for path in sorted(root.glob(pattern)):
            digest.update(str(path.relative_to(_PROJECT_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def shared_cache() -> SharedCache | None:
    """The current app's shared cache, or None when PAGE_CACHE_REDIS_URL is not set."""
    url = current_app.config.get("PAGE_CACHE_REDIS_URL")
    if not url:
        return None
    cache = current_app.extensions.get(EXTENSION_KEY)
    if cache is None:
        cache = current_app.extensions[EXTENSION_KEY] = SharedCache(url, prefix=f"jishi:page:{release_digest()}:")
    return cache
