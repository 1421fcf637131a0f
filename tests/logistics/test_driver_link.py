"""The driver's secret link: opened on a phone without an account, shows goods and place but no
prices, moves the shipment forward only, takes a photo without its EXIF, and stops working."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path

from PIL import Image

from app.core.clock import utcnow
from app.logistics.models import Shipment
from app.logistics.services import hash_token
from tests.logistics.conftest import driver_link


def logged_out(client):
    with client.session_transaction() as session:
        session.clear()


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), "green")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (34.0, 45.0, 0.0)}  # GPS info
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_the_link_works_without_an_account_and_shows_no_prices(client, login, db, vehicle_shipment, seller):
    path = driver_link(client, login, vehicle_shipment.order, seller)
    logged_out(client)
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Fragrant rice, new crop" in page and "Canteen, 8 Market Rd" in page
    assert "¥" not in page and "3.50" not in page and "35.00" not in page
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_only_the_hash_of_the_token_is_stored(client, login, db, vehicle_shipment, seller):
    path = driver_link(client, login, vehicle_shipment.order, seller)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits, url-safe base64
    db.session.expire_all()
    assert vehicle_shipment.driver_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (vehicle_shipment.driver_token_hash or "")


def test_the_driver_moves_the_shipment_and_the_order_follows(client, login, db, vehicle_shipment, seller):
    path = driver_link(client, login, vehicle_shipment.order, seller)
    logged_out(client)
    response = client.post(path, data={"status": "picked_up", "note": "Loaded 10 bags"})
    assert response.status_code == 303 and response.headers["Location"].endswith(path)
    db.session.expire_all()
    assert vehicle_shipment.status == "picked_up"
    assert vehicle_shipment.order.status == "shipped"
    assert vehicle_shipment.events[-1].source == "driver"
    assert "Thank you. The status was sent." in client.get(path).get_data(as_text=True)


def test_the_driver_can_only_move_forward(client, login, db, vehicle_shipment, seller):
    path = driver_link(client, login, vehicle_shipment.order, seller)
    logged_out(client)
    assert client.post(path, data={"status": "in_transit"}).status_code == 303
    page = client.get(path).get_data(as_text=True)
    assert 'value="picked_up"' not in page and 'value="delivered"' in page
    assert client.post(path, data={"status": "picked_up"}).status_code == 409
    assert client.post(path, data={"status": "in_transit"}).status_code == 409
    assert client.post(path, data={"status": "created"}).status_code == 400
    db.session.expire_all()
    assert vehicle_shipment.status == "in_transit"


def test_the_link_closes_on_delivery(client, login, db, vehicle_shipment, seller):
    path = driver_link(client, login, vehicle_shipment.order, seller)
    logged_out(client)
    assert client.post(path, data={"status": "delivered"}).status_code == 303
    db.session.expire_all()
    assert vehicle_shipment.order.status == "delivered"
    response = client.get(path)
    assert response.status_code == 410
    assert "The goods were delivered; this link is closed." in response.get_data(as_text=True)
    assert client.post(path, data={"status": "delivered"}).status_code == 410


def test_the_link_expires(client, login, db, app, vehicle_shipment, seller):
    path = driver_link(client, login, vehicle_shipment.order, seller)
    vehicle_shipment.driver_token_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    logged_out(client)
    response = client.get(path)
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)
    assert client.post(path, data={"status": "picked_up"}).status_code == 410
    db.session.expire_all()
    assert vehicle_shipment.status == "created"


def test_the_link_lasts_fourteen_days(client, login, db, vehicle_shipment, seller):
    driver_link(client, login, vehicle_shipment.order, seller)
    db.session.expire_all()
    left = vehicle_shipment.driver_token_expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert timedelta(days=13, hours=23) < left <= timedelta(days=14)


def test_wrong_or_guessed_tokens_are_404(client, login, db, vehicle_shipment, seller):
    path = driver_link(client, login, vehicle_shipment.order, seller)
    token = path.rsplit("/", 1)[1]
    logged_out(client)
    for guess in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "x",
        "0" * 43,
        token.upper() if token.upper() != token else "y",
        "a" * 500,
    ):
        assert client.get(f"/d/{guess}").status_code == 404
        assert client.post(f"/d/{guess}", data={"status": "delivered"}).status_code == 404
    # The stored hash itself is not a key either.
    assert client.get(f"/d/{hash_token(token)}").status_code == 404


def test_a_new_link_replaces_the_old_one(client, login, vehicle_shipment, seller):
    first = driver_link(client, login, vehicle_shipment.order, seller)
    second = driver_link(client, login, vehicle_shipment.order, seller)
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_the_driver_form_is_csrf_protected(client, login, db, vehicle_shipment, seller):
    path = driver_link(client, login, vehicle_shipment.order, seller)
    logged_out(client)
    assert client.post(path, data={"status": "picked_up"}, csrf=False).status_code == 400
    db.session.expire_all()
    assert vehicle_shipment.status == "created"


def test_a_photo_is_stored_without_exif_and_shown_on_the_timeline(
    client, login, db, app, vehicle_shipment, seller, buyer
):
    path = driver_link(client, login, vehicle_shipment.order, seller)
    logged_out(client)
    data = {"status": "delivered", "photo": (io.BytesIO(jpeg_with_exif()), "IMG_0001.jpg")}
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    event = vehicle_shipment.events[-1]
    assert event.photo_filename and "IMG_0001" not in event.photo_filename
    with Image.open(Path(app.config["UPLOAD_DIR"]) / event.photo_filename) as stored:
        assert not stored.getexif()
    login(buyer)
    page = client.get(f"/orders/{vehicle_shipment.order_id}").get_data(as_text=True)
    assert event.photo_thumb_filename in page


def test_a_file_that_is_not_an_image_is_refused_beside_the_field(client, login, db, vehicle_shipment, seller):
    path = driver_link(client, login, vehicle_shipment.order, seller)
    logged_out(client)
    data = {"status": "picked_up", "photo": (io.BytesIO(b"%PDF-1.4 not a photo"), "scan.jpg")}
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "not a readable image" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Shipment, vehicle_shipment.id).status == "created"


def test_the_link_stops_when_the_order_is_cancelled(client, login, db, vehicle_shipment, seller):
    path = driver_link(client, login, vehicle_shipment.order, seller)
    login(seller)
    assert client.post(f"/orders/{vehicle_shipment.order_id}/step", data={"action": "cancel"}).status_code == 303
    logged_out(client)
    assert client.get(path).status_code == 410
