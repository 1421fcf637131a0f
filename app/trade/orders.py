"""Order services: placing an order (from an accepted offer or "buy now"), the status machine and
cancellation with stock returned. Disputes and their resolution live in app.trade.disputes.

    placed → confirmed → paid → shipped → delivered → completed
                       ↘ shipped → delivered → paid → completed      (payment on delivery)
    cancel: buyer while placed; seller until shipped (stock and buy-request fill are given back)
    dispute: buyer, within DISPUTE_WINDOW_DAYS of delivery → resolved by an admin (refund recorded)

Every transition is a compare-and-set on the status the request read (app/core/transitions.py):
of concurrent requests for one step only one moves the order, and only that one records the
OrderEvent (who, when, from, to, note), gives stock back and sends the signal after the flush; the
others get the 409 a request coming second would get. Illegal steps raise DomainError (409).
Nothing here commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import transitions
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.core.formatting import localized
from app.core.formatting import quantity as format_quantity
from app.extensions import db
from app.members.models import Member
from app.members.services import ensure_can_write
from app.postings import stock
from app.postings.models import DeliveryOption, Posting, PostingKind
from app.trade import signals
from app.trade.errors import TradeInvalid
from app.trade.labels import ORDER_STATUS
from app.trade.lines import lines_of, new_line, order_columns_from
from app.trade.models import (
    Order,
    OrderEvent,
    OrderStatus,
    as_aware,
)

PLACED, CONFIRMED, PAID = OrderStatus.PLACED.value, OrderStatus.CONFIRMED.value, OrderStatus.PAID.value
SHIPPED, DELIVERED, COMPLETED = OrderStatus.SHIPPED.value, OrderStatus.DELIVERED.value, OrderStatus.COMPLETED.value
CANCELLED, DISPUTED, RESOLVED = OrderStatus.CANCELLED.value, OrderStatus.DISPUTED.value, OrderStatus.RESOLVED.value
BUYER, SELLER = "buyer", "seller"
_LOT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud and typed
MAX_NOTE_LENGTH = 2000


@dataclass(frozen=True)
class Step:
    """One action on an order: the status it leads to and, per role, the statuses it starts from."""

    to_status: str
    allowed_from: dict[str, frozenset[str]] = field(default_factory=dict)
    label: str = ""


STEPS: dict[str, Step] = {
    "confirm": Step(CONFIRMED, {SELLER: frozenset({PLACED})}, _l("Confirm order")),
    "pay": Step(PAID, {SELLER: frozenset({CONFIRMED, DELIVERED})}, _l("Record payment received")),
    "ship": Step(SHIPPED, {SELLER: frozenset({CONFIRMED, PAID})}, _l("Mark as shipped")),
    "deliver": Step(DELIVERED, {BUYER: frozenset({SHIPPED}), SELLER: frozenset({SHIPPED})}, _l("Mark as delivered")),
    "complete": Step(
        COMPLETED, {BUYER: frozenset({DELIVERED, PAID}), SELLER: frozenset({DELIVERED, PAID})}, _l("Complete order")
    ),
    "cancel": Step(
        CANCELLED, {BUYER: frozenset({PLACED}), SELLER: frozenset({PLACED, CONFIRMED, PAID})}, _l("Cancel order")
    ),
}
ACTIONS = tuple(STEPS)


# Once the seller confirmed an order (and until it is cancelled) its buyer may see where to pay:
# the seller's registered payee account (app/members/payees.py) on the order page.
PAYEE_SHOWN_STATUSES = frozenset(
    status.value for status in OrderStatus if status not in (OrderStatus.PLACED, OrderStatus.CANCELLED)
)


def payee_shown_to(order: Order, viewer) -> bool:
    """True when ``viewer`` is the order's buyer and the seller has confirmed it (not cancelled)."""
    return getattr(viewer, "id", None) == order.buyer_id and order.status in PAYEE_SHOWN_STATUSES


def status_label(status: str) -> str:
    return str(ORDER_STATUS.get(status, status))


