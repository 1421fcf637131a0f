"""The buyer's basket (购物车) and its checkout into one order per seller (docs/basket-orders.md).

A basket holds fixed-price sell offers with a quantity each (``basket_item``, in the database).
Checking out a seller's lots places one order for them: one delivery, one payment, one line per
lot, each line taking its own stock with the same conditional UPDATE as buy now
(app/postings/stock.py), in posting id order. A lot that cannot be had fails that seller's order as
a whole (nothing of it is taken) and leaves the other sellers' orders alone: the route commits each
seller's order in its own transaction.

A double submit of one basket page creates each seller's order once: the page carries a random
checkout key, the order stores "<key>:<seller id>" in the UNIQUE ``trade_order.checkout_key``, and
the request that comes second finds that order (or, when both ran at once, loses on the UNIQUE
index and then finds it). Nothing here commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from app.core.clock import utcnow
from app.core.errors import DomainError
from app.core.formatting import localized
from app.core.formatting import quantity as format_quantity
from app.extensions import db
from app.members.models import Member
from app.members.services import ensure_can_write
from app.postings import stock
from app.postings.models import DeliveryOption, Posting, PostingKind, PostingStatus
from app.trade import signals
from app.trade.errors import TradeInvalid
from app.trade.lines import new_line, order_columns_from
from app.trade.models import BasketItem, Order, OrderEvent, OrderStatus, line_total
from app.trade.orders import new_lot_code

CHECKOUT_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# Enough for a canteen's weekly order; a limit keeps one basket page and its checkout small.
MAX_BASKET_ITEMS = 30


@dataclass
class SellerGroup:
    """The lots of one seller in a basket: what one checkout turns into one order."""

    seller: Member
    items: list[BasketItem] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((item_total(item) for item in self.items if item.posting.price is not None), Decimal(0))

    @property
    def delivery_choices(self) -> list[str]:
        """The delivery options every lot of this seller allows (collect first), possibly none."""
        options = [DeliveryOption.COLLECT.value, DeliveryOption.DELIVER.value]
        for item in self.items:
            if item.posting.delivery != DeliveryOption.EITHER.value:
                options = [option for option in options if option == item.posting.delivery]
        return options

    @property
    def problems(self) -> dict[int, str]:
        """Item id → why that lot cannot be ordered as it stands (sold out, stock, minimum …)."""
        found = {}
        for item in self.items:
            reason = basket_refusal(item.posting, item.buyer_id) or quantity_refusal(item.posting, item.quantity)
            if reason is not None:
                found[item.id] = reason
        return found


def item_total(item: BasketItem) -> Decimal:
    return line_total(item.quantity, item.posting.price)


def basket_refusal(posting: Posting, buyer_id: int) -> str | None:
    """Why the buyer may not have ``posting`` in a basket, or None: only another member's active,
    fixed-price sell offer."""
    if posting.kind != PostingKind.SELL.value or posting.price is None:
        return _("Only sell offers with a fixed price can go in the basket. Make an offer instead.")
    if posting.owner_id == buyer_id:
        return _("You cannot buy from your own offer.")
    if posting.status != PostingStatus.ACTIVE.value or stock.available(posting) <= 0:
        return _("This offer is not taking orders at the moment.")
    return None


def quantity_refusal(posting: Posting, quantity: Decimal) -> str | None:
    """Why ``quantity`` of ``posting`` cannot be ordered now (more than is left, below the minimum
    order unless it is all that is left), or None."""
    left = stock.available(posting)
    if quantity > left:
        return _("Only %(n)s %(unit)s left.", n=format_quantity(left), unit=localized(posting.unit))
    minimum = posting.min_order
    if minimum is not None and quantity < minimum and quantity < left:
        return _("The minimum order is %(n)s %(unit)s.", n=format_quantity(minimum), unit=localized(posting.unit))
    return None


def basket_items(buyer_id: int) -> list[BasketItem]:
    """The buyer's basket, oldest first, with each posting, its unit and its owner loaded."""
    return list(
        db.session.scalars(
            select(BasketItem)
            .where(BasketItem.buyer_id == buyer_id)
            .options(
                joinedload(BasketItem.posting).joinedload(Posting.unit),
                joinedload(BasketItem.posting).joinedload(Posting.owner),
            )
            .order_by(BasketItem.id)
        )
    )


