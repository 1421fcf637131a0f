"""Split settlement of a pooled part (issue 24 point 2 with the payment issue's 分账): when the
order an information station's pooled part became settles, each farmer's pay-out goes to that
farmer's own receiver account under its own request number — never twice, a farmer without an
account waits without holding up the others, and the rest is released to the platform only once
every farmer was paid. Through WeChat Pay's real client against the fake on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.clock import utcnow
from app.extensions import db
from app.payments import settlement
from app.payments.models import SplitSettlement, SplitShare
from app.pooling.models import PoolPart
from app.postings.services import local_today
from app.trade.models import Order
from tests.factories import make_member
from tests.payments.wechat_helpers import pay_with_wechat, wechat  # noqa: F401  (fixture)
from tests.pooling.helpers import answer, pooled_form
from tests.trade.helpers import walk


@pytest.fixture(autouse=True)
def market_fee(app):
    app.config["MARKET_FEE_PERCENT"] = Decimal("3")


def _settle(now):
    settlement.run_due(now=now)
    db.session.expire_all()


def test_each_farmer_of_a_pooled_part_is_paid_their_share_once(app, client, login, buyer, station, big_request, wechat):
    farmers = [make_member(display_name=f"Farmer {n}", created_by_station_id=station.id) for n in ("Ma", "Niu", "Yang")]
    login(station)
    lines = [(farmers[0].phone, "400"), (farmers[1].phone, "350"), (farmers[2].phone, "250")]
    assert client.post(f"/station/p/{big_request.id}/parts", data=pooled_form(lines, price="2.00")).status_code == 303
    part = db.session.scalars(select(PoolPart).where(PoolPart.posting_id == big_request.id)).one()
    assert answer(client, login, part, buyer, "accept").status_code == 303
    order = db.session.get(Order, db.session.get(PoolPart, part.id).order_id)

    walk(client, login, order, (station, "confirm"))
    pay_with_wechat(client, login, order, buyer, wechat)
    walk(client, login, order, (station, "ship"), (buyer, "deliver"))
    login(buyer)
    assert client.post(f"/orders/{order.id}/acceptance", data={"kind": "all"}).status_code == 303
    app.config["DISPUTE_WINDOW_DAYS"] = 0
    walk(client, login, order, (buyer, "complete"))
    for farmer, account in zip(farmers[:2], ("1900000301", "1900000302"), strict=True):
        settlement.save_receiver_account(farmer.id, "wechatpay", "MERCHANT_ID", account, farmer.display_name)
    db.session.commit()

    now = utcnow()
    _settle(now)

    row = db.session.scalar(select(SplitSettlement).where(SplitSettlement.order_id == order.id))
    # ¥2,000.00 paid, 3 % fee ¥60.00: the farmers' pay-outs ¥776 + ¥679 + ¥485 = ¥1,940.00.
    assert (row.seller_id, row.net, row.fee, row.amount_minor) == (
        station.id,
        Decimal("2000.00"),
        Decimal("60.00"),
        194000,
    )
    shares = db.session.scalars(select(SplitShare).order_by(SplitShare.id)).all()
    assert [(s.member_id, s.out_request_no, s.amount_minor, s.state) for s in shares] == [
        (farmers[0].id, f"{order.number}P1R1", 77600, "split"),
        (farmers[1].id, f"{order.number}P2R1", 67900, "split"),
        (farmers[2].id, f"{order.number}P3R1", 48500, "pending"),
    ]
    requests = wechat.posts_to("/v3/profitsharing/orders")
    assert [
        (r["body"]["out_order_no"], r["body"]["receivers"][0]["account"], r["body"]["receivers"][0]["amount"])
        for r in requests
    ] == [
        (f"{order.number}P1R1", "1900000301", 77600),
        (f"{order.number}P2R1", "1900000302", 67900),
    ]
    # The third farmer has no account yet: the settlement waits, nothing is released to the platform.
    assert row.state == "processing" and "without a receiver account" in row.last_error
    assert not wechat.posts_to("/v3/profitsharing/orders/unfreeze")

    _settle(now + timedelta(hours=1))  # running again pays nobody twice
    assert len(wechat.posts_to("/v3/profitsharing/orders")) == 2

    settlement.save_receiver_account(farmers[2].id, "wechatpay", "MERCHANT_ID", "1900000303", "Farmer Yang")
    db.session.commit()
    _settle(now + timedelta(hours=2))

    requests = wechat.posts_to("/v3/profitsharing/orders")
    assert [r["body"]["out_order_no"] for r in requests] == [f"{order.number}P{n}R1" for n in (1, 2, 3)]
    assert requests[2]["body"]["receivers"][0]["amount"] == 48500
    [unfreeze] = wechat.posts_to("/v3/profitsharing/orders/unfreeze")
    assert unfreeze["body"]["out_order_no"] == f"{order.number}S1F"
    row = db.session.get(SplitSettlement, row.id)
    assert (row.state, row.paid_out_minor, row.last_error) == ("finished", 194000, "")
    # The statements count what each farmer was paid, the station nothing.
    paid = settlement.paid_out_by_seller(local_today() - timedelta(days=1), local_today() + timedelta(days=1))
    assert paid == {
        farmers[0].id: Decimal("776.00"),
        farmers[1].id: Decimal("679.00"),
        farmers[2].id: Decimal("485.00"),
    }
    _settle(now + timedelta(hours=3))
    assert len(wechat.posts_to("/v3/profitsharing/orders")) == 3
    # The admin's split page lists each farmer's share under the station's settlement.
    login(make_member(display_name="Admin Chen", is_admin=True))
    splits = client.get("/admin/payments/splits").get_data(as_text=True)
    assert "Farmer Niu: ¥679.00, " in splits and f"{order.number}P2R1" in splits


def test_a_refund_scales_every_farmers_share_down_within_what_is_left():
    # ¥1,940 of pay-outs but only ¥970.01 left after a refund and the fee: in proportion, to the fen.
    amounts = settlement.share_amounts([Decimal("776.00"), Decimal("679.00"), Decimal("485.00")], Decimal("970.01"))
    assert amounts == [38801, 33950, 24250] and sum(amounts) == 97001
    assert settlement.share_amounts([Decimal("10.00")], Decimal("20.00")) == [1000]
