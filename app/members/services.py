"""Accounts: sign-up, authentication, sessions, password and profile changes, operator accounts.

Sign-up and login never tell a caller whether a number is registered; both also spend the same
password-hashing time whatever the outcome so that timing does not tell it either.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from app.extensions import db
from app.members.models import STATION_PENDING, Member
from app.members.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from app.members.passwords import check_password as check_password_rules
from app.members.passwords import hash_password
from app.members.storefronts import ensure_storefront

# Re-exported: callers have long imported the suspension check from here.
from app.members.suspension import MemberSuspended, ensure_can_write  # noqa: F401


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Compared against when there is no real hash (unknown number, placeholder) so that every failed
    login costs one hash check, like a wrong password does. Made on first use, not at import."""
    return hash_password("jishi-timing-equaliser")


class WrongPassword(ValueError):
    """The current password given to confirm a change is not the member's password."""


@dataclass(frozen=True)
class Kinds:
    is_seller: bool = False
    is_buyer: bool = False
    is_station_operator: bool = False


def member_by_phone(phone: str) -> Member | None:
    """The member with this E.164 number, or None."""
    return db.session.scalar(select(Member).where(Member.phone == phone))


def register_member(
    phone: str, password: str, display_name: str, email: str | None, kinds: Kinds, locale: str
) -> Member | None:
    """Create a member for a number nobody has registered yet. Returns the new member, or None when the
    number already belongs to a member (including a placeholder created by an info-station, which
    needs SMS verification to be claimed). Nothing is changed in the second case, and the caller must
    answer both cases alike. ``phone`` must already be E.164 and ``password`` checked by the rules.
    Does not commit.
    """
    # Hashed before the look-up so that both outcomes take the same time.
    password_hash = hash_password(password)
    if member_by_phone(phone) is not None:
        return None
    member = Member(
        phone=phone,
        password_hash=password_hash,
        display_name=display_name,
        email=email or None,
        is_seller=kinds.is_seller,
        is_buyer=kinds.is_buyer,
        is_station_operator=kinds.is_station_operator,
        station_review=STATION_PENDING if kinds.is_station_operator else None,
        locale=locale,
    )
    try:
        # A savepoint, so that losing a race for the same number leaves the outer transaction usable.
        with db.session.begin_nested():
            db.session.add(member)
            db.session.flush()
    except IntegrityError:
        return None
    if member.is_seller:
        ensure_storefront(member)
    return member


def authenticate(phone: str | None, password: str) -> Member | None:
    """The member who may log in with this number and password, or None — the same None for an unknown
    number, a wrong password and a placeholder member without a password."""
    member = member_by_phone(phone) if phone else None
    if member is None or member.password_hash is None or len(password) > PASSWORD_MAX_LENGTH:
        check_password_hash(_dummy_hash(), password[:PASSWORD_MAX_LENGTH])
        return None
    return member if member.check_password(password) else None


def end_all_sessions(member: Member) -> None:
    """Invalidate every session and remember-me cookie of ``member`` (the token is their session id).
    Does not commit."""
    member.rotate_session_token()


def change_password(member: Member, current_password: str, new_password: str) -> None:
    """Replace the password and end every other session. Raises WrongPassword when ``current_password``
    is wrong and passwords.WeakPassword when the new one breaks a rule. Does not commit; the caller
    logs the current browser in again with the new session token."""
    if not member.check_password(current_password):
        raise WrongPassword("current password is wrong")
    check_password_rules(new_password, phone=member.phone)
    member.set_password(new_password)
    end_all_sessions(member)


def update_profile(member: Member, display_name: str, email: str | None, kinds: Kinds, locale: str) -> None:
    """Save the editable profile fields (the admin flag is never touched here). A member who becomes a
    seller gets a storefront. Does not commit."""
    member.display_name = display_name
    member.email = email or None
    member.is_seller = kinds.is_seller
    member.is_buyer = kinds.is_buyer
    member.is_station_operator = kinds.is_station_operator
    if member.is_station_operator and member.station_review is None:
        member.station_review = STATION_PENDING  # an admin approves a station before it acts for farmers
    member.locale = locale
    if member.is_seller:
        ensure_storefront(member)


def create_admin(phone: str, display_name: str, password: str) -> tuple[Member, bool]:
    """Make the member with ``phone`` an admin, creating the account if needed. Returns (member, created).

    An existing member keeps their password unless they are a placeholder without one. Raises
    passwords.WeakPassword when ``password`` breaks a rule. Does not commit.
    """
    check_password_rules(password, phone=phone)
    member = member_by_phone(phone)
    if member is None:
        member = Member(phone=phone, display_name=display_name, is_admin=True)
        member.set_password(password)
        db.session.add(member)
        db.session.flush()
        return member, True
    member.is_admin = True
    if member.password_hash is None:
        member.set_password(password)
    return member, False