def basket_count(buyer_id: int) -> int:
    return len(db.session.scalars(select(BasketItem.id).where(BasketItem.buyer_id == buyer_id)).all())


def basket_groups(buyer_id: int) -> list[SellerGroup]:
    """The buyer's basket grouped by seller, in the order each seller's first lot was added."""
    groups: dict[int, SellerGroup] = {}
    for item in basket_items(buyer_id):
        seller = item.posting.owner
        groups.setdefault(seller.id, SellerGroup(seller)).items.append(item)
    return list(groups.values())


def add_to_basket(buyer: Member, posting: Posting, quantity: Decimal, now: datetime | None = None) -> BasketItem:
    """Put ``quantity`` of ``posting`` in the buyer's basket (a lot already there gets the new
    quantity). Returns the item, flushed.

    Raises DomainError (409) when basket_refusal refuses or the basket is full; TradeInvalid on
    ``quantity`` for more than is left or less than the minimum order; MemberSuspended (403).
    """
    ensure_can_write(buyer)
    now = now or utcnow()
    refused = basket_refusal(posting, buyer.id)
    if refused is not None:
        raise DomainError(refused)
    wrong = quantity_refusal(posting, quantity)
    if wrong is not None:
        raise TradeInvalid("quantity", wrong)
    item = db.session.scalar(
        select(BasketItem).where(BasketItem.buyer_id == buyer.id, BasketItem.posting_id == posting.id)
    )
    if item is None:
        if basket_count(buyer.id) >= MAX_BASKET_ITEMS:
            raise DomainError(_("Your basket is full (%(n)s lots). Place an order first.", n=MAX_BASKET_ITEMS))
        item = BasketItem(buyer_id=buyer.id, posting_id=posting.id, quantity=quantity, created_at=now)
        db.session.add(item)
    item.quantity = quantity
    item.updated_at = now
    db.session.flush()
    return item


def own_item(buyer: Member, item_id: int) -> BasketItem | None:
    """The basket item ``item_id`` if it is in ``buyer``'s basket, else None (the route says 404)."""
    item = db.session.get(BasketItem, item_id)
    if item is None or item.buyer_id != buyer.id:
        return None
    return item


def change_quantity(buyer: Member, item: BasketItem, quantity: Decimal, now: datetime | None = None) -> BasketItem:
    """Set a basket item's quantity. Raises TradeInvalid on ``quantity`` as add_to_basket does."""
    if item.buyer_id != buyer.id:
        raise DomainError(_("This is not in your basket."), status=404)
    wrong = quantity_refusal(item.posting, quantity)
    if wrong is not None:
        raise TradeInvalid("quantity", wrong)
    item.quantity = quantity
    item.updated_at = now or utcnow()
    db.session.flush()
    return item


def remove_item(buyer: Member, item: BasketItem) -> None:
    if item.buyer_id != buyer.id:
        raise DomainError(_("This is not in your basket."), status=404)
    db.session.delete(item)
    db.session.flush()


def checkout_key_for(key: str, seller_id: int) -> str:
    return f"{key}:{seller_id}"


def order_for_checkout(key: str, seller_id: int) -> Order | None:
    """The order a checkout with ``key`` already placed with ``seller_id``, if any."""
    if not CHECKOUT_KEY_RE.match(key or ""):
        return None
    return db.session.scalar(select(Order).where(Order.checkout_key == checkout_key_for(key, seller_id)))


def orders_for_checkout(key: str, buyer_id: int) -> list[Order]:
    """Every order the buyer's checkout with ``key`` placed, by id."""
    if not CHECKOUT_KEY_RE.match(key or ""):
        return []
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.buyer_id == buyer_id, Order.checkout_key.startswith(f"{key}:", autoescape=True))
            .order_by(Order.id)
        )
    )


