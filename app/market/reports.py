"""Admin reports: orders, GMV, active members and postings grouped by any combination of commodity,
category, province and month, and settlement statements per seller for a month or a year.

What the figures mean (README "Dashboards and reports" says the same for admins):

* Moments are filtered and put into months in the market's local time (config TIMEZONE).
* Orders and GMV: orders placed in the period except cancelled ones; GMV is the sum of their totals
  before refunds.
* Province is where the goods come from: the order's origin province, the posting's province.
* Active members: distinct members who placed or received an order or published a posting.
* Postings: sell offers and buy requests published in the period.

Settlement of one seller for a period (a month or a year):

* sales: orders completed in the period, plus orders whose dispute was resolved in the period
  without the order having been completed before (resolution is then their final step);
* refunds: refunds decided in the period on the seller's orders, whenever the order was completed;
* net = sales − refunds; fee = net × MARKET_FEE_PERCENT / 100, rounded half-up to the cent once per
  statement; payout = net − fee (computed).
* paid out: what the payment services' split settlements (分账) actually paid the seller, counted
  when the money reached them (app/payments/settlement.py, which rounds the fee per order); None
  when no payment service splits. Payments provides the figures through set_paid_out_source, as
  market does not import payments.

A refund decided later shows in the later period, so a statement, once its period is over, never
changes. Everything here only reads; nothing commits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytz
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, literal_column, or_, select, union_all
from sqlalchemy.orm import joinedload

from app.catalogue.models import Category, Commodity, Region
from app.core.errors import DomainError
from app.extensions import db
from app.members.models import Member
from app.postings.models import Posting, PostingKind
from app.trade.fees import fee_for, fee_percent
from app.trade.models import CENT, Dispute, Order, OrderStatus

DIMENSIONS = ("commodity", "category", "province", "month")
ZERO = Decimal("0.00")
# Periods as people type them in the URL: 2026 (a year) or 2026-03 (a month).
PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
ZONE_RE = re.compile(r"^[A-Za-z0-9_+\-/]+$")


class ReportInvalid(DomainError):
    """A report parameter that cannot be understood (400)."""

    status = 400


# ---------------------------------------------------------------------------------------------
# Time: local days and months on both databases


def market_zone():
    return pytz.timezone(current_app.config["TIMEZONE"])


def local_bounds(first_day: date | None, last_day: date | None) -> tuple[datetime | None, datetime | None]:
    """UTC moments for [start of ``first_day``, end of ``last_day``] in local time (None: open end)."""
    zone = market_zone()

    def start_of(day: date) -> datetime:
        return zone.localize(datetime.combine(day, time.min)).astimezone(UTC)

    start = start_of(first_day) if first_day else None
    end = start_of(last_day + timedelta(days=1)) if last_day else None
    return start, end


def _in_range(column, start: datetime | None, end: datetime | None):
    conditions = [column.is_not(None)]
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return and_(*conditions)


def month_bucket(column):
    """SQL for the local month ("2026-03") of a stored UTC moment.

    PostgreSQL converts with the zone's real rules; SQLite has no zone database, so the zone's
    current UTC offset is added (exact for China, which has no daylight saving time). The zone and
    the formats are written into the SQL as literals, not parameters: PostgreSQL only accepts a
    GROUP BY expression that is textually the same as the selected one.
    """
    zone = current_app.config["TIMEZONE"]
    if not ZONE_RE.match(zone):
        raise ValueError(f"unexpected TIMEZONE {zone!r}")
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(literal_column(f"'{zone}'"), column), literal_column("'YYYY-MM'"))
    offset = market_zone().utcoffset(datetime.now().replace(tzinfo=None))
    minutes = int(offset.total_seconds() // 60)
    return func.strftime(literal_column("'%Y-%m'"), column, literal_column(f"'{minutes:+d} minutes'"))


def recent_months(count: int, today: date) -> list[str]:
    """The last ``count`` local months ending with ``today``'s, oldest first ("2025-12", "2026-01" …)."""
    year, month = today.year, today.month
    months = []
    for _index in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def month_start(month: str) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), 1)


# ---------------------------------------------------------------------------------------------
# Grouped figures


@dataclass
class ReportRow:
    """One group: its dimension values (Commodity, Category, Region or None, "2026-03") and figures."""

    values: dict[str, object]
    orders: int = 0
    gmv: Decimal = ZERO
    active_members: int = 0
    sell_postings: int = 0
    buy_postings: int = 0


