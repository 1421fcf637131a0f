"""Negotiation services: offers on sell offers, quotes on buy requests, counters, messages and the
decisions that close a thread (accept → order, decline, withdraw, expiry).

Every function takes explicit arguments, flushes, sends its signal (app/trade/signals.py) and leaves
the commit to the caller. Deciding an offer (accept, decline, withdraw, counter, expire) is a
compare-and-set of the offer's status and then of the thread's (app/core/transitions.py), taken
before the order is placed or anything else is written, so of concurrent decisions on one offer
exactly one happens. Rule breaks raise TradeInvalid (a field-level mistake, shown beside the
field with 422) or DomainError (409: the step is not allowed now).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import transitions
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.core.formatting import localized
from app.core.formatting import quantity as format_quantity
from app.extensions import db
from app.members.models import Member
from app.members.services import ensure_can_write
from app.postings.models import DeliveryOption, Posting, PostingKind, PostingStatus
from app.postings.stock import available
from app.trade import signals
from app.trade.errors import TradeInvalid
from app.trade.models import (
    Negotiation,
    NegotiationMessage,
    NegotiationStatus,
    Offer,
    OfferStatus,
    Order,
)
from app.trade.orders import place_order

MAX_MESSAGE_LENGTH = 2000


@dataclass
class OfferTerms:
    quantity: Decimal
    unit_price: Decimal
    delivery: str
    message: str = ""


def delivery_choices(posting: Posting) -> list[str]:
    """The delivery options an offer on ``posting`` may name."""
    if posting.delivery == DeliveryOption.EITHER.value:
        return [DeliveryOption.COLLECT.value, DeliveryOption.DELIVER.value]
    return [posting.delivery]


# What a party may do with the latest open offer: the thread page shows these buttons and the
# services below refuse the rest (answer_refusal).
ANSWERS = ("accept", "decline", "counter", "withdraw")


def offer_refusal(posting: Posting, member: Member) -> str | None:
    """Why ``member`` may not open a negotiation (offer or quote) on ``posting`` now, or None when
    they may. Suspension is checked by the services (ensure_can_write), not here."""
    if posting.owner_id == member.id:
        return _("You cannot negotiate on your own posting.")
    if posting.status != PostingStatus.ACTIVE.value:
        return _("This posting is not taking offers at the moment.")
    if open_negotiation_for(posting.id, member.id) is not None:
        return _("You already have an open negotiation on this posting.")
    return None


def answer_refusal(
    negotiation: Negotiation, offer_id: int, action: str, member: Member, now: datetime | None = None
) -> str | None:
    """Why ``member`` may not ``action`` (accept, decline, counter, withdraw) offer ``offer_id`` of
    ``negotiation`` now, or None when they may: only a party, only the latest open offer of an open
    thread, the author withdraws and the other party answers. Accepting also needs the minimum
    order, which accept_offer checks against the stock at that moment."""
    now = now or utcnow()
    if action not in ANSWERS:
        return _("That is not a way to answer an offer.")
    if not negotiation.is_party(member):
        return _("Only the buyer and the seller can answer an offer.")
    try:
        offer = _decidable_offer(negotiation, offer_id, now)
    except DomainError as error:
        return error.message
    own = offer.author_id == member.id
    if action == "withdraw":
        return None if own else _("Only the member who made an offer can withdraw it.")
    if not own:
        return None
    return {
        "accept": _("You cannot accept your own offer; the other party has to."),
        "decline": _("You cannot decline your own offer; withdraw it instead."),
        "counter": _("Wait for the other party to answer your offer, or withdraw it."),
    }[action]


def available_answers(negotiation: Negotiation, member: Member, now: datetime | None = None) -> list[str]:
    """The answers ``member`` may give to the thread's latest offer now, in ANSWERS order."""
    now = now or utcnow()
    latest = negotiation.latest_offer
    if latest is None or latest.status != OfferStatus.OPEN.value or not negotiation.is_open(now):
        return []
    return [action for action in ANSWERS if answer_refusal(negotiation, latest.id, action, member, now) is None]


def _require_answer(negotiation: Negotiation, offer_id: int, action: str, member: Member, now: datetime) -> Offer:
    refused = answer_refusal(negotiation, offer_id, action, member, now)
    if refused is not None:
        raise DomainError(refused)
    return negotiation.latest_offer


