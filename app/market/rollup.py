"""Price observations and the daily reference-price rollup.

``rollup_day(day)`` first brings the day's observations up to date — completed orders (trade price
and volume), market reports, and, for today only, the asks and bids of active postings (a past day's
asks and bids are the snapshot taken that day: postings do not keep their history) — then recomputes
every ReferencePrice row of the day from them. Each step updates rows in place and deletes what no
longer applies, so running it twice changes nothing.

Events keep today current cheaply: a completed order or a published posting recomputes only its
commodity for that day (``refresh_commodity_day``), from inside the signal's transaction.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytz
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.catalogue.models import Unit
from app.extensions import db
from app.market.models import (
    NATIONAL,
    MarketReport,
    ObservationSource,
    PriceObservation,
    ReferencePrice,
)
from app.market.prices import PER_KG_QUANTUM, price_per_kg
from app.postings import signals as posting_signals
from app.postings.models import Posting, PostingKind, PostingStatus
from app.postings.services import local_today
from app.trade import signals as trade_signals
from app.trade.models import Order, OrderStatus

QUANTITY_QUANTUM = Decimal("0.001")
# Orders count as trades once completed; a dispute resolved afterwards does not undo the price paid.
TRADED_STATUSES = (OrderStatus.COMPLETED.value, OrderStatus.RESOLVED.value)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where the market's local ``day`` (TIMEZONE) starts and ends."""
    zone = pytz.timezone(current_app.config["TIMEZONE"])
    start = zone.localize(datetime.combine(day, time.min)).astimezone(UTC)
    end = zone.localize(datetime.combine(day + timedelta(days=1), time.min)).astimezone(UTC)
    return start, end


@dataclass(frozen=True)
class _Point:
    source: str
    commodity_id: int
    province_code: str | None
    price_per_kg: Decimal
    quantity_kg: Decimal | None
    order_id: int | None = None
    posting_id: int | None = None
    report_id: int | None = None

    @property
    def key(self) -> tuple:
        return (self.order_id, self.posting_id, self.report_id)


def _units() -> dict[str, Unit]:
    return {unit.code: unit for unit in db.session.scalars(select(Unit))}


def _trade_points(day: date, commodity_id: int | None, units: dict[str, Unit]) -> list[_Point]:
    start, end = local_day_bounds(day)
    statement = (
        select(Order, Posting.unit_weight_kg, Posting.province_code)
        .join(Posting, Posting.id == Order.posting_id)
        .where(Order.status.in_(TRADED_STATUSES), Order.completed_at >= start, Order.completed_at < end)
    )
    if commodity_id is not None:
        statement = statement.where(Order.commodity_id == commodity_id)
    points = []
    for order, unit_weight_kg, posting_province in db.session.execute(statement):
        unit = units[order.unit_code]
        per_kg = price_per_kg(order.unit_price, unit, unit_weight_kg)
        if per_kg is None:
            continue  # a count unit whose weight nobody stated: not comparable per kg
        weight = unit.kg_per_unit if unit.kg_per_unit is not None else unit_weight_kg
        points.append(
            _Point(
                ObservationSource.TRADE.value,
                order.commodity_id,
                order.origin_province_code or posting_province,
                per_kg,
                (order.quantity * weight).quantize(QUANTITY_QUANTUM, rounding=ROUND_HALF_UP),
                order_id=order.id,
            )
        )
    return points


def _posting_points(commodity_id: int | None) -> list[_Point]:
    # Columns only: this runs on every publish, over all of the commodity's active postings.
    statement = select(
        Posting.id, Posting.kind, Posting.commodity_id, Posting.province_code, Posting.price_per_kg
    ).where(Posting.status == PostingStatus.ACTIVE.value, Posting.price_per_kg.is_not(None))
    if commodity_id is not None:
        statement = statement.where(Posting.commodity_id == commodity_id)
    points = []
    for posting_id, kind, posting_commodity_id, province_code, per_kg in db.session.execute(statement):
        source = ObservationSource.ASK if kind == PostingKind.SELL.value else ObservationSource.BID
        points.append(_Point(source.value, posting_commodity_id, province_code, per_kg, None, posting_id=posting_id))
    return points


