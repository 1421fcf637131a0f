"""Named trade events for other domains (notifications, market prices) to subscribe to.

Every signal is sent by app.trade services *after* the state change has been flushed, inside the
same database transaction, so a subscriber that writes rows (an SMS/e-mail outbox) commits or rolls
back together with the change it reports. Subscribers must not commit, must not call back into trade
services, and should only read what they need by id.

The sender is the string ``"trade"``; keyword arguments carry ids only (never ORM objects):

    offer_made        negotiation_id, offer_id, posting_id, author_id, recipient_id
    offer_countered   negotiation_id, offer_id, previous_offer_id, author_id, recipient_id
    offer_accepted    negotiation_id, offer_id, order_id, accepted_by_id, author_id
    offer_declined    negotiation_id, offer_id, declined_by_id, author_id
    offer_withdrawn   negotiation_id, offer_id, author_id, recipient_id
    offer_expired     negotiation_id, offer_id, author_id, recipient_id
    order_placed      order_id, buyer_id, seller_id, posting_id, negotiation_id (None for buy now)
    order_confirmed   order_id, buyer_id, seller_id, actor_id
    order_cancelled   order_id, buyer_id, seller_id, actor_id
    order_paid        order_id, buyer_id, seller_id, actor_id
    order_shipped     order_id, buyer_id, seller_id, actor_id
    order_delivered   order_id, buyer_id, seller_id, actor_id
    order_completed   order_id, buyer_id, seller_id, actor_id
    dispute_opened    order_id, dispute_id, buyer_id, seller_id, actor_id
    dispute_resolved  order_id, dispute_id, buyer_id, seller_id, actor_id, outcome, refund_amount (str)

``offer_withdrawn`` is not in the issue's list; it exists so the other party can be told.
"""

from __future__ import annotations

from blinker import Namespace

SENDER = "trade"

trade_signals = Namespace()

offer_made = trade_signals.signal("offer_made", doc="A buyer made an offer or a seller sent a quote.")
offer_countered = trade_signals.signal("offer_countered", doc="A party answered the latest offer with a counter-offer.")
offer_accepted = trade_signals.signal("offer_accepted", doc="The latest offer was accepted; an order was placed.")
offer_declined = trade_signals.signal("offer_declined", doc="The latest offer was declined; the thread is closed.")
offer_withdrawn = trade_signals.signal(
    "offer_withdrawn", doc="The author withdrew the latest offer; the thread is closed."
)
offer_expired = trade_signals.signal("offer_expired", doc="The latest offer ran out before anyone answered it.")
order_placed = trade_signals.signal("order_placed", doc="An order was created (accepted offer or buy now).")
order_confirmed = trade_signals.signal("order_confirmed", doc="The seller confirmed the order.")
order_cancelled = trade_signals.signal("order_cancelled", doc="A party cancelled the order; stock was returned.")
order_paid = trade_signals.signal("order_paid", doc="Payment was recorded.")
order_shipped = trade_signals.signal("order_shipped", doc="The seller shipped the goods.")
order_delivered = trade_signals.signal("order_delivered", doc="The goods were delivered.")
order_completed = trade_signals.signal("order_completed", doc="The order was completed; reviews are open.")
dispute_opened = trade_signals.signal("dispute_opened", doc="The buyer opened a dispute after delivery.")
dispute_resolved = trade_signals.signal("dispute_resolved", doc="An admin resolved a dispute with a refund decision.")
# Basket price requests (app/trade/basket_quotes.py): quote_id, buyer_id, seller_id, and for the last
# one outcome ("declined_by_seller", "declined_by_buyer", "withdrawn").
basket_quote_requested = trade_signals.signal(
    "basket_quote_requested", doc="A buyer asked a seller for a price for all their lots in the basket."
)
basket_quote_priced = trade_signals.signal("basket_quote_priced", doc="The seller priced every lot of a request.")
basket_quote_closed = trade_signals.signal(
    "basket_quote_closed", doc="A price request was declined by either party or withdrawn by the buyer."
)

ORDER_SIGNALS = {
    "confirmed": order_confirmed,
    "cancelled": order_cancelled,
    "paid": order_paid,
    "shipped": order_shipped,
    "delivered": order_delivered,
    "completed": order_completed,
}


def send(signal, **ids) -> None:
    """Send ``signal`` from the trade domain with id keyword arguments."""
    signal.send(SENDER, **ids)
