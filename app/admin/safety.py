"""Safety signals shown to buyers: a member's track record (badge, member since, completed orders,
rating) and the warning when the first words of a negotiation try to take the trade off the
platform (a phone number, a bank card or a payment account).

Template globals, so the posting, storefront and negotiation pages of other domains include one
partial (templates/admin/_safety_signals.html, _off_platform_warning.html) and nothing more.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from flask import Blueprint
from sqlalchemy import func, or_, select

from app.extensions import db
from app.trade.models import Negotiation, NegotiationMessage, Offer, Order, OrderStatus
from app.trade.queries import rating_summary

# A phone number (13812345678, 138 1234 5678, +86…, a 7-digit landline) or a bank card / account
# number (16–19 digits, or 4-digit groups). Prices and quantities are shorter or carry separators.
_LONG_NUMBER = re.compile(r"(?<!\d)(?:\+?\d{7,}|1[3-9]\d[\s-]\d{4}[\s-]?\d{4}|\d{4}(?:[\s-]\d{4}){3,4})(?!\d)")
# Payment apps and account words in both languages; text is NFKC-folded and case-folded first.
_PAYMENT_WORDS = re.compile(
    r"alipay|wechat|weixin|paypal|iban|bank\s*account|account\s*(?:no|number)|(?<![a-z])(?:wx|vx|qq)(?![a-z])"
    r"|支付宝|微信|威信|薇信|银行卡|卡号|账号|帐号|账户|收款码|转账|私下|加我"
)


def mentions_off_platform(text: str | None) -> bool:
    """True when ``text`` carries a phone or account number or names a payment app or account."""
    if not text:
        return False
    folded = unicodedata.normalize("NFKC", text).casefold()
    return bool(_LONG_NUMBER.search(folded) or _PAYMENT_WORDS.search(folded))


def off_platform_warning(negotiation: Negotiation) -> bool:
    """True when the first words of the thread — the first offer's note or the first message —
    try to move the trade elsewhere. Both parties see the same warning."""
    first_offer_note = db.session.scalar(
        select(Offer.message).where(Offer.negotiation_id == negotiation.id).order_by(Offer.id).limit(1)
    )
    first_message = db.session.scalar(
        select(NegotiationMessage.body).where(NegotiationMessage.negotiation_id == negotiation.id)
        .order_by(NegotiationMessage.id).limit(1)
    )
    return mentions_off_platform(first_offer_note) or mentions_off_platform(first_message)


@dataclass(frozen=True)
class TrackRecord:
    is_verified: bool
    member_since: object
    completed_orders: int
    rating: Decimal | None
    reviews: int


def completed_orders(member_id: int) -> int:
    """Orders the member completed as buyer or seller."""
    return db.session.scalar(
        select(func.count(Order.id)).where(
            or_(Order.buyer_id == member_id, Order.seller_id == member_id),
            Order.status == OrderStatus.COMPLETED.value,
        )
    ) or 0


def track_record(member) -> TrackRecord:
    rating, reviews = rating_summary(member.id)
    return TrackRecord(member.is_verified, member.created_at, completed_orders(member.id), rating, reviews)


def register_template_globals(bp: Blueprint) -> None:
    bp.add_app_template_global(track_record, "safety_track_record")
    bp.add_app_template_global(off_platform_warning, "safety_off_platform_warning")
