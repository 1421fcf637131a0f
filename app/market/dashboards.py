"""A member's own dashboard: as a seller (postings, interest, offers received, orders by status,
revenue by month, top commodities) and as a buyer (spend by month, orders by status, open
negotiations). One member may be both.

Every figure is one grouped query over the member's own rows, so the number of queries does not
grow with the number of postings or orders. Revenue and spend follow the settlement rules of
app.market.reports: a sale counts when the order is completed (or its dispute resolved), a refund
in the month it was decided. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.catalogue.models import Commodity
from app.extensions import db
from app.market.reports import ZERO, local_bounds, month_bucket, month_start, recent_months
from app.members.follows import follower_count
from app.members.models import Member
from app.postings.models import Posting
from app.postings.services import local_today
from app.postings.views import most_viewed
from app.trade.models import CENT, Dispute, Negotiation, NegotiationStatus, Offer, Order, OrderLine, OrderStatus

CHART_MONTHS = 12
TOP_COMMODITIES = 5
TOP_POSTINGS = 5
OPEN_NEGOTIATIONS = 10


@dataclass
class MonthAmount:
    month: str  # "2026-03"
    amount: Decimal


@dataclass
class CommodityFigure:
    commodity: Commodity
    orders: int
    amount: Decimal


@dataclass
class PostingInterest:
    """How many buyers (or sellers, on a buy request) opened a negotiation on one of the member's postings."""

    posting: Posting
    negotiations: int
    open_negotiations: int


@dataclass
class SellerDashboard:
    postings_by_status: dict[str, int] = field(default_factory=dict)
    interest: list[PostingInterest] = field(default_factory=list)
    # (posting, views in the last 30 days, views in the last 7 days), most viewed first
    most_viewed: list[tuple[Posting, int, int]] = field(default_factory=list)
    offers_received: dict[str, int] = field(default_factory=dict)
    orders_by_status: dict[str, int] = field(default_factory=dict)
    revenue_by_month: list[MonthAmount] = field(default_factory=list)
    top_commodities: list[CommodityFigure] = field(default_factory=list)
    # Members who follow the seller's storefront (issue 24).
    followers: int = 0

    @property
    def revenue_total(self) -> Decimal:
        return sum((point.amount for point in self.revenue_by_month), ZERO)


@dataclass
class BuyerDashboard:
    spend_by_month: list[MonthAmount] = field(default_factory=list)
    orders_by_status: dict[str, int] = field(default_factory=dict)
    open_negotiations: list[Negotiation] = field(default_factory=list)

    @property
    def spend_total(self) -> Decimal:
        return sum((point.amount for point in self.spend_by_month), ZERO)


def sections(member: Member) -> tuple[bool, bool]:
    """(show the seller part, show the buyer part): by the member's kinds; both when neither is set."""
    if not (member.is_seller or member.is_buyer):
        return True, True
    return bool(member.is_seller), bool(member.is_buyer)


def seller_dashboard(member: Member) -> SellerDashboard:
    """The seller part for ``member``: only rows where they are the owner or the seller."""
    months = recent_months(CHART_MONTHS, local_today())
    return SellerDashboard(
        postings_by_status=_count_by(Posting.status, Posting.owner_id == member.id),
        interest=_posting_interest(member.id),
        most_viewed=most_viewed(member.id, local_today()),
        offers_received=_offers_received(member.id),
        orders_by_status=_count_by(Order.status, Order.seller_id == member.id),
        revenue_by_month=_net_by_month(Order.seller_id, member.id, months),
        top_commodities=_top_commodities(member.id, months[0]),
        followers=follower_count(member.id),
    )


def buyer_dashboard(member: Member) -> BuyerDashboard:
    """The buyer part for ``member``: only rows where they are the buyer."""
    months = recent_months(CHART_MONTHS, local_today())
    return BuyerDashboard(
        spend_by_month=_net_by_month(Order.buyer_id, member.id, months),
        orders_by_status=_count_by(Order.status, Order.buyer_id == member.id),
        open_negotiations=_open_negotiations(member.id),
    )


def _count_by(column, condition) -> dict[str, int]:
    rows = db.session.execute(select(column, func.count()).where(condition).group_by(column)).all()
    return {status: int(count) for status, count in rows}


