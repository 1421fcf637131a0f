"""Issue 22, point 4: the order by SMS, end to end through the Twilio-signed webhook. The seller
confirms, declines, ships (with a waybill or a plate) and records payment, the buyer confirms
receipt, either lists open orders — each through the order service the web uses: same rules, same
events, once only; replies in one segment; nothing leaks to a stranger; the web order page shows
the state a text moved the order to."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, text, update

from app.core.clock import utcnow
from app.inbound_sms.models import InboundSms
from app.logistics.models import Shipment
from app.payments.models import LedgerEntry
from app.trade import orders
from app.trade.models import Order, OrderEvent, OrderLine
from sms.segments import count_segments
from tests.factories import make_member
from tests.trade.helpers import place_order_by_buy_now, walk


@pytest.fixture
def order(client, login, sell_offer, buyer) -> Order:
    """The buyer bought 10 kg of the seller's rice now: a placed order."""
    placed = place_order_by_buy_now(client, login, sell_offer, buyer)
    client.post("/logout")
    return placed


def _fresh(db, order: Order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


def _events(db, order: Order) -> list[tuple[str | None, str, int | None]]:
    db.session.expire_all()
    return [
        (e.from_status, e.to_status, e.actor_id)
        for e in db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id))
    ]


def _one_segment(reply: str) -> str:
    assert count_segments(reply).segments == 1, (reply, count_segments(reply))
    return reply


def _link(order: Order) -> str:
    return f"http://jishi.test/o/{order.id}"


def test_seller_confirms_by_text_and_the_order_page_shows_it(text_in, db, client, login, seller, order):
    reply = _one_segment(text_in(seller.phone, f"CONFIRM {order.number}"))
    assert reply == f"Order {order.number} confirmed. When the goods leave, reply SHIP {order.number}. {_link(order)}"
    assert _fresh(db, order).status == "confirmed"
    assert _events(db, order)[-1] == ("placed", "confirmed", seller.id)
    assert db.session.scalar(select(InboundSms.command).order_by(InboundSms.id.desc()).limit(1)) == "order_confirm"
    login(seller)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "confirmed" in page and "Mark as shipped" in page


@pytest.mark.parametrize("body", ["确认 {number}", "确认 J{id}", "confirm j{id}", "確認：{number}。"])
def test_confirm_reads_every_spelling_of_the_order_number(text_in, db, seller, order, body):
    reply = _one_segment(text_in(seller.phone, body.format(number=order.number, id=order.id)))
    assert order.number in reply
    assert _fresh(db, order).status == "confirmed"


def test_chinese_replies_fit_one_segment_through_the_whole_order(text_in, db, seller, buyer, order):
    n = order.number
    assert _one_segment(text_in(seller.phone, f"确认 {n}")) == f"订单{n}已确认。发货后回复“发货 {n}”。 {_link(order)}"
    assert (
        _one_segment(text_in(seller.phone, f"发货 {n}")) == f"订单{n}已发货。买家到货后回复“收货 {n}”。 {_link(order)}"
    )
    assert _one_segment(text_in(buyer.phone, f"收货 {n}")) == f"订单{n}已确认收货，谢谢。 {_link(order)}"
    assert _one_segment(text_in(seller.phone, f"收款 {n}")) == f"订单{n}已确认收款。 {_link(order)}"
    assert _fresh(db, order).status == "paid"
    assert [e[1] for e in _events(db, order)] == ["placed", "confirmed", "shipped", "delivered", "paid"]


def test_payment_received_by_text_writes_the_ledger_charge_as_the_web_step_does(
    text_in, db, client, login, seller, buyer, order
):
    text_in(seller.phone, f"CONFIRM {order.number}")
    reply = _one_segment(text_in(seller.phone, f"PAID {order.number}"))
    assert reply.startswith(f"Payment for order {order.number} recorded.")
    order = _fresh(db, order)
    assert order.status == "paid" and order.paid_at is not None
    charges = db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "charge")).all()
    assert [entry.amount for entry in charges] == [order.total]
    login(buyer)
    assert "paid" in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_ship_with_a_carrier_and_waybill_creates_the_shipment(text_in, db, seller, order):
    text_in(seller.phone, f"确认 {order.number}")
    reply = _one_segment(text_in(seller.phone, f"发货 J{order.id} 顺丰 SF1234567890"))
    assert reply == f"订单{order.number}已发货（SF1234567890）。 {_link(order)}"
    order = _fresh(db, order)
    assert order.status == "shipped" and order.shipped_at is not None
    shipment = db.session.scalar(select(Shipment).where(Shipment.order_id == order.id))
    assert (shipment.method, shipment.carrier, shipment.tracking_number) == ("carrier", "sf-express", "SF1234567890")
    assert _events(db, order)[-1][1] == "shipped"
    assert (
        db.session.scalars(select(OrderEvent.note).where(OrderEvent.to_status == "shipped")).one()
        == "顺丰 SF1234567890"
    )


