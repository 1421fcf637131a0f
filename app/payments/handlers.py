"""Subscribers to trade signals: the ledger row behind every "paid" step, refunds when a paid
order is cancelled, a dispute is resolved with a refund, or the seller agrees to a partial acceptance,
and the split settlement scheduled when a sale is final. They run inside the trade transaction
(the refund rows commit or roll back with the status change) and never commit."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from app.extensions import db
from app.logistics import signals as logistics_signals
from app.market import reports
from app.payments import services, settlement
from app.trade import signals
from app.trade.models import Order


def on_order_paid(sender, order_id: int, actor_id: int | None = None, **_ids) -> None:
    order = db.session.get(Order, order_id)
    if order is not None:
        services.ensure_charge_for_paid_order(order, actor_id)


def on_order_cancelled(sender, order_id: int, actor_id: int | None = None, **_ids) -> None:
    services.refund_for_order(order_id, None, actor_id, _("The order was cancelled."))


def on_dispute_resolved(sender, order_id: int, refund_amount: str, actor_id: int | None = None, **_ids) -> None:
    amount = Decimal(refund_amount)
    if amount > 0:
        services.refund_for_order(order_id, amount, actor_id, _("Refund decided when the dispute was resolved."))


def on_partial_acceptance_agreed(sender, order_id: int, reduction: str, actor_id: int | None = None, **_ids) -> None:
    amount = Decimal(reduction)
    if amount > 0:
        services.refund_for_order(order_id, amount, actor_id, _("Refund of the part the buyer did not accept."))


def on_sale_final(sender, order_id: int, **_ids) -> None:
    """Completed (the buyer accepted the delivery, or the dispute window passed) or resolved: the
    seller's share is to be split to them once no dispute can change it (app/payments/settlement.py)."""
    order = db.session.get(Order, order_id)
    if order is not None:
        settlement.schedule(order)


def connect() -> None:
    signals.order_paid.connect(on_order_paid, sender=signals.SENDER)
    signals.order_cancelled.connect(on_order_cancelled, sender=signals.SENDER)
    signals.dispute_resolved.connect(on_dispute_resolved, sender=signals.SENDER)
    logistics_signals.partial_acceptance_agreed.connect(on_partial_acceptance_agreed)
    signals.order_completed.connect(on_sale_final, sender=signals.SENDER)
    signals.dispute_resolved.connect(on_sale_final, sender=signals.SENDER)
    reports.set_paid_out_source(settlement.paid_out_by_seller)
