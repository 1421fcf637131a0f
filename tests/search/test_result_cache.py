"""The result cache reuses a page only while no posting changed, so the market is never stale."""
from __future__ import annotations

from app.postings.services import change_status
from app.search.cache import ResultCache
from tests.factories import make_member, make_posting
from tests.search.helpers import search


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


def test_a_new_posting_appears_in_a_search_seen_a_moment_before(client, db):
    make_posting(title="优质玉米出售")
    assert search(client, q="玉米") == ["优质玉米出售"]
    make_posting(title="玉米 new crop")
    assert search(client, q="玉米") == ["玉米 new crop", "优质玉米出售"]


def test_a_closed_posting_leaves_a_search_seen_a_moment_before(client, db):
    posting = make_posting(title="Maize to close")
    make_posting(title="Maize to keep")
    assert len(search(client, q="maize")) == 2
    change_status(posting, "close")
    db.session.commit()
    assert search(client, q="maize") == ["Maize to keep"]


def test_verified_filter_follows_a_verification_at_once(client, db):
    from app.models_common import utcnow

    farmer = make_member(display_name="Soon trusted")
    make_posting(owner=farmer, title="Maize from a new member")
    assert search(client, verified="1") == []
    farmer.verified_at = utcnow()
    db.session.commit()
    assert search(client, verified="1") == ["Maize from a new member"]


def test_the_cache_can_be_turned_off(app, client, db):
    app.config["MARKET_RESULT_CACHE_SIZE"] = 0
    make_posting(title="Maize one")
    assert search(client, q="maize") == ["Maize one"]
    assert "market_results" not in app.extensions
