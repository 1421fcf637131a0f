"""Twilio retries a webhook while the first delivery is still running: several requests with one
MessageSid at the same moment run the command once and all answer with the same reply.

Runs on SQLite (writes queue under BEGIN IMMEDIATE) and on PostgreSQL (the UNIQUE MessageSid makes
the losers' insert wait for and then fail against the winner's)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app import create_app
from app.inbound_sms.models import InboundSms
from app.postings.models import Posting
from config import TestingConfig
from tests.inbound_sms.conftest import new_sid, reply_of, signature

pytestmark = pytest.mark.slow

RETRIES = 8


def test_simultaneous_retries_of_one_message_act_once(app, db, database_url, seller, tmp_path):
    race_app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_DIR=str(tmp_path / "race-uploads"),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": RETRIES, "max_overflow": 2, "pool_timeout": 60},
    )
    params = {"From": seller.phone, "To": "+15005550006", "Body": "SELL maize 5t 2100", "MessageSid": new_sid()}
    headers = {"X-Twilio-Signature": signature(params)}
    start = threading.Barrier(RETRIES)

    def deliver(_number):
        client = race_app.test_client()
        start.wait(timeout=60)
        with race_app.app_context():
            return reply_of(client.post("/sms/inbound", data=params, headers=headers))

    try:
        with ThreadPoolExecutor(RETRIES) as pool:
            replies = list(pool.map(deliver, range(RETRIES)))
    finally:
        with race_app.app_context():
            from app.extensions import db as race_db

            race_db.engine.dispose()
    db.session.rollback()  # end the test's own read snapshot: the racers wrote through other connections
    assert len(set(replies)) == 1 and replies[0].startswith("Draft ")
    assert db.session.scalar(select(func.count()).select_from(Posting)) == 1
    assert db.session.scalar(select(func.count()).select_from(InboundSms)) == 1
