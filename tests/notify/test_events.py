"""Trade, payment and shipment events reach the right party by SMS and e-mail, in their language,
in one SMS segment."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.catalogue.models import Commodity, Unit
from app.core.clock import utcnow
from app.extensions import db as _db
from app.notify.sms_templates import BUILDERS, render_sms
from app.trade.models import Negotiation
from app.trade.negotiations import expire_due_offers
from sms import templates
from tests.logistics.conftest import arrange
from tests.notify.conftest import notifications
from tests.trade.helpers import offer_data, place_order_by_buy_now, start_thread, walk


def told(member, event=None):
    rows = notifications(member_id=member.id)
    return [(row.event, row.channel) for row in rows if event in (None, row.event)]


@pytest.fixture
def parties(db, seller, buyer):
    seller.email = "wang@example.com"
    buyer.email = "li@example.com"
    db.session.commit()
    return seller, buyer


def test_offer_counter_accept_and_order_steps_tell_the_other_party(client, db, login, parties, sell_offer):
    seller, buyer = parties
    negotiation = start_thread(client, login, sell_offer, buyer)
    assert told(seller) == [("offer_made", "sms"), ("offer_made", "email")]
    assert told(buyer) == []

    login(seller)
    client.post(f"/negotiations/{negotiation.id}/counter", data=offer_data(unit_price="3.40"))
    assert told(buyer, "offer_countered") == [("offer_countered", "sms"), ("offer_countered", "email")]

    counter = _db.session.get(Negotiation, negotiation.id).offers[-1]
    login(buyer)
    client.post(f"/negotiations/{negotiation.id}/offers/{counter.id}/accept")
    order = _db.session.get(Negotiation, negotiation.id).order
    # The accepted offer's author hears of it once (no separate "order placed" for a negotiated order).
    assert told(seller, "offer_accepted") == [("offer_accepted", "sms"), ("offer_accepted", "email")]
    assert told(seller, "order_placed") == [] and told(buyer, "offer_accepted") == []

    walk(
        client,
        login,
        order,
        (seller, "confirm"),
        (seller, "pay"),
        (seller, "ship"),
        (buyer, "deliver"),
        (buyer, "complete"),
    )
    buyer_events = {event for event, _channel in told(buyer)}
    seller_events = {event for event, _channel in told(seller)}
    assert {"order_confirmed", "order_paid", "order_shipped"} <= buyer_events
    assert {"order_delivered", "order_completed"} <= seller_events
    assert not {"order_confirmed", "order_paid", "order_shipped"} & seller_events
    assert not {"order_delivered", "order_completed"} & buyer_events

    sms = notifications(member_id=buyer.id, event="order_shipped", channel="sms")[0]
    assert sms.body == f"Jishi: order {order.number} has been shipped. http://jishi.test/o/{order.id}"
    assert client.get(f"/o/{order.id}").headers["Location"].endswith(f"/orders/{order.id}")


def test_declined_offer_tells_its_author(client, db, login, parties, sell_offer):
    seller, buyer = parties
    negotiation = start_thread(client, login, sell_offer, buyer)
    offer = negotiation.offers[-1]
    login(seller)
    client.post(f"/negotiations/{negotiation.id}/offers/{offer.id}/decline")
    assert told(buyer, "offer_declined") == [("offer_declined", "sms"), ("offer_declined", "email")]
    body = notifications(member_id=buyer.id, event="offer_declined", channel="sms")[0].body
    assert body == f"Jishi: your offer on Rice was declined. http://jishi.test/n/{negotiation.id}"


def test_buy_now_tells_the_seller_and_cancel_tells_the_buyer(client, db, login, parties, sell_offer):
    seller, buyer = parties
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    assert told(seller) == [("order_placed", "sms"), ("order_placed", "email")]
    email = notifications(member_id=seller.id, channel="email")[0]
    assert email.subject == f"New order {order.number}"
    assert "10 kilogram" in email.body and "¥35.00" in email.body
    walk(client, login, order, (seller, "cancel"))
    assert told(buyer) == [("order_cancelled", "sms"), ("order_cancelled", "email")]


def test_dispute_tells_the_seller_and_its_resolution_tells_both(client, db, login, parties, admin, sell_offer):
    seller, buyer = parties
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    walk(client, login, order, (seller, "confirm"), (seller, "pay"), (seller, "ship"), (buyer, "deliver"))
    login(buyer)
    response = client.post(f"/orders/{order.id}/dispute", data={"reason": "Half the sacks were wet."})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert told(seller, "dispute_opened") and not told(buyer, "dispute_opened")
    login(admin)
    response = client.post(
        f"/orders/{order.id}/resolve",
        data={"outcome": "partial", "refund_amount": "10.00", "note": "Wet sacks refunded."},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert told(seller, "dispute_resolved") and told(buyer, "dispute_resolved")
    body = notifications(member_id=buyer.id, event="dispute_resolved", channel="sms")[0].body
    assert "¥10.00" in body


def test_chinese_reader_gets_chinese_messages_that_fit_one_segment(client, db, login, parties, sell_offer):
    seller, buyer = parties
    seller.locale = "zh_Hans"
    db.session.commit()
    negotiation = start_thread(client, login, sell_offer, buyer)
    sms = notifications(member_id=seller.id, channel="sms")[0]
    assert sms.locale == "zh_Hans" and "新报价" in sms.body
    assert sms.body.endswith(f"http://jishi.test/n/{negotiation.id}")
    assert re.search("[\u4e00-\u9fff]", notifications(member_id=seller.id, channel="email")[0].subject)


def _longest_commodity(locale):
    return max(_db.session.scalars(select(Commodity)), key=lambda c: len(c.name(locale)))


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_every_trade_sms_fits_one_segment_even_with_a_long_title_and_address(app, db, locale):
    app.config["PUBLIC_BASE_URL"] = "https://www.jishi.cn"  # the production address; the signature takes 4 more
    context = {
        "title": "长" * 120,
        "name": "王" * 80,
        "commodity": _longest_commodity(locale),
        "quantity": Decimal("12345.5"),
        "price": Decimal("12345.67"),
        "unit": _db.session.get(Unit, "kg"),
        "total": Decimal("9999999.99"),
        "number": "J1234567",
        "refund": "123456.78",
        "amount_due": "123456.78",
        "amount": Decimal("123456.78"),  # a farmer's pay-out from a pooled part (pool_share_sold)
        "answer": "叶" * 400,  # an expert's answer; the SMS carries its first words (knowledge_answer)
        "store": "店" * 60,  # a followed store's name (store_new_goods)
        "count": 30,  # the lots of a basket price request
        "outcome": "partial",
        "link": "https://www.jishi.cn/n/1234567",
        "url": "https://www.jishi.cn/negotiations/1234567",
    }
    # Price alerts render per commodity with their own context; tests/market/test_alerts.py holds
    # them to one segment with the catalogue's longest names. The info-station confirmation names the
    # station and both reply commands, and may take two segments (tests/inbound_sms/test_replies.py).
    events = sorted(
        name for name in BUILDERS if not name.startswith("price_") and name not in ("station_posting_confirm",)
    )
    assert len(events) >= 15
    sign = app.config["SMS_SIGN_NAME"]
    context.update(code="123456", minutes=10, budget="station", period="hour", limit=1000)
    for event in events:
        # The registry refuses (and logs) a message over its parts: rendering at all is the check,
        # measured here again with the signature the provider prepends.
        # Reports and questions are numbered by their id (digits); orders by their number (J…).
        numbered = event == "report_outcome" or event.startswith("knowledge_")
        rendered = render_sms(event, locale, {**context, "number": 123456789} if numbered else context)
        allowed = templates.allowed_segments(templates.get(rendered.template), locale, sign)
        assert templates.measure(rendered.text, sign).segments <= allowed, (event, rendered.text)
        # Names are not cut for the catalogue's longest commodity.
        if "commodity" in rendered.params:
            assert rendered.params["commodity"] == context["commodity"].name(locale), (event, rendered.params)


def test_shipment_delivered_and_partial_acceptance_agreed_reach_the_buyer(client, db, login, parties, sell_offer):
    seller, buyer = parties
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    walk(client, login, order, (seller, "confirm"))
    arrange(client, login, order, seller, method="collect")
    login(seller)
    assert client.post(f"/orders/{order.id}/shipment/status", data={"status": "delivered"}).status_code == 303
    assert {"order_shipped", "order_delivered"} <= {event for event, _channel in told(buyer)}
    login(buyer)
    client.post(
        f"/orders/{order.id}/acceptance", data={"kind": "part", "quantity_received": "9.5", "reason": "short_weight"}
    )
    login(seller)
    assert client.post(f"/orders/{order.id}/acceptance/decision", data={"decision": "agree"}).status_code == 303
    assert told(buyer, "partial_acceptance_agreed") == [
        ("partial_acceptance_agreed", "sms"),
        ("partial_acceptance_agreed", "email"),
    ]
    assert "Due: ¥33.25" in notifications(member_id=buyer.id, event="partial_acceptance_agreed", channel="sms")[0].body
    assert not told(seller, "partial_acceptance_agreed")


def test_expired_offer_tells_both_parties_from_the_cli_job(app, client, db, login, parties, sell_offer):
    seller, buyer = parties
    start_thread(client, login, sell_offer, buyer)
    hours = app.config["OFFER_EXPIRY_HOURS"] + 1

    # Outside any request, as when cron runs `flask trade expire-offers`.
    assert expire_due_offers(now=utcnow() + timedelta(hours=hours)) == 1
    db.session.commit()
    assert told(seller, "offer_expired") and told(buyer, "offer_expired")
    assert "expired unanswered" in notifications(member_id=buyer.id, event="offer_expired", channel="sms")[0].body