def _offers_received(member_id: int) -> dict[str, int]:
    """Offers the other party made in the member's negotiations as seller, by status."""
    rows = db.session.execute(
        select(Offer.status, func.count(Offer.id))
        .join(Negotiation, Negotiation.id == Offer.negotiation_id)
        .where(Negotiation.seller_id == member_id, Offer.author_id != member_id)
        .group_by(Offer.status)
    ).all()
    return {status: int(count) for status, count in rows}


def _posting_interest(member_id: int) -> list[PostingInterest]:
    """The member's postings with the most negotiations (all time), most first."""
    is_open = case((Negotiation.status == NegotiationStatus.OPEN.value, 1), else_=0)
    rows = db.session.execute(
        select(Posting, func.count(Negotiation.id).label("threads"), func.sum(is_open))
        .join(Negotiation, Negotiation.posting_id == Posting.id)
        .where(Posting.owner_id == member_id)
        .group_by(Posting.id)
        .order_by(func.count(Negotiation.id).desc(), Posting.id.desc())
        .limit(TOP_POSTINGS)
    ).all()
    return [PostingInterest(posting, int(threads), int(open_count or 0)) for posting, threads, open_count in rows]


def _net_by_month(party_column, member_id: int, months: list[str]) -> list[MonthAmount]:
    """Sales minus refunds per local month for the member on one side of the orders, for ``months``
    (every month present, zero when nothing happened)."""
    start, _end = local_bounds(month_start(months[0]), None)
    sale_moment = func.coalesce(Order.completed_at, Dispute.resolved_at)
    sale_month = month_bucket(sale_moment)
    # As on a settlement statement: completed, or resolved without having been completed.
    sold = and_(
        or_(Order.completed_at.is_not(None), Order.status == OrderStatus.RESOLVED.value),
        sale_moment >= start,
    )
    sales = db.session.execute(
        select(sale_month, func.sum(Order.total))
        .outerjoin(Dispute, Dispute.order_id == Order.id)
        .where(party_column == member_id, sold)
        .group_by(sale_month)
    ).all()
    refund_month = month_bucket(Dispute.resolved_at)
    refunds = db.session.execute(
        select(refund_month, func.sum(Dispute.refund_amount))
        .join(Order, Order.id == Dispute.order_id)
        .where(party_column == member_id, Dispute.refund_amount > 0, Dispute.resolved_at >= start)
        .group_by(refund_month)
    ).all()
    amounts = {month: ZERO for month in months}
    for month, total in sales:
        if month in amounts:
            amounts[month] += Decimal(total or 0).quantize(CENT)
    for month, total in refunds:
        if month in amounts:
            amounts[month] -= Decimal(total or 0).quantize(CENT)
    return [MonthAmount(month, amounts[month]) for month in months]


def _top_commodities(member_id: int, first_month: str) -> list[CommodityFigure]:
    """The member's best-selling commodities by completed sales since ``first_month`` (before refunds),
    counted per order line, so each lot of a basket order counts under its own commodity."""
    start, _end = local_bounds(month_start(first_month), None)
    # An order written without lines (by hand, as some tests do) counts by its own columns.
    commodity_id = func.coalesce(OrderLine.commodity_id, Order.commodity_id)
    amount = func.sum(func.coalesce(OrderLine.total, Order.total))
    rows = db.session.execute(
        select(Commodity, func.count(func.distinct(Order.id)), amount)
        .select_from(Order)
        .outerjoin(OrderLine, OrderLine.order_id == Order.id)
        .join(Commodity, Commodity.id == commodity_id)
        .where(Order.seller_id == member_id, Order.completed_at.is_not(None), Order.completed_at >= start)
        .group_by(Commodity.id)
        .order_by(amount.desc(), Commodity.id)
        .limit(TOP_COMMODITIES)
    ).all()
    return [
        CommodityFigure(commodity, int(count), Decimal(total or 0).quantize(CENT)) for commodity, count, total in rows
    ]


def _open_negotiations(member_id: int) -> list[Negotiation]:
    """The member's open negotiations as buyer, latest activity first, with what the list shows."""
    return list(
        db.session.scalars(
            select(Negotiation)
            .where(Negotiation.buyer_id == member_id, Negotiation.status == NegotiationStatus.OPEN.value)
            .options(
                joinedload(Negotiation.posting).joinedload(Posting.unit),
                joinedload(Negotiation.seller),
                selectinload(Negotiation.offers),
            )
            .order_by(Negotiation.last_activity_at.desc(), Negotiation.id.desc())
            .limit(OPEN_NEGOTIATIONS)
        )
    )
