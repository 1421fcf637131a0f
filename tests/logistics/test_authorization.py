"""Only the order's parties reach the logistics routes. Strangers get 404 on every route, GET or
POST, and nothing changes; admins may read the order page but not act here."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.logistics.models import DeliveryAcceptance, Shipment, ShipmentEvent
from tests.logistics.conftest import arrange

ROUTES = [
    ("get", "/orders/{order}/shipment/new", {}),
    ("post", "/orders/{order}/shipment/new", {"method": "collect"}),
    ("post", "/orders/{order}/shipment/status", {"status": "delivered"}),
    ("post", "/orders/{order}/shipment/driver-link", {}),
    ("get", "/orders/{order}/acceptance", {}),
    ("post", "/orders/{order}/acceptance", {"kind": "all"}),
    ("post", "/orders/{order}/acceptance/decision", {"decision": "disagree"}),
]


@pytest.fixture
def order_with_shipment(client, login, confirmed_order, seller):
    arrange(
        client,
        login,
        confirmed_order,
        seller,
        method="vehicle",
        driver_name="Zhou",
        driver_phone="13911112222",
        vehicle_plate="豫A12345",
    )
    return {"order": confirmed_order.id}


def _state(db):
    return (
        db.session.scalar(select(func.count(Shipment.id))),
        db.session.scalar(select(func.count(ShipmentEvent.id))),
        db.session.scalar(select(func.count(DeliveryAcceptance.id))),
        db.session.scalar(select(Shipment.driver_token_hash)),
    )


def _call(client, method, url, data):
    return client.get(url) if method == "get" else client.post(url, data=dict(data))


@pytest.mark.parametrize("method, path, data", ROUTES)
def test_strangers_get_404_on_every_logistics_route(
    client, db, login, stranger, order_with_shipment, method, path, data
):
    before = _state(db)
    login(stranger)
    assert _call(client, method, path.format(**order_with_shipment), data).status_code == 404
    assert _state(db) == before


@pytest.mark.parametrize("method, path, data", ROUTES)
def test_admins_cannot_act_for_the_parties(client, db, login, admin, order_with_shipment, method, path, data):
    before = _state(db)
    login(admin)
    assert _call(client, method, path.format(**order_with_shipment), data).status_code == 403
    assert _state(db) == before


@pytest.mark.parametrize("method, path, data", ROUTES)
def test_unknown_orders_are_404(client, login, buyer, method, path, data):
    login(buyer)
    assert _call(client, method, path.format(order=999999), data).status_code == 404


def test_visitors_are_sent_to_log_in(client, order_with_shipment):
    with client.session_transaction() as session:
        session.clear()
    for method, path, data in ROUTES:
        response = _call(client, method, path.format(**order_with_shipment), data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_strangers_do_not_see_the_tracking_on_the_order_page(client, login, stranger, order_with_shipment):
    login(stranger)
    assert client.get("/orders/{order}".format(**order_with_shipment)).status_code == 404


def test_admins_read_the_tracking_on_the_order_page(client, login, admin, order_with_shipment):
    login(admin)
    page = client.get("/orders/{order}".format(**order_with_shipment)).get_data(as_text=True)
    assert "Own vehicle" in page and "Create a link for the driver" not in page