def _report_points(day: date, commodity_id: int | None) -> list[_Point]:
    statement = select(MarketReport).where(MarketReport.observed_on == day)
    if commodity_id is not None:
        statement = statement.where(MarketReport.commodity_id == commodity_id)
    return [
        _Point(
            ObservationSource.REPORT.value,
            report.commodity_id,
            report.province_code,
            report.price_per_kg,
            None,
            report_id=report.id,
        )
        for report in db.session.scalars(statement)
    ]


def _sync_observations(day: date, sources: set[str], points: list[_Point], commodity_id: int | None) -> None:
    """Make the day's observations of ``sources`` exactly ``points``: update, insert, delete."""
    statement = select(PriceObservation).where(
        PriceObservation.observed_on == day, PriceObservation.source.in_(sources)
    )
    if commodity_id is not None:
        statement = statement.where(PriceObservation.commodity_id == commodity_id)
    existing = {(row.order_id, row.posting_id, row.report_id): row for row in db.session.scalars(statement)}
    # A posting edited to another commodity keeps its (posting, day) row: reuse it, do not collide.
    moved_posting_ids = [p.posting_id for p in points if p.posting_id is not None and p.key not in existing]
    if commodity_id is not None and moved_posting_ids:
        for row in db.session.scalars(
            select(PriceObservation).where(
                PriceObservation.observed_on == day, PriceObservation.posting_id.in_(moved_posting_ids)
            )
        ):
            existing[(row.order_id, row.posting_id, row.report_id)] = row
    for point in points:
        row = existing.pop(point.key, None)
        if row is None:
            row = PriceObservation(
                observed_on=day, order_id=point.order_id, posting_id=point.posting_id, report_id=point.report_id
            )
            db.session.add(row)
        # Assign only what changed, so a second run leaves rows untouched.
        for name in ("source", "commodity_id", "province_code", "price_per_kg", "quantity_kg"):
            value = getattr(point, name)
            if getattr(row, name) != value:
                setattr(row, name, value)
    for row in existing.values():
        db.session.delete(row)
    db.session.flush()


