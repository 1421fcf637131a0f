"""Short codes for the offers a member answers by SMS ("ACCEPT K7M2").

A code is four characters of an HMAC over (member id, offer id) keyed with SECRET_KEY, in an
alphabet without look-alikes (no I, L, O, U). It is computed, not stored, and only ever resolved
among the offers the sender may answer right now, so a code guessed or copied from someone else's
phone matches nothing, and a countered offer (a new offer id) gets a new code."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.core.clock import utcnow
from app.extensions import db
from app.members.models import Member
from app.trade.models import Negotiation, NegotiationStatus, Offer, OfferStatus, Order

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 4
# How many of a member's most recently answered offers a code is looked up among, to tell a repeated
# ACCEPT / DECLINE / COUNTER what was done (an answer older than that gets "no open offer").
ANSWERED_LOOKBACK = 50
_ANSWERED = (OfferStatus.ACCEPTED.value, OfferStatus.DECLINED.value, OfferStatus.COUNTERED.value)


@dataclass(frozen=True)
class AnswerableOffer:
    code: str
    negotiation: Negotiation
    offer: Offer


def offer_code(member_id: int, offer_id: int) -> str:
    """The code ``member_id`` uses for ``offer_id``."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"sms-offer:{member_id}:{offer_id}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _position in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def answerable_offers(member: Member) -> list[AnswerableOffer]:
    """Open offers made to ``member`` (the latest offer of an open thread they are a party to, by
    the other party, not yet expired), oldest thread first, each with its code."""
    now = utcnow()
    threads = db.session.scalars(
        select(Negotiation)
        .where(
            Negotiation.status == NegotiationStatus.OPEN.value,
            or_(Negotiation.buyer_id == member.id, Negotiation.seller_id == member.id),
        )
        .options(selectinload(Negotiation.offers))
        .order_by(Negotiation.id)
    ).all()
    found = []
    for thread in threads:
        offer = thread.latest_offer
        if (
            offer is None
            or offer.status != OfferStatus.OPEN.value
            or offer.author_id == member.id
            or not thread.is_open(now)
        ):
            continue
        found.append(AnswerableOffer(offer_code(member.id, offer.id), thread, offer))
    return found


def resolve(member: Member, code: str) -> list[AnswerableOffer]:
    """The answerable offers of ``member`` whose code is ``code`` (normally one, or none)."""
    code = code.upper().lstrip("#")
    return [item for item in answerable_offers(member) if item.code == code]


@dataclass(frozen=True)
class AnsweredOffer:
    code: str
    offer: Offer
    order: Order | None  # the order an accepted offer placed


def answered_offer(member: Member, code: str) -> AnsweredOffer | None:
    """The offer made to ``member`` with this code that was already accepted, declined or countered
    (by this member, since only the recipient decides those), among their ANSWERED_LOOKBACK most
    recent answers; None when there is none. Reads what is committed now, not what this session
    loaded before: a text that lost a race to a simultaneous one learns what the winner did."""
    code = code.upper().lstrip("#")
    offers = db.session.scalars(
        select(Offer)
        .join(Negotiation)
        .where(
            or_(Negotiation.buyer_id == member.id, Negotiation.seller_id == member.id),
            Offer.author_id != member.id,
            Offer.status.in_(_ANSWERED),
        )
        .order_by(Offer.decided_at.desc(), Offer.id.desc())
        .limit(ANSWERED_LOOKBACK)
        .execution_options(populate_existing=True)
    ).all()
    for offer in offers:
        if offer_code(member.id, offer.id) == code:
            order = db.session.scalar(select(Order).where(Order.offer_id == offer.id))
            return AnsweredOffer(code, offer, order)
    return None
