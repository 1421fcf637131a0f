"""Negotiation over a whole basket (整车议价): a basket quote (docs/basket-orders.md).

The buyer sends one seller's lots from the basket as a request, proposing a unit price per line if
they like; the seller answers with a unit price for every line (or declines); the buyer accepts —
which places one order for all the lines at the quoted prices, each line taking its stock as at
checkout — or declines. The buyer may withdraw a request the seller has not answered. One open
quote per buyer and seller at a time.

Each decision is a compare-and-set on the quote's status (app/core/transitions.py), taken before
anything else is written, so of concurrent accepts exactly one places the order. Nothing here
commits.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from app.core import transitions
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.members.models import Member
from app.members.services import ensure_can_write
from app.trade import signals
from app.trade.baskets import basket_groups, basket_refusal, place_lots, quantity_refusal
from app.trade.errors import TradeInvalid
from app.trade.models import BasketItem, BasketQuote, BasketQuoteLine, BasketQuoteStatus, Order
from app.trade.orders import clean_note

REQUESTED, QUOTED = BasketQuoteStatus.REQUESTED.value, BasketQuoteStatus.QUOTED.value
ACCEPTED, DECLINED = BasketQuoteStatus.ACCEPTED.value, BasketQuoteStatus.DECLINED.value
WITHDRAWN = BasketQuoteStatus.WITHDRAWN.value
OPEN_STATUSES = (REQUESTED, QUOTED)
ACTIONS = ("answer", "accept", "decline", "withdraw")


def open_quote_between(buyer_id: int, seller_id: int) -> BasketQuote | None:
    return db.session.scalar(
        select(BasketQuote).where(
            BasketQuote.buyer_id == buyer_id,
            BasketQuote.seller_id == seller_id,
            BasketQuote.status.in_(OPEN_STATUSES),
        )
    )


def request_quote(
    buyer: Member,
    seller_id: int,
    delivery: str,
    asked_prices: dict[int, Decimal | None],
    message: str = "",
    now: datetime | None = None,
) -> BasketQuote:
    """Ask ``seller_id`` for a price for all of their lots in the buyer's basket, with
    ``asked_prices`` (basket item id → proposed unit price or None). Returns the quote, flushed.

    Raises DomainError (409) when the basket has nothing of that seller, a lot is no longer
    orderable (named) or an open quote with that seller exists; TradeInvalid on ``delivery`` or
    ``message``; MemberSuspended (403).
    """
    ensure_can_write(buyer)
    now = now or utcnow()
    message = clean_note(message, "message")
    group = next((group for group in basket_groups(buyer.id) if group.seller.id == seller_id), None)
    if group is None:
        raise DomainError(_("Your basket has no lots from this seller."))
    if delivery not in group.delivery_choices:
        raise TradeInvalid("delivery", _("Choose a delivery option every lot of this seller allows."))
    for item in group.items:
        reason = basket_refusal(item.posting, buyer.id) or quantity_refusal(item.posting, item.quantity)
        if reason is not None:
            raise DomainError(f"{item.posting.title}: {reason}")
    if open_quote_between(buyer.id, seller_id) is not None:
        raise DomainError(_("You already asked this seller for a price. Wait for the answer or withdraw it."))
    quote = BasketQuote(
        buyer_id=buyer.id,
        seller_id=seller_id,
        status=REQUESTED,
        delivery=delivery,
        buyer_message=message,
        created_at=now,
        updated_at=now,
    )
    for item in group.items:
        quote.lines.append(
            BasketQuoteLine(posting_id=item.posting_id, quantity=item.quantity, asked_price=asked_prices.get(item.id))
        )
    db.session.add(quote)
    db.session.flush()
    _announce(signals.basket_quote_requested, quote)
    return quote


def _announce(signal, quote: BasketQuote, **extra) -> None:
    # Inside the caller's transaction: notify's receivers write the messages with the change.
    signal.send(signals.SENDER, quote_id=quote.id, buyer_id=quote.buyer_id, seller_id=quote.seller_id, **extra)


def refusal(quote: BasketQuote, action: str, member: Member) -> str | None:
    """Why ``member`` may not ``action`` (answer, accept, decline, withdraw) ``quote`` now, or None."""
    if action not in ACTIONS:
        return _("That is not a way to answer a price request.")
    if not quote.is_party(member):
        return _("Only the buyer and the seller can answer a price request.")
    is_seller = member.id == quote.seller_id
    if quote.status not in OPEN_STATUSES:
        return _("This price request is closed.")
    if action == "answer":
        if not is_seller:
            return _("Only the seller can quote prices.")
        return None if quote.status == REQUESTED else _("The seller has already quoted.")
    if action == "accept":
        if is_seller:
            return _("Only the buyer can accept the quoted prices.")
        return None if quote.status == QUOTED else _("Wait for the seller's prices.")
    if action == "withdraw":
        if is_seller:
            return _("Only the buyer can withdraw the request; decline it instead.")
        return None if quote.status == REQUESTED else _("The seller has quoted; accept or decline the prices.")
    # decline: the seller a request, the buyer a quote
    if is_seller and quote.status == REQUESTED or not is_seller and quote.status == QUOTED:
        return None
    return _("Wait for the other party to answer.")


def available_actions(quote: BasketQuote, member: Member) -> list[str]:
    return [action for action in ACTIONS if refusal(quote, action, member) is None]


def _require(quote: BasketQuote, action: str, member: Member) -> None:
    reason = refusal(quote, action, member)
    if reason is not None:
        raise DomainError(reason)


def _move(quote: BasketQuote, action: str, member: Member, to_status: str, now: datetime, **values) -> None:
    transitions.require(
        quote,
        {"status": to_status, "updated_at": now, **values},
        refusal=lambda: refusal(quote, action, member),
    )


def answer_quote(
    quote: BasketQuote, seller: Member, prices: dict[int, Decimal], message: str = "", now: datetime | None = None
) -> BasketQuote:
    """The seller names a unit price for every line (``prices``: line id → price). Returns the quote.

    Raises DomainError (409) when not allowed now; TradeInvalid on ``price-<line id>`` for a
    missing price, or on ``message``; MemberSuspended (403).
    """
    ensure_can_write(seller)
    now = now or utcnow()
    _require(quote, "answer", seller)
    message = clean_note(message, "message")
    for line in quote.lines:
        if prices.get(line.id) is None:
            raise TradeInvalid(f"price-{line.id}", _("Enter a price for every lot."))
    _move(quote, "answer", seller, QUOTED, now, answered_at=now, seller_message=message)
    for line in quote.lines:
        line.quoted_price = prices[line.id]
    db.session.flush()
    _announce(signals.basket_quote_priced, quote)
    return quote


def accept_quote(quote: BasketQuote, buyer: Member, now: datetime | None = None) -> Order:
    """The buyer accepts the quoted prices: one order of every line at its quoted price, each line
    taking its stock; the lots leave the buyer's basket. Returns the order.

    Raises DomainError (409) when not allowed now or a lot is no longer orderable (named);
    OutOfStock (409, naming the lot) when stock ran out (roll back: nothing is kept);
    MemberSuspended (403).
    """
    ensure_can_write(buyer)
    now = now or utcnow()
    _require(quote, "accept", buyer)
    _move(quote, "accept", buyer, ACCEPTED, now, decided_at=now)
    for line in quote.lines:
        reason = basket_refusal(line.posting, buyer.id) or quantity_refusal(line.posting, line.quantity)
        if reason is not None:
            raise DomainError(f"{line.posting.title}: {reason}")
    lots = [(line.posting, line.quantity, line.quoted_price) for line in quote.lines]
    order = place_lots(buyer, quote.seller, lots, quote.delivery, None, now)
    quote.order_id = order.id
    db.session.execute(
        delete(BasketItem)
        .where(BasketItem.buyer_id == buyer.id, BasketItem.posting_id.in_([line.posting_id for line in quote.lines]))
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return order


def decline_quote(quote: BasketQuote, member: Member, now: datetime | None = None) -> BasketQuote:
    """The seller declines a request, or the buyer declines the quoted prices. Raises DomainError."""
    now = now or utcnow()
    _require(quote, "decline", member)
    by_seller = member.id == quote.seller_id
    _move(quote, "decline", member, DECLINED, now, decided_at=now)
    db.session.flush()
    _announce(signals.basket_quote_closed, quote, outcome="declined_by_seller" if by_seller else "declined_by_buyer")
    return quote


def withdraw_quote(quote: BasketQuote, buyer: Member, now: datetime | None = None) -> BasketQuote:
    """The buyer withdraws a request the seller has not answered. Raises DomainError."""
    now = now or utcnow()
    _require(quote, "withdraw", buyer)
    _move(quote, "withdraw", buyer, WITHDRAWN, now, decided_at=now)
    db.session.flush()
    _announce(signals.basket_quote_closed, quote, outcome="withdrawn")
    return quote


def quote_for_party(quote_id: int, member: Member) -> BasketQuote | None:
    """The quote with its lines and postings, for one of its parties; None for anyone else."""
    quote = db.session.scalar(
        select(BasketQuote)
        .where(BasketQuote.id == quote_id)
        .options(selectinload(BasketQuote.lines).joinedload(BasketQuoteLine.posting))
    )
    if quote is None or not quote.is_party(member):
        return None
    return quote


def quotes_of(member_id: int) -> list[BasketQuote]:
    """The member's basket quotes as buyer or seller, newest first (at most 50)."""
    return list(
        db.session.scalars(
            select(BasketQuote)
            .where((BasketQuote.buyer_id == member_id) | (BasketQuote.seller_id == member_id))
            .options(selectinload(BasketQuote.lines))
            .order_by(BasketQuote.id.desc())
            .limit(50)
        )
    )