def test_ship_with_a_plate_arranges_a_truck_shipment(text_in, db, client, login, seller, buyer, order):
    text_in(seller.phone, f"CONFIRM {order.number}")
    reply = _one_segment(text_in(seller.phone, f"发货 J{order.id} 豫a12345"))
    assert reply.startswith(f"订单{order.number}已发货（豫a12345）。")
    shipment = db.session.scalar(select(Shipment).where(Shipment.order_id == order.id))
    assert (shipment.method, shipment.vehicle_plate, shipment.driver_name, shipment.driver_phone) == (
        "vehicle",
        "豫A12345",
        None,
        None,
    )
    login(buyer)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "豫A12345" in page and "shipped" in page
    login(seller)
    response = client.post(f"/orders/{order.id}/shipment/driver-link")
    assert response.status_code == 200 and "Send this link to the driver." in response.get_data(as_text=True)


def test_ship_with_words_that_are_not_a_plate_only_notes_them(text_in, db, seller, order):
    text_in(seller.phone, f"CONFIRM {order.number}")
    text_in(seller.phone, f"发货 J{order.id} 明早到")
    assert db.session.scalar(select(func.count()).select_from(Shipment)) == 0
    assert _fresh(db, order).status == "shipped"


def test_seller_declines_a_placed_order_and_the_stock_comes_back(text_in, db, seller, sell_offer, order):
    reply = _one_segment(text_in(seller.phone, f"拒绝 {order.number}"))
    assert reply == f"订单{order.number}已拒绝并取消。 {_link(order)}"
    assert _fresh(db, order).status == "cancelled"
    db.session.expire_all()
    assert db.session.get(type(sell_offer), sell_offer.id).quantity_available == sell_offer.quantity


def test_a_resent_text_gets_what_was_done_and_no_second_step(text_in, db, seller, order):
    first = text_in(seller.phone, f"CONFIRM {order.number}")
    assert first.startswith(f"Order {order.number} confirmed.")
    again = _one_segment(text_in(seller.phone, f"CONFIRM {order.number}"))
    assert again == f"Order {order.number} is already confirmed."
    text_in(seller.phone, f"SHIP {order.number}")
    assert text_in(seller.phone, f"SHIP {order.number}") == f"Order {order.number} is already shipped."
    assert text_in(seller.phone, f"确认 {order.number}") == f"订单{order.number}已是“已发货”状态。"
    assert [e[1] for e in _events(db, order)] == ["placed", "confirmed", "shipped"]


def test_the_same_message_sid_twice_runs_once_and_answers_alike(text_in, db, seller, order):
    first = text_in(seller.phone, f"CONFIRM {order.number}", sid="SM" + "7" * 32)
    second = text_in(seller.phone, f"CONFIRM {order.number}", sid="SM" + "7" * 32)
    assert first == second and first.startswith(f"Order {order.number} confirmed.")
    assert [e[1] for e in _events(db, order)] == ["placed", "confirmed"]
    assert db.session.scalar(select(func.count()).select_from(InboundSms)) == 1


def test_only_the_seller_confirms_ships_and_records_payment_and_only_the_buyer_receives(
    text_in, db, seller, buyer, order
):
    for body in (f"CONFIRM {order.number}", f"DECLINE {order.number}", f"SHIP {order.number}", f"PAID {order.number}"):
        assert _one_segment(text_in(buyer.phone, body)) == "Not done: Only the seller can do this.", body
    assert _fresh(db, order).status == "placed"
    text_in(seller.phone, f"CONFIRM {order.number}")
    text_in(seller.phone, f"SHIP {order.number}")
    assert text_in(seller.phone, f"RECEIVED {order.number}") == "Not done: Only the buyer can do this."
    assert _fresh(db, order).status == "shipped"


def test_a_step_the_order_state_refuses_gets_the_web_reason(text_in, db, seller, buyer, order):
    assert (
        _one_segment(text_in(seller.phone, f"SHIP {order.number}"))
        == "Not done: An order that is placed cannot be changed that way."
    )
    assert (
        text_in(buyer.phone, f"RECEIVED {order.number}")
        == "Not done: An order that is placed cannot be changed that way."
    )
    assert _fresh(db, order).status == "placed"


def test_a_stranger_and_an_unknown_number_learn_nothing_about_the_order(text_in, db, stranger, order):
    no_such = f"You have no order {order.number}. Reply ORDERS to list yours."
    for body in (
        f"CONFIRM {order.number}",
        f"SHIP {order.number}",
        f"RECEIVED {order.number}",
        f"PAID {order.number}",
        f"DECLINE {order.number}",
    ):
        assert text_in(stranger.phone, body) == no_such, body
    assert text_in(stranger.phone, "ORDERS") == "Jishi: you have no open orders."
    unregistered = text_in("+8613900000077", f"CONFIRM {order.number}")
    assert unregistered.startswith("Jishi: this number is not registered.")
    assert _fresh(db, order).status == "placed"


def test_an_order_number_that_does_not_exist_answers_like_someone_elses(text_in, seller, order):
    assert text_in(seller.phone, "CONFIRM J9999999") == "You have no order J9999999. Reply ORDERS to list yours."
    assert text_in(seller.phone, "发货 J9999999") == "您没有订单J9999999。回复“订单”查看。"


