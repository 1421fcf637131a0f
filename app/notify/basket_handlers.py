"""Basket price requests (app/trade/basket_quotes.py) turned into outbox rows: the seller hears of
a new request and of a withdrawn one, the buyer of the seller's prices, and each party of the other's
"no". An accepted request is an order, announced by order_placed like any other. Like every handler:
inside the sender's transaction, only rows added to the session, never a commit."""

from __future__ import annotations

from app.core.urls import public_url
from app.extensions import db
from app.members.models import Member
from app.notify.preferences import register_event
from app.notify.services import enqueue
from app.trade import signals
from app.trade.models import BasketQuote

EVENTS = ("basket_quote_requested", "basket_quote_priced", "basket_quote_declined", "basket_quote_withdrawn")
for _event in EVENTS:
    register_event(_event, "trade")


def _tell(recipient_id: int, other_id: int, event: str, quote_id: int) -> None:
    recipient, other = db.session.get(Member, recipient_id), db.session.get(Member, other_id)
    quote = db.session.get(BasketQuote, quote_id)
    if recipient is None or other is None or quote is None:
        return
    enqueue(
        recipient,
        event,
        {
            "name": other.display_name,
            "count": len(quote.lines),
            "link": public_url("notify.short_basket_quote", quote_id=quote_id),
            "url": public_url("trade.show_basket_quote", quote_id=quote_id),
        },
    )


def on_requested(sender, quote_id: int, buyer_id: int, seller_id: int, **_extra) -> None:
    _tell(seller_id, buyer_id, "basket_quote_requested", quote_id)


def on_priced(sender, quote_id: int, buyer_id: int, seller_id: int, **_extra) -> None:
    _tell(buyer_id, seller_id, "basket_quote_priced", quote_id)


def on_closed(sender, quote_id: int, buyer_id: int, seller_id: int, outcome: str, **_extra) -> None:
    if outcome == "declined_by_seller":
        _tell(buyer_id, seller_id, "basket_quote_declined", quote_id)
    elif outcome == "declined_by_buyer":
        _tell(seller_id, buyer_id, "basket_quote_declined", quote_id)
    else:
        _tell(seller_id, buyer_id, "basket_quote_withdrawn", quote_id)


def connect() -> None:
    signals.basket_quote_requested.connect(on_requested, sender=signals.SENDER)
    signals.basket_quote_priced.connect(on_priced, sender=signals.SENDER)
    signals.basket_quote_closed.connect(on_closed, sender=signals.SENDER)
