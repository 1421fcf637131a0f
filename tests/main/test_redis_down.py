"""Redis down: the rate limits count in each worker's memory and pages render without the shared
cache, so login, sign-up, password reset and the market work, never a 500; /healthz says
"redis": "down" and stays 200 (a load balancer must not take every node out because Redis is down).

Redis "down" is an address where nothing listens (port 1 on this machine): every connection is
refused, as when the Redis host has stopped."""

from __future__ import annotations

import logging
import re

import pytest
import requests

from app import create_app
from config import TestingConfig
from tests.conftest import JishiClient
from tests.factories import DEFAULT_PASSWORD, make_member, make_posting
from tests.live_gunicorn import gunicorn
from tests.local_services import redis_test_url
from tests.members.helpers import signup_data

NOWHERE = "redis://127.0.0.1:1/0"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def redis_down_client(app, database_url, tmp_path):
    """A test client of an app whose limits and shared cache point at a Redis that is down (on the
    test's database, emptied by the ``app`` fixture)."""
    down = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_DIR=str(tmp_path / "up-down"),
        RATELIMIT_STORAGE_URI=NOWHERE,
        PAGE_CACHE_REDIS_URL=NOWHERE,
    )
    down.test_client_class = JishiClient
    return down.test_client()


def test_login_signup_reset_and_market_work_while_redis_is_down(redis_down_client, db, caplog):
    client = redis_down_client
    member = make_member(phone="+8613800138000", display_name="Li Farm")
    make_posting(owner=member, commodity="maize", title="Yellow maize, dried")

    with caplog.at_level(logging.WARNING):
        logged_in = client.post("/login", data={"phone": "13800138000", "password": DEFAULT_PASSWORD})
    assert logged_in.status_code == 302, logged_in.get_data(as_text=True)[:500]
    assert "unreachable" in caplog.text  # Flask-Limiter's warning: counting in memory from now on
    assert client.get("/account").status_code == 200
    client.post("/logout")

    signed_up = client.post("/signup", data=signup_data(phone="139 0013 9000"))
    assert signed_up.status_code == 302 and "/login" in signed_up.headers["Location"]

    forgot = client.post("/password/forgot", data={"identifier": "13800138000"})
    assert forgot.status_code == 302

    found = client.get("/market?q=maize")
    assert found.status_code == 200 and "Yellow maize, dried" in found.get_data(as_text=True)
    posting_id = re.search(r'href="/p/(\d+)', found.get_data(as_text=True)).group(1)
    posting_page = client.get(f"/p/{posting_id}")
    assert posting_page.status_code == 200 and "Yellow maize, dried" in posting_page.get_data(as_text=True)


def test_login_limits_still_hold_per_worker_while_redis_is_down(redis_down_client, db):
    make_member(phone="+8613800138000")
    statuses = [
        redis_down_client.post("/login", data={"phone": "13800138000", "password": f"guess {i}"}).status_code
        for i in range(11)
    ]
    assert statuses == [422] * 10 + [429]


def test_health_reports_redis_down_and_stays_200(redis_down_client, db):
    response = redis_down_client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["redis"] == "down" and body["rate_limits"] == "per worker"


def test_health_without_redis_configured_says_not_used(client, db):
    body = client.get("/healthz").get_json()
    assert body["redis"] == "not used" and body["rate_limits"] == "per worker"


@pytest.mark.redis
def test_health_reports_redis_ok_when_it_answers(app, database_url, tmp_path, db):
    up = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_DIR=str(tmp_path / "up-ok"),
        RATELIMIT_STORAGE_URI=redis_test_url("limits"),
        PAGE_CACHE_REDIS_URL=redis_test_url("page_cache"),
    )
    body = up.test_client().get("/healthz").get_json()
    assert body["redis"] == "ok" and body["rate_limits"] == "shared"


def _form_post(session: requests.Session, base: str, path: str, data: dict) -> requests.Response:
    token = CSRF_RE.search(session.get(f"{base}{path}", timeout=10).text).group(1)
    return session.post(f"{base}{path}", data={"csrf_token": token, **data}, timeout=10, allow_redirects=False)


@pytest.mark.slow
def test_two_gunicorn_workers_serve_everything_while_redis_is_down(database_url, tmp_path, db):
    member = make_member(phone="+8613800138000", display_name="Li Farm")
    make_posting(owner=member, commodity="maize", title="Yellow maize, dried")
    db.session.commit()

    with gunicorn(
        database_url,
        tmp_path,
        workers=2,
        REDIS_URL=NOWHERE,
        RATELIMIT_STORAGE_URI=NOWHERE,
        PAGE_CACHE_REDIS_URL=NOWHERE,
    ) as base:
        statuses = []
        for _ in range(4):  # new connections, so both workers answer some
            with requests.Session() as session:
                statuses.append(
                    _form_post(
                        session, base, "/login", {"phone": "13800138000", "password": DEFAULT_PASSWORD}
                    ).status_code
                )
                statuses.append(session.get(f"{base}/account", timeout=10).status_code)
        with requests.Session() as session:
            statuses.append(_form_post(session, base, "/signup", signup_data(phone="139 0013 9000")).status_code)
        with requests.Session() as session:
            statuses.append(_form_post(session, base, "/password/forgot", {"identifier": "13800138000"}).status_code)
        market = requests.get(f"{base}/market?q=maize", timeout=10)
        health = requests.get(f"{base}/healthz", timeout=10)

    assert statuses == [302, 200] * 4 + [302, 302]
    assert market.status_code == 200 and "Yellow maize, dried" in market.text
    assert health.status_code == 200
    assert health.json()["redis"] == "down" and health.json()["database"] == "ok"
    log = (tmp_path / "gunicorn.log").read_text()
    assert "Unhandled error" not in log, log[-3000:]
    assert "falling back to in-memory storage" in log  # each worker said so once
