"""tests/factories.py builds rows through the services, so what a factory returns is what the app
would have written: the stock taken, the timeline recorded, the shipment linked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import ORDER_PATH, make_negotiation, make_order, make_shipment


def test_make_negotiation_opens_a_thread_with_one_open_offer(db, buyer, sell_offer):
    negotiation = make_negotiation(sell_offer, buyer, quantity="12", unit_price="3.30")
    assert (negotiation.buyer_id, negotiation.seller_id, negotiation.status) == (buyer.id, sell_offer.owner_id, "open")
    [offer] = negotiation.offers
    assert (offer.quantity, offer.unit_price, offer.status) == (Decimal("12"), Decimal("3.30"), "open")


@pytest.mark.parametrize("status", list(ORDER_PATH))
def test_make_order_walks_the_order_to_the_status_asked(db, buyer, sell_offer, status):
    order = make_order(sell_offer, buyer, quantity="10", status=status)
    db.session.expire_all()
    assert order.status == status
    assert [event.to_status for event in order.events][-1] == status
    assert len(order.events) == 1 + len(ORDER_PATH[status])
    left = Decimal("100") if status == "cancelled" else Decimal("90")
    assert sell_offer.quantity_available == left


def test_make_order_without_arguments_makes_its_own_posting_and_buyer(db):
    order = make_order()
    assert order.status == "placed" and order.bought_now and order.buyer_id != order.seller_id


def test_make_shipment_arranges_the_sellers_shipment(db, buyer, sell_offer):
    order = make_order(sell_offer, buyer, status="confirmed")
    shipment = make_shipment(order)
    other = make_shipment(make_order(sell_offer, buyer, status="confirmed"))
    db.session.expire_all()
    assert order.shipment.id == shipment.id and shipment.method == "carrier" and shipment.status == "created"
    assert shipment.tracking_number != other.tracking_number
    vehicle = make_shipment(
        make_order(sell_offer, buyer, status="paid"),
        method="vehicle",
        driver_name="Driver Zhou",
        driver_phone="+8613911112222",
        vehicle_plate="豫A12345",
    )
    assert vehicle.vehicle_plate == "豫A12345"
