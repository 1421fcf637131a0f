"""Migration 0029 gives every order placed before baskets existed one line copied from its own
columns (title, goods snapshot, quantity, unit price, total, the sell offer whose stock it took)."""

from __future__ import annotations

from decimal import Decimal

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from app import create_app
from app.catalogue.services import load_catalogue
from app.extensions import db
from app.trade.models import Order, OrderLine
from config import TestingConfig
from tests.factories import make_order


def test_upgrade_backfills_one_line_per_existing_order(tmp_path):
    url = f"sqlite:///{tmp_path / 'backfill.db'}"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(tmp_path / "uploads"))
    with app.app_context():
        try:
            upgrade()
            load_catalogue()
            db.session.commit()
            order = make_order(quantity="7")
            order_id = order.id
            db.session.remove()
            downgrade(revision="0023")  # the order as it was before 0029: no lines
            upgrade(revision="0029")

            [line] = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).all()
            order = db.session.get(Order, order_id)
            assert (line.posting_id, line.sell_posting_id, line.title, line.unit_code) == (
                order.posting_id,
                order.sell_posting_id,
                order.title,
                order.unit_code,
            )
            assert (line.quantity, line.unit_price, line.total) == (Decimal("7.000"), Decimal("3.50"), Decimal("24.50"))
        finally:
            db.session.remove()
            db.engine.dispose()
