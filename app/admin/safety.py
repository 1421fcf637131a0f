"""Safety signals shown to buyers: a member's track record (badge, member since, completed orders,
rating) and the warning when the first words of a negotiation try to take the trade off the
platform (a phone number, a bank card or a payment account), or when any message carries an account
number that is not the seller's registered payee account (issue 25).

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

from app.caching.local import app_cache
from app.extensions import db
from app.members.payees import registered_account
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


# A mainland mobile number, with or without +86: eleven digits starting 13–19.
_MOBILE = re.compile(r"(?:86)?1[3-9]\d{9}")
# Bank-transfer words, explained away when the number beside them is the registered payee account.
_TRANSFER_WORDS = re.compile(
    r"bank\s*account|account\s*(?:no|number)|iban|card|银行卡|卡号|账号|帐号|账户|转账|汇款|打款|收款"
)
# Bank cards are 16–19 digits, corporate accounts more, typed in groups (6228 4800 1234 5678 901);
# 12 digits at least keeps landlines and prices out, mobiles (+86) are left out by _MOBILE.
_ACCOUNT_NUMBER = re.compile(r"(?<!\d)\d(?:[\s-]?\d){11,29}(?!\d)")


# Which off-platform warning a negotiation shows (both parties see the same):
# an account number in the thread that is not the seller's registered payee account;
DIFFERENT_ACCOUNT = "different_account"
# the first words try to move the trade elsewhere (a phone number, an app, an account);
OFF_PLATFORM = "off_platform"
# the only account number in the thread is the seller's registered one: a softer note.
REGISTERED_ACCOUNT = "registered_account"


def account_numbers(text: str | None) -> set[str]:
    """The bank-account-like numbers in ``text`` as digits only (phone numbers left out)."""
    if not text:
        return set()
    folded = unicodedata.normalize("NFKC", text)
    digits = (re.sub(r"\D", "", match.group(0)) for match in _ACCOUNT_NUMBER.finditer(folded))
    return {number for number in digits if not _MOBILE.fullmatch(number)}


def _first_words_off_platform(text: str | None, registered: str | None) -> bool:
    """mentions_off_platform, except that the seller's registered account and the transfer words
    around it are the platform's own way to pay, not a way around it."""
    if not text:
        return False
    if registered and registered in account_numbers(text):
        folded = unicodedata.normalize("NFKC", text).casefold()
        without_account = _ACCOUNT_NUMBER.sub(
            lambda match: "" if re.sub(r"\D", "", match.group(0)) == registered else match.group(0), folded
        )
        return mentions_off_platform(_TRANSFER_WORDS.sub("", without_account))
    return mentions_off_platform(text)


def off_platform_warning(negotiation: Negotiation) -> str | None:
    """Which warning the thread shows, or None.

    DIFFERENT_ACCOUNT when any offer note or message carries an account number other than the
    seller's registered payee account (or the seller registered none); OFF_PLATFORM when the first
    words of the thread (the first offer's note or the first message) try to move the trade
    elsewhere; REGISTERED_ACCOUNT when the thread names the registered account and nothing else.
    The payee block on the order page is not chat and is never looked at here.
    """
    notes = db.session.scalars(
        select(Offer.message).where(Offer.negotiation_id == negotiation.id).order_by(Offer.id)
    ).all()
    messages = db.session.scalars(
        select(NegotiationMessage.body)
        .where(NegotiationMessage.negotiation_id == negotiation.id)
        .order_by(NegotiationMessage.id)
    ).all()
    numbers = set().union(*(account_numbers(text) for text in (*notes, *messages)))
    registered = registered_account(negotiation.seller_id) if numbers else None
    if numbers - {registered}:
        return DIFFERENT_ACCOUNT
    first_words = (notes[0] if notes else None, messages[0] if messages else None)
    if any(_first_words_off_platform(text, registered) for text in first_words):
        return OFF_PLATFORM
    if registered is not None and registered in numbers:
        return REGISTERED_ACCOUNT
    return None


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
