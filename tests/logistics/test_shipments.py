"""The seller arranges a shipment for a confirmed order and moves it forward on the order page;
the order follows through the trade order service."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.logistics.models import Shipment
from app.postings.services import local_today
from tests.logistics.conftest import arrange
from tests.trade.helpers import place_order_by_buy_now, walk


def test_the_seller_arranges_a_carrier_shipment(client, login, db, confirmed_order, seller, buyer):
    shipment = arrange(
        client,
        login,
        confirmed_order,
        seller,
        weight_kg="10.5",
        expected_date=(local_today() + timedelta(days=7)).isoformat(),
    )
    assert (shipment.method, shipment.carrier, shipment.tracking_number) == ("carrier", "sf-express", "SF123")
    assert shipment.weight_kg == Decimal("10.500") and shipment.status == "created"
    login(buyer)
    page = client.get(f"/orders/{confirmed_order.id}").get_data(as_text=True)
    assert "SF123" in page and "Arranged" in page and "10.5 kg" in page


@pytest.mark.parametrize(
    "fields, field_name, message",
    [
        ({"method": "carrier", "tracking_number": ""}, "tracking_number", "Enter the tracking number."),
        ({"method": "carrier", "carrier": ""}, "carrier", "Enter the carrier."),
        ({"method": "vehicle", "driver_name": ""}, "driver_name", "Enter the driver&#39;s name."),
        ({"method": "station", "pickup_station": ""}, "pickup_station", "Name the info-station."),
        ({"method": "boat"}, "method", "Not a valid choice"),
        ({"weight_kg": "NaN"}, "weight_kg", "Enter a number such as 12 or 12.5."),
        ({"weight_kg": "-3"}, "weight_kg", "Enter a number greater than zero."),
        ({"weight_kg": "0"}, "weight_kg", "Enter a number greater than zero."),
        ({"expected_date": "2019-01-01"}, "expected_date", "Choose a date from today to a year ahead."),
        ({"expected_date": "not a date"}, "expected_date", "Not a valid date value."),
    ],
)
def test_bad_shipment_details_are_shown_beside_the_field(
    client, login, db, confirmed_order, seller, fields, field_name, message
):
    data = {
        "method": "carrier",
        "carrier": "sf-express",
        "tracking_number": "SF1",
        "driver_name": "Zhou",
        "driver_phone": "13911112222",
        "vehicle_plate": "豫A12345",
        "pickup_station": "S",
    }
    data.update(fields)
    login(seller)
    response = client.post(f"/orders/{confirmed_order.id}/shipment/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="field-{field_name}"' in page and message in page
    assert 'value="SF1"' in page or field_name == "tracking_number"
    assert db.session.scalar(select(func.count(Shipment.id))) == 0


def test_a_tracking_number_cannot_be_used_twice_for_one_carrier(
    client, login, db, seller, buyer, sell_offer, carrier_shipment
):
    other = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="5")
    walk(client, login, other, (seller, "confirm"))
    login(seller)
    response = client.post(
        f"/orders/{other.id}/shipment/new",
        data={"method": "carrier", "carrier": "SF-Express", "tracking_number": "SF123"},
    )
    assert response.status_code == 422
    assert "already used by another shipment" in response.get_data(as_text=True)


def test_only_confirmed_orders_get_a_shipment_once(client, login, db, buyer, seller, sell_offer, carrier_shipment):
    login(seller)
    assert client.get(f"/orders/{carrier_shipment.order_id}/shipment/new").status_code == 409
    placed = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="2")
    login(seller)
    response = client.post(f"/orders/{placed.id}/shipment/new", data={"method": "collect"})
    assert response.status_code == 409
    assert "once the order is confirmed" in response.get_data(as_text=True)


def test_the_buyer_cannot_arrange_the_shipment(client, login, db, confirmed_order, buyer):
    login(buyer)
    assert client.post(f"/orders/{confirmed_order.id}/shipment/new", data={"method": "collect"}).status_code == 409
    assert db.session.scalar(select(func.count(Shipment.id))) == 0


def test_the_seller_moves_the_shipment_forward_and_the_order_follows(
    client, login, db, carrier_shipment, seller, buyer
):
    login(seller)
    url = f"/orders/{carrier_shipment.order_id}/shipment/status"
    response = client.post(url, data={"status": "in_transit", "note": "On the G4"})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/orders/{carrier_shipment.order_id}#tracking"
    )
    db.session.expire_all()
    order = carrier_shipment.order
    assert (carrier_shipment.status, order.status) == ("in_transit", "shipped")
    assert order.events[-1].actor_id == seller.id
    assert client.post(url, data={"status": "picked_up"}).status_code == 409
    assert client.post(url, data={"status": "delivered"}).status_code == 303
    db.session.expire_all()
    assert (carrier_shipment.status, order.status) == ("delivered", "delivered")
    assert [e.source for e in carrier_shipment.events] == ["seller", "seller", "seller"]
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "On the G4" in page


def test_a_bad_status_or_too_long_note_changes_nothing(client, login, db, carrier_shipment, seller):
    login(seller)
    url = f"/orders/{carrier_shipment.order_id}/shipment/status"
    assert client.post(url, data={"status": "lost"}).status_code == 400
    assert client.post(url, data={}).status_code == 400
    response = client.post(url, data={"status": "picked_up", "note": "x" * 2001})
    assert response.status_code == 422
    db.session.expire_all()
    assert carrier_shipment.status == "created"


def test_the_buyer_cannot_update_the_shipment(client, login, db, carrier_shipment, buyer):
    login(buyer)
    assert (
        client.post(f"/orders/{carrier_shipment.order_id}/shipment/status", data={"status": "delivered"}).status_code
        == 409
    )
    assert client.post(f"/orders/{carrier_shipment.order_id}/shipment/driver-link").status_code == 409
    db.session.expire_all()
    assert carrier_shipment.status == "created" and carrier_shipment.driver_token_hash is None


def test_paid_orders_can_be_shipped_too(client, login, db, confirmed_order, seller):
    walk(client, login, confirmed_order, (seller, "pay"))
    shipment = arrange(client, login, confirmed_order, seller, method="collect")
    login(seller)
    client.post(f"/orders/{confirmed_order.id}/shipment/status", data={"status": "delivered"})
    db.session.expire_all()
    assert shipment.status == "delivered" and confirmed_order.status == "delivered"


def test_an_order_already_marked_shipped_can_still_get_tracking(client, login, db, confirmed_order, seller):
    walk(client, login, confirmed_order, (seller, "ship"))
    shipment = arrange(client, login, confirmed_order, seller, tracking_number="SF999")
    login(seller)
    assert (
        client.post(f"/orders/{confirmed_order.id}/shipment/status", data={"status": "in_transit"}).status_code == 303
    )
    assert client.post(f"/orders/{confirmed_order.id}/shipment/status", data={"status": "delivered"}).status_code == 303
    db.session.expire_all()
    assert shipment.status == "delivered" and confirmed_order.status == "delivered"
    assert [e.to_status for e in confirmed_order.events].count("shipped") == 1
