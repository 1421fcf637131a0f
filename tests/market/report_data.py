"""Orders and disputes at chosen moments for the dashboard and report tests.

Orders are written as rows (with a real posting behind each) because the figures depend on when
things happened; the trade flows that create them are tested in tests/trade, and one dashboard test
walks an order through the app end to end."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

from app.catalogue.services import find_commodity
from app.extensions import db
from app.trade.models import Dispute, Order
from tests.factories import make_posting

_lot_numbers = itertools.count(1)


def utc(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def make_order(
    seller,
    buyer,
    commodity: str,
    total: str,
    placed: datetime,
    *,
    province="41",
    status="placed",
    completed: datetime | None = None,
) -> Order:
    """An order of ``commodity`` worth ``total`` placed at ``placed`` (UTC), in ``status``."""
    found = find_commodity(commodity)
    posting = make_posting(
        owner=seller,
        commodity=commodity,
        quantity=Decimal("1000"),
        unit_code="kg",
        price=Decimal("1.00"),
        province_code=province,
    )
    amount = Decimal(total)
    order = Order(
        lot_code=f"TEST{next(_lot_numbers):08d}",
        buyer_id=buyer.id,
        seller_id=seller.id,
        posting_id=posting.id,
        sell_posting_id=posting.id,
        title=f"{found.name_en} lot",
        commodity_id=found.id,
        unit_code="kg",
        origin_province_code=province,
        quantity=Decimal("1"),
        unit_price=amount,
        total=amount,
        delivery="collect",
        bought_now=True,
        status=status,
        created_at=placed,
        updated_at=placed,
        completed_at=completed,
    )
    db.session.add(order)
    db.session.commit()
    return order


def resolve_with_refund(order: Order, admin, refund: str | None, resolved: datetime, outcome="partial") -> Dispute:
    """A dispute on ``order`` decided at ``resolved`` with ``refund`` (None: no refund)."""
    dispute = Dispute(
        order_id=order.id,
        opened_by_id=order.buyer_id,
        reason="Wet grain",
        status_before=order.status,
        outcome=outcome,
        refund_amount=Decimal(refund) if refund is not None else None,
        resolved_by_id=admin.id,
        resolved_at=resolved,
        created_at=resolved,
    )
    order.status = "resolved"
    db.session.add(dispute)
    db.session.commit()
    return dispute
