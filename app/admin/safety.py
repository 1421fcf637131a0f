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

from flask import Blueprint, current_app
from sqlalchemy import Select, bindparam, func, or_, select

from app.extensions import db
from app.search.cache import app_cache
from app.trade.models import Negotiation, NegotiationMessage, Offer, Order, OrderStatus
from app.trade.queries import rating_columns, rounded_rating

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
        select(NegotiationMessage.body)
        .where(NegotiationMessage.negotiation_id == negotiation.id)
        .order_by(NegotiationMessage.id)
        .limit(1)
    )
    return mentions_off_platform(first_offer_note) or mentions_off_platform(first_message)


# Members whose counts a worker keeps (three numbers each).
COUNTS_KEPT = 10_000


@dataclass(frozen=True)
class TrackRecord:
    is_verified: bool
    member_since: object
    completed_orders: int
    rating: Decimal | None
    reviews: int


def completed_orders_query(member_id: int) -> Select:
    """SELECT of how many orders the member completed as buyer or seller."""
    return select(func.count(Order.id)).where(
        or_(Order.buyer_id == member_id, Order.seller_id == member_id),
        Order.status == OrderStatus.COMPLETED.value,
    )


def track_record(member) -> TrackRecord:
    """The member's badge, member-since date, completed orders and rating: the badge and date from
    ``member``, the rest from :func:`record_counts`."""
    completed, rating, reviews = record_counts(member.id)
    return TrackRecord(member.is_verified, member.created_at, completed, rating, reviews)


def record_counts(member_id: int) -> tuple[int, Decimal | None, int]:
    """(completed orders, average rating rounded to one decimal or None, reviews) of the member, in
    one query, which each worker reuses for SAFETY_RECORD_CACHE_SECONDS: the counts are on every
    posting page and change only when an order completes or a review is written, so a minute's
    delay costs nothing and saves a query per page view."""
    seconds = current_app.config["SAFETY_RECORD_CACHE_SECONDS"]
    if not seconds:
        return _read_record_counts(member_id)
    cache = app_cache("safety_counts", max_entries=COUNTS_KEPT, max_age=seconds)
    return cache.get_or_compute(member_id, None, lambda: _read_record_counts(member_id))


def _record_counts_statement() -> Select:
    member_id = bindparam("member_id")
    return rating_columns(member_id).add_columns(completed_orders_query(member_id).scalar_subquery())


# Built once: on a posting page whose seller's counts are not cached, building and cache-keying this
# statement cost more than running it.
_RECORD_COUNTS = _record_counts_statement()


def _read_record_counts(member_id: int) -> tuple[int, Decimal | None, int]:
    average, reviews, completed = db.session.execute(_RECORD_COUNTS, {"member_id": member_id}).one()
    rating, reviews = rounded_rating(average, reviews)
    return completed or 0, rating, reviews


def register_template_globals(bp: Blueprint) -> None:
    bp.add_app_template_global(track_record, "safety_track_record")
    # For caches of pages that show a track record (app/postings/page_cache.py).
    bp.add_app_template_global(record_counts, "safety_record_counts")
    bp.add_app_template_global(off_platform_warning, "safety_off_platform_warning")
