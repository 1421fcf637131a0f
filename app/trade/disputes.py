"""Disputes: the buyer disputes a delivered order within DISPUTE_WINDOW_DAYS; an admin resolves it
with a full, partial or no refund. Each step is a compare-and-set of the order's status (see
app/core/transitions.py) taken before anything else is written, recorded on the order's timeline,
and sends its signal after the flush; of concurrent requests only one opens or resolves the dispute.
Nothing here commits."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _

from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.members.models import Member
from app.trade import signals
from app.trade.errors import TradeInvalid
from app.trade.models import CENT, Dispute, Order, RefundOutcome
from app.trade.orders import (
    BUYER,
    COMPLETED,
    DELIVERED,
    DISPUTED,
    PAID,
    RESOLVED,
    clean_note,
    dispute_deadline,
    record_transition,
)


def dispute_refusal(order: Order, member: Member, now: datetime | None = None) -> str | None:
    """Why ``member`` may not open a dispute on ``order`` now, or None when they may."""
    now = now or utcnow()
    if order.role_of(member) != BUYER:
        return _("Only the buyer can open a dispute.")
    if order.dispute is not None:
        return _("This order already has a dispute.")
    if order.delivered_at is None or order.status not in (DELIVERED, PAID, COMPLETED):
        return _("A dispute can be opened after delivery.")
    if now > dispute_deadline(order):
        return _(
            "Disputes can be opened up to %(days)s days after delivery.", days=current_app.config["DISPUTE_WINDOW_DAYS"]
        )
    return None


def open_dispute(order: Order, member: Member, reason: str, now: datetime | None = None) -> Dispute:
    """The buyer disputes a delivered order. Returns the dispute.

    Raises TradeInvalid without a reason; DomainError (409) when not allowed (see dispute_refusal),
    also when a concurrent request opened it or moved the order first (TransitionLost).
    """
    now = now or utcnow()
    reason = clean_note(reason, "reason")
    if not reason:
        raise TradeInvalid("reason", _("Say what went wrong."))
    refused = dispute_refusal(order, member, now)
    if refused is not None:
        raise DomainError(refused)
    status_before = order.status
    record_transition(order, DISPUTED, member, reason, now, refusal=lambda: dispute_refusal(order, member, now))
    dispute = Dispute(order=order, opened_by_id=member.id, reason=reason, status_before=status_before, created_at=now)
    db.session.add(dispute)
    db.session.flush()
    signals.send(
        signals.dispute_opened,
        order_id=order.id,
        dispute_id=dispute.id,
        buyer_id=order.buyer_id,
        seller_id=order.seller_id,
        actor_id=member.id,
    )
    return dispute


def resolve_dispute(
    order: Order,
    admin: Member,
    outcome: str,
    refund_amount: Decimal | None,
    note: str = "",
    now: datetime | None = None,
) -> Dispute:
    """An admin decides a dispute: full refund (the total), partial (an amount between zero and
    the total) or none. Returns the dispute.

    Raises DomainError (403 for non-admins, 409 when nothing is disputed); TradeInvalid for an
    unknown outcome or a refund amount that does not fit it.
    """
    now = now or utcnow()
    if not admin.is_admin:
        raise DomainError(_("Only an admin can resolve a dispute."), status=403)
    dispute = order.dispute
    if dispute is None or order.status != DISPUTED or not dispute.is_open:
        raise DomainError(_("This order has no open dispute."))
    note = clean_note(note, "note")
    if outcome == RefundOutcome.FULL.value:
        amount = order.total
    elif outcome == RefundOutcome.NONE.value:
        amount = Decimal("0.00")
    elif outcome == RefundOutcome.PARTIAL.value:
        if refund_amount is None:
            raise TradeInvalid("refund_amount", _("Enter the amount to refund."))
        amount = Decimal(refund_amount).quantize(CENT)
        if not Decimal(0) < amount < order.total:
            raise TradeInvalid("refund_amount", _("A partial refund is more than zero and less than the total."))
    else:
        raise TradeInvalid("outcome", _("Choose full, partial or no refund."))
    record_transition(order, RESOLVED, admin, note, now, refusal=lambda: _("This order has no open dispute."))
    dispute.outcome = outcome
    dispute.refund_amount = amount
    dispute.resolution_note = note
    dispute.resolved_by_id = admin.id
    dispute.resolved_at = now
    db.session.flush()
    signals.send(
        signals.dispute_resolved,
        order_id=order.id,
        dispute_id=dispute.id,
        buyer_id=order.buyer_id,
        seller_id=order.seller_id,
        actor_id=admin.id,
        outcome=outcome,
        refund_amount=str(amount),
    )
    return dispute
