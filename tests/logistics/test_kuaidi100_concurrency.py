"""Kuaidi100 pushes the same snapshot again while the first delivery is still running: the copies at
the same moment store each checkpoint once, move the shipment and the order once, and every copy
gets the success reply (so Kuaidi100 stops pushing it).

Runs on SQLite (the writes queue on the database lock) and on PostgreSQL (the shipment's row lock
makes the copies wait for the first, which they then find applied)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app import create_app
from app.logistics.kuaidi100 import SUCCESS_REPLY
from app.logistics.models import ShipmentEvent, TrackingCheckpoint
from app.trade.models import OrderEvent
from config import TestingConfig
from tests.logistics.fake_kuaidi100 import push_param, signed_form
from tests.logistics.test_kuaidi100 import COLLECTED, SIGNED_FOR, kuaidi100, salt, shipment, subscribed  # noqa: F401

pytestmark = pytest.mark.slow

COPIES = 6


def test_simultaneous_copies_of_one_push_apply_once(app, db, database_url, subscribed, tmp_path):  # noqa: F811
    race_app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_DIR=str(tmp_path / "race-uploads"),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": COPIES, "max_overflow": 2, "pool_timeout": 60},
        **{key: app.config[key] for key in ("KUAIDI100_KEY", "KUAIDI100_SALT", "KUAIDI100_BASE_URL")},
    )
    form = signed_form(push_param("SF123", "3", [COLLECTED, SIGNED_FOR], status="shutdown"), salt(app, subscribed))
    url = f"/hooks/kuaidi100/{subscribed.id}"
    start = threading.Barrier(COPIES)

    def deliver(_number):
        client = race_app.test_client()
        start.wait(timeout=60)
        with race_app.app_context():
            response = client.post(url, data=form)
            return response.status_code, response.get_json()

    db.session.rollback()  # the test's own transaction would hold SQLite's lock against the copies
    try:
        with ThreadPoolExecutor(COPIES) as pool:
            answers = list(pool.map(deliver, range(COPIES)))
    finally:
        with race_app.app_context():
            from app.extensions import db as race_db

            race_db.engine.dispose()
    db.session.rollback()
    assert answers == [(200, SUCCESS_REPLY)] * COPIES
    shipment_id = subscribed.id
    assert db.session.scalar(select(func.count(TrackingCheckpoint.id))) == 2
    statuses = db.session.scalars(select(ShipmentEvent.status).where(ShipmentEvent.shipment_id == shipment_id)).all()
    assert sorted(statuses) == ["created", "delivered", "picked_up"]
    delivered = select(func.count(OrderEvent.id)).where(OrderEvent.to_status == "delivered")
    assert db.session.scalar(delivered) == 1