def new_lot_code() -> str:
    """A fresh, unused trace code such as JS7K3M9QX2AB."""
    while True:
        code = "JS" + "".join(secrets.choice(_LOT_ALPHABET) for _ in range(10))
        if db.session.scalar(select(Order.id).where(Order.lot_code == code)) is None:
            return code


def place_order(
    *,
    buyer: Member,
    seller: Member,
    posting: Posting,
    quantity: Decimal,
    unit_price: Decimal,
    delivery: str,
    actor: Member,
    lot_posting: Posting | None = None,
    negotiation=None,
    offer=None,
    bought_now: bool = False,
    now: datetime | None = None,
) -> Order:
    """Create an order and take its stock (sell offer) and fill (buy request) atomically, in posting
    id order so two transactions never wait on each other crosswise. Returns the order, flushed.

    Raises OutOfStock (409, "only N left") when the stock or the open need is too small.
    """
    now = now or utcnow()
    sell_posting = posting if posting.kind == PostingKind.SELL.value else lot_posting
    buy_posting = posting if posting.kind == PostingKind.BUY.value else None
    changes = []
    if sell_posting is not None:
        changes.append((sell_posting.id, stock.take_stock))
    if buy_posting is not None:
        changes.append((buy_posting.id, stock.fill_request))
    for posting_id, change in sorted(changes, key=lambda item: item[0]):
        change(posting_id, quantity)

    line = new_line(posting, sell_posting, seller, quantity, unit_price)
    order = Order(
        lot_code=new_lot_code(),
        buyer_id=buyer.id,
        seller_id=seller.id,
        posting_id=posting.id,
        sell_posting_id=sell_posting.id if sell_posting else None,
        buy_posting_id=buy_posting.id if buy_posting else None,
        negotiation=negotiation,
        offer_id=offer.id if offer is not None else None,
        delivery=delivery,
        bought_now=bought_now,
        status=PLACED,
        created_at=now,
        updated_at=now,
        **order_columns_from([line]),
    )
    order.lines.append(line)
    order.events.append(OrderEvent(actor_id=actor.id, from_status=None, to_status=PLACED, created_at=now))
    db.session.add(order)
    db.session.flush()
    signals.send(
        signals.order_placed,
        order_id=order.id,
        buyer_id=buyer.id,
        seller_id=seller.id,
        posting_id=posting.id,
        negotiation_id=negotiation.id if negotiation is not None else None,
    )
    return order


def buy_now_refusal(posting: Posting, buyer: Member) -> str | None:
    """Why ``buyer`` may not buy from ``posting`` at its listed price, or None when they may (the
    quantity, delivery and stock are checked by buy_now with the order's terms). Suspension is
    checked by buy_now itself (ensure_can_write), not here."""
    if posting.kind != PostingKind.SELL.value or posting.price is None:
        return _("This posting has no fixed price. Make an offer instead.")
    if posting.owner_id == buyer.id:
        return _("You cannot buy from your own offer.")
    return None


def buy_now(posting: Posting, buyer: Member, quantity: Decimal, delivery: str, now: datetime | None = None) -> Order:
    """Order from a fixed-price sell offer at its listed price. Returns the order.

    Raises DomainError when buy_now_refusal refuses (not a fixed-price sell offer, the buyer's
    own); TradeInvalid for a delivery option or quantity the posting does not allow; OutOfStock (409,
    "only N left") when another buyer got there first; MemberSuspended (403).
    """
    ensure_can_write(buyer)
    refused = buy_now_refusal(posting, buyer)
    if refused is not None:
        raise DomainError(refused)
    allowed = [DeliveryOption.COLLECT.value, DeliveryOption.DELIVER.value]
    if posting.delivery != DeliveryOption.EITHER.value:
        allowed = [posting.delivery]
    if delivery not in allowed:
        raise TradeInvalid("delivery", _("Choose a delivery option this offer allows."))
    minimum = posting.min_order
    if minimum is not None and quantity < minimum and quantity < stock.available(posting):
        raise TradeInvalid(
            "quantity",
            _("The minimum order is %(n)s %(unit)s.", n=format_quantity(minimum), unit=localized(posting.unit)),
        )
    seller = db.session.get(Member, posting.owner_id)
    return place_order(
        buyer=buyer,
        seller=seller,
        posting=posting,
        quantity=quantity,
        unit_price=posting.price,
        delivery=delivery,
        actor=buyer,
        bought_now=True,
        now=now,
    )


