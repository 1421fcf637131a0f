"""Pooled-supply signals (app/pooling/signals.py) turned into outbox rows: the buyer hears of a new
or withdrawn part, the seller (or station) of the buyer's answer, and each farmer of an accepted
pooled part of their sale and pay-out. Like every handler: inside the sender's transaction, only
rows added to the session, never a commit."""

from __future__ import annotations

from app.core.urls import public_url
from app.extensions import db
from app.members.models import Member
from app.notify.preferences import register_event
from app.notify.services import enqueue
from app.pooling import signals
from app.pooling.models import PoolPart
from app.trade.models import Order

for _event in ("part_offered", "part_accepted", "part_declined", "part_lapsed", "part_withdrawn"):
    register_event(_event, "trade")
register_event("pool_share_sold", "payments")


def _tell(member_id: int, event: str, context: dict) -> None:
    member = db.session.get(Member, member_id)
    if member is not None:
        enqueue(member, event, context)


def _context(part_id: int) -> tuple[PoolPart, dict]:
    part = db.session.get(PoolPart, part_id)
    posting = part.posting
    return part, {
        "title": posting.title,
        "commodity": posting.commodity,
        "quantity": part.quantity,
        "unit": posting.unit,
        "price": part.unit_price,
        "name": part.seller.display_name,
        "link": public_url("postings.show_posting", posting_id=posting.id),
        "url": public_url("pooling.parts_page", posting_id=posting.id),
    }


def on_part_offered(sender, part_id, buyer_id, **_ids) -> None:
    _part, context = _context(part_id)
    _tell(buyer_id, "part_offered", context)


def on_part_accepted(sender, part_id, seller_id, order_id, **_ids) -> None:
    part, context = _context(part_id)
    order = db.session.get(Order, order_id)
    context.update(
        number=order.number,
        link=public_url("notify.short_order", order_id=order.id),
        url=public_url("trade.show_order", order_id=order.id),
    )
    _tell(seller_id, "part_accepted", context)
    for share in part.shares:
        _tell(share.farmer_id, "pool_share_sold", {**context, "quantity": share.quantity, "amount": share.payout})


def on_part_declined(sender, part_id, seller_id, buyer_id, reason, **_ids) -> None:
    _part, context = _context(part_id)
    if reason == "withdraw":
        _tell(buyer_id, "part_withdrawn", context)
    elif reason == "filled":
        _tell(seller_id, "part_lapsed", context)
    else:
        _tell(seller_id, "part_declined", context)


HANDLERS = {
    signals.part_offered: on_part_offered,
    signals.part_accepted: on_part_accepted,
    signals.part_declined: on_part_declined,
}


def connect() -> None:
    for signal, handler in HANDLERS.items():
        signal.connect(handler, sender=signals.SENDER)
