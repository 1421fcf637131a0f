"""Delivery acceptance: after delivery the buyer accepts everything, or only part of it with a
reason; the amount due is then recomputed (quantity received × unit price, to the cent, never more
than the order's total). The seller agrees — the order proceeds with the new amount — or disagrees,
which opens a dispute on the buyer's claim through the trade dispute service.

Both steps take the order's row lock first and check again on what they then read
(app/core/transitions.py), so of concurrent acceptances or decisions exactly one is recorded and
the others are refused like a second request would be.

Nothing here commits; refusals raise DomainError (409), bad field values TradeInvalid.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core import transitions
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.logistics import signals
from app.logistics.models import AcceptanceReason, DeliveryAcceptance, SellerDecision
from app.members.models import Member
from app.trade import disputes, orders
from app.trade.errors import TradeInvalid
from app.trade.models import Order, OrderStatus, line_total

REASON_LABELS = {
    AcceptanceReason.LOWER_GRADE.value: _l("Lower grade than agreed"),
    AcceptanceReason.SHORT_WEIGHT.value: _l("Short weight"),
    AcceptanceReason.DAMAGED.value: _l("Damaged goods"),
    AcceptanceReason.OTHER.value: _l("Other reason"),
}
ACCEPTABLE_ORDER_STATUSES = frozenset({OrderStatus.DELIVERED.value, OrderStatus.PAID.value})


def partial_amount_due(quantity_received: Decimal, unit_price: Decimal, original_total: Decimal) -> Decimal:
    """quantity received × unit price, rounded half-up to the cent, and never above the original total."""
    return min(line_total(quantity_received, unit_price), Decimal(original_total))


def amount_due(order: Order) -> Decimal:
    """What the buyer owes: the partial amount once the seller agreed to it, otherwise the total."""
    acceptance = order.delivery_acceptance
    if acceptance is not None and acceptance.partial and acceptance.seller_decision == SellerDecision.AGREED.value:
        return acceptance.amount_due
    return order.total


def acceptance_refusal(order: Order, member: Member) -> str | None:
    """Why ``member`` may not record the delivery acceptance of ``order``, or None when they may."""
    if order.role_of(member) != "buyer":
        return _("Only the buyer can accept the delivery.")
    if order.delivery_acceptance is not None:
        return _("The delivery was already accepted.")
    if order.delivered_at is None or order.status not in ACCEPTABLE_ORDER_STATUSES:
        return _("The delivery can be accepted once the goods arrived.")
    return None


def accept_delivery(
    order: Order,
    buyer: Member,
    *,
    partial: bool,
    quantity_received: Decimal | None = None,
    reason: str | None = None,
    note: str = "",
    now: datetime | None = None,
) -> DeliveryAcceptance:
    """Record the buyer's acceptance: all of it, or ``quantity_received`` (in the order's unit) with
    a reason. Returns the acceptance with its amount due.

    Raises DomainError (409) when not allowed (see acceptance_refusal); TradeInvalid for a missing
    or out-of-range quantity, a missing reason or a too long note.
    """
    now = now or utcnow()
    transitions.lock(order)
    refused = acceptance_refusal(order, buyer)
    if refused is not None:
        raise DomainError(refused)
    note = (note or "").strip()
    if len(note) > orders.MAX_NOTE_LENGTH:
        raise TradeInvalid("note", _("At most %(n)s characters.", n=orders.MAX_NOTE_LENGTH))
    if partial and order.is_basket:
        # Received quantities are in one unit at one price; a basket has a line per lot.
        raise TradeInvalid(
            "kind",
            _("An order of several lots is accepted in full. If something is missing or wrong, open a dispute."),
        )
    if partial:
        if quantity_received is None:
            raise TradeInvalid("quantity_received", _("Enter the quantity you received."))
        if not Decimal(0) < quantity_received < order.quantity:
            raise TradeInvalid(
                "quantity_received", _("Enter less than the ordered quantity; otherwise accept everything.")
            )
        if reason not in REASON_LABELS:
            raise TradeInvalid("reason", _("Choose a reason."))
        received, due = quantity_received, partial_amount_due(quantity_received, order.unit_price, order.total)
    else:
        received, due, reason = order.quantity, order.total, None
    acceptance = DeliveryAcceptance(
        order=order,
        buyer_id=buyer.id,
        partial=partial,
        quantity_received=received,
        reason=reason,
        note=note,
        original_total=order.total,
        amount_due=due,
        created_at=now,
    )
    db.session.add(acceptance)
    db.session.flush()
    return acceptance


def decide_partial_acceptance(
    order: Order, seller: Member, agree: bool, note: str = "", now: datetime | None = None
) -> DeliveryAcceptance:
    """The seller agrees to the buyer's partial acceptance (the order proceeds with the new amount)
    or disagrees, which opens a dispute on the buyer's claim. Returns the acceptance.

    Raises DomainError (409) for anyone but the seller, when nothing awaits a decision, or when the
    dispute cannot be opened (see app.trade.disputes.dispute_refusal); TradeInvalid for a too long note.
    """
    now = now or utcnow()
    if order.role_of(seller) != "seller":
        raise DomainError(_("Only the seller can do this."))
    transitions.lock(order)
    acceptance = order.delivery_acceptance
    if acceptance is None or not acceptance.awaiting_seller:
        raise DomainError(_("No partial acceptance is waiting for your decision."))
    note = (note or "").strip()
    if len(note) > orders.MAX_NOTE_LENGTH:
        raise TradeInvalid("note", _("At most %(n)s characters.", n=orders.MAX_NOTE_LENGTH))
    decision = SellerDecision.AGREED.value if agree else SellerDecision.DISAGREED.value
    transitions.require(
        acceptance,
        {"seller_decision": decision, "seller_note": note, "seller_decided_at": now},
        expected=("seller_decision",),
        refusal=lambda: _("No partial acceptance is waiting for your decision."),
    )
    if not agree:
        # The dispute is the buyer's claim that the seller contests, so the buyer stays its opener.
        reason = _(
            "Partial acceptance: %(received)s of %(ordered)s received (%(reason)s). The seller disagrees.",
            received=f"{acceptance.quantity_received.normalize():f}",
            ordered=f"{order.quantity.normalize():f}",
            reason=REASON_LABELS[acceptance.reason],
        )
        if note:
            reason = f"{reason}\n{note}"
        disputes.open_dispute(order, order.buyer, reason[: orders.MAX_NOTE_LENGTH], now=now)
    db.session.flush()
    if agree:
        # Payments refunds the reduction when the order was paid already, or charges only the
        # amount due when it is paid later (payment on delivery).
        signals.partial_acceptance_agreed.send(
            "logistics",
            order_id=order.id,
            amount_due=str(acceptance.amount_due),
            reduction=str(order.total - acceptance.amount_due),
            actor_id=seller.id,
        )
    return acceptance
