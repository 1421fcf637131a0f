"""A small per-process cache that is never stale with respect to the data its entries came from.

Ranking every match of a common word (玉米 is in one posting of fourteen) costs far more than
rendering the page, and the same searches are repeated all day. Each entry records the *data
version* it was computed from (for the market's result pages: the newest posting id and
``updated_at``), and a lookup with any other version misses; entries whose key already names
everything they depend on (a rendered card) use no version at all. ``max_age`` bounds the one case
a version cannot see (on PostgreSQL two writers may commit out of timestamp order) and how long an
unused entry occupies memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")
_MISSING = object()


class ResultCache:
    """A thread-safe LRU of ``key -> (version, value)`` with at most ``max_entries`` entries."""

    def __init__(self, max_entries: int, max_age: float, clock: Callable[[], float] = time.monotonic):
        self.max_entries = max_entries
        self.max_age = max_age
        self.clock = clock
        self._entries: OrderedDict[Hashable, tuple[Hashable, float, object]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, version: Hashable, default=None):
        """The value stored for ``key`` at ``version`` less than ``max_age`` seconds ago, else ``default``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version and self.clock() - entry[1] < self.max_age:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[2]
            self.misses += 1
            return default

    def put(self, key: Hashable, version: Hashable, value: object) -> None:
        with self._lock:
            self._entries[key] = (version, self.clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def get_or_compute(self, key: Hashable, version: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for ``key`` at ``version``, or ``compute()``, which is then stored.

        Computed outside the lock: two requests may both compute a missing entry, which is cheaper
        than making every other request wait."""
        value = self.get(key, version, _MISSING)
        if value is _MISSING:
            value = compute()
            self.put(key, version, value)
        return value  # type: ignore[return-value]


def app_cache(name: str, max_entries: int, max_age: float) -> ResultCache:
    """The cache called ``name`` of the current app, created on first use. It lives as long as the
    app object: one per worker process, and a fresh one for each test's app."""
    cache = current_app.extensions.get(name)
    if cache is None:
        cache = current_app.extensions[name] = ResultCache(max_entries=max_entries, max_age=max_age)
    return cache
