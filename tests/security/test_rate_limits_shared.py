"""Login limits hold across processes: two gunicorn workers share their counters through Redis
(REDIS_URL), so an attacker cannot get 10 tries per worker. With in-memory counters each worker
would allow 10 on its own and the eleventh request would usually pass."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import requests

from tests.live_gunicorn import gunicorn
from tests.local_services import redis_test_db

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
REDIS_DB = str(redis_test_db("shared_limits"))


@pytest.fixture
def two_worker_server(database_url, tmp_path):
    if shutil.which("redis-cli") is None:
        pytest.skip("redis-cli not found (it empties the limits' Redis database)")
    subprocess.run(["redis-cli", "-n", REDIS_DB, "FLUSHDB"], check=True, capture_output=True)
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    try:
        with gunicorn(
            database_url,
            tmp_path,
            workers=2,
            REDIS_URL=redis_url,
            RATELIMIT_STORAGE_URI=redis_url,
            LOGIN_RATE_LIMIT="10 per minute",
        ) as base:
            yield base
    finally:
        subprocess.run(["redis-cli", "-n", REDIS_DB, "FLUSHDB"], capture_output=True)


def _failed_login(base: str, phone: str) -> int:
    # A new session (and connection) each time, so gunicorn hands requests to either worker.
    with requests.Session() as session:
        form = session.get(f"{base}/login", timeout=10)
        token = CSRF_RE.search(form.text).group(1)
        answer = session.post(
            f"{base}/login",
            data={"csrf_token": token, "phone": phone, "password": "wrong-password"},
            timeout=10,
            allow_redirects=False,
            headers={"Connection": "close"},
        )
        return answer.status_code


@pytest.mark.redis
@pytest.mark.slow
def test_login_limit_is_shared_by_two_gunicorn_workers_through_redis(two_worker_server, db):
    statuses = [_failed_login(two_worker_server, "13800138011") for _ in range(12)]
    assert statuses[:10] == [422] * 10
    assert statuses[10:] == [429, 429]
    keys = subprocess.run(["redis-cli", "-n", REDIS_DB, "--scan"], capture_output=True, text=True).stdout
    assert "LIMITER/" in keys, f"no limiter counters in Redis: {keys!r}"
