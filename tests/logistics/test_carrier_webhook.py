"""Carrier webhooks: only correctly signed, fresh events change anything; replays and late events
never move a shipment (or its order) twice or backwards."""

from __future__ import annotations

import itertools
import json
import time

import pytest
from sqlalchemy import func, select

from app.logistics.models import CarrierEvent, ShipmentEvent
from app.logistics.webhooks import sign
from app.trade.models import OrderEvent

URL = "/hooks/logistics/sf-express"


def event(
    event_id="evt-1",
    status="picked_up",
    tracking_number="SF123",
    occurred_at="2026-11-26T08:00:00+08:00",
    note="Collected at farm",
):
    return {
        "event_id": event_id,
        "tracking_number": tracking_number,
        "status": status,
        "occurred_at": occurred_at,
        "note": note,
    }


def post(client, body, secret="secret1", timestamp=None, signature=None, url=URL, headers=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    all_headers = {
        "X-Jishi-Timestamp": timestamp,
        "X-Jishi-Signature": signature or sign(secret, timestamp, raw),
        "Content-Type": "application/json",
    }
    if headers is not None:
        all_headers = headers
    return client.post(url, data=raw, headers=all_headers, csrf=False)


def counts(db):
    return (
        db.session.scalar(select(func.count(CarrierEvent.id))),
        db.session.scalar(select(func.count(ShipmentEvent.id))),
        db.session.scalar(select(func.count(OrderEvent.id))),
    )


def test_a_signed_event_moves_the_shipment_and_ships_the_order(client, db, carrier_shipment):
    response = post(client, event())
    assert response.status_code == 200 and response.json == {"result": "applied"}
    db.session.expire_all()
    assert carrier_shipment.status == "picked_up"
    assert carrier_shipment.order.status == "shipped"
    last = carrier_shipment.events[-1]
    assert (last.source, last.note) == ("carrier", "Collected at farm")
    assert carrier_shipment.order.events[-1].actor_id is None


def test_delivered_delivers_the_order_even_when_earlier_steps_were_skipped(client, db, carrier_shipment):
    assert post(client, event(status="delivered")).status_code == 200
    db.session.expire_all()
    order = carrier_shipment.order
    assert carrier_shipment.status == "delivered"
    assert [e.to_status for e in order.events][-2:] == ["shipped", "delivered"]
    assert order.delivered_at is not None


def test_a_tampered_body_is_refused_without_writing(client, db, carrier_shipment):
    before = counts(db)
    timestamp = str(int(time.time()))
    good = sign("secret1", timestamp, json.dumps(event()).encode())
    response = post(client, event(status="delivered"), timestamp=timestamp, signature=good)
    assert response.status_code == 400
    assert counts(db) == before


@pytest.mark.parametrize("secret", ["secret2", "wrong", ""])
def test_a_signature_with_another_secret_is_refused(client, db, carrier_shipment, secret):
    before = counts(db)
    assert post(client, event(), secret=secret or "x").status_code == 400
    assert counts(db) == before


@pytest.mark.parametrize("age", [301, -301, 3600])
def test_a_stale_or_future_timestamp_is_refused(client, db, carrier_shipment, age):
    before = counts(db)
    assert post(client, event(), timestamp=str(int(time.time()) - age)).status_code == 400
    assert counts(db) == before


def test_a_timestamp_within_tolerance_is_accepted(client, carrier_shipment):
    assert post(client, event(), timestamp=str(int(time.time()) - 250)).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Jishi-Timestamp": "1"},
        {"X-Jishi-Signature": "sha256=00"},
        {"X-Jishi-Timestamp": "soon", "X-Jishi-Signature": "sha256=00"},
        {"X-Jishi-Timestamp": "-5", "X-Jishi-Signature": "sha256=00"},
        {"X-Jishi-Timestamp": "9" * 40, "X-Jishi-Signature": "sha256=00"},
    ],
)
def test_missing_or_malformed_signature_headers_are_refused(client, db, carrier_shipment, headers):
    before = counts(db)
    assert post(client, event(), headers=headers).status_code == 400
    assert counts(db) == before


def test_an_unknown_carrier_is_404(client, db, carrier_shipment):
    before = counts(db)
    assert post(client, event(), url="/hooks/logistics/ems").status_code == 404
    assert counts(db) == before


def test_an_unknown_tracking_number_is_404_without_writing(client, db, carrier_shipment):
    before = counts(db)
    assert post(client, event(tracking_number="NOPE")).status_code == 404
    assert counts(db) == before


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b"null",
        json.dumps({**event(), "status": "lost"}).encode(),
        json.dumps({**event(), "status": "created"}).encode(),
        json.dumps({**event(), "event_id": ""}).encode(),
        json.dumps({**event(), "event_id": 7}).encode(),
        json.dumps({**event(), "event_id": "x" * 101}).encode(),
        json.dumps({**event(), "tracking_number": None}).encode(),
        json.dumps({**event(), "occurred_at": "yesterday"}).encode(),
        json.dumps({**event(), "occurred_at": "2026-11-26T08:00:00"}).encode(),
        json.dumps({**event(), "occurred_at": 12}).encode(),
        json.dumps({**event(), "note": {"a": 1}}).encode(),
    ],
)
def test_garbage_with_a_valid_signature_is_400_never_500(client, db, carrier_shipment, body):
    before = counts(db)
    assert post(client, body).status_code == 400
    assert counts(db) == before


def test_ten_replays_make_one_change(client, db, carrier_shipment):
    for _ in range(10):
        response = post(client, event())
        assert response.status_code == 200
    assert response.json == {"result": "duplicate"}
    db.session.expire_all()
    assert counts(db)[0] == 1
    assert [e.status for e in carrier_shipment.events] == ["created", "picked_up"]
    assert [e.to_status for e in carrier_shipment.order.events].count("shipped") == 1


def test_a_late_event_never_moves_the_shipment_backwards(client, db, carrier_shipment):
    assert post(client, event("e-3", "delivered")).json == {"result": "applied"}
    assert post(client, event("e-1", "picked_up")).json == {"result": "ignored"}
    assert post(client, event("e-2", "in_transit")).json == {"result": "ignored"}
    db.session.expire_all()
    assert carrier_shipment.status == "delivered"
    assert carrier_shipment.order.status == "delivered"
    assert db.session.scalar(select(func.count(CarrierEvent.id))) == 3


@pytest.mark.parametrize("ordering", list(itertools.permutations(["picked_up", "in_transit", "delivered"])))
def test_every_ordering_of_events_ends_delivered(client, db, carrier_shipment, ordering):
    for index, status in enumerate(ordering):
        assert post(client, event(f"e-{index}", status)).status_code == 200
    db.session.expire_all()
    assert carrier_shipment.status == "delivered"
    assert carrier_shipment.order.status == "delivered"
    statuses = [e.status for e in carrier_shipment.events]
    assert statuses == sorted(statuses, key=["created", "picked_up", "in_transit", "delivered"].index)


def test_the_hook_needs_no_csrf_token_and_no_login(client, carrier_shipment):
    with client.session_transaction() as session:
        session.clear()
    assert post(client, event()).status_code == 200


def test_the_timeline_shows_carrier_events_on_the_order_page(client, login, db, carrier_shipment, buyer):
    post(client, event(note="Left Zhengzhou hub", status="in_transit"))
    login(buyer)
    page = client.get(f"/orders/{carrier_shipment.order_id}").get_data(as_text=True)
    assert "Left Zhengzhou hub" in page and "In transit" in page and "Carrier" in page
