"""Visitors' posting pages and the market's search results shared by the workers through Redis
(app/caching/shared.py): a page one worker rendered is served by another without rendering it
again, with that visitor's own CSRF token; a search one worker ran is not run again by another; a
change to a posting is shown by every worker at once; Redis being down only means rendering and
searching locally."""

from __future__ import annotations

import re
import zlib
from decimal import Decimal

import pytest
import redis
from flask import template_rendered

from app import create_app
from app.core.clock import utcnow
from app.postings import market
from config import TestingConfig
from tests.conftest import JishiClient
from tests.factories import make_posting
from tests.local_services import redis_test_url
from tests.search.helpers import search

REDIS_URL = redis_test_url("shared_cache")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def shared(app, database_url, tmp_path):
    """Two workers: the test's app and a second one on the same database, sharing pages in an
    emptied Redis database."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    app.config["PAGE_CACHE_REDIS_URL"] = REDIS_URL
    other = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_DIR=str(tmp_path / "up2"),
        PAGE_CACHE_REDIS_URL=REDIS_URL,
    )
    other.test_client_class = JishiClient
    yield app, other
    redis.Redis.from_url(REDIS_URL).flushdb()


def _renders(worker) -> list[str]:
    """Names of the posting pages ``worker`` renders from now on."""
    names: list[str] = []

    def record(_sender, template, context, **_extra):
        if template.name == "postings/show.html":
            names.append(template.name)

    template_rendered.connect(record, worker, weak=False)
    return names


def _article(page: str) -> str:
    return page[page.index("<article") : page.index("</article>")]


@pytest.mark.redis
def test_a_page_rendered_by_one_worker_is_served_by_another(shared, db):
    first, second = shared
    posting = make_posting(title="Shared maize 玉米", price=Decimal("2.10"), unit_code="kg")
    rendered_by_second = _renders(second)

    page_one = first.test_client().get(f"/p/{posting.id}").get_data(as_text=True)
    response = second.test_client().get(f"/p/{posting.id}")
    assert response.status_code == 200
    page_two = response.get_data(as_text=True)
    assert rendered_by_second == []  # served from Redis
    assert _article(page_two) == _article(page_one) and "Shared maize 玉米" in page_two

    # Each visitor gets the token of their own session, never the first visitor's.
    token_one, token_two = CSRF_RE.search(page_one).group(1), CSRF_RE.search(page_two).group(1)
    assert token_one != token_two
    assert "\x00" not in page_two


@pytest.mark.redis
def test_a_change_shows_on_every_worker_at_once(shared, db):
    first, second = shared
    posting = make_posting(title="Maize, first crop", price=Decimal("2.10"), unit_code="kg")
    first.test_client().get(f"/p/{posting.id}")
    assert "Maize, first crop" in second.test_client().get(f"/p/{posting.id}").get_data(as_text=True)

    # End the read the first worker's request left open on the test's session (SQLite: the other
    # worker has written its view count since, so that read could not turn into a write).
    db.session.rollback()
    posting.title, posting.updated_at = "Maize, second crop", utcnow()
    db.session.commit()
    for worker in (second, first):
        page = worker.test_client().get(f"/p/{posting.id}").get_data(as_text=True)
        assert "Maize, second crop" in page and "Maize, first crop" not in page


@pytest.mark.redis
def test_each_language_is_stored_apart(shared, db):
    first, second = shared
    posting = make_posting(title="Maize", price=Decimal("2.10"), unit_code="kg")
    first.test_client().get(f"/p/{posting.id}")
    chinese = second.test_client().get(f"/p/{posting.id}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "品种" in chinese and "Commodity" not in chinese


@pytest.mark.redis
def test_a_damaged_stored_page_is_rendered_again(shared, db):
    first, second = shared
    posting = make_posting(title="Maize, stored then damaged")
    first.test_client().get(f"/p/{posting.id}")
    store = redis.Redis.from_url(REDIS_URL)
    keys = store.keys("jishi:page:*")
    assert keys  # the page is in Redis, compressed
    for key in keys:
        store.set(key, b"not a compressed page")
    rendered_by_second = _renders(second)
    response = second.test_client().get(f"/p/{posting.id}")
    assert response.status_code == 200 and "Maize, stored then damaged" in response.get_data(as_text=True)
    assert rendered_by_second == ["postings/show.html"]


def test_pages_are_rendered_locally_when_redis_is_down(app, db):
    app.config["PAGE_CACHE_REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    posting = make_posting(title="Maize without Redis")
    for _ in range(2):
        response = app.test_client().get(f"/p/{posting.id}")
        assert response.status_code == 200
        assert "Maize without Redis" in response.get_data(as_text=True)


def _searches(monkeypatch) -> list:
    """The filters of every search the database is asked for from now on (by any worker)."""
    asked: list = []
    real = market.find_result_ids

    def find_result_ids(filters, choices, per_page):
        asked.append(filters.q)
        return real(filters, choices, per_page)

    monkeypatch.setattr(market, "find_result_ids", find_result_ids)
    return asked


@pytest.mark.redis
def test_a_search_one_worker_ran_is_not_run_again_by_another(shared, db, monkeypatch):
    first, second = shared
    make_posting(title="Shared search 玉米 north", price=Decimal("2.10"), unit_code="kg")
    make_posting(title="Shared search 玉米 south", price=Decimal("2.30"), unit_code="kg")
    make_posting(commodity="apple", title="Apples", price=Decimal("5.00"), unit_code="kg")
    asked = _searches(monkeypatch)

    found = search(first.test_client(), q="玉米")
    assert sorted(found) == ["Shared search 玉米 north", "Shared search 玉米 south"]
    assert search(second.test_client(), q="玉米") == found  # same order, from Redis
    # The Chinese page and the English page of the same search share the result too.
    assert search(second.test_client(), q="玉米", htmx=False) == found
    assert asked == ["玉米"]

    # A new posting is a new data version: searched once more, and seen by both workers.
    db.session.rollback()
    make_posting(title="Shared search 玉米 east", price=Decimal("2.20"), unit_code="kg")
    assert "Shared search 玉米 east" in search(second.test_client(), q="玉米")
    assert "Shared search 玉米 east" in search(first.test_client(), q="玉米")
    assert asked == ["玉米", "玉米"]


@pytest.mark.redis
def test_a_damaged_stored_result_is_searched_again(shared, db, monkeypatch):
    first, second = shared
    make_posting(title="Maize for the damaged result", price=Decimal("2.10"), unit_code="kg")
    search(first.test_client(), q="maize")
    store = redis.Redis.from_url(REDIS_URL)
    keys = [key for key in store.keys("jishi:page:*") if not key.endswith(b":lock")]
    assert keys
    for key in keys:
        store.set(key, zlib.compress(b'{"not": "a result"}'))
    asked = _searches(monkeypatch)
    assert search(second.test_client(), q="maize") == ["Maize for the damaged result"]
    assert asked == ["maize"]


def test_searches_work_when_redis_is_down(app, db):
    app.config["PAGE_CACHE_REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    make_posting(title="Maize searched without Redis", price=Decimal("2.10"), unit_code="kg")
    for _ in range(2):
        assert search(app.test_client(), q="maize") == ["Maize searched without Redis"]
