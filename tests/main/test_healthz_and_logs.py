"""/healthz reports the notification outbox's lag; logs are JSON lines carrying the request id."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from app import create_app
from app.core.clock import utcnow
from app.notify.models import Notification
from config import TestingConfig


def _notification(db, due_at, status="pending"):
    row = Notification(
        channel="sms",
        address="+8613800000999",
        event="test",
        template="test",
        locale="en",
        body="hello",
        status=status,
        attempts=0,
        next_attempt_at=due_at,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_health_is_ok_while_due_messages_are_fresh(client, db):
    _notification(db, utcnow() - timedelta(seconds=30))
    _notification(db, utcnow() + timedelta(hours=2), status="failed")  # a retry not yet due
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["outbox"] == "ok"
    assert 25 <= body["outbox_lag_seconds"] <= 120


def test_a_stalled_outbox_makes_health_fail_with_the_lag(client, db, app):
    _notification(db, utcnow() - timedelta(seconds=app.config["HEALTH_OUTBOX_LAG_SECONDS"] + 60))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded" and body["database"] == "ok" and body["outbox"] == "lagging"
    assert body["outbox_lag_seconds"] > app.config["HEALTH_OUTBOX_LAG_SECONDS"]


def test_sent_and_dead_messages_do_not_count_as_lag(client, db):
    _notification(db, utcnow() - timedelta(days=2), status="dead")
    sent = _notification(db, utcnow() - timedelta(days=2), status="sent")
    assert sent.id
    assert client.get("/healthz").get_json()["outbox_lag_seconds"] == 0


def test_json_logs_carry_the_request_id_of_the_response(database_url, tmp_path, capsys):
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_DIR=str(tmp_path / "up"),
        LOG_FORMAT="json",
        LOG_REQUESTS=True,
    )
    capsys.readouterr()
    response = app.test_client().get("/healthz", headers={"X-Request-ID": "abc123def"})
    assert response.headers["X-Request-ID"] == "abc123def"
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    request_lines = [line for line in lines if line["logger"] == "jishi.request"]
    assert request_lines, lines
    entry = request_lines[-1]
    assert entry["request_id"] == "abc123def"
    assert entry["path"] == "/healthz" and entry["status"] == 200 and entry["method"] == "GET"
    assert isinstance(entry["duration_ms"], float)


def test_an_unsafe_incoming_request_id_is_replaced(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": "bad id; with spaces"})
    replaced = response.headers["X-Request-ID"]
    # A fresh id is 32 hex digits; comparing the whole value (not "bad" in it) because a random hex id can
    # contain the letters b-a-d.
    assert re.fullmatch(r"[0-9a-f]{32}", replaced), replaced
    assert replaced != "bad id; with spaces"
