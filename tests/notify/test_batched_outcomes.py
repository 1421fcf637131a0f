"""A sender batch's outcomes are written in one statement (app/notify/worker.py::_record_many): each
row gets its own outcome and provider message id, numbers the provider refused are retried or dead
by the refusal, the rows sent are sent once, delivery reports find their rows by those ids, and a
row another worker took after the lease ran out is left to it. Runs on SQLite and PostgreSQL (the
statement differs: json_each there, unnest here)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.core.clock import utcnow
from app.extensions import db as _db
from app.notify import worker
from app.notify.models import Notification
from app.notify.senders import SendFailed, senders_from_config
from config import TestingConfig
from tests.fake_sms_providers import FakeAliyunSms, FakeTencentSms
from tests.notify.conftest import FakeSender, notifications
from tests.notify.test_template_outbox import _bulk_alerts

PARAMS = ["commodity", "price", "change"]


def _naive(moment):
    """SQLite gives back naive UTC datetimes, PostgreSQL aware ones."""
    return moment.replace(tzinfo=None) if moment else moment


def _rows_by_address() -> dict[str, Notification]:
    _db.session.expire_all()
    return {row.address: row for row in notifications()}


def _post_reports(client, provider: str, payload: list[dict]) -> None:
    token = getattr(TestingConfig, f"{provider.upper()}_SMS_CALLBACK_TOKEN")
    response = client.post(
        f"/sms/{provider}/report?token={token}",
        data=json.dumps(payload, ensure_ascii=False).encode(),
        content_type="application/json",
        csrf=False,
    )
    assert response.status_code == 200
    _db.session.commit()


@pytest.fixture
def tencent(app):
    fake = FakeTencentSms("secret-id", "secret-key", "1400000001", templates={"3000001": 3}, signs={"集市"})
    app.config.update(
        SMS_GATEWAY="console",
        SMS_GATEWAY_CN="tencent",
        SMS_SIGN_NAME="集市",
        SMS_TEMPLATE_CODES={"tencent": {"price_alert_short": "3000001"}},
        TENCENT_SMS_SECRET_ID="secret-id",
        TENCENT_SMS_SECRET_KEY="secret-key",
        TENCENT_SMS_SDK_APP_ID="1400000001",
        TENCENT_SMS_ENDPOINT=fake.url,
        NOTIFY_RETRY_BASE_SECONDS=30,
    )
    with fake:
        yield fake


def test_numbers_refused_in_one_request_are_retried_or_dead_and_the_rest_sent_once_with_their_own_ids(
    app, client, db, tencent
):
    _bulk_alerts(6, utcnow() - timedelta(minutes=1))
    tencent.fail_numbers = {
        "+8613900000002": "LimitExceeded.PhoneNumberDailyLimit",  # retryable
        "+8613900000004": "FailedOperation.PhoneNumberInBlacklist",  # permanent
    }
    senders = senders_from_config(app.config)
    now = utcnow()
    assert worker.run_once(senders, now=now) == {"sent": 4, "failed": 1, "dead": 1}
    assert len(tencent.requests) == 1 and len(tencent.requests[0]["numbers"]) == 6

    rows = _rows_by_address()
    serials = dict((number, serial) for serial, number in tencent.sent)
    sent = [address for address, row in rows.items() if row.status == "sent"]
    assert sorted(sent) == sorted(serials)
    for address in sent:
        row = rows[address]
        assert (row.provider_id, _naive(row.sent_at), row.attempts, row.last_error) == (
            serials[address],
            _naive(now),
            1,
            None,
        )
        assert (row.claimed_by, row.claimed_until, row.next_attempt_at) == (None, None, None)
    retried = rows["+8613900000002"]
    assert (retried.status, retried.provider_id, retried.sent_at) == ("failed", None, None)
    assert _naive(retried.next_attempt_at) == _naive(now + timedelta(seconds=30))
    assert retried.last_error.startswith("LimitExceeded.PhoneNumberDailyLimit")
    dead = rows["+8613900000004"]
    assert (dead.status, dead.next_attempt_at) == ("dead", None)
    assert dead.last_error.startswith("FailedOperation.PhoneNumberInBlacklist")

    # The retry sends the one number again, and nothing else.
    tencent.fail_numbers = {}
    assert worker.run_once(senders, now=now + timedelta(seconds=29)) == {"sent": 0, "failed": 0, "dead": 0}
    assert worker.run_once(senders, now=now + timedelta(seconds=30)) == {"sent": 1, "failed": 0, "dead": 0}
    numbers = [number for _serial, number in tencent.sent]
    assert len(numbers) == len(set(numbers)) == 5
    rows = _rows_by_address()
    assert rows["+8613900000002"].status == "sent" and rows["+8613900000002"].attempts == 2

    # Each report finds its row by the id recorded for it.
    _post_reports(client, "tencent", [tencent.report(serial, number) for serial, number in tencent.sent])
    rows = _rows_by_address()
    assert {address: row.delivery_status for address, row in rows.items()} == {
        address: (None if address == "+8613900000004" else "delivered") for address in rows
    }


def test_aliyun_ids_of_one_shared_request_are_recorded_per_number_and_a_bad_number_is_dead(app, client, db):
    _bulk_alerts(5, utcnow() - timedelta(minutes=1))
    # A number Aliyun refuses fails the whole shared request; the gateway then sends each alone.
    _db.session.execute(
        update(Notification).where(Notification.address == "+8613900000003").values(address="+8612000000003")
    )
    _db.session.commit()
    with FakeAliyunSms("ak-id", "ak-secret", templates={"SMS_7": PARAMS}, signs={"集市"}) as fake:
        app.config.update(
            SMS_GATEWAY="console",
            SMS_GATEWAY_CN="aliyun",
            SMS_SIGN_NAME="集市",
            SMS_TEMPLATE_CODES={"aliyun": {"price_alert_short": "SMS_7"}},
            ALIYUN_SMS_ACCESS_KEY_ID="ak-id",
            ALIYUN_SMS_ACCESS_KEY_SECRET="ak-secret",
            ALIYUN_SMS_ENDPOINT=fake.url,
        )
        assert worker.run_once(senders_from_config(app.config)) == {"sent": 4, "failed": 0, "dead": 1}
    rows = _rows_by_address()
    assert rows["+8612000000003"].status == "dead"
    assert rows["+8612000000003"].last_error.startswith("isv.MOBILE_NUMBER_ILLEGAL")
    sent = {address: row for address, row in rows.items() if row.status == "sent"}
    assert {row.provider_id for row in sent.values()} == {f"{biz}:{number}" for biz, number, _text in fake.sent}
    assert len(fake.sent) == len({number for _biz, number, _text in fake.sent}) == 4
    _post_reports(client, "aliyun", [fake.report(biz, number) for biz, number, _text in fake.sent])
    assert {row.delivery_status for row in _rows_by_address().values() if row.status == "sent"} == {"delivered"}


class _BatchSender:
    """Accepts every message of a batch except those in ``refuse`` (retryable)."""

    def __init__(self, refuse=()):
        self.refuse = set(refuse)
        self.batches = []

    def send(self, message):
        raise AssertionError("a group of one template goes to send_batch")

    def send_batch(self, messages):
        self.batches.append([message.id for message in messages])
        return [SendFailed("busy") if message.address in self.refuse else f"id-{message.id}" for message in messages]


def test_rows_another_worker_took_after_the_lease_ran_out_are_left_to_it(app, db, caplog):
    _bulk_alerts(5, utcnow() - timedelta(minutes=1))
    now = utcnow()
    claim = worker.claim_batch(now, 10)
    taken = [message.id for message in claim.messages[:2]]
    _db.session.execute(update(Notification).where(Notification.id.in_(taken)).values(claimed_by="other:1:abcd"))
    _db.session.commit()
    sender = _BatchSender(refuse={claim.messages[2].address})
    with caplog.at_level("WARNING", logger="jishi.notify"):
        counts = worker.send_claim(claim, {"sms": sender, "email": FakeSender()}, now=now)
    # The counts are what the sender answered (as before batching), recorded or not.
    assert counts == {"sent": 4, "failed": 1, "dead": 0}
    assert sender.batches == [[message.id for message in claim.messages]]
    _db.session.expire_all()
    by_id = {row.id: row for row in notifications()}
    for id_ in taken:
        assert (by_id[id_].status, by_id[id_].claimed_by, by_id[id_].provider_id) == ("sending", "other:1:abcd", None)
        assert f"notification {id_}: its lease ran out" in caplog.text
    refused = by_id[claim.messages[2].id]
    assert (refused.status, refused.last_error, refused.claimed_by) == ("failed", "busy", None)
    for message in claim.messages[3:]:
        assert (by_id[message.id].status, by_id[message.id].provider_id) == ("sent", f"id-{message.id}")


def test_a_batch_larger_than_one_statement_is_recorded_whole(app, db):
    app.config.update(NOTIFY_SEND_BATCH_SIZE=1500)
    _bulk_alerts(1200, utcnow() - timedelta(minutes=1))
    sender = _BatchSender()
    assert worker.run_once({"sms": sender, "email": FakeSender()}, batch_size=1500)["sent"] == 1200
    assert [len(batch) for batch in sender.batches] == [1200]
    rows = notifications()
    assert {row.status for row in rows} == {"sent"}
    assert {row.provider_id for row in rows} == {f"id-{row.id}" for row in rows}