@dataclass
class Report:
    dimensions: tuple[str, ...]
    first_day: date | None
    last_day: date | None
    rows: list[ReportRow] = field(default_factory=list)
    total: ReportRow = field(default_factory=lambda: ReportRow(values={}))


def parse_dimensions(values: list[str]) -> tuple[str, ...]:
    """The chosen dimensions in canonical order, without repeats; raises ReportInvalid on an unknown one."""
    chosen = set()
    for value in values:
        if value not in DIMENSIONS:
            raise ReportInvalid(_("Unknown report grouping “%(value)s”.", value=value[:40]))
        chosen.add(value)
    return tuple(dimension for dimension in DIMENSIONS if dimension in chosen)


def parse_day(value: str | None, label: str) -> date | None:
    """A YYYY-MM-DD date or None when empty; raises ReportInvalid on anything else."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    # Years far out (0001, 9999) would overflow when turned into UTC moments.
    if day is None or not 1970 <= day.year <= 2999:
        _bad_day(label)
    return day


def _bad_day(label: str):
    raise ReportInvalid(_("%(field)s: enter a date like 2026-03-31.", field=label))


def build_report(dimensions: tuple[str, ...], first_day: date | None = None, last_day: date | None = None) -> Report:
    """Figures per group of ``dimensions`` (any subset of DIMENSIONS) between two local days
    (inclusive, either may be None), with a total row (and no rows when ``dimensions`` is empty).
    Six grouped queries plus at most three for the names, whatever the number of rows. Raises ReportInvalid when the range is reversed."""
    if first_day and last_day and first_day > last_day:
        raise ReportInvalid(_("The start date is after the end date."))
    start, end = local_bounds(first_day, last_day)
    report = Report(dimensions, first_day, last_day)
    grouped = _figures(dimensions, start, end) if dimensions else {}
    report.total = _figures((), start, end).get((), ReportRow(values={}))
    names = _names(dimensions, grouped.keys())
    for key, row in grouped.items():
        row.values = {
            dimension: names[dimension].get(value) if dimension in names else value
            for dimension, value in zip(dimensions, key, strict=True)
        }
    report.rows = sorted(grouped.values(), key=lambda row: _sort_key(dimensions, row))
    return report


def _sort_key(dimensions, row: ReportRow):
    key = []
    for dimension in dimensions:
        value = row.values[dimension]
        key.append(value if isinstance(value, str) else (value.name_en if value is not None else "~"))
    return tuple(key)


def _figures(dimensions, start, end) -> dict[tuple, ReportRow]:
    rows: dict[tuple, ReportRow] = {}

    def row_for(key) -> ReportRow:
        return rows.setdefault(tuple(key), ReportRow(values={}))

    for *key, count, total in _order_figures(dimensions, start, end):
        row = row_for(key)
        row.orders, row.gmv = int(count), Decimal(total or 0).quantize(CENT)
    for *key, sells, buys in _posting_figures(dimensions, start, end):
        row = row_for(key)
        row.sell_postings, row.buy_postings = int(sells or 0), int(buys or 0)
    for *key, members in _member_figures(dimensions, start, end):
        row_for(key).active_members = int(members)
    return rows


def _group_columns(dimensions, commodity, category, province, moment) -> list:
    by_name = {"commodity": commodity, "category": category, "province": province}
    return [month_bucket(moment) if dimension == "month" else by_name[dimension] for dimension in dimensions]


def _order_figures(dimensions, start, end):
    columns = _group_columns(
        dimensions, Order.commodity_id, Commodity.category_id, Order.origin_province_code, Order.created_at
    )
    query = (
        select(*columns, func.count(Order.id), func.sum(Order.total))
        .join(Commodity, Commodity.id == Order.commodity_id)
        .where(Order.status != OrderStatus.CANCELLED.value, _in_range(Order.created_at, start, end))
    )
    return db.session.execute(query.group_by(*columns) if columns else query).all()


def _posting_figures(dimensions, start, end):
    columns = _group_columns(
        dimensions, Posting.commodity_id, Commodity.category_id, Posting.province_code, Posting.published_at
    )
    query = (
        select(
            *columns,
            func.sum(case((Posting.kind == PostingKind.SELL.value, 1), else_=0)),
            func.sum(case((Posting.kind == PostingKind.BUY.value, 1), else_=0)),
        )
        .join(Commodity, Commodity.id == Posting.commodity_id)
        .where(_in_range(Posting.published_at, start, end))
    )
    return db.session.execute(query.group_by(*columns) if columns else query).all()


def _member_figures(dimensions, start, end):
    # Every act that makes a member active, as one row each; members are then counted once per group.
    def acts(member, commodity, province, moment, *conditions):
        return select(
            member.label("member_id"),
            commodity.label("commodity_id"),
            province.label("province_code"),
            moment.label("moment"),
        ).where(_in_range(moment, start, end), *conditions)

    activity = union_all(
        acts(Order.buyer_id, Order.commodity_id, Order.origin_province_code, Order.created_at),
        acts(Order.seller_id, Order.commodity_id, Order.origin_province_code, Order.created_at),
        acts(Posting.owner_id, Posting.commodity_id, Posting.province_code, Posting.published_at),
    ).subquery("activity")
    columns = _group_columns(
        dimensions, activity.c.commodity_id, Commodity.category_id, activity.c.province_code, activity.c.moment
    )
    query = select(*columns, func.count(func.distinct(activity.c.member_id))).join(
        Commodity, Commodity.id == activity.c.commodity_id
    )
    return db.session.execute(query.group_by(*columns) if columns else query).all()


def _names(dimensions, keys) -> dict[str, dict]:
    """Catalogue objects for the ids and codes in the keys: one query per catalogue dimension."""
    keys = list(keys)
    models = {
        "commodity": (Commodity, Commodity.id),
        "category": (Category, Category.id),
        "province": (Region, Region.code),
    }
    names: dict[str, dict] = {}
    for position, dimension in enumerate(dimensions):
        if dimension not in models:
            continue
        model, id_column = models[dimension]
        wanted = {key[position] for key in keys if key[position] is not None}
        found = db.session.scalars(select(model).where(id_column.in_(wanted))).all() if wanted else []
        names[dimension] = {getattr(obj, id_column.key): obj for obj in found}
    return names


# ---------------------------------------------------------------------------------------------
# Settlement statements


@dataclass(frozen=True)
class Period:
    """A month ("2026-03") or a year ("2026") in local time."""

    text: str
    first_day: date
    last_day: date

    @property
    def is_year(self) -> bool:
        return len(self.text) == 4


def parse_period(value: str | None) -> Period:
    """``2026`` or ``2026-03`` as a Period; raises ReportInvalid for anything else."""
    match = PERIOD_RE.match((value or "").strip())
    if not match or not 2000 <= int(match.group(1)) <= 2999:
        raise ReportInvalid(_("Choose a period like 2026 or 2026-03."))
    year = int(match.group(1))
    if match.group(2) is None:
        return Period(f"{year:04d}", date(year, 1, 1), date(year, 12, 31))
    month = int(match.group(2))
    if not 1 <= month <= 12:
        raise ReportInvalid(_("Choose a period like 2026 or 2026-03."))
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(f"{year:04d}-{month:02d}", date(year, month, 1), following - timedelta(days=1))


# Set by app.payments at start-up: (first_day, last_day) → {seller id: amount actually paid out}.
_paid_out_source: Callable[[date, date], dict[int, Decimal]] | None = None


def set_paid_out_source(source: Callable[[date, date], dict[int, Decimal]] | None) -> None:
    """Where the statements read what split settlements actually paid each seller."""
    global _paid_out_source
    _paid_out_source = source


def paid_out(period: Period) -> dict[int, Decimal] | None:
    """Seller id → amount actually paid out in ``period``, or None when nothing pays out."""
    return _paid_out_source(period.first_day, period.last_day) if _paid_out_source is not None else None


@dataclass
class Settlement:
    """One seller's figures for one period."""

    seller: Member
    period: Period
    orders: int = 0
    sales: Decimal = ZERO
    refunds_count: int = 0
    refunds: Decimal = ZERO
    fee_percent: Decimal = ZERO
    paid_out: Decimal | None = None

    @property
    def net(self) -> Decimal:
        return self.sales - self.refunds

    @property
    def fee(self) -> Decimal:
        return fee_for(self.net, self.fee_percent)

    @property
    def payout(self) -> Decimal:
        return self.net - self.fee