def refusal(order: Order, action: str, member: Member, now: datetime | None = None) -> str | None:
    """Why ``member`` may not take ``action`` on ``order`` now, or None when they may."""
    now = now or utcnow()
    step = STEPS.get(action)
    if step is None:
        return _("That is not a step an order can take.")
    role = order.role_of(member)
    if role is None:
        return _("Only the buyer and the seller can change an order.")
    starts = step.allowed_from.get(role)
    if starts is None:
        return _("Only the seller can do this.") if role == BUYER else _("Only the buyer can do this.")
    if action == "cancel" and order.shipped_at is not None:
        return _("Shipped orders cannot be cancelled. Open a dispute after delivery instead.")
    if order.status not in starts:
        return _("An order that is %(status)s cannot be changed that way.", status=status_label(order.status))
    if action == "pay" and order.paid_at is not None:
        return _("The payment has already been recorded.")
    if action == "ship" and order.shipped_at is not None:
        return _("The goods have already been shipped.")
    if action == "complete":
        if order.delivered_at is None:
            return _("An order can be completed after delivery.")
        if order.paid_at is None:
            return _("Record the payment before completing the order.")
        if role == SELLER and now < dispute_deadline(order):
            return _(
                "The seller can complete the order once the %(days)s-day dispute window has passed.",
                days=current_app.config["DISPUTE_WINDOW_DAYS"],
            )
    return None


def available_actions(order: Order, member: Member, now: datetime | None = None) -> list[str]:
    """The actions ``member`` can take on ``order`` right now, in display order."""
    return [action for action in ACTIONS if refusal(order, action, member, now) is None]


def change_order_status(
    order: Order, action: str, member: Member, note: str = "", now: datetime | None = None
) -> Order:
    """Apply ``action`` (confirm, pay, ship, deliver, complete, cancel) by ``member``, record the
    transition and send its signal. Cancelling gives the stock back. Returns the order.

    Raises DomainError (409) for an illegal step, with the reason; TradeInvalid for a too long note;
    MemberSuspended (403) when a suspended seller confirms (a new commitment). The other steps stay
    open to a suspended member so that orders already under way can be paid, shipped, received or
    cancelled and the other party is not left stranded.
    """
    if action == "confirm":
        ensure_can_write(member)
    now = now or utcnow()
    note = clean_note(note, "note")
    reason = refusal(order, action, member, now)
    if reason is not None:
        raise DomainError(reason)
    return _apply_step(order, action, member, note, now, lambda: refusal(order, action, member, now))


# Steps that happen without a member acting: a driver's link or a carrier's webhook reports that
# the goods left or arrived. They start from the same statuses as the parties' steps.
SYSTEM_ACTIONS = frozenset({"ship", "deliver"})


def system_step_refusal(order: Order, action: str) -> str | None:
    """Why the system may not take ``action`` on ``order`` now, or None when it may."""
    if action not in SYSTEM_ACTIONS:
        return _("That is not a step an order can take.")
    starts = frozenset().union(*STEPS[action].allowed_from.values())
    if order.status not in starts:
        return _("An order that is %(status)s cannot be changed that way.", status=status_label(order.status))
    if action == "ship" and order.shipped_at is not None:
        return _("The goods have already been shipped.")
    return None


def change_order_status_as_system(order: Order, action: str, note: str = "", now: datetime | None = None) -> Order:
    """Apply ``ship`` or ``deliver`` with no member as the actor (the event's actor is empty and the
    signal's actor_id is None), e.g. for shipment updates from a driver link or a carrier webhook.
    Returns the order.

    Raises DomainError (409) for an illegal step; TradeInvalid for a too long note.
    """
    now = now or utcnow()
    note = clean_note(note, "note")
    reason = system_step_refusal(order, action)
    if reason is not None:
        raise DomainError(reason)
    return _apply_step(order, action, None, note, now, lambda: system_step_refusal(order, action))


