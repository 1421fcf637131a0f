"""Behind the load balancer the limits key on the client's real address (TRUSTED_PROXY_COUNT hops of
X-Forwarded-For, werkzeug's ProxyFix), and login limits count failed logins per account and per
address: one member's attacker cannot lock out the others who share a proxy, an info-station or a
carrier's NAT. Through a live gunicorn with two workers sharing their counters in Redis, sending
X-Forwarded-For as nginx would (the client's own header, if any, then the address nginx saw)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import requests
from twilio.request_validator import RequestValidator

from app import create_app
from config import TestingConfig
from tests.factories import DEFAULT_PASSWORD, make_member
from tests.live_gunicorn import gunicorn
from tests.local_services import redis_test_db

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
LIMITS_DB, CACHE_DB = str(redis_test_db("limits")), str(redis_test_db("page_cache"))
VILLAGE = "203.0.113.9"  # one address shared by the info-station's visitors


def _flush() -> None:
    for number in (LIMITS_DB, CACHE_DB):
        subprocess.run(["redis-cli", "-n", number, "FLUSHDB"], check=True, capture_output=True)


@pytest.fixture
def proxied_server(database_url, tmp_path):
    """gunicorn with two workers behind one (pretended) proxy, limits in its own Redis database (tests/local_services.redis_test_db)."""
    if shutil.which("redis-cli") is None:
        pytest.skip("redis-cli not found (it empties the limits' Redis database)")
    _flush()
    try:
        with gunicorn(
            database_url,
            tmp_path,
            workers=2,
            TRUSTED_PROXY_COUNT="1",
            REDIS_URL=f"redis://127.0.0.1:6379/{LIMITS_DB}",
            RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:6379/{LIMITS_DB}",
            PAGE_CACHE_REDIS_URL=f"redis://127.0.0.1:6379/{CACHE_DB}",
            LOGIN_RATE_LIMIT="10 per minute",
            LOGIN_ADDRESS_RATE_LIMIT="20 per minute",
        ) as base:
            yield base
    finally:
        _flush()


def _login(base: str, phone: str, password: str, forwarded_for: str) -> int:
    # A new session and connection each time, so gunicorn hands requests to either worker.
    headers = {"X-Forwarded-For": forwarded_for, "Connection": "close"}
    with requests.Session() as session:
        form = session.get(f"{base}/login", headers=headers, timeout=10)
        token = CSRF_RE.search(form.text).group(1)
        answer = session.post(
            f"{base}/login",
            data={"csrf_token": token, "phone": phone, "password": password},
            headers=headers,
            timeout=10,
            allow_redirects=False,
        )
        return answer.status_code


@pytest.mark.redis
@pytest.mark.slow
def test_an_attacker_behind_the_proxy_locks_out_only_the_account_it_guesses(proxied_server, db):
    victim = make_member(phone="+8613800138001")
    others = [make_member(phone=f"+861380013800{n}") for n in (2, 3, 4, 5)]
    db.session.commit()

    guesses = [_login(proxied_server, "13800138001", f"guess {i}", VILLAGE) for i in range(12)]
    # The members beside the attacker at the info-station, and one elsewhere, log in at once.
    neighbours = [_login(proxied_server, member.phone, DEFAULT_PASSWORD, VILLAGE) for member in others[:3]]
    elsewhere = _login(proxied_server, others[3].phone, DEFAULT_PASSWORD, "198.51.100.20")
    victim_now = _login(proxied_server, victim.phone, DEFAULT_PASSWORD, "198.51.100.21")

    assert guesses == [422] * 10 + [429, 429]
    assert neighbours == [302, 302, 302] and elsewhere == 302
    assert victim_now == 429  # the guessed account waits out its minute, from any address


@pytest.mark.redis
@pytest.mark.slow
def test_one_address_spraying_many_accounts_is_limited_without_touching_other_addresses(proxied_server, db):
    member = make_member(phone="+8613900139000")
    db.session.commit()

    # A forged X-Forwarded-For of its own does not help: nginx appends the address it saw, and with
    # one trusted proxy only that last hop counts (gunicorn, which trusts 127.0.0.1, does not pop one
    # more: it never rewrites REMOTE_ADDR).
    sprayed = [_login(proxied_server, f"1380013{n:04d}", "guess", f"10.1.{n}.1, 192.0.2.50") for n in range(22)]
    other_address = _login(proxied_server, member.phone, DEFAULT_PASSWORD, "192.0.2.51")
    same_address = _login(proxied_server, member.phone, DEFAULT_PASSWORD, "192.0.2.50")

    assert sprayed == [422] * 20 + [429, 429]
    assert other_address == 302
    assert same_address == 429


def test_without_trusted_proxies_x_forwarded_for_is_ignored(client, db):
    """Development default (TRUSTED_PROXY_COUNT=0): a visitor cannot pick a new address per request."""
    client.application.config["LOGIN_ADDRESS_RATE_LIMIT"] = "5 per minute"
    statuses = [
        client.post(
            "/login", data={"phone": f"1380013{n:04d}", "password": "guess"}, headers={"X-Forwarded-For": f"10.2.{n}.1"}
        ).status_code
        for n in range(6)
    ]
    assert statuses == [422] * 5 + [429]


def test_behind_proxies_twilio_signatures_are_still_checked_against_public_base_url(database_url, tmp_path, db):
    """ProxyFix rewrites the client's address and scheme, not the host: Twilio signed PUBLIC_BASE_URL."""
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_DIR=str(tmp_path / "up"),
        TRUSTED_PROXY_COUNT=1,
        PUBLIC_BASE_URL="https://jishi.example.cn",
    )
    params = {"MessageSid": "SM" + "d" * 32, "MessageStatus": "delivered", "AccountSid": "AC" + "1" * 32}
    validator = RequestValidator(app.config["TWILIO_AUTH_TOKEN"])
    forwarded = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}

    def post(signed_url: str) -> int:
        headers = {**forwarded, "X-Twilio-Signature": validator.compute_signature(signed_url, params)}
        return app.test_client().post("/sms/status", data=params, headers=headers).status_code

    assert post("https://jishi.example.cn/sms/status") == 200  # unknown SID: acknowledged
    assert post("https://evil.example/sms/status") == 403
    assert post("http://localhost/sms/status") == 403