@dataclass
class StatementLine:
    """A sale (+ total) or a refund (− amount) on a seller's statement."""

    kind: str  # "sale" or "refund"
    moment: datetime
    order: Order
    amount: Decimal


def _sold_in(start, end):
    """Orders whose sale falls in [start, end): completed then, or resolved then without completion."""
    return or_(
        _in_range(Order.completed_at, start, end),
        and_(
            Order.completed_at.is_(None),
            Order.status == OrderStatus.RESOLVED.value,
            _in_range(Dispute.resolved_at, start, end),
        ),
    )


def _refunded_in(start, end):
    return and_(_in_range(Dispute.resolved_at, start, end), Dispute.refund_amount > 0)


def settlements(period: Period) -> list[Settlement]:
    """Every seller with a sale, a refund or money paid out in ``period``, largest net first."""
    start, end = local_bounds(period.first_day, period.last_day)
    sales = db.session.execute(
        select(Order.seller_id, func.count(Order.id), func.sum(Order.total))
        .outerjoin(Dispute, Dispute.order_id == Order.id)
        .where(_sold_in(start, end))
        .group_by(Order.seller_id)
    ).all()
    refunds = db.session.execute(
        select(Order.seller_id, func.count(Dispute.id), func.sum(Dispute.refund_amount))
        .join(Dispute, Dispute.order_id == Order.id)
        .where(_refunded_in(start, end))
        .group_by(Order.seller_id)
    ).all()
    paid = paid_out(period)
    seller_ids = {row[0] for row in sales} | {row[0] for row in refunds} | set(paid or {})
    sellers = (
        {m.id: m for m in db.session.scalars(select(Member).where(Member.id.in_(seller_ids)))} if seller_ids else {}
    )
    percent = fee_percent()
    result = {seller_id: Settlement(sellers[seller_id], period, fee_percent=percent) for seller_id in seller_ids}
    for seller_id, count, total in sales:
        result[seller_id].orders, result[seller_id].sales = int(count), Decimal(total or 0).quantize(CENT)
    for seller_id, count, total in refunds:
        result[seller_id].refunds_count, result[seller_id].refunds = int(count), Decimal(total or 0).quantize(CENT)
    if paid is not None:
        for seller_id, row in result.items():
            row.paid_out = paid.get(seller_id, ZERO)
    return sorted(result.values(), key=lambda item: (-item.net, item.seller.display_name, item.seller.id))


