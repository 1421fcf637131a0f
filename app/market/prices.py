"""Reading reference prices: the latest quote for a commodity, series for charts and the open-data
API, and the change against the previous 7 days.

"Headline" price: what was paid (volume-weighted trade price) when there were trades that day,
else the median market report, else the median ask, else the median bid — see
ReferencePrice.headline_per_kg. Changes are the headline against the average headline of the 7 days
before (days with no reference are skipped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from app.catalogue.models import Commodity, Unit
from app.extensions import db
from app.market.models import ReferencePrice, area_of, province_of
from app.postings.services import local_today

PER_KG_QUANTUM = Decimal("0.0001")
PERCENT_QUANTUM = Decimal("0.1")
WINDOW_DAYS = 7


def price_per_kg(price: Decimal, unit: Unit, unit_weight_kg: Decimal | None = None) -> Decimal | None:
    """Convert a price per ``unit`` (kg, 斤, 公斤, 吨 …) to a price per kg, rounded to 0.0001.

    Count units (crate, head) need ``unit_weight_kg``; None when the weight is unknown."""
    weight = unit.kg_per_unit if unit.kg_per_unit is not None else unit_weight_kg
    if weight is None or Decimal(weight) <= 0:
        return None
    return (Decimal(price) / Decimal(weight)).quantize(PER_KG_QUANTUM, rounding=ROUND_HALF_UP)


def percent_change(value: Decimal | None, base: Decimal | None) -> Decimal | None:
    """(value − base) / base in percent, one decimal; None when either is missing or base is 0."""
    if value is None or base is None or base == 0:
        return None
    return ((Decimal(value) - Decimal(base)) * 100 / Decimal(base)).quantize(PERCENT_QUANTUM, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ReferenceQuote:
    """One day's reference price for a commodity in a province (None: nationally), all per kg."""

    day: date
    commodity: Commodity
    province: str | None
    trade_price_per_kg: Decimal | None  # volume-weighted average of completed orders
    trade_volume_kg: Decimal | None
    median_ask_per_kg: Decimal | None
    median_bid_per_kg: Decimal | None
    report_price_per_kg: Decimal | None
    min: Decimal
    max: Decimal
    count: int
    average_7d_per_kg: Decimal | None
    change_pct_vs_7d: Decimal | None

    @property
    def headline_per_kg(self) -> Decimal | None:
        for value in (
            self.trade_price_per_kg,
            self.report_price_per_kg,
            self.median_ask_per_kg,
            self.median_bid_per_kg,
        ):
            if value is not None:
                return value
        return None


def seven_day_average(commodity_id: int, area_code: str, day: date) -> Decimal | None:
    """Average headline price per kg over the 7 days before ``day`` (days without data skipped)."""
    rows = db.session.scalars(
        select(ReferencePrice).where(
            ReferencePrice.commodity_id == commodity_id,
            ReferencePrice.area_code == area_code,
            ReferencePrice.day >= day - timedelta(days=WINDOW_DAYS),
            ReferencePrice.day < day,
        )
    ).all()
    values = [row.headline_per_kg for row in rows if row.headline_per_kg is not None]
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(PER_KG_QUANTUM, rounding=ROUND_HALF_UP)


def quote_from_row(row: ReferencePrice) -> ReferenceQuote:
    average = seven_day_average(row.commodity_id, row.area_code, row.day)
    return ReferenceQuote(
        day=row.day,
        commodity=row.commodity,
        province=province_of(row.area_code),
        trade_price_per_kg=row.trade_price_per_kg,
        trade_volume_kg=row.trade_volume_kg,
        median_ask_per_kg=row.median_ask_per_kg,
        median_bid_per_kg=row.median_bid_per_kg,
        report_price_per_kg=row.report_price_per_kg,
        min=row.min_per_kg,
        max=row.max_per_kg,
        count=row.observation_count,
        average_7d_per_kg=average,
        change_pct_vs_7d=percent_change(row.headline_per_kg, average),
    )


def latest_reference(commodity_id: int, province_code: str | None, today: date | None = None) -> ReferenceQuote | None:
    """Today's reference for a commodity in a province (None: nationally), or the latest earlier
    day's when today has none yet. Returns None when there has never been one."""
    today = today or local_today()
    row = db.session.scalar(
        select(ReferencePrice)
        .where(
            ReferencePrice.commodity_id == commodity_id,
            ReferencePrice.area_code == area_of(province_code),
            ReferencePrice.day <= today,
        )
        .order_by(ReferencePrice.day.desc())
        .limit(1)
    )
    return quote_from_row(row) if row is not None else None


def latest_references(province_code: str | None, today: date | None = None) -> list[ReferenceQuote]:
    """The latest reference of every commodity that has one in an area, by commodity name."""
    today = today or local_today()
    area = area_of(province_code)
    latest_day = (
        select(ReferencePrice.commodity_id, db.func.max(ReferencePrice.day).label("day"))
        .where(ReferencePrice.area_code == area, ReferencePrice.day <= today)
        .group_by(ReferencePrice.commodity_id)
        .subquery()
    )
    rows = db.session.scalars(
        select(ReferencePrice)
        .join(
            latest_day,
            (ReferencePrice.commodity_id == latest_day.c.commodity_id) & (ReferencePrice.day == latest_day.c.day),
        )
        .join(Commodity, Commodity.id == ReferencePrice.commodity_id)
        .where(ReferencePrice.area_code == area)
        .order_by(Commodity.name_en)
    ).all()
    return [quote_from_row(row) for row in rows]


def reference_series(
    commodity_ids: list[int] | None,
    province_code: str | None,
    start: date,
    end: date,
    *,
    all_areas: bool = False,
) -> list[ReferencePrice]:
    """Reference rows between two days (inclusive), oldest first; for one area, or every area
    (provinces and national) when ``all_areas``. ``commodity_ids`` None means every commodity."""
    statement = select(ReferencePrice).where(ReferencePrice.day >= start, ReferencePrice.day <= end)
    if commodity_ids is not None:
        statement = statement.where(ReferencePrice.commodity_id.in_(commodity_ids))
    if not all_areas:
        statement = statement.where(ReferencePrice.area_code == area_of(province_code))
    statement = statement.order_by(ReferencePrice.day, ReferencePrice.commodity_id, ReferencePrice.area_code)
    return list(db.session.scalars(statement))
