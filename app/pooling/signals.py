"""Named pooled-supply events, for notifications to subscribe to. Sent by app.pooling.services
after the change is flushed, inside the request's transaction; the sender is ``"pooling"`` and the
keyword arguments carry ids only:

    part_offered    part_id, posting_id, seller_id, buyer_id
    part_accepted   part_id, posting_id, seller_id, buyer_id, order_id
    part_declined   part_id, posting_id, seller_id, buyer_id, reason ("declined", "filled", "withdraw")

``part_declined`` with reason "filled" says the request was filled by other parts before the buyer
answered this one; with "withdraw" the seller took the part back (the buyer is told).
"""

from __future__ import annotations

from blinker import Namespace

SENDER = "pooling"

pooling_signals = Namespace()

part_offered = pooling_signals.signal("part_offered", doc="A seller or station offered a part of a pooled buy request.")
part_accepted = pooling_signals.signal("part_accepted", doc="The buyer accepted a part; an order was placed.")
part_declined = pooling_signals.signal(
    "part_declined", doc="A part will not be accepted: declined, withdrawn or overtaken by a filled request."
)


def send(signal, **ids) -> None:
    signal.send(SENDER, **ids)