def statement(seller: Member, period: Period) -> tuple[Settlement, list[StatementLine]]:
    """One seller's statement for ``period``: the summary and its lines in time order (two queries)."""
    start, end = local_bounds(period.first_day, period.last_day)
    options = (joinedload(Order.buyer), joinedload(Order.unit), joinedload(Order.commodity), joinedload(Order.dispute))
    sold = (
        db.session.scalars(
            select(Order)
            .outerjoin(Dispute, Dispute.order_id == Order.id)
            .where(Order.seller_id == seller.id, _sold_in(start, end))
            .options(*options)
        )
        .unique()
        .all()
    )
    refunded = (
        db.session.scalars(
            select(Order)
            .join(Dispute, Dispute.order_id == Order.id)
            .where(Order.seller_id == seller.id, _refunded_in(start, end))
            .options(*options)
        )
        .unique()
        .all()
    )
    lines = [
        StatementLine(
            "sale", order.completed_at or order.dispute.resolved_at, order, Decimal(order.total).quantize(CENT)
        )
        for order in sold
    ]
    lines += [
        StatementLine("refund", order.dispute.resolved_at, order, -Decimal(order.dispute.refund_amount).quantize(CENT))
        for order in refunded
    ]
    lines.sort(key=lambda line: (_naive_utc(line.moment), line.order.id, line.kind))
    summary = Settlement(seller, period, fee_percent=fee_percent())
    summary.orders = len(sold)
    summary.sales = sum((line.amount for line in lines if line.kind == "sale"), ZERO)
    summary.refunds_count = len(refunded)
    summary.refunds = -sum((line.amount for line in lines if line.kind == "refund"), ZERO)
    return summary, lines


def _naive_utc(moment: datetime) -> datetime:
    # SQLite hands back naive UTC datetimes, PostgreSQL aware ones; compare them alike.
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
