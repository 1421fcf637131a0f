"""Logistics test data (the trade fixtures come from tests/fixtures/trade.py): a
confirmed order of 10 kg rice at ¥3.50, and shipments arranged through the seller's form."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.logistics.models import Shipment
from tests.trade.helpers import place_order_by_buy_now, walk

CARRIER_SECRETS = "sf-express=secret1,zto=secret2"


@pytest.fixture(autouse=True)
def _carrier_secrets(app):
    app.config["LOGISTICS_CARRIER_SECRETS"] = CARRIER_SECRETS


@pytest.fixture
def confirmed_order(client, login, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="10")
    walk(client, login, order, (seller, "confirm"))
    return order


def arrange(client, login, order, seller, **fields) -> Shipment:
    """The seller arranges a shipment through the form; returns it."""
    data = {
        "method": "carrier",
        "carrier": "sf-express",
        "tracking_number": "SF123",
        "destination": "Canteen, 8 Market Rd",
    }
    data.update(fields)
    login(seller)
    response = client.post(f"/orders/{order.id}/shipment/new", data={k: v for k, v in data.items() if v is not None})
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    return order.shipment


@pytest.fixture
def carrier_shipment(client, login, confirmed_order, seller):
    return arrange(client, login, confirmed_order, seller)


@pytest.fixture
def vehicle_shipment(client, login, confirmed_order, seller):
    return arrange(
        client,
        login,
        confirmed_order,
        seller,
        method="vehicle",
        carrier=None,
        tracking_number=None,
        driver_name="Driver Zhou",
        driver_phone="+8613911112222",
        vehicle_plate="豫A12345",
    )


def driver_link(client, login, order, seller) -> str:
    """The seller creates a driver link; returns its path (/d/<token>)."""
    login(seller)
    response = client.post(f"/orders/{order.id}/shipment/driver-link")
    assert response.status_code == 200
    return re.search(r'value="http://[^/"]+(/d/[^"]+)"', response.get_data(as_text=True)).group(1)