def place_basket_order(
    buyer: Member, seller_id: int, delivery: str, checkout_key: str, now: datetime | None = None
) -> tuple[Order, bool]:
    """Order every lot of ``seller_id`` in the buyer's basket as one order at the listed prices,
    taking each line's stock, and empty those lots from the basket. Returns (order, created):
    ``created`` is False when this checkout key already placed that order (a double submit).

    Raises DomainError (409) when the basket has nothing of that seller, the key is malformed, a lot
    is no longer orderable or its quantity breaks the stock or minimum (the lot is named);
    TradeInvalid on ``delivery`` when the lots do not all allow it; OutOfStock (409, naming the lot)
    when another buyer took the stock first; MemberSuspended (403). An IntegrityError on flush means
    a simultaneous identical submit won: roll back and read order_for_checkout.
    """
    ensure_can_write(buyer)
    now = now or utcnow()
    if not CHECKOUT_KEY_RE.match(checkout_key or ""):
        raise DomainError(_("This basket page is out of date. Open the basket again."))
    existing = order_for_checkout(checkout_key, seller_id)
    if existing is not None:
        return existing, False
    group = next((group for group in basket_groups(buyer.id) if group.seller.id == seller_id), None)
    if group is None:
        raise DomainError(_("Your basket has no lots from this seller."))
    if delivery not in group.delivery_choices:
        raise TradeInvalid("delivery", _("Choose a delivery option every lot of this seller allows."))
    for item in group.items:
        reason = basket_refusal(item.posting, buyer.id) or quantity_refusal(item.posting, item.quantity)
        if reason is not None:
            raise DomainError(f"{item.posting.title}: {reason}")

    # Emptying the lots from the basket first locks their rows: of two checkouts of one basket
    # running at once (two tabs, two devices) the second finds them gone and orders nothing.
    removed = db.session.execute(
        delete(BasketItem)
        .where(BasketItem.id.in_([item.id for item in group.items]))
        .execution_options(synchronize_session=False)
    ).rowcount
    if removed != len(group.items):
        raise DomainError(_("These lots were ordered from another page meanwhile. See your orders."))
    for item in group.items:
        db.session.expunge(item)
    lots = [(item.posting, item.quantity, item.posting.price) for item in group.items]
    return place_lots(buyer, group.seller, lots, delivery, checkout_key_for(checkout_key, seller_id), now), True


def place_lots(
    buyer: Member,
    seller: Member,
    lots: list[tuple[Posting, Decimal, Decimal]],
    delivery: str,
    checkout_key: str | None,
    now: datetime,
) -> Order:
    """Place one order of ``lots`` — (sell offer, quantity, unit price) in the buyer's chosen order —
    taking each line's stock in posting id order, with a line per lot. The caller has checked the
    lots. Returns the order, flushed, after sending order_placed.

    Raises OutOfStock (409, naming the lot) when a line's stock ran out; the caller's transaction
    must then be rolled back (stock taken for earlier lines is in it).
    """
    for posting, quantity, _price in sorted(lots, key=lambda lot: lot[0].id):
        try:
            stock.take_stock(posting.id, quantity)
        except stock.OutOfStock as error:
            raise stock.OutOfStock(f"{posting.title}: {error.message}", error.remaining) from error

    lines = [new_line(posting, posting, seller, quantity, price) for posting, quantity, price in lots]
    first = lots[0][0]
    order = Order(
        lot_code=new_lot_code(),
        buyer_id=buyer.id,
        seller_id=seller.id,
        posting_id=first.id,
        sell_posting_id=first.id,
        checkout_key=checkout_key,
        delivery=delivery,
        bought_now=True,
        status=OrderStatus.PLACED.value,
        created_at=now,
        updated_at=now,
        **order_columns_from(lines),
    )
    order.lines.extend(lines)
    order.events.append(
        OrderEvent(actor_id=buyer.id, from_status=None, to_status=OrderStatus.PLACED.value, created_at=now)
    )
    db.session.add(order)
    db.session.flush()
    signals.send(
        signals.order_placed,
        order_id=order.id,
        buyer_id=buyer.id,
        seller_id=seller.id,
        posting_id=first.id,
        negotiation_id=None,
    )
    return order