def _median(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return Decimal(statistics.median(values)).quantize(PER_KG_QUANTUM, rounding=ROUND_HALF_UP)


@dataclass
class DayFigures:
    """The reference figures of one commodity in one area on one day."""

    trade_price_per_kg: Decimal | None
    trade_volume_kg: Decimal | None
    median_ask_per_kg: Decimal | None
    median_bid_per_kg: Decimal | None
    report_price_per_kg: Decimal | None
    min_per_kg: Decimal
    max_per_kg: Decimal
    observation_count: int


def compute_figures(observations: list[PriceObservation]) -> DayFigures:
    """Reference figures from a non-empty list of observations (Decimal arithmetic throughout):
    volume-weighted trade price Σ(price × kg) / Σkg, medians of asks, bids and reports, min, max."""
    by_source: dict[str, list[PriceObservation]] = defaultdict(list)
    for observation in observations:
        by_source[observation.source].append(observation)
    trades = [t for t in by_source[ObservationSource.TRADE.value] if t.quantity_kg]
    volume = sum((t.quantity_kg for t in trades), Decimal(0))
    trade_price = None
    if volume > 0:
        trade_price = (sum((t.price_per_kg * t.quantity_kg for t in trades), Decimal(0)) / volume).quantize(
            PER_KG_QUANTUM, rounding=ROUND_HALF_UP
        )
    prices = [o.price_per_kg for o in observations]
    return DayFigures(
        trade_price_per_kg=trade_price,
        trade_volume_kg=volume if trades else None,
        median_ask_per_kg=_median([o.price_per_kg for o in by_source[ObservationSource.ASK.value]]),
        median_bid_per_kg=_median([o.price_per_kg for o in by_source[ObservationSource.BID.value]]),
        report_price_per_kg=_median([o.price_per_kg for o in by_source[ObservationSource.REPORT.value]]),
        min_per_kg=min(prices),
        max_per_kg=max(prices),
        observation_count=len(observations),
    )


def _recompute_references(day: date, commodity_id: int | None) -> int:
    statement = select(PriceObservation).where(PriceObservation.observed_on == day)
    if commodity_id is not None:
        statement = statement.where(PriceObservation.commodity_id == commodity_id)
    groups: dict[tuple[int, str], list[PriceObservation]] = defaultdict(list)
    for observation in db.session.scalars(statement):
        groups[(observation.commodity_id, NATIONAL)].append(observation)
        if observation.province_code:
            groups[(observation.commodity_id, observation.province_code)].append(observation)

    existing_statement = select(ReferencePrice).where(ReferencePrice.day == day)
    if commodity_id is not None:
        existing_statement = existing_statement.where(ReferencePrice.commodity_id == commodity_id)
    existing = {(row.commodity_id, row.area_code): row for row in db.session.scalars(existing_statement)}
    for (group_commodity, area), observations in groups.items():
        figures = compute_figures(observations)
        row = existing.pop((group_commodity, area), None)
        if row is None:
            row = ReferencePrice(commodity_id=group_commodity, area_code=area, day=day)
            db.session.add(row)
        for name, value in vars(figures).items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    for row in existing.values():
        db.session.delete(row)
    db.session.flush()
    return len(groups)


def rollup_day(day: date | None = None, commodity_id: int | None = None) -> int:
    """Bring a day's observations and reference prices up to date (every commodity, or one).

    Asks and bids are captured only when ``day`` is today. Returns how many reference rows (commodity
    × area) the day has. Idempotent. Does not commit.
    """
    today = local_today()
    day = day or today
    units = _units()
    _sync_observations(day, {ObservationSource.TRADE.value}, _trade_points(day, commodity_id, units), commodity_id)
    _sync_observations(day, {ObservationSource.REPORT.value}, _report_points(day, commodity_id), commodity_id)
    if day == today:
        _sync_observations(
            day, {ObservationSource.ASK.value, ObservationSource.BID.value}, _posting_points(commodity_id), commodity_id
        )
    return _recompute_references(day, commodity_id)


def refresh_commodity_day(day: date, commodity_id: int) -> None:
    """Recompute one commodity's observations and references for a day, from a signal handler.

    It runs inside the publishing or completing transaction, in a savepoint: when a concurrent
    transaction wrote the same rows first (a UNIQUE conflict), only this refresh is undone — the
    order or posting still goes through, and the next event or `flask market rollup` catches up.
    No commit."""
    try:
        with db.session.begin_nested():
            rollup_day(day, commodity_id)
    except IntegrityError:
        current_app.logger.warning("price refresh of commodity %s on %s skipped (concurrent update)", commodity_id, day)


def local_date_of(moment: datetime) -> date:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes (stored in UTC)
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(pytz.timezone(current_app.config["TIMEZONE"])).date()


def on_order_completed(sender, order_id: int, **ids) -> None:
    order = db.session.get(Order, order_id)
    if order is not None and order.completed_at is not None:
        refresh_commodity_day(local_date_of(order.completed_at), order.commodity_id)


def on_posting_published(sender, posting_id: int, **ids) -> None:
    commodity_id = db.session.scalar(select(Posting.commodity_id).where(Posting.id == posting_id))
    if commodity_id is not None:
        refresh_commodity_day(local_today(), commodity_id)


def connect() -> None:
    """Subscribe to the trade and posting events that change today's prices."""
    trade_signals.order_completed.connect(on_order_completed, sender=trade_signals.SENDER)
    posting_signals.posting_published.connect(on_posting_published, sender=posting_signals.SENDER)
