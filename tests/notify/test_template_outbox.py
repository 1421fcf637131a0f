"""Outbox rows are template messages (issue 17): each SMS row stores its registry template, its
parameters and the rendered text; the worker hands them to the gateway as TemplateSms, in batches
of one template where the sender sends batches, and claims urgent rows (codes) before bulk ones."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from app.core.clock import utcnow
from app.extensions import db as _db
from app.notify import worker
from app.notify.fanout import enqueue_sms_fanout
from app.notify.models import ConsoleSms, Notification
from app.notify.senders import ConsoleSmsSender, GatewaySmsSender, SendFailed
from app.notify.services import enqueue, enqueue_sms_to_phone
from sms.gateways import Gateway, GatewayError, SendResult
from tests.factories import make_member
from tests.notify.conftest import FakeSender, notifications

ORDER = {"number": "J0000042", "title": "Rice", "link": "http://jishi.test/o/42", "url": "http://jishi.test/orders/42"}


def test_an_event_sms_row_stores_its_template_parameters_and_text(db):
    member = make_member(locale="zh_Hans")
    enqueue(member, "order_shipped", ORDER)
    db.session.commit()
    [row] = notifications(channel="sms")
    assert row.template == "order_shipped"
    assert row.template_params == {"number": "J0000042", "link": "o/42"}
    assert row.body == "集市：订单J0000042已发货。 http://jishi.test/o/42"
    # The e-mail keeps its own template and has no parameters.
    [email] = notifications(channel="email") or [None]
    assert email is None or (email.template == "order_shipped" and email.template_params is None)


def test_a_code_row_is_urgent_with_its_code_as_a_parameter(db):
    member = make_member()
    row = enqueue_sms_to_phone(
        member.phone, "phone_code", {"code": "482913", "minutes": 10}, "en", member=member, urgent=True
    )
    db.session.commit()
    assert (row.template, row.template_params, row.urgent) == (
        "phone_code",
        {"code": "482913", "minutes": "10"},
        True,
    )
    assert row.body == "Jishi code: 482913. Valid 10 min. Never share it."


def test_a_fanout_writes_the_variant_template_and_its_parameters(db):
    context = {
        "commodity_names": {"zh": "玉米", "en": "Maize"},
        "region_names": None,
        "day": utcnow().date(),
        "price_per_kg": "2.40",
        "change_pct": "3.5",
        "url": "http://jishi.test/prices/maize",
    }
    assert enqueue_sms_fanout([("+8613800000001", "en", None)], "price_alert", context) == 1
    db.session.commit()
    [row] = notifications()
    assert row.template == "price_alert"
    assert row.template_params == {
        "commodity": "Maize",
        "price": "¥2.40/kg",
        "change": "+3.5%",
        "link": "prices/maize",
    }
    assert row.body == "Jishi alert: Maize ¥2.40/kg today, +3.5% vs 7-day avg http://jishi.test/prices/maize"


def _bulk_alerts(count: int, due) -> None:
    """``count`` pending price alerts written straight into the outbox (as a fan-out writes them)."""
    rows = [
        {
            "channel": "sms",
            "member_id": None,
            "address": f"+86139{index:08d}",
            "event": "price_alert",
            "template": "price_alert_short",
            "template_params": {"commodity": "Maize", "price": "¥2.40/kg", "change": "+1%"},
            "locale": "en",
            "body": "Jishi alert: Maize ¥2.40/kg today, +1% vs 7-day avg",
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": due,
            "urgent": False,
            "created_at": due,
        }
        for index in range(count)
    ]
    _db.session.execute(insert(Notification), rows)
    _db.session.commit()


def test_a_code_enqueued_after_1000_pending_alerts_is_claimed_in_the_first_batch(app, db):
    _bulk_alerts(1000, utcnow() - timedelta(minutes=5))
    member = make_member()
    code = enqueue_sms_to_phone(
        member.phone, "phone_code", {"code": "482913", "minutes": 10}, "en", member=member, urgent=True
    )
    db.session.commit()
    claim = worker.claim_batch(utcnow(), 100)
    assert len(claim.messages) == 100
    # First in the batch, so it is also the first sent.
    assert claim.messages[0].id == code.id and claim.messages[0].urgent
    assert sum(1 for message in claim.messages if message.urgent) == 1


def test_the_worker_sends_a_claimed_template_group_in_one_batch_and_records_each_result(app, db):
    _bulk_alerts(5, utcnow() - timedelta(minutes=1))
    member = make_member()
    enqueue(member, "order_shipped", ORDER, channels=("sms",))
    db.session.commit()

    class BatchGateway(Gateway):
        name = "batchfake"

        def __init__(self):
            self.batches = []

        def send(self, to, body, status_callback=None):
            return SendResult(f"single-{to}")

        def send_template_batch(self, messages):
            self.batches.append(messages)
            # The provider refuses one number of the batch for good; the rest are accepted.
            return [
                GatewayError(False, "invalid number") if message.to.endswith("2") else SendResult(f"b-{message.to}")
                for message in messages
            ]

    gateway = BatchGateway()
    config = {**app.config, "SMS_TEMPLATE_CODES": {"batchfake": {"price_alert_short": "SMS_123"}}}
    sender = GatewaySmsSender(gateway, config)
    totals = worker.run_once({"sms": sender, "email": FakeSender()})
    assert totals == {"sent": 5, "failed": 0, "dead": 1}
    [batch] = gateway.batches
    assert len(batch) == 5 and {message.template for message in batch} == {"price_alert_short"}
    assert {message.provider_template_code for message in batch} == {"SMS_123"}
    assert batch[0].sign_name == app.config["SMS_SIGN_NAME"]
    assert batch[0].params == {"commodity": "Maize", "price": "¥2.40/kg", "change": "+1%"}
    rows = {row.address: row for row in notifications()}
    assert rows["+8613900000002"].status == "dead" and rows["+8613900000002"].last_error == "invalid number"
    assert rows["+8613900000001"].provider_id == "b-+8613900000001"
    # The order SMS, alone of its template, went out on its own.
    assert rows[member.phone].provider_id == f"single-{member.phone}"


def test_the_console_sender_stores_a_batch_in_one_insert(app, db):
    _bulk_alerts(3, utcnow() - timedelta(minutes=1))
    assert worker.run_once({"sms": ConsoleSmsSender(), "email": FakeSender()})["sent"] == 3
    stored = db.session.scalars(select(ConsoleSms).order_by(ConsoleSms.id)).all()
    assert [row.to for row in stored] == ["+8613900000000", "+8613900000001", "+8613900000002"]


def test_a_batch_sender_that_fails_as_a_whole_fails_every_message_for_a_retry(app, db):
    _bulk_alerts(3, utcnow() - timedelta(minutes=1))

    class Down:
        def send(self, message):
            raise SendFailed("down")

        def send_batch(self, messages):
            raise SendFailed("provider unreachable")

    assert worker.run_once({"sms": Down(), "email": FakeSender()})["failed"] == 3
    assert {row.status for row in notifications()} == {"failed"}