def open_negotiation_for(posting_id: int, member_id: int) -> Negotiation | None:
    """The member's open thread about this posting (as buyer or seller), if any. A thread whose
    latest offer ran out does not count, even before the expiry job has recorded it."""
    threads = db.session.scalars(
        select(Negotiation)
        .where(
            Negotiation.posting_id == posting_id,
            Negotiation.status == NegotiationStatus.OPEN.value,
            (Negotiation.buyer_id == member_id) | (Negotiation.seller_id == member_id),
        )
        .order_by(Negotiation.id.desc())
    )
    return next((thread for thread in threads if thread.is_open()), None)


def start_negotiation(
    posting: Posting,
    member: Member,
    terms: OfferTerms,
    lot_posting_id: int | None = None,
    now: datetime | None = None,
) -> Negotiation:
    """Open a thread with a first offer (on a sell offer) or quote (on a buy request). Returns it.

    Raises DomainError when the posting is not taking offers, is the member's own, or the member
    already has an open thread on it; TradeInvalid when the terms break the posting's rules;
    MemberSuspended (403) when the member is suspended.
    """
    ensure_can_write(member)
    now = now or utcnow()
    refused = offer_refusal(posting, member)
    if refused is not None:
        raise DomainError(refused)
    lot = _quoted_lot(posting, member, lot_posting_id)
    check_terms(posting, terms, lot)
    if posting.kind == PostingKind.SELL.value:
        buyer_id, seller_id = member.id, posting.owner_id
    else:
        buyer_id, seller_id = posting.owner_id, member.id
    negotiation = Negotiation(
        posting=posting, buyer_id=buyer_id, seller_id=seller_id, lot_posting=lot, last_activity_at=now, created_at=now
    )
    offer = _new_offer(negotiation, member, terms, now)
    db.session.add(negotiation)
    db.session.flush()
    signals.send(
        signals.offer_made,
        negotiation_id=negotiation.id,
        offer_id=offer.id,
        posting_id=posting.id,
        author_id=member.id,
        recipient_id=negotiation.other_party_id(member.id),
    )
    return negotiation


def counter_offer(negotiation: Negotiation, member: Member, terms: OfferTerms, now: datetime | None = None) -> Offer:
    """Answer the other party's latest open offer with new terms. Returns the new offer.

    Raises DomainError when the thread is closed or the latest offer is the member's own;
    TradeInvalid when the terms break the posting's rules; MemberSuspended (403).
    """
    ensure_can_write(member)
    now = now or utcnow()
    latest = _latest_open_offer(negotiation, now)
    _require_answer(negotiation, latest.id, "counter", member, now)
    check_terms(negotiation.posting, terms, negotiation.lot_posting)
    _decide(negotiation, latest, OfferStatus.COUNTERED, None, now)
    offer = _new_offer(negotiation, member, terms, now)
    negotiation.last_activity_at = now
    db.session.flush()
    signals.send(
        signals.offer_countered,
        negotiation_id=negotiation.id,
        offer_id=offer.id,
        previous_offer_id=latest.id,
        author_id=member.id,
        recipient_id=negotiation.other_party_id(member.id),
    )
    return offer


def accept_offer(negotiation: Negotiation, offer_id: int, member: Member, now: datetime | None = None) -> Order:
    """Accept the latest open offer (only the other party may) and place the order in the same
    transaction, taking the stock atomically. Returns the order.

    Raises DomainError (409) when the offer is not the latest open one, is the member's own, has
    expired, breaks the minimum order, or when stock ran out (OutOfStock, "only N left");
    MemberSuspended (403).
    """
    ensure_can_write(member)
    now = now or utcnow()
    offer = _require_answer(negotiation, offer_id, "accept", member, now)
    posting = negotiation.posting
    minimum = posting.min_order
    if minimum is not None and offer.quantity < minimum and offer.quantity < available(posting):
        raise DomainError(
            _("The minimum order is %(n)s %(unit)s.", n=format_quantity(minimum), unit=localized(posting.unit))
        )
    _decide(negotiation, offer, OfferStatus.ACCEPTED, NegotiationStatus.ACCEPTED, now)
    buyer = db.session.get(Member, negotiation.buyer_id)
    seller = db.session.get(Member, negotiation.seller_id)
    order = place_order(
        buyer=buyer,
        seller=seller,
        posting=posting,
        lot_posting=negotiation.lot_posting,
        quantity=offer.quantity,
        unit_price=offer.unit_price,
        delivery=offer.delivery,
        actor=member,
        negotiation=negotiation,
        offer=offer,
        now=now,
    )
    db.session.flush()
    signals.send(
        signals.offer_accepted,
        negotiation_id=negotiation.id,
        offer_id=offer.id,
        order_id=order.id,
        accepted_by_id=member.id,
        author_id=offer.author_id,
    )
    return order


