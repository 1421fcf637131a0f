"""Kuaidi100 tracking through the app's own HTTP client (app/logistics/kuaidi100.py) against a fake
Kuaidi100 on 127.0.0.1: the subscription is sent by the job, not in the seller's request, and
retried while Kuaidi100 is down; only pushes signed with the shipment's salt change anything;
replayed, older and malformed pushes never move a shipment twice or backwards."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app.core.clock import utcnow
from app.logistics import tracking
from app.logistics.kuaidi100 import (
    CHINA_TIME,
    SUCCESS_REPLY,
    Kuaidi100Client,
    Kuaidi100Unavailable,
    company_code,
    derive_salt,
    parse_push,
    shipment_status_for,
)
from app.logistics.models import ShipmentEvent, TrackingCheckpoint, TrackingSubscription
from app.trade.models import OrderEvent, as_aware
from tests.logistics.conftest import arrange
from tests.logistics.fake_kuaidi100 import FakeKuaidi100, md5_upper, point, push_param, signed_form

KEY = "test-key-" + secrets.token_hex(8)
CUSTOMER = "TESTCUSTOMER" + secrets.token_hex(4).upper()


def beijing_time(hours_ago: float) -> str:
    """A checkpoint time as Kuaidi100 writes it: Beijing time, no zone, to the second."""
    moment = (utcnow() - timedelta(hours=hours_ago)).astimezone(CHINA_TIME)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def as_utc(ftime: str) -> datetime:
    return datetime.strptime(ftime, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TIME).astimezone(UTC)


COLLECTED = point(beijing_time(30), "【郑州市】顺丰速运 已收取快件", "1", "河南省郑州市")
LEFT_HUB = point(beijing_time(18), "快件已发车，离开【郑州航空枢纽】", "0", "河南省郑州市")
OUT_FOR_DELIVERY = point(beijing_time(5), "快件交给王师傅，正在派送途中", "5", "北京市朝阳区")
SIGNED_FOR = point(beijing_time(1), "快件已签收，签收人：食堂", "301", "北京市朝阳区")


@pytest.fixture
def kuaidi100(app):
    fake = FakeKuaidi100(KEY, CUSTOMER).start()
    app.config.update(
        KUAIDI100_KEY=KEY,
        KUAIDI100_CUSTOMER=CUSTOMER,
        KUAIDI100_SALT=secrets.token_hex(16),
        KUAIDI100_BASE_URL=fake.base_url,
        KUAIDI100_TIMEOUT_SECONDS=5,
    )
    yield fake
    fake.stop()


@pytest.fixture
def shipment(client, login, confirmed_order, seller, kuaidi100):
    return arrange(client, login, confirmed_order, seller)


@pytest.fixture
def subscribed(app, db, shipment, kuaidi100):
    result = app.test_cli_runner().invoke(args=["logistics", "subscribe-tracking"])
    assert "active: 1" in result.output, result.output
    db.session.expire_all()
    return shipment


def salt(app, shipment) -> str:
    return derive_salt(app.config["KUAIDI100_SALT"], shipment.id)


def push(client, shipment, form):
    return client.post(f"/hooks/kuaidi100/{shipment.id}", data=form, csrf=False)


def signed_push(app, client, shipment, points, state, **extra):
    return push(client, shipment, signed_form(push_param("SF123", state, points, **extra), salt(app, shipment)))


def counts(db):
    return (
        db.session.scalar(select(func.count(TrackingCheckpoint.id))),
        db.session.scalar(select(func.count(ShipmentEvent.id))),
        db.session.scalar(select(func.count(OrderEvent.id))),
    )


# Subscribing


def test_arranging_a_shipment_queues_the_subscription_and_the_job_sends_it(app, db, shipment, kuaidi100):
    subscription = db.session.scalar(select(TrackingSubscription))
    assert (subscription.company, subscription.number, subscription.status) == ("shunfeng", "SF123", "pending")
    assert kuaidi100.requests == []  # nothing was sent in the seller's request

    result = app.test_cli_runner().invoke(args=["logistics", "subscribe-tracking"])

    assert "subscriptions active: 1, to retry: 0, failed: 0" in result.output
    [sent] = kuaidi100.requests
    assert sent["path"] == "/poll" and sent["content_type"].startswith("application/x-www-form-urlencoded")
    assert sent["form"]["schema"] == "json"
    param = json.loads(sent["form"]["param"])
    assert (param["company"], param["number"], param["key"]) == ("shunfeng", "SF123", KEY)
    assert param["parameters"] == {
        "callbackurl": f"http://jishi.test/hooks/kuaidi100/{shipment.id}",
        "salt": salt(app, shipment),
        "resultv2": "1",
    }
    db.session.expire_all()
    assert (subscription.status, subscription.attempts, subscription.next_attempt_at) == ("active", 1, None)
    again = app.test_cli_runner().invoke(args=["logistics", "subscribe-tracking"])
    assert "active: 0" in again.output and len(kuaidi100.requests) == 1


def test_each_shipment_gets_its_own_salt(app, db, shipment):
    assert derive_salt(app.config["KUAIDI100_SALT"], shipment.id) != derive_salt(
        app.config["KUAIDI100_SALT"], shipment.id + 1
    )
    assert len(salt(app, shipment)) == 32


def test_when_kuaidi100_is_down_the_subscription_waits_and_is_sent_later(app, db, shipment, kuaidi100):
    kuaidi100.subscribe_answers.append((500, {"result": False, "returnCode": "500", "message": "服务器错误"}))
    now = utcnow()
    assert tracking.send_due_subscriptions(now=now) == {"active": 0, "retry": 1, "failed": 0}
    subscription = db.session.scalar(select(TrackingSubscription))
    assert subscription.status == "pending" and subscription.attempts == 1
    assert "500" in subscription.last_error
    assert tracking.send_due_subscriptions(now=now + timedelta(seconds=30)) == {"active": 0, "retry": 0, "failed": 0}

    assert tracking.send_due_subscriptions(now=now + timedelta(seconds=61)) == {"active": 1, "retry": 0, "failed": 0}
    db.session.expire_all()
    assert subscription.status == "active" and len(kuaidi100.subscriptions()) == 2


def test_an_unreachable_kuaidi100_is_retried_with_backoff(app, db, shipment, kuaidi100):
    kuaidi100.stop()
    now = utcnow()
    assert tracking.send_due_subscriptions(now=now)["retry"] == 1
    subscription = db.session.scalar(select(TrackingSubscription))
    assert "ConnectionError" in subscription.last_error
    assert as_aware(subscription.next_attempt_at) - now == timedelta(seconds=60)
    assert tracking.send_due_subscriptions(now=now + timedelta(minutes=2))["retry"] == 1
    db.session.expire_all()
    assert subscription.attempts == 2
    assert as_aware(subscription.next_attempt_at) - (now + timedelta(minutes=2)) == timedelta(seconds=120)


def test_kuaidi100_is_called_with_no_transaction_open(app, db, shipment, kuaidi100):
    class WritesDuringTheCall(Kuaidi100Client):
        def subscribe(self, *args, **kwargs):
            # Another connection can change the row while the call is out: nothing holds a lock.
            with db.engine.connect() as connection:
                connection.execute(update(TrackingSubscription).values(last_error="touched during the call"))
                connection.commit()
            return super().subscribe(*args, **kwargs)

    client = WritesDuringTheCall(KEY, CUSTOMER, kuaidi100.base_url, timeout=5)
    assert tracking.send_due_subscriptions(client=client) == {"active": 1, "retry": 0, "failed": 0}
    assert db.session.scalar(select(TrackingSubscription.status)) == "active"


def test_a_run_that_died_during_the_call_is_taken_again_after_the_lease(app, db, shipment, kuaidi100):
    subscription = db.session.scalar(select(TrackingSubscription))
    now = utcnow()
    assert tracking._claim(subscription.id, now, timedelta(seconds=80)) is not None  # then the run died
    assert tracking.send_due_subscriptions(now=now + timedelta(seconds=10)) == {"active": 0, "retry": 0, "failed": 0}
    assert kuaidi100.requests == []
    assert tracking.send_due_subscriptions(now=now + timedelta(seconds=81)) == {"active": 1, "retry": 0, "failed": 0}
    db.session.expire_all()
    assert (subscription.status, subscription.attempts) == ("active", 2)


def test_a_duplicate_subscription_counts_as_accepted(app, db, shipment, kuaidi100):
    kuaidi100.subscribe_answers.append((200, {"result": False, "returnCode": "501", "message": "重复订阅"}))
    assert tracking.send_due_subscriptions() == {"active": 1, "retry": 0, "failed": 0}


def test_a_refused_subscription_fails_for_good_and_the_seller_sees_why(
    app, db, client, login, seller, buyer, shipment, kuaidi100
):
    kuaidi100.subscribe_answers.append((200, {"result": False, "returnCode": "700", "message": "不支持的快递公司"}))
    assert tracking.send_due_subscriptions() == {"active": 0, "retry": 0, "failed": 1}
    login(seller)
    page = client.get(f"/orders/{shipment.order_id}").get_data(as_text=True)
    assert "not available" in page and "不支持的快递公司" in page
    login(buyer)
    page = client.get(f"/orders/{shipment.order_id}").get_data(as_text=True)
    assert "not available" in page and "不支持的快递公司" not in page


def test_retries_stop_after_the_maximum(app, db, shipment, kuaidi100):
    app.config["KUAIDI100_MAX_ATTEMPTS"] = 2
    kuaidi100.subscribe_answers.extend([(502, {"returnCode": "502", "message": "服务器繁忙"})] * 2)
    now = utcnow()
    assert tracking.send_due_subscriptions(now=now)["retry"] == 1
    assert tracking.send_due_subscriptions(now=now + timedelta(hours=1))["failed"] == 1
    assert db.session.scalar(select(TrackingSubscription.status)) == "failed"


def test_a_carrier_kuaidi100_does_not_know_is_not_subscribed(client, login, db, confirmed_order, seller, kuaidi100):
    arrange(client, login, confirmed_order, seller, carrier="village-van", tracking_number="VV1")
    assert db.session.scalar(select(func.count(TrackingSubscription.id))) == 0


def test_without_kuaidi100_settings_nothing_is_queued(client, login, db, confirmed_order, seller, app):
    arrange(client, login, confirmed_order, seller)
    assert db.session.scalar(select(func.count(TrackingSubscription.id))) == 0
    result = app.test_cli_runner().invoke(args=["logistics", "subscribe-tracking"])
    assert "tracking is off" in result.output


def test_carrier_codes_map_to_kuaidi100_companies():
    assert company_code("sf-express") == company_code("顺丰速运") == company_code("SHUNFENG") == "shunfeng"
    assert [company_code(code) for code in ("zto", "yto", "yunda", "sto", "jd", "ems", "deppon", "jtexpress")] == [
        "zhongtong",
        "yuantong",
        "yunda",
        "shentong",
        "jd",
        "ems",
        "debangwuliu",
        "jtexpress",
    ]
    assert company_code("") is None and company_code("acme") is None


def test_state_codes_and_sub_states_map_to_shipment_statuses():
    assert [shipment_status_for(code) for code in ("1", "0", "5", "3", "301", "304", "1002", "8", "12")] == [
        "picked_up",
        "in_transit",
        "in_transit",
        "delivered",
        "delivered",
        "delivered",
        "in_transit",
        "in_transit",
        "in_transit",
    ]
    assert [shipment_status_for(code) for code in ("2", "4", "6", "14", "13", "101", "102", "201", None)] == [None] * 9


# Pushes


def test_a_signed_push_puts_the_track_on_the_timeline_and_ships_the_order(app, client, db, subscribed):
    response = signed_push(app, client, subscribed, [COLLECTED, LEFT_HUB], "0")

    assert response.status_code == 200 and response.json == SUCCESS_REPLY
    db.session.expire_all()
    assert subscribed.status == "in_transit" and subscribed.order.status == "shipped"
    carrier_events = [(e.status, e.source, e.note) for e in subscribed.events if e.source == "carrier"]
    assert carrier_events == [
        ("picked_up", "carrier", COLLECTED["context"]),
        ("in_transit", "carrier", LEFT_HUB["context"]),
    ]
    assert as_aware(subscribed.events[1].occurred_at) == as_utc(COLLECTED["ftime"])  # Beijing time read as +08:00
    assert subscribed.tracking.provider_state == "0"


def test_a_replayed_push_adds_nothing(app, client, db, subscribed):
    signed_push(app, client, subscribed, [COLLECTED, LEFT_HUB], "0")
    before = counts(db)
    response = signed_push(app, client, subscribed, [COLLECTED, LEFT_HUB], "0")
    assert response.status_code == 200 and response.json == SUCCESS_REPLY
    assert counts(db) == before


def test_a_longer_snapshot_adds_only_the_new_points(app, client, db, subscribed):
    signed_push(app, client, subscribed, [COLLECTED], "1")
    signed_push(app, client, subscribed, [COLLECTED, LEFT_HUB, OUT_FOR_DELIVERY], "5")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(TrackingCheckpoint.id))) == 3
    assert [e.status for e in subscribed.events] == ["created", "picked_up", "in_transit"]


def test_an_older_snapshot_after_a_newer_one_moves_nothing_back(app, client, db, subscribed):
    signed_push(app, client, subscribed, [COLLECTED, LEFT_HUB, OUT_FOR_DELIVERY, SIGNED_FOR], "3")
    before = counts(db)
    response = signed_push(app, client, subscribed, [COLLECTED, LEFT_HUB], "0")
    assert response.status_code == 200
    db.session.expire_all()
    assert counts(db) == before
    assert subscribed.status == "delivered" and subscribed.order.status == "delivered"
    assert subscribed.tracking.provider_state == "3"


def test_delivered_opens_the_buyers_acceptance(app, client, db, login, buyer, subscribed):
    signed_push(app, client, subscribed, [COLLECTED, SIGNED_FOR], "3", status="shutdown")
    db.session.expire_all()
    order = subscribed.order
    assert subscribed.status == "delivered" and order.status == "delivered" and order.delivered_at is not None
    assert [e.to_status for e in order.events][-2:] == ["shipped", "delivered"]
    assert subscribed.tracking.status == "finished"
    login(buyer)
    assert client.get(f"/orders/{order.id}/acceptance").status_code == 200


def test_the_snapshot_state_delivers_when_points_carry_no_state(app, client, db, subscribed):
    plain = [{k: v for k, v in p.items() if k in ("context", "time", "ftime")} for p in (COLLECTED, SIGNED_FOR)]
    assert signed_push(app, client, subscribed, plain, "3").status_code == 200
    db.session.expire_all()
    assert subscribed.status == "delivered"
    assert subscribed.events[-1].note == SIGNED_FOR["context"]


def test_a_problem_state_is_shown_but_moves_nothing(app, client, db, subscribed):
    problem = point(beijing_time(17), "快件地址不详，联系收件人中", "2")
    signed_push(app, client, subscribed, [COLLECTED, problem], "2")
    db.session.expire_all()
    assert subscribed.status == "picked_up"
    assert db.session.scalar(select(func.count(TrackingCheckpoint.id))) == 2


@pytest.mark.parametrize(
    "form",
    [
        pytest.param("wrong-salt", id="signed-with-another-salt"),
        pytest.param("tampered", id="param-changed-after-signing"),
        pytest.param("other-shipment", id="salt-of-another-shipment"),
        pytest.param({"param": push_param("SF123", "3", [SIGNED_FOR])}, id="no-sign"),
        pytest.param({"sign": "0" * 32}, id="no-param"),
        pytest.param({}, id="empty"),
    ],
)
def test_a_forged_or_unsigned_push_is_refused_without_a_change(app, client, db, subscribed, form):
    param = push_param("SF123", "3", [SIGNED_FOR])
    if form == "wrong-salt":
        form = signed_form(param, "not-the-salt")
    elif form == "tampered":
        form = signed_form(push_param("SF123", "0", [LEFT_HUB]), salt(app, subscribed)) | {"param": param}
    elif form == "other-shipment":
        form = signed_form(param, derive_salt(app.config["KUAIDI100_SALT"], subscribed.id + 1))
    before = counts(db)
    response = push(client, subscribed, form)
    assert response.status_code == 400 and response.json["result"] is False
    assert counts(db) == before
    db.session.expire_all()
    assert subscribed.status == "created"


@pytest.mark.parametrize(
    "param",
    [
        "not json",
        "[]",
        json.dumps({"status": "polling"}),
        json.dumps({"status": "sideways", "lastResult": {"nu": "SF123", "data": []}}),
        push_param("SF123", "3", [{"context": "签收", "ftime": "yesterday"}]),
        push_param("SF123", "3", [{"ftime": SIGNED_FOR["ftime"]}]),
        push_param("SF123", "three", [SIGNED_FOR]),
        push_param("OTHER999", "3", [SIGNED_FOR]),
    ],
    ids=["not-json", "not-object", "no-lastResult", "bad-status", "bad-time", "no-context", "bad-state", "other-nu"],
)
def test_a_signed_but_malformed_push_is_refused_without_a_change(app, client, db, subscribed, param):
    before = counts(db)
    response = push(client, subscribed, signed_form(param, salt(app, subscribed)))
    assert response.status_code == 400 and response.json["result"] is False
    assert counts(db) == before


def test_a_push_for_an_unknown_shipment_is_404(app, client, db, subscribed):
    form = signed_form(push_param("SF123", "3", [SIGNED_FOR]), salt(app, subscribed))
    response = client.post(f"/hooks/kuaidi100/{subscribed.id + 100}", data=form, csrf=False)
    assert response.status_code == 404


def test_an_abort_resubscribes_later_with_the_reason_and_the_corrected_company(app, client, db, kuaidi100, subscribed):
    param = push_param("SF123", "", [], status="abort", message="3天查询无记录", comNew="shunfengkuaiyun")
    assert push(client, subscribed, signed_form(param, salt(app, subscribed))).status_code == 200
    db.session.expire_all()
    subscription = subscribed.tracking
    assert subscription.status == "pending" and subscription.company == "shunfengkuaiyun"
    assert subscription.last_error == "abort: 3天查询无记录"
    waited = as_aware(subscription.next_attempt_at) - utcnow()
    assert timedelta(minutes=29) < waited <= timedelta(minutes=30)
    assert tracking.send_due_subscriptions()["active"] == 0
    assert tracking.send_due_subscriptions(now=utcnow() + timedelta(minutes=31))["active"] == 1
    assert kuaidi100.subscriptions()[-1]["company"] == "shunfengkuaiyun"


def test_a_cancelled_order_is_not_moved_by_pushes(app, client, db, login, seller, subscribed):
    from app.trade.models import OrderStatus

    order = subscribed.order
    order.status = OrderStatus.CANCELLED.value
    db.session.commit()
    assert signed_push(app, client, subscribed, [COLLECTED, SIGNED_FOR], "3").status_code == 200
    db.session.expire_all()
    assert subscribed.status == "created"
    assert db.session.scalar(select(func.count(TrackingCheckpoint.id))) == 2


# What the buyer reads


def test_the_buyer_reads_the_track_in_english_and_in_chinese(app, client, db, login, buyer, subscribed):
    signed_push(app, client, subscribed, [COLLECTED, LEFT_HUB, OUT_FOR_DELIVERY], "5")
    login(buyer)
    page = client.get(f"/orders/{subscribed.order_id}").get_data(as_text=True)
    assert "Carrier&#39;s track" in page or "Carrier's track" in page
    for label in ("Collected", "Out for delivery", "from the carrier through Kuaidi100"):
        assert label in page
    for checkpoint in (COLLECTED, LEFT_HUB, OUT_FOR_DELIVERY):
        assert checkpoint["context"] in page
    track = page[page.index('class="timeline carrier-track"') :]
    assert track.index(OUT_FOR_DELIVERY["context"]) < track.index(COLLECTED["context"])  # newest first

    buyer.locale = "zh_Hans"
    db.session.commit()
    page = client.get(f"/orders/{subscribed.order_id}").get_data(as_text=True)
    for label in ("快递轨迹", "已揽收", "派送中", "北京市朝阳区"):
        assert label in page
    assert COLLECTED["context"] in page


def test_a_stranger_sees_no_track(app, client, db, login, stranger, subscribed):
    signed_push(app, client, subscribed, [COLLECTED], "1")
    login(stranger)
    assert client.get(f"/orders/{subscribed.order_id}").status_code == 404


# The client on its own


def test_the_real_time_query_is_signed_as_documented(app, kuaidi100):
    kuaidi100.tracks[("shunfeng", "SF123")] = {"state": "0", "ischeck": "0", "com": "shunfeng", "nu": "SF123"} | {
        "data": [LEFT_HUB, COLLECTED]
    }
    client = Kuaidi100Client(KEY, CUSTOMER, kuaidi100.base_url, timeout=5)
    answer = client.query("shunfeng", "SF123")
    assert answer["state"] == "0" and answer["data"][0]["context"] == LEFT_HUB["context"]
    form = kuaidi100.requests[-1]["form"]
    assert form["sign"] == md5_upper(form["param"] + KEY + CUSTOMER)
    assert json.loads(form["param"]) == {"com": "shunfeng", "num": "SF123", "resultv2": "1"}
    with pytest.raises(Kuaidi100Unavailable):
        Kuaidi100Client(KEY, "WRONG", kuaidi100.base_url, timeout=5).query("shunfeng", "SF123")
    with pytest.raises(Kuaidi100Unavailable):
        client.query("shunfeng", "NOSUCH")


def test_parse_push_reads_beijing_time_and_the_corrected_company():
    parsed = parse_push(push_param("SF123", "0", [COLLECTED], comNew="zhongtong"))
    assert parsed.number == "SF123" and parsed.corrected_company == "zhongtong"
    assert parsed.checkpoints[0].occurred_at == as_utc(COLLECTED["ftime"])
    assert parsed.checkpoints[0].occurred_at.utcoffset() == timedelta(0)
    assert parse_push(push_param("SF123", "0", [point("2026-01-01 00:30:00", "x")])).checkpoints[
        0
    ].occurred_at == datetime(2025, 12, 31, 16, 30, tzinfo=UTC)
    assert parsed.checkpoints[0].area == "河南省郑州市"


def test_refresh_tracking_applies_the_real_time_query(app, db, kuaidi100, subscribed):
    kuaidi100.tracks[("shunfeng", "SF123")] = {
        "state": "3",
        "ischeck": "1",
        "com": "shunfeng",
        "nu": "SF123",
        "data": [SIGNED_FOR, COLLECTED],
    }
    result = app.test_cli_runner().invoke(args=["logistics", "refresh-tracking", str(subscribed.id)])
    assert "new checkpoints: 2, status moves: 2" in result.output, result.output
    db.session.expire_all()
    assert subscribed.status == "delivered" and subscribed.order.status == "delivered"
    again = app.test_cli_runner().invoke(args=["logistics", "refresh-tracking", str(subscribed.id)])
    assert "new checkpoints: 0, status moves: 0" in again.output


def test_refresh_tracking_reports_a_refusal_and_changes_nothing(app, db, kuaidi100, subscribed):
    result = app.test_cli_runner().invoke(args=["logistics", "refresh-tracking", str(subscribed.id)])
    assert result.exit_code != 0 and "查询无结果" in result.output
    assert db.session.scalar(select(func.count(TrackingCheckpoint.id))) == 0
    unknown = app.test_cli_runner().invoke(args=["logistics", "refresh-tracking", str(subscribed.id + 100)])
    assert unknown.exit_code != 0 and "not tracked" in unknown.output