# The moment each step stamps on the order, written in the same compare-and-set as the status.
_STAMPS = {"pay": "paid_at", "ship": "shipped_at", "deliver": "delivered_at", "complete": "completed_at"}


def _apply_step(order: Order, action: str, member: Member | None, note: str, now: datetime, why_not) -> Order:
    step = STEPS[action]
    stamp = {_STAMPS[action]: now} if action in _STAMPS else {}
    record_transition(order, step.to_status, member, note, now, refusal=why_not, **stamp)
    if action == "cancel":
        _give_back(order)
    db.session.flush()
    signals.send(
        signals.ORDER_SIGNALS[step.to_status],
        order_id=order.id,
        buyer_id=order.buyer_id,
        seller_id=order.seller_id,
        actor_id=member.id if member is not None else None,
    )
    return order


def record_provider_payment(order: Order, note: str = "", now: datetime | None = None) -> bool:
    """A payment provider reported the money received (a verified webhook; no member acts).

    Sets paid_at once and moves a confirmed or delivered order to paid, as the seller's "pay" step
    would; an order in any other status keeps its status, so a late report never moves it
    backwards, and a cancelled order is left alone (the payment domain refunds it). Returns True
    when the order's status changed.
    """
    now = now or utcnow()
    if order.paid_at is not None or order.status == CANCELLED:
        return False
    if order.status not in STEPS["pay"].allowed_from[SELLER]:
        transitions.require(order, {"paid_at": now, "updated_at": now}, expected=("status", "paid_at"))
        return False
    record_transition(order, PAID, None, note, now, paid_at=now)
    db.session.flush()
    signals.send(
        signals.order_paid, order_id=order.id, buyer_id=order.buyer_id, seller_id=order.seller_id, actor_id=None
    )
    return True


def dispute_deadline(order: Order) -> datetime:
    """The last moment the buyer may open a dispute (DISPUTE_WINDOW_DAYS after delivery)."""
    delivered = as_aware(order.delivered_at)
    if delivered is None:
        raise ValueError("the order has not been delivered")
    return delivered + timedelta(days=current_app.config["DISPUTE_WINDOW_DAYS"])


def _give_back(order: Order) -> None:
    """Return every line's stock to its sell offer and the order's quantity to the buy request it
    filled, in posting id order (the order in which they were taken)."""
    changes = [
        (line.sell_posting_id, stock.return_stock, line.quantity)
        for line in lines_of(order)
        if line.sell_posting_id is not None
    ]
    if order.buy_posting_id is not None:
        changes.append((order.buy_posting_id, stock.unfill_request, order.quantity))
    for posting_id, change, quantity in sorted(changes, key=lambda item: item[0]):
        change(posting_id, quantity)


def record_transition(
    order: Order, to_status: str, actor: Member | None, note: str, now: datetime, refusal=None, **stamps
) -> None:
    """Move ``order`` from the status this request read to ``to_status`` with ``stamps`` (paid_at,
    shipped_at …) in one compare-and-set, then append the timeline entry (who, when, from, to, note).
    Take the step's side effects only after this returns.

    Raises TransitionLost (409) when another request moved the order first, with ``refusal()``'s
    reason for the order as it is now (the generic "something changed" without one).
    """
    from_status = order.status
    transitions.require(order, {"status": to_status, "updated_at": now, **stamps}, refusal=refusal)
    order.events.append(
        OrderEvent(
            actor_id=actor.id if actor is not None else None,
            from_status=from_status,
            to_status=to_status,
            note=note,
            created_at=now,
        )
    )


def clean_note(text: str | None, field_name: str) -> str:
    """``text`` stripped; raises TradeInvalid on ``field_name`` when longer than MAX_NOTE_LENGTH."""
    text = (text or "").strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise TradeInvalid(field_name, _("At most %(n)s characters.", n=MAX_NOTE_LENGTH))
    return text
