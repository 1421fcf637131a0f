"""Pooled supply (拼单, issue 24 point 2): a buy request filled by parts from several sellers, each
at least the buyer's minimum; the buyer accepts parts until the quantity is met, each accepted part
becoming an ordinary order; an information station pools its farmers' lots into one part with
each farmer's share and pay-out recorded. Runs on SQLite and PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.members.models import Member
from app.notify.models import Notification
from app.pooling.models import PoolPart, PoolRequest, PoolShare
from app.postings.models import Posting
from app.trade.models import Order
from tests.factories import make_member, make_posting
from tests.pooling.helpers import answer, new_seller, offer, offered, pooled_form
from tests.trade.helpers import walk


@pytest.fixture(autouse=True)
def market_fee(app):
    app.config["MARKET_FEE_PERCENT"] = Decimal("3")


def _posting(posting_id) -> Posting:
    db.session.expire_all()
    return db.session.get(Posting, posting_id)


def _told(event: str) -> list[int]:
    return list(db.session.scalars(select(Notification.member_id).where(Notification.event == event)))


def test_the_buyer_opens_a_buy_request_to_parts_with_a_minimum(client, login, buyer, stranger, sell_offer, buy_request):
    login(stranger)
    assert client.post(f"/p/{buy_request.id}/pool", data={"min_part_quantity": "5"}).status_code == 404
    login(sell_offer.owner)
    assert client.post(f"/p/{sell_offer.id}/pool", data={"min_part_quantity": "5"}).status_code == 404

    login(buyer)
    too_big = client.post(f"/p/{buy_request.id}/pool", data={"min_part_quantity": "60"})
    assert too_big.status_code == 422
    assert "The smallest part cannot be more than the 50 kilogram you want." in too_big.get_data(as_text=True)
    garbage = client.post(f"/p/{buy_request.id}/pool", data={"min_part_quantity": "lots"})
    assert garbage.status_code == 422 and "Enter a number such as 12 or 12.5." in garbage.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PoolRequest.id))) == 0

    assert client.post(f"/p/{buy_request.id}/pool", data={"min_part_quantity": "10"}).status_code == 303
    page = client.get(f"/p/{buy_request.id}/parts").get_data(as_text=True)
    assert "Filled 0 of 50 kilogram" in page and "Smallest part: 10 kilogram" in page
    assert "Offer a part or see how much is filled" not in client.get(f"/p/{buy_request.id}").get_data(as_text=True)
    assert "Parts from several sellers (pooled supply)" in client.get(f"/p/{buy_request.id}").get_data(as_text=True)
    # Not poolable: a seller is told, and no form is offered.
    login(stranger)
    assert "Offer a part or see how much is filled" in client.get(f"/p/{buy_request.id}").get_data(as_text=True)
    other = make_posting(owner=buyer, commodity="rice", kind="buy", quantity=Decimal("20"), unit_code="kg", price=None)
    assert "Offer a part or see how much is filled" not in client.get(f"/p/{other.id}").get_data(as_text=True)
    assert "does not take parts from several sellers" in client.get(f"/p/{other.id}/parts").get_data(as_text=True)
    assert offer(client, login, other, stranger, "10").status_code == 409


def test_a_part_is_at_least_the_minimum_and_at_most_what_is_still_wanted(client, login, buyer, big_request):
    seller = new_seller("Farmer Zhou")
    small = offer(client, login, big_request, seller, "200")
    assert small.status_code == 422
    assert "A part is at least 500 kilogram (or exactly the 3,000 kilogram still wanted)." in small.get_data(
        as_text=True
    )
    too_much = offer(client, login, big_request, seller, "3500")
    assert too_much.status_code == 422 and "Only 3,000 kilogram are still wanted." in too_much.get_data(as_text=True)
    no_price = offer(client, login, big_request, seller, "500", price="0")
    assert no_price.status_code == 422 and "Price must be greater than 0." in no_price.get_data(as_text=True)
    own = offer(client, login, big_request, buyer, "500")
    assert own.status_code == 409 and "You cannot offer a part of your own buy request." in own.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PoolPart.id))) == 0

    assert offer(client, login, big_request, seller, "500").status_code == 303
    second = offer(client, login, big_request, seller, "600")
    assert second.status_code == 409 and "already have a part waiting" in second.get_data(as_text=True)


def test_the_buyer_accepts_parts_until_filled_and_each_becomes_an_order(client, login, buyer, big_request):
    zhou, wu, sun = new_seller("Farmer Zhou"), new_seller("Farmer Wu"), new_seller("Farmer Sun")
    first = offered(client, login, big_request, zhou, "1000", "2.10")
    second = offered(client, login, big_request, wu, "1500", "2.05")
    late = offered(client, login, big_request, sun, "1000", "2.00")
    assert sorted(_told("part_offered")) == [buyer.id] * 3

    login(buyer)
    page = client.get(f"/p/{big_request.id}/parts").get_data(as_text=True)
    assert "Farmer Zhou" in page and "Farmer Wu" in page and "waiting for an answer: 3,500 kilogram" in page
    assert '<progress id="pool-progress-' in page and 'value="0"' in page

    accepted = answer(client, login, first, buyer, "accept")
    assert accepted.status_code == 303 and accepted.headers["Location"].endswith(f"/p/{big_request.id}/parts")
    assert answer(client, login, second, buyer, "accept").status_code == 303
    posting = _posting(big_request.id)
    assert posting.quantity_filled == Decimal("2500") and posting.status == "active"
    page = client.get(f"/p/{big_request.id}/parts").get_data(as_text=True)
    assert "Filled 2,500 of 3,000 kilogram" in page and 'value="83"' in page

    # The third part is bigger than what is still wanted: refused, nothing over-filled.
    over = answer(client, login, late, buyer, "accept")
    assert over.status_code == 409 and "Only 500 kilogram are still wanted, less than this part." in over.get_data(
        as_text=True
    )

    orders = db.session.scalars(select(Order).where(Order.buy_posting_id == big_request.id).order_by(Order.id)).all()
    assert [(o.seller_id, o.buyer_id, o.quantity, o.unit_price, o.total, o.status) for o in orders] == [
        (zhou.id, buyer.id, Decimal("1000"), Decimal("2.10"), Decimal("2100.00"), "placed"),
        (wu.id, buyer.id, Decimal("1500"), Decimal("2.05"), Decimal("3075.00"), "placed"),
    ]
    db.session.expire_all()
    assert db.session.get(PoolPart, first.id).order_id == orders[0].id
    # The seller hears of the accepted part once (not also "new order").
    assert sorted(_told("part_accepted")) == sorted([zhou.id, wu.id]) and _told("order_placed") == []

    # The last 500 kg: exactly what is still wanted may be less than... any part equal to the rest is fine.
    last_seller = new_seller("Farmer Li")
    last = offered(client, login, big_request, last_seller, "500", "2.20")
    assert answer(client, login, last, buyer, "accept").status_code == 303
    posting = _posting(big_request.id)
    assert (posting.quantity_filled, posting.status) == (Decimal("3000"), "closed")
    # Filled: the part still waiting lapsed and its seller was told; no new part is taken.
    assert db.session.get(PoolPart, late.id).status == "lapsed" and _told("part_lapsed") == [sun.id]
    refused = offer(client, login, big_request, new_seller("Farmer Late"), "500")
    assert refused.status_code == 409 and "filled or closed" in refused.get_data(as_text=True)
    assert "This buy request is filled or closed" in client.get(f"/p/{big_request.id}/parts").get_data(as_text=True)


def test_a_cancelled_order_gives_its_quantity_back_to_the_request(client, login, buyer, big_request):
    zhou = new_seller("Farmer Zhou")
    part = offered(client, login, big_request, zhou, "3000")
    answer(client, login, part, buyer, "accept")
    assert _posting(big_request.id).status == "closed"
    order = db.session.get(Order, db.session.get(PoolPart, part.id).order_id)
    walk(client, login, order, (zhou, "cancel"))
    posting = _posting(big_request.id)
    assert (posting.quantity_filled, posting.status) == (Decimal("0"), "active")
    assert offer(client, login, big_request, new_seller("Farmer Wu"), "1000").status_code == 303


def test_only_the_buyer_answers_a_part_and_only_its_seller_withdraws_it(client, login, buyer, stranger, big_request):
    zhou = new_seller("Farmer Zhou")
    part = offered(client, login, big_request, zhou, "1000")

    assert answer(client, login, part, stranger, "accept").status_code == 404
    assert answer(client, login, part, stranger, "withdraw").status_code == 404
    login(stranger)
    assert "Farmer Zhou" not in client.get(f"/p/{big_request.id}/parts").get_data(as_text=True)
    assert answer(client, login, part, zhou, "accept").status_code == 403
    assert answer(client, login, part, buyer, "withdraw").status_code == 403
    unknown = answer(client, login, part, buyer, "explode")
    assert unknown.status_code == 400 and "That is not a way to answer a part." in unknown.get_data(as_text=True)
    assert client.post(f"/parts/{part.id}/answer", data={"action": "accept"}, csrf=False).status_code == 400
    assert db.session.get(PoolPart, part.id).status == "offered"

    assert answer(client, login, part, buyer, "decline").status_code == 303
    assert _told("part_declined") == [zhou.id]
    again = answer(client, login, part, buyer, "accept")
    assert again.status_code == 409 and "This part has been declined." in again.get_data(as_text=True)

    other = offered(client, login, big_request, zhou, "800")
    assert answer(client, login, other, zhou, "withdraw").status_code == 303
    assert _told("part_withdrawn") == [buyer.id]
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_a_station_pools_its_farmers_lots_with_each_share_and_pay_out(client, login, buyer, station, big_request):
    known = make_member(display_name="Farmer Ma", created_by_station_id=station.id)
    login(station)
    page = client.get(f"/station/p/{big_request.id}/parts")
    assert page.status_code == 200 and "Farmers and their quantities (kilogram)" in page.get_data(as_text=True)
    lines = [(known.phone, "400"), ("139 1234 0002", "350", "Farmer Niu"), ("+8613912340003", "250")]
    response = client.post(f"/station/p/{big_request.id}/parts", data=pooled_form(lines, price="2.00"))
    assert response.status_code == 303, response.get_data(as_text=True)

    part = db.session.scalars(select(PoolPart).where(PoolPart.posting_id == big_request.id)).one()
    assert (part.seller_id, part.pooled, part.quantity, part.unit_price) == (
        station.id,
        True,
        Decimal("1000"),
        Decimal("2.00"),
    )
    shares = db.session.scalars(select(PoolShare).where(PoolShare.part_id == part.id).order_by(PoolShare.id)).all()
    # Each share: quantity × price, the market's 3 % fee on it, and the farmer's pay-out.
    assert [(s.quantity, s.amount, s.fee, s.payout) for s in shares] == [
        (Decimal("400"), Decimal("800.00"), Decimal("24.00"), Decimal("776.00")),
        (Decimal("350"), Decimal("700.00"), Decimal("21.00"), Decimal("679.00")),
        (Decimal("250"), Decimal("500.00"), Decimal("15.00"), Decimal("485.00")),
    ]
    new_farmer = db.session.get(Member, shares[1].farmer_id)
    assert (new_farmer.phone, new_farmer.display_name, new_farmer.created_by_station_id) == (
        "+8613912340002",
        "Farmer Niu",
        station.id,
    )
    station_page = client.get(f"/p/{big_request.id}/parts").get_data(as_text=True)
    assert "shares" in station_page and "Farmer Niu" in station_page and "¥679.00" in station_page

    login(buyer)
    buyer_page = client.get(f"/p/{big_request.id}/parts").get_data(as_text=True)
    assert "pooled by an information station for 3 farmers" in buyer_page and "Farmer Niu" not in buyer_page
    assert answer(client, login, part, buyer, "accept").status_code == 303
    order = db.session.get(Order, db.session.get(PoolPart, part.id).order_id)
    assert (order.seller_id, order.quantity, order.total) == (station.id, Decimal("1000"), Decimal("2000.00"))
    assert _told("part_accepted") == [station.id]
    # Farmers with a verified number hear of the sale and their pay-out (the new ones have none yet).
    assert _told("pool_share_sold") == [known.id]


def test_a_station_pools_only_its_own_farmers_once_each(client, login, station, big_request):
    outsider = make_member(display_name="Someone else's farmer")
    login(station)
    foreign = client.post(f"/station/p/{big_request.id}/parts", data=pooled_form([(outsider.phone, "600")]))
    assert foreign.status_code == 422 and "is not one of your farmers" in foreign.get_data(as_text=True)
    twice = client.post(
        f"/station/p/{big_request.id}/parts", data=pooled_form([("+8613912340005", "300"), ("13912340005", "300")])
    )
    assert twice.status_code == 422 and "is listed twice" in twice.get_data(as_text=True)
    small = client.post(f"/station/p/{big_request.id}/parts", data=pooled_form([("+8613912340006", "100")]))
    assert small.status_code == 422 and "A part is at least 500 kilogram" in small.get_data(as_text=True)
    garbage = client.post(
        f"/station/p/{big_request.id}/parts", data=pooled_form([("not a phone", "300"), ("+8613912340007", "abc")])
    )
    body = garbage.get_data(as_text=True)
    assert garbage.status_code == 422
    assert "Enter a valid mobile number" in body and "Enter a number such as 12 or 12.5." in body
    empty = client.post(f"/station/p/{big_request.id}/parts", data=pooled_form([]))
    assert empty.status_code == 422 and "List at least one farmer and their quantity." in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PoolPart.id))) == 0
    # Nothing was left behind by the refused tries: no farmer records for their numbers.
    assert db.session.scalar(select(func.count(Member.id)).where(Member.phone == "+8613912340006")) == 0

    pending = make_member(display_name="Unapproved station", is_station_operator=True, station_review="pending")
    login(pending)
    assert client.get(f"/station/p/{big_request.id}/parts").status_code == 403
