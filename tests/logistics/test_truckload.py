"""Truckloads: the seller enters the driver's mobile number and a Chinese number plate (checked and
tidied), only the order's two parties see them, and the driver's link keeps working."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.logistics.models import Shipment
from app.logistics.services import normalise_plate
from tests.logistics.conftest import arrange, driver_link
from tests.logistics.test_driver_link import logged_out

TRUCK = {
    "method": "vehicle",
    "carrier": None,
    "tracking_number": None,
    "driver_name": "Driver Zhou",
    "driver_phone": "13911112222",
    "vehicle_plate": "豫A12345",
}


def post_truck(client, login, order, seller, **fields):
    login(seller)
    data = {**TRUCK, "destination": "Canteen, 8 Market Rd", **fields}
    return client.post(f"/orders/{order.id}/shipment/new", data={k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize(
    "plate, expected",
    [
        ("豫A12345", "豫A12345"),
        ("豫a 12345", "豫A12345"),
        ("京A·8K2M9", "京A8K2M9"),
        ("京AD12345", "京AD12345"),  # new-energy car
        ("粤B12345F", "粤B12345F"),  # new-energy truck
        ("豫A1234挂", "豫A1234挂"),  # trailer
        ("豫Ａ１２３４５", "豫A12345"),  # full-width, as Chinese input methods type it
    ],
)
def test_number_plates_are_read_in_their_usual_forms(plate, expected):
    assert normalise_plate(plate) == expected


@pytest.mark.parametrize("plate", ["A1", "ABC1234", "豫A1234", "豫A123456", "豫AI2345", "XA12345", "豫1A2345", ""])
def test_other_text_is_not_a_plate(plate):
    with pytest.raises(ValueError):
        normalise_plate(plate)


def test_a_truck_is_arranged_with_a_tidied_plate_and_phone(client, login, db, confirmed_order, seller):
    shipment = arrange(
        client,
        login,
        confirmed_order,
        seller,
        **{**TRUCK, "vehicle_plate": "豫a 12345", "driver_phone": "139 1111 2222"},
    )
    assert (shipment.vehicle_plate, shipment.driver_phone) == ("豫A12345", "+8613911112222")


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"vehicle_plate": "A1"}, "Enter a Chinese number plate such as 豫A12345"),
        ({"vehicle_plate": ""}, "Enter the number plate."),
        ({"driver_phone": "1"}, "Enter the driver&#39;s mobile number"),
        ({"driver_phone": ""}, "Enter the driver&#39;s phone number."),
    ],
)
def test_a_bad_plate_or_phone_is_refused_with_a_clear_message(
    client, login, db, confirmed_order, seller, fields, message
):
    response = post_truck(client, login, confirmed_order, seller, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Shipment.id))) == 0


def test_the_plate_message_is_in_chinese_for_a_chinese_reader(client, login, db, confirmed_order, seller):
    seller.locale = "zh_Hans"
    db.session.commit()
    response = post_truck(client, login, confirmed_order, seller, vehicle_plate="A1")
    assert response.status_code == 422
    assert "请输入车牌号，例如 豫A12345" in response.get_data(as_text=True)


def test_the_buyer_sees_the_plate_and_the_drivers_phone_and_a_stranger_sees_nothing(
    client, login, db, buyer, stranger, vehicle_shipment
):
    login(buyer)
    page = client.get(f"/orders/{vehicle_shipment.order_id}").get_data(as_text=True)
    assert "豫A12345" in page and 'href="tel:+8613911112222"' in page and "Driver Zhou" in page
    login(stranger)
    assert client.get(f"/orders/{vehicle_shipment.order_id}").status_code == 404
    logged_out(client)
    response = client.get(f"/orders/{vehicle_shipment.order_id}")
    assert response.status_code in (302, 303, 401) and "豫A12345" not in response.get_data(as_text=True)


def test_the_driver_link_still_moves_a_truck_to_delivered(client, login, db, seller, vehicle_shipment):
    path = driver_link(client, login, vehicle_shipment.order, seller)
    logged_out(client)
    assert client.get(path).status_code == 200
    for status in ("picked_up", "delivered"):
        response = client.post(path, data={"status": status, "note": ""})
        assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    assert vehicle_shipment.status == "delivered" and vehicle_shipment.order.status == "delivered"
    assert [e.source for e in vehicle_shipment.events][1:] == ["driver", "driver"]
    assert client.get(path).status_code == 410


def test_the_seller_changes_the_driver_and_truck_and_the_old_driver_link_keeps_working(
    client, login, db, seller, buyer, vehicle_shipment
):
    path = driver_link(client, login, vehicle_shipment.order, seller)
    page = client.get(f"/orders/{vehicle_shipment.order_id}").get_data(as_text=True)
    assert f"/orders/{vehicle_shipment.order_id}/shipment/truck" in page
    assert client.get(f"/orders/{vehicle_shipment.order_id}/shipment/truck").status_code == 200
    response = client.post(
        f"/orders/{vehicle_shipment.order_id}/shipment/truck",
        data={"driver_name": "Driver Li", "driver_phone": "13800138000", "vehicle_plate": "皖K 8A8B8"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert (vehicle_shipment.driver_name, vehicle_shipment.driver_phone, vehicle_shipment.vehicle_plate) == (
        "Driver Li",
        "+8613800138000",
        "皖K8A8B8",
    )
    login(buyer)
    page = client.get(f"/orders/{vehicle_shipment.order_id}").get_data(as_text=True)
    assert "皖K8A8B8" in page and "+8613800138000" in page and "Driver Li" in page
    logged_out(client)
    assert client.post(path, data={"status": "in_transit", "note": ""}).status_code == 303


def test_a_bad_plate_on_the_truck_form_is_422_and_changes_nothing(client, login, db, seller, vehicle_shipment):
    login(seller)
    response = client.post(
        f"/orders/{vehicle_shipment.order_id}/shipment/truck",
        data={"driver_name": "Driver Li", "driver_phone": "13800138000", "vehicle_plate": "TRUCK 1"},
    )
    assert response.status_code == 422 and "Enter a Chinese number plate" in response.get_data(as_text=True)
    db.session.expire_all()
    assert vehicle_shipment.vehicle_plate == "豫A12345"


def test_only_the_seller_changes_the_truck_and_only_for_a_truck(
    client, login, db, buyer, stranger, seller, vehicle_shipment
):
    url = f"/orders/{vehicle_shipment.order_id}/shipment/truck"
    data = {"driver_name": "X", "driver_phone": "13800138000", "vehicle_plate": "豫A54321"}
    login(buyer)
    assert client.post(url, data=data).status_code == 409
    login(stranger)
    assert client.post(url, data=data).status_code == 404
    db.session.expire_all()
    assert vehicle_shipment.vehicle_plate == "豫A12345"


def test_a_carrier_shipment_has_no_truck_form(client, login, db, seller, carrier_shipment):
    login(seller)
    assert client.get(f"/orders/{carrier_shipment.order_id}/shipment/truck").status_code == 409
