"""A seller's payee: the bank account buyers pay into by hand (issue 25).

Who sees what is decided here and nowhere else: the seller sees it masked on their own settings
page; the buyer of an order sees it in full on that order's page once the seller confirmed the
order (app/trade decides which orders, through :func:`payee_for_order_page`); nobody else, and no
public page, ever. The negotiation's off-platform warning compares account numbers typed in chat
with :func:`registered_account` (app/admin/safety.py).

The badge vouches for a person or business, not for an account: :func:`holder_check` says whether
the account holder is the verified member (the name on the licence or ID card an admin approved,
app/members/verification.py), so that the order page can warn the buyer when it is someone else.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.members.models import Member, Payee
from app.members.suspension import ensure_can_write
from app.members.verification import verified_name

ACCOUNT_MIN_DIGITS, ACCOUNT_MAX_DIGITS = 8, 30
# What may differ between two spellings of one name: spaces (full-width ones too, folded by NFKC),
# the middle dots of transliterated names and ordinary punctuation; case in Latin names.
_NAME_NOISE = re.compile(r"[\s·•・.,，。()（）\[\]【】'\"-]+")
# What people type between digit groups of a card number: spaces (also full-width ones, folded
# by NFKC) and hyphens.
_SEPARATORS = re.compile(r"[\s-]+")


def normalise_account_number(text: str | None) -> str | None:
    """The account number as digits only (full-width digits and spaces/hyphens between groups are
    accepted), or None when it is not 8 to 30 digits."""
    folded = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))
    if not folded.isascii() or not folded.isdigit():
        return None
    if not ACCOUNT_MIN_DIGITS <= len(folded) <= ACCOUNT_MAX_DIGITS:
        return None
    return folded


@dataclass(frozen=True)
class PayeeData:
    holder_name: str
    bank_name: str
    account_number: str  # digits only, see normalise_account_number


def payee_of(member_id: int) -> Payee | None:
    """The member's registered payee, or None."""
    return db.session.scalar(select(Payee).where(Payee.member_id == member_id))


def registered_account(member_id: int) -> str | None:
    """The member's registered payee account number (digits only), or None."""
    return db.session.scalar(select(Payee.account_number).where(Payee.member_id == member_id))


def save_payee(member: Member, data: PayeeData) -> Payee:
    """Create or replace ``member``'s payee. Returns it, flushed.

    Raises MemberSuspended (403) when the member is suspended; ValueError when the account number
    is not digits only (the form normalises it first). Does not commit.
    """
    ensure_can_write(member)
    if normalise_account_number(data.account_number) != data.account_number:
        raise ValueError("account_number must be 8 to 30 digits")
    payee = payee_of(member.id) or Payee(member_id=member.id)
    payee.holder_name = data.holder_name
    payee.bank_name = data.bank_name
    payee.account_number = data.account_number
    db.session.add(payee)
    db.session.flush()
    return payee


def remove_payee(member: Member) -> bool:
    """Remove ``member``'s payee. Returns whether there was one. Raises MemberSuspended (403).
    Does not commit."""
    ensure_can_write(member)
    payee = payee_of(member.id)
    if payee is None:
        return False
    db.session.delete(payee)
    db.session.flush()
    return True


def payee_for_order_page(seller_id: int, *, viewer_is_buyer: bool, order_confirmed: bool) -> Payee | None:
    """The seller's payee to show in full on an order page: only to the order's buyer and only once
    the seller confirmed the order (the caller, app/trade, says both); None otherwise."""
    if not (viewer_is_buyer and order_confirmed):
        return None
    return payee_of(seller_id)


# What the order page says about who holds the payee account (HolderCheck.verdict).
UNVERIFIED = "unverified"  # the seller is not a trusted member: nobody checked who they are
MATCHES = "matches"  # the holder is the name on the approved licence or ID card
DIFFERS = "differs"  # the seller is trusted, but the account is held by someone else
NOT_RECORDED = "not_recorded"  # trusted before the name was asked for: nothing to compare with


@dataclass(frozen=True)
class HolderCheck:
    verdict: str  # one of UNVERIFIED, MATCHES, DIFFERS, NOT_RECORDED
    verified_name: str | None


def same_name(first: str | None, second: str | None) -> bool:
    """Whether two names are the same once spaces, middle dots, punctuation, full-width forms and
    case are set aside ("张 三" and "张三", "LIU Wei" and "Liu·Wei"); both must be non-empty."""

    def folded(name: str | None) -> str:
        return _NAME_NOISE.sub("", unicodedata.normalize("NFKC", name or "")).casefold()

    return bool(folded(first)) and folded(first) == folded(second)


def holder_check(seller: Member, payee: Payee) -> HolderCheck:
    """Whether ``payee``'s account holder is ``seller`` as verified: UNVERIFIED when the seller has
    no badge, NOT_RECORDED when their approved request has no name, else MATCHES or DIFFERS."""
    if not seller.is_verified:
        return HolderCheck(UNVERIFIED, None)
    name = verified_name(seller)
    if not name:
        return HolderCheck(NOT_RECORDED, None)
    return HolderCheck(MATCHES if same_name(payee.holder_name, name) else DIFFERS, name)