def decline_offer(negotiation: Negotiation, offer_id: int, member: Member, now: datetime | None = None) -> Offer:
    """The other party declines the latest open offer; the thread closes. Returns the offer.

    Raises DomainError when answer_refusal refuses (not a party, not the latest open offer, the
    member's own). Open to a suspended member, as withdrawing is: closing a thread makes no new
    commitment and leaves the other party free to trade elsewhere.
    """
    now = now or utcnow()
    offer = _require_answer(negotiation, offer_id, "decline", member, now)
    _decide(negotiation, offer, OfferStatus.DECLINED, NegotiationStatus.DECLINED, now)
    db.session.flush()
    signals.send(
        signals.offer_declined,
        negotiation_id=negotiation.id,
        offer_id=offer.id,
        declined_by_id=member.id,
        author_id=offer.author_id,
    )
    return offer


def withdraw_offer(negotiation: Negotiation, offer_id: int, member: Member, now: datetime | None = None) -> Offer:
    """The author withdraws their latest open offer; the thread closes. Returns the offer.

    Raises DomainError when answer_refusal refuses (not the latest open offer, not the member's
    own). Open to a suspended member (see decline_offer).
    """
    now = now or utcnow()
    offer = _require_answer(negotiation, offer_id, "withdraw", member, now)
    _decide(negotiation, offer, OfferStatus.WITHDRAWN, NegotiationStatus.WITHDRAWN, now)
    db.session.flush()
    signals.send(
        signals.offer_withdrawn,
        negotiation_id=negotiation.id,
        offer_id=offer.id,
        author_id=member.id,
        recipient_id=negotiation.other_party_id(member.id),
    )
    return offer


def post_message(
    negotiation: Negotiation, member: Member, body: str, now: datetime | None = None
) -> NegotiationMessage:
    """Add a message to an open thread. Returns it. Raises TradeInvalid for an empty or too long
    message, DomainError when the thread is closed and MemberSuspended (403)."""
    ensure_can_write(member)
    now = now or utcnow()
    body = (body or "").strip()
    if not body:
        raise TradeInvalid("body", _("Write a message."))
    if len(body) > MAX_MESSAGE_LENGTH:
        raise TradeInvalid("body", _("A message can be at most %(n)s characters.", n=MAX_MESSAGE_LENGTH))
    _require_open(negotiation, now)
    message = NegotiationMessage(negotiation=negotiation, author_id=member.id, body=body, created_at=now)
    negotiation.last_activity_at = now
    db.session.add(message)
    db.session.flush()
    return message


def expire_due_offers(now: datetime | None = None) -> int:
    """Record every open offer past its expiry as expired and close its thread. Returns how many.
    Does not commit (the CLI does, under write_transactions)."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Offer)
        .join(Negotiation)
        .where(
            Offer.status == OfferStatus.OPEN.value,
            Offer.expires_at <= now,
            Negotiation.status == NegotiationStatus.OPEN.value,
        )
        .order_by(Offer.id)
    ).all()
    offers = []
    for offer in due:
        # An offer accepted or answered while the job ran is left to that decision.
        if transitions.compare_and_set(offer, {"status": OfferStatus.EXPIRED.value, "decided_at": now}):
            _close(offer.negotiation, NegotiationStatus.EXPIRED, now)
            offers.append(offer)
    db.session.flush()
    for offer in offers:
        signals.send(
            signals.offer_expired,
            negotiation_id=offer.negotiation_id,
            offer_id=offer.id,
            author_id=offer.author_id,
            recipient_id=offer.negotiation.other_party_id(offer.author_id),
        )
    return len(offers)


def check_terms(posting: Posting, terms: OfferTerms, lot: Posting | None = None) -> None:
    """Raise TradeInvalid when the terms break the posting's delivery, minimum order or quantity."""
    if terms.delivery not in delivery_choices(posting):
        raise TradeInvalid("delivery", _("Choose a delivery option this posting allows."))
    if len(terms.message or "") > MAX_MESSAGE_LENGTH:
        raise TradeInvalid("message", _("A message can be at most %(n)s characters.", n=MAX_MESSAGE_LENGTH))
    unit = localized(posting.unit)
    left = available(posting)
    if terms.quantity > left:
        if posting.kind == PostingKind.SELL.value:
            message = _("Only %(n)s %(unit)s left.", n=format_quantity(left), unit=unit)
        else:
            message = _("Only %(n)s %(unit)s are still wanted.", n=format_quantity(left), unit=unit)
        raise TradeInvalid("quantity", message)
    if lot is not None and terms.quantity > available(lot):
        raise TradeInvalid(
            "quantity", _("Only %(n)s %(unit)s left in that lot.", n=format_quantity(available(lot)), unit=unit)
        )
    minimum = posting.min_order
    if minimum is not None and terms.quantity < minimum and terms.quantity < left:
        raise TradeInvalid("quantity", _("The minimum order is %(n)s %(unit)s.", n=format_quantity(minimum), unit=unit))


