"""A cache shared by every worker and host, in Redis (PAGE_CACHE_REDIS_URL, by default REDIS_URL).

The per-process caches (app/search/cache.py) make each gunicorn worker render a page once; with
several workers on several hosts each page is still rendered once per worker. Entries that are
the same for everyone (a visitor's posting page, with its CSRF token cut out) are also kept here,
so that the first worker to render a page saves the others the work.

Keys are digests of the entry's full key plus a *release* digest (templates, translations and the
application's code), so a deploy that changes how pages look never serves pages of the old code.
Redis is an optimisation only: when it is down or slow (timeouts of 50 ms), every call answers
"not stored", it is left alone for RETRY_SECONDS, and pages are rendered as without it.

Values are stored zlib-compressed (a posting page of ~10 KB becomes ~3 KB; compressing costs a
fraction of a millisecond, once per render). Size Redis with ``maxmemory`` and the
``allkeys-lru`` policy, on an instance of its own or at least not the one holding the rate
limits, so that evicting pages never evicts limit counters.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
import zlib
from pathlib import Path

import redis
from flask import current_app

log = logging.getLogger(__name__)

EXTENSION_KEY = "jishi_shared_cache"
TIMEOUT_SECONDS = 0.05
RETRY_SECONDS = 5.0
_PROJECT_DIR = Path(__file__).resolve().parent.parent.parent


class SharedCache:
    """Strings under digested keys in Redis, with a time to live."""

    def __init__(self, url: str, prefix: str, clock=time.monotonic):
        self.client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
        self.prefix = prefix
        self.clock = clock
        self._down_until = 0.0
        self._lock = threading.Lock()

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
        if value is None:
            return None
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

    def _failed(self) -> None:
        with self._lock:
            first = self.clock() >= self._down_until
            self._down_until = self.clock() + RETRY_SECONDS
        if first:
            log.warning("shared page cache unavailable; rendering locally for %s s", RETRY_SECONDS, exc_info=True)


def release_digest() -> str:
    """A digest of what decides how a page renders: the templates, the compiled translations and the
    application's Python code. Read once per process (a few milliseconds)."""
    digest = hashlib.blake2b(digest_size=8)
    for pattern, root in (("**/*.html", _PROJECT_DIR / "templates"), ("**/*.mo", _PROJECT_DIR / "app"),
                          ("**/*.py", _PROJECT_DIR / "app")):
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
