"""The cache behind the market: an entry is reused only for the same key and data version, and for
at most max_age seconds; the least recently used entries go first."""

from __future__ import annotations

from app.caching.local import ResultCache


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_value_is_reused_for_the_same_key_and_version():
    cache = ResultCache(max_entries=10, max_age=60)
    calls = []
    assert cache.get_or_compute("k", 1, lambda: calls.append(1) or "first") == "first"
    assert cache.get_or_compute("k", 1, lambda: calls.append(1) or "second") == "first"
    assert (cache.hits, cache.misses, len(calls)) == (1, 1, 1)


def test_another_version_recomputes():
    cache = ResultCache(max_entries=10, max_age=60)
    cache.get_or_compute("k", 1, lambda: "old")
    assert cache.get_or_compute("k", 2, lambda: "new") == "new"
    assert cache.get_or_compute("k", 2, lambda: "newer") == "new"


def test_entries_expire_after_max_age():
    clock = FakeClock()
    cache = ResultCache(max_entries=10, max_age=30, clock=clock)
    cache.get_or_compute("k", 1, lambda: "old")
    clock.now += 31
    assert cache.get_or_compute("k", 1, lambda: "fresh") == "fresh"


def test_the_least_recently_used_entry_is_dropped_first():
    cache = ResultCache(max_entries=2, max_age=60)
    cache.get_or_compute("a", 1, lambda: "a")
    cache.get_or_compute("b", 1, lambda: "b")
    cache.get_or_compute("a", 1, lambda: "a again")  # a is now the most recent
    cache.get_or_compute("c", 1, lambda: "c")
    assert cache.get_or_compute("a", 1, lambda: "a recomputed") == "a"
    assert cache.get_or_compute("b", 1, lambda: "b recomputed") == "b recomputed"