def quotable_lots(posting: Posting, member: Member) -> list[Posting]:
    """The member's own active sell offers of the same commodity and unit, to name in a quote."""
    if posting.kind != PostingKind.BUY.value:
        return []
    return list(
        db.session.scalars(
            select(Posting)
            .where(
                Posting.owner_id == member.id,
                Posting.kind == PostingKind.SELL.value,
                Posting.status == PostingStatus.ACTIVE.value,
                Posting.commodity_id == posting.commodity_id,
                Posting.unit_code == posting.unit_code,
            )
            .order_by(Posting.id.desc())
        )
    )


def _quoted_lot(posting: Posting, member: Member, lot_posting_id: int | None) -> Posting | None:
    if lot_posting_id is None:
        return None
    lot = next((p for p in quotable_lots(posting, member) if p.id == lot_posting_id), None)
    if lot is None:
        raise TradeInvalid("lot_posting_id", _("Choose one of your active sell offers of this commodity."))
    return lot


def _new_offer(negotiation: Negotiation, member: Member, terms: OfferTerms, now: datetime) -> Offer:
    hours = current_app.config["OFFER_EXPIRY_HOURS"]
    offer = Offer(
        author_id=member.id,
        quantity=terms.quantity,
        unit_price=terms.unit_price,
        delivery=terms.delivery,
        message=(terms.message or "").strip(),
        status=OfferStatus.OPEN.value,
        expires_at=now + timedelta(hours=hours),
        created_at=now,
    )
    negotiation.offers.append(offer)
    return offer


def _require_open(negotiation: Negotiation, now: datetime) -> None:
    status = negotiation.effective_status(now)
    if status == NegotiationStatus.EXPIRED.value:
        raise DomainError(_("This offer has expired. Start a new negotiation if you are still interested."))
    if status != NegotiationStatus.OPEN.value:
        raise DomainError(_("This negotiation is closed."))


def _latest_open_offer(negotiation: Negotiation, now: datetime) -> Offer:
    _require_open(negotiation, now)
    latest = negotiation.latest_offer
    if latest is None or latest.status != OfferStatus.OPEN.value:
        # The offers were read after the thread: a decision committed in between closed both, and
        # this request must refuse as a request arriving after it would ("closed"), not by what it
        # happened to read first.
        db.session.refresh(negotiation)
        _require_open(negotiation, now)
        raise DomainError(_("There is no open offer in this negotiation."))
    return latest


def _decidable_offer(negotiation: Negotiation, offer_id: int, now: datetime) -> Offer:
    latest = _latest_open_offer(negotiation, now)
    if latest.id != offer_id:
        raise DomainError(_("Only the latest open offer can be answered. Please look at the newest offer."))
    return latest


def _decide(
    negotiation: Negotiation, offer: Offer, to: OfferStatus, closes_as: NegotiationStatus | None, now: datetime
) -> None:
    """Move the open ``offer`` to ``to`` and, with ``closes_as``, close the thread: compare-and-set
    on the offer first (every decision on an offer takes it first, so concurrent ones queue there),
    then on the thread. Raises TransitionLost (409) with the reason the offer cannot be answered now
    when another request decided it first."""
    offer_id = offer.id
    transitions.require(
        offer,
        {"status": to.value, "decided_at": now},
        refusal=lambda: _why_not_decidable(negotiation, offer_id, now),
    )
    if closes_as is not None and not _close(negotiation, closes_as, now):
        db.session.refresh(negotiation)
        raise transitions.TransitionLost(
            _why_not_decidable(negotiation, offer_id, now) or _("This negotiation is closed.")
        )


def _why_not_decidable(negotiation: Negotiation, offer_id: int, now: datetime) -> str | None:
    db.session.refresh(negotiation)
    try:
        _decidable_offer(negotiation, offer_id, now)
    except DomainError as error:
        return error.message
    return None


def _close(negotiation: Negotiation, status: NegotiationStatus, now: datetime) -> bool:
    """Close an open thread (compare-and-set on its status). Returns False when it was closed already."""
    return transitions.compare_and_set(negotiation, {"status": status.value, "closed_at": now, "last_activity_at": now})
