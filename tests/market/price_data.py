"""Price test data: completed orders walked through trade's own services (so the signals fire),
postings with prices in different units, and reference rows for days in the past."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from app.catalogue.services import find_commodity
from app.core.clock import utcnow
from app.extensions import db
from app.market.models import NATIONAL, ReferencePrice
from app.trade.orders import buy_now, change_order_status
from tests.factories import make_member, make_posting


def sell(commodity: str, price: str, unit: str, province: str = "41", quantity: str = "100000", **extra):
    """An active sell offer (an ask) with plenty of stock."""
    return make_posting(
        commodity=commodity,
        kind="sell",
        price=Decimal(price),
        unit_code=unit,
        quantity=Decimal(quantity),
        province_code=province,
        **extra,
    )


def bid(commodity: str, price: str, unit: str, province: str = "41"):
    return make_posting(
        commodity=commodity,
        kind="buy",
        price=Decimal(price),
        unit_code=unit,
        quantity=Decimal("100"),
        province_code=province,
    )


def complete_order(posting, quantity: str, buyer=None, when: datetime | None = None):
    """Buy ``quantity`` from ``posting`` and walk the order to completed (at ``when``, UTC)."""
    when = when or utcnow()
    buyer = buyer or make_member(display_name="Buyer")
    seller = posting.owner
    order = buy_now(posting, buyer, Decimal(quantity), "collect", now=when)
    for member, action in (
        (seller, "confirm"),
        (seller, "pay"),
        (seller, "ship"),
        (buyer, "deliver"),
        (buyer, "complete"),
    ):
        change_order_status(order, action, member, now=when)
    db.session.commit()
    return order


def reference(commodity: str, day: date, per_kg: str, province: str | None = None, **figures) -> ReferencePrice:
    """A stored reference row (as an earlier rollup would have left it) with a report price."""
    value = Decimal(per_kg)
    row = ReferencePrice(
        commodity_id=find_commodity(commodity).id,
        area_code=province or NATIONAL,
        day=day,
        report_price_per_kg=value,
        min_per_kg=value,
        max_per_kg=value,
        observation_count=1,
        **figures,
    )
    db.session.add(row)
    db.session.commit()
    return row


def history(commodity: str, today: date, per_kg: str, days: int = 7, province: str | None = None) -> None:
    """The same price on each of the ``days`` days before ``today``."""
    for offset in range(1, days + 1):
        reference(commodity, today - timedelta(days=offset), per_kg, province)


def noon_utc(day: date) -> datetime:
    """Noon in China (UTC+8) on ``day``, as UTC."""
    return datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)