@pytest.mark.parametrize(
    "body, reply",
    [
        ("SHIP 3", "Order numbers start with J. e.g. SHIP J0000003 SF SF1234567890"),
        ("PAID 3", "Order numbers start with J. e.g. PAID J0000003"),
        ("RECEIVED 3", "Order numbers start with J. e.g. RECEIVED J0000003"),
        ("DECLINE 3", "Order numbers start with J. e.g. DECLINE J0000003"),
        ("收货 3", "订单号以J开头。 如：收货 J0000003"),
        ("发货", "哪个订单？回复“订单”查看。 如：发货 J0000003 顺丰 SF1234567890"),
        ("CONFIRM Jx", "Could not read the order number. e.g. CONFIRM J0000003"),
    ],
)
def test_a_bare_or_missing_order_number_gets_usage_and_changes_nothing(text_in, db, seller, order, body, reply):
    assert _one_segment(text_in(seller.phone, body)) == reply
    assert _fresh(db, order).status == "placed"


def test_a_bare_number_after_yes_is_still_a_draft_number(text_in, db, seller, sell_offer, order):
    """YES 1 / 确认 1 are about posting 1 (here the seller's published rice), never order J0000001."""
    assert order.id == sell_offer.id
    assert (
        text_in(seller.phone, f"YES {order.id}")
        == f"Posting {sell_offer.id} is already published: http://jishi.test/p/{sell_offer.id}"
    )
    assert text_in(seller.phone, f"确认 {order.id}").startswith(f"信息{sell_offer.id}已发布")
    assert _fresh(db, order).status == "placed"


def test_orders_lists_open_orders_with_the_next_step_for_each_party(
    text_in, db, client, login, seller, buyer, sell_offer, order
):
    second = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="5")
    walk(client, login, second, (seller, "confirm"), (seller, "ship"))
    client.post("/logout")
    assert (
        _one_segment(text_in(seller.phone, "ORDERS"))
        == f"Orders: {second.number} waiting; {order.number} CONFIRM/DECLINE."
    )
    assert _one_segment(text_in(buyer.phone, "订单")) == f"订单：{second.number} 收货；{order.number} 等对方。"


def test_orders_beyond_one_segment_are_counted_not_cut(text_in, db, client, login, seller, buyer, sell_offer, order):
    for _ in range(9):
        place_order_by_buy_now(client, login, sell_offer, buyer, quantity="1")
    client.post("/logout")
    reply = _one_segment(text_in(seller.phone, "订单"))
    listed = reply.count("J00")
    assert 1 <= listed < 10
    assert reply.endswith(f"另有{10 - listed}个请上网查看。")


def test_a_suspended_seller_cannot_confirm_but_can_ship_an_order_under_way(
    text_in, db, client, login, seller, buyer, sell_offer, order
):
    """As on the web: confirming is a new commitment; an order already under way can still move."""
    newer = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="5")
    client.post("/logout")
    text_in(seller.phone, f"CONFIRM {order.number}")
    seller.suspended_until = utcnow() + timedelta(days=3)
    db.session.commit()
    suspended = "Jishi: your account is suspended, so you cannot post or trade. You can still check PRICE."
    assert text_in(seller.phone, f"CONFIRM {newer.number}") == suspended
    assert _fresh(db, newer).status == "placed"
    assert text_in(seller.phone, f"SHIP {order.number}").startswith(f"Order {order.number} shipped.")
    assert _fresh(db, order).status == "shipped"


def test_help_lists_the_order_commands_in_both_languages(text_in):
    english = text_in(make_member(locale="en").phone, "HELP")
    assert not english.endswith("...")  # within the two segments a reply may take, not cut
    assert "ORDERS" in english and "CONFIRM/DECLINE/SHIP/PAID J3" in english and "RECEIVED J3" in english
    chinese = text_in(make_member(locale="zh_Hans").phone, "帮助")
    assert not chinese.endswith("...")
    assert "订单" in chinese and "确认/拒绝/发货/收款 J3" in chinese and "收货 J3" in chinese


def test_decline_of_an_order_number_that_is_also_an_offer_code_declines_the_order(
    text_in, db, seller, buyer, sell_offer
):
    """J234 is shaped like an offer code (J and three digits 2-9): with no offer so coded, DECLINE J234
    declines order J0000234."""
    first = orders.buy_now(sell_offer, buyer, Decimal("1"), "collect")
    db.session.flush()
    # The rows that reference the order go first, so that its id can move (order lines, events).
    db.session.execute(delete(OrderEvent).where(OrderEvent.order_id == first.id))
    db.session.execute(delete(OrderLine).where(OrderLine.order_id == first.id))
    db.session.execute(update(Order).where(Order.id == first.id).values(id=233))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('trade_order', 'id'), 233)"))
    db.session.commit()
    order = orders.buy_now(sell_offer, buyer, Decimal("1"), "collect")
    db.session.commit()
    assert order.number == "J0000234"
    assert text_in(seller.phone, "DECLINE J234") == f"Order J0000234 declined and cancelled. {_link(order)}"
    assert _fresh(db, order).status == "cancelled"
