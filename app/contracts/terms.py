"""What a purchase contract says about an order: its parties, its goods, its terms — read from the
order (and, for spec, grade and delivery date, from the posting it came from), never written.

``contract_goods`` is the one place the goods section comes from, so that orders with several lines
change only it. ``terms_fingerprint`` hashes the terms the order itself owns (goods as ordered,
price, total, delivery, an agreed partial acceptance): when it differs from the fingerprint of the
last accepted version, the order's terms changed and the contract needs a new version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app

from app.extensions import db
from app.logistics.models import SellerDecision
from app.members.models import Member
from app.members.verification import approved_licence_number
from app.postings.models import Posting
from app.trade.lines import lines_of
from app.trade.models import Order, as_aware

# Fields of a goods row that come from the posting, which its owner may edit: they are printed
# (and frozen with the accepted text) but do not make a new version by themselves.
POSTING_FIELDS = ("spec", "grade")


@dataclass(frozen=True)
class GoodsRow:
    """One line of the goods table, in both languages where names differ."""

    commodity_zh: str
    commodity_en: str
    title: str
    spec: str
    grade: str
    origin_zh: str
    origin_en: str
    harvest_date: date | None
    lot_reference: str
    quantity: Decimal
    unit_zh: str
    unit_en: str
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Party:
    role: str
    name: str
    business_name: str
    verified: bool
    licence_number: str | None
    phone_verified: bool


@dataclass(frozen=True)
class Settlement:
    """A partial acceptance the seller agreed to: what was received and what is owed for it."""

    quantity_received: Decimal
    amount_due: Decimal


@dataclass(frozen=True)
class ContractTerms:
    order_number: str
    placed_on: date
    goods: tuple[GoodsRow, ...]
    total: Decimal
    delivery: str  # collect / deliver (DeliveryOption)
    place_zh: str
    place_en: str
    delivery_date: date
    dispute_days: int
    settlement: Settlement | None


def _sell_posting(order: Order) -> Posting | None:
    """The sell offer the goods come from (None for a quote on a buy request that named no lot)."""
    return db.session.get(Posting, order.sell_posting_id) if order.sell_posting_id is not None else None


def contract_goods(order: Order) -> list[GoodsRow]:
    """The goods the contract lists: one row per order line (one for a single-lot order, one per
    lot for a basket order, app.trade.lines.lines_of), each the order's own snapshot of what was
    bought, with the spec (variety) and grade of the sell offer it came from (blank for a quote on
    a buy request that named no lot)."""
    rows = []
    for line in lines_of(order):
        source = db.session.get(Posting, line.sell_posting_id) if line.sell_posting_id is not None else None
        origin = line.origin_province
        rows.append(
            GoodsRow(
                commodity_zh=line.commodity.name_zh,
                commodity_en=line.commodity.name_en,
                title=line.title,
                spec=(source.variety or "") if source is not None else "",
                grade=(source.grade or "") if source is not None else "",
                origin_zh=origin.name_zh if origin is not None else "",
                origin_en=origin.name_en if origin is not None else "",
                harvest_date=line.harvest_date,
                lot_reference=line.seller_lot_reference or "",
                quantity=Decimal(line.quantity),
                unit_zh=line.unit.name_zh,
                unit_en=line.unit.name_en,
                unit_price=Decimal(line.unit_price),
                amount=Decimal(line.total),
            )
        )
    return rows


def _placed_on(order: Order) -> date:
    return as_aware(order.created_at).date()


def _delivery_date(order: Order) -> date:
    """The sell offer's last availability day when it is on or after the order date, otherwise
    CONTRACT_DELIVERY_DAYS after the order was placed."""
    placed = _placed_on(order)
    source = _sell_posting(order)
    until = source.available_until if source is not None else None
    if until is not None and until >= placed:
        return until
    return placed + timedelta(days=current_app.config["CONTRACT_DELIVERY_DAYS"])


def _settlement(order: Order) -> Settlement | None:
    acceptance = order.delivery_acceptance
    if acceptance is None or not acceptance.partial or acceptance.seller_decision != SellerDecision.AGREED.value:
        return None
    return Settlement(Decimal(acceptance.quantity_received), Decimal(acceptance.amount_due))


def _place(order: Order) -> tuple[str, str]:
    """Where the goods change hands: the seller's storefront locality and province, if known."""
    source = _sell_posting(order)
    province = source.province if source is not None else None
    locality = source.locality if source is not None else ""
    zh = "".join(part for part in (province.name_zh if province else "", locality) if part)
    en = ", ".join(part for part in (locality, province.name_en if province else "") if part)
    return zh, en


def contract_terms(order: Order) -> ContractTerms:
    place_zh, place_en = _place(order)
    return ContractTerms(
        order_number=order.number,
        placed_on=_placed_on(order),
        goods=tuple(contract_goods(order)),
        total=Decimal(order.total),
        delivery=order.delivery,
        place_zh=place_zh,
        place_en=place_en,
        delivery_date=_delivery_date(order),
        dispute_days=current_app.config["DISPUTE_WINDOW_DAYS"],
        settlement=_settlement(order),
    )


def _plain(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def terms_fingerprint(terms: ContractTerms) -> str:
    """SHA-256 of the terms the order owns: the goods as ordered (without the posting's spec and
    grade), the total, the delivery option and an agreed partial acceptance. Not the delivery date
    or dispute window, which come from the posting and the settings."""
    goods = [{k: v for k, v in asdict(row).items() if k not in POSTING_FIELDS} for row in terms.goods]
    owned = {
        "order": terms.order_number,
        "goods": goods,
        "total": terms.total,
        "delivery": terms.delivery,
        "settlement": asdict(terms.settlement) if terms.settlement else None,
    }
    canonical = json.dumps(owned, sort_keys=True, default=_plain, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def party(member: Member, role: str) -> Party:
    storefront = member.storefront
    return Party(
        role=role,
        name=member.display_name,
        business_name=storefront.name if storefront is not None else "",
        verified=member.is_verified,
        licence_number=approved_licence_number(member),
        phone_verified=member.phone_is_verified,
    )
