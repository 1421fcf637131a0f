"""Trade, payment and shipment signals turned into outbox rows for the party who should know.

The rule: tell the other party of whoever acted; when nobody or a third person acted (a system job,
a webhook, an admin), tell both. Handlers run inside the sender's transaction, read what they need
by id, only add rows to the session and never commit (see app.trade.signals)."""

from __future__ import annotations

from app.core.urls import public_url
from app.extensions import db
from app.logistics import signals as logistics_signals
from app.members.models import Member
from app.notify.services import enqueue
from app.pooling import services as pooling
from app.trade import signals
from app.trade.models import Negotiation, Offer, Order


def _tell(member_ids, event: str, context: dict) -> None:
    for member_id in dict.fromkeys(member_ids):
        member = db.session.get(Member, member_id) if member_id else None
        if member is not None:
            enqueue(member, event, context)


def _others(order: Order, actor_id: int | None) -> list[int]:
    parties = [order.buyer_id, order.seller_id]
    return [p for p in parties if p != actor_id] if actor_id in parties else parties


def _offer_context(negotiation_id: int, offer_id: int, author_id: int) -> dict:
    negotiation = db.session.get(Negotiation, negotiation_id)
    offer = db.session.get(Offer, offer_id)
    posting = negotiation.posting
    author = db.session.get(Member, author_id)
    return {
        "title": posting.title,
        # SMS name the commodity (short, and in the reader's language) rather than the free-text title,
        # which could push a message past one segment or into UCS-2.
        "commodity": posting.commodity,
        "name": author.display_name if author else "",
        "quantity": offer.quantity,
        "price": offer.unit_price,
        "unit": posting.unit,
        "link": public_url("notify.short_negotiation", negotiation_id=negotiation.id),
        "url": public_url("trade.show_negotiation", negotiation_id=negotiation.id),
    }


def _order_context(order_id: int) -> tuple[Order, dict]:
    order = db.session.get(Order, order_id)
    return order, {
        "number": order.number,
        "title": order.title,
        "commodity": order.commodity,
        "quantity": order.quantity,
        "unit": order.unit,
        "total": order.total,
        "link": public_url("notify.short_order", order_id=order.id),
        "url": public_url("trade.show_order", order_id=order.id),
    }


def on_offer_made(sender, negotiation_id, offer_id, author_id, recipient_id, **_ids) -> None:
    _tell([recipient_id], "offer_made", _offer_context(negotiation_id, offer_id, author_id))


def on_offer_countered(sender, negotiation_id, offer_id, author_id, recipient_id, **_ids) -> None:
    _tell([recipient_id], "offer_countered", _offer_context(negotiation_id, offer_id, author_id))


def on_offer_accepted(sender, negotiation_id, offer_id, order_id, accepted_by_id, author_id, **_ids) -> None:
    context = _offer_context(negotiation_id, offer_id, accepted_by_id)
    _order, order_context = _order_context(order_id)
    context.update(number=order_context["number"], link=order_context["link"], url=order_context["url"])
    _tell([author_id], "offer_accepted", context)


def on_offer_declined(sender, negotiation_id, offer_id, declined_by_id, author_id, **_ids) -> None:
    _tell([author_id], "offer_declined", _offer_context(negotiation_id, offer_id, declined_by_id))


def on_offer_withdrawn(sender, negotiation_id, offer_id, author_id, recipient_id, **_ids) -> None:
    _tell([recipient_id], "offer_withdrawn", _offer_context(negotiation_id, offer_id, author_id))


def on_offer_expired(sender, negotiation_id, offer_id, author_id, recipient_id, **_ids) -> None:
    _tell([author_id, recipient_id], "offer_expired", _offer_context(negotiation_id, offer_id, author_id))


def on_order_placed(sender, order_id, buyer_id, seller_id, negotiation_id=None, posting_id=None, **_ids) -> None:
    # An order from a negotiation is announced by offer_accepted, one for an accepted part of a pooled
    # buy request by part_accepted (app/notify/pool_handlers.py); only "buy now" needs its own message.
    if negotiation_id is None and not pooling.part_being_accepted(posting_id, seller_id):
        _order, context = _order_context(order_id)
        _tell([seller_id], "order_placed", context)


def _order_step(event: str):
    def handler(sender, order_id, actor_id=None, **_ids) -> None:
        order, context = _order_context(order_id)
        _tell(_others(order, actor_id), event, context)

    handler.__name__ = f"on_{event}"
    return handler


def on_dispute_resolved(sender, order_id, actor_id=None, outcome=None, refund_amount="0", **_ids) -> None:
    order, context = _order_context(order_id)
    context.update(outcome=outcome, refund=refund_amount)
    _tell(_others(order, actor_id), "dispute_resolved", context)


def on_partial_acceptance_agreed(sender, order_id, amount_due, actor_id=None, **_ids) -> None:
    order, context = _order_context(order_id)
    context["amount_due"] = amount_due
    _tell(_others(order, actor_id), "partial_acceptance_agreed", context)


ORDER_STEP_EVENTS = (
    "order_confirmed",
    "order_cancelled",
    "order_paid",
    "order_shipped",
    "order_delivered",
    "order_completed",
    "dispute_opened",
)
_order_step_handlers = {event: _order_step(event) for event in ORDER_STEP_EVENTS}

HANDLERS = {
    signals.offer_made: on_offer_made,
    signals.offer_countered: on_offer_countered,
    signals.offer_accepted: on_offer_accepted,
    signals.offer_declined: on_offer_declined,
    signals.offer_withdrawn: on_offer_withdrawn,
    signals.offer_expired: on_offer_expired,
    signals.order_placed: on_order_placed,
    signals.dispute_resolved: on_dispute_resolved,
    **{getattr(signals, event): handler for event, handler in _order_step_handlers.items()},
}


def connect() -> None:
    for signal, handler in HANDLERS.items():
        signal.connect(handler, sender=signals.SENDER)
    logistics_signals.partial_acceptance_agreed.connect(on_partial_acceptance_agreed)
