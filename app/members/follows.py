"""Following a storefront (issue 24): a member follows a seller's store and hears of its new goods.

The members domain owns the follow rows; who is told and how is notify's business
(app/notify/follow_handlers.py reads ``follower_ids`` when a posting is published). Services take
members, change rows in the caller's transaction and never commit."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.core.errors import DomainError
from app.extensions import db
from app.members.models import Member, StoreFollow, Storefront


def follow(member: Member, storefront: Storefront) -> bool:
    """``member`` follows ``storefront``'s seller. Returns True when a follow was added, False when
    they already followed it (following twice is harmless). Raises DomainError (400) for one's own
    store. Following needs no write permission: a suspended member may still choose what to read.
    Does not commit."""
    if storefront.member_id == member.id:
        raise DomainError(_("You cannot follow your own store."), status=400)
    if is_following(member.id, storefront.member_id):
        return False
    try:
        # A savepoint: a double-click's second request, committed first, leaves this one a no-op.
        with db.session.begin_nested():
            db.session.add(StoreFollow(follower_id=member.id, seller_id=storefront.member_id))
    except IntegrityError:
        return False
    return True


def unfollow(member: Member, seller_id: int) -> bool:
    """``member`` stops following the seller ``seller_id``. Returns True when a follow was removed.
    Does not commit."""
    result = db.session.execute(
        delete(StoreFollow).where(StoreFollow.follower_id == member.id, StoreFollow.seller_id == seller_id)
    )
    return result.rowcount > 0


def is_following(member_id: int | None, seller_id: int) -> bool:
    if member_id is None:
        return False
    found = select(StoreFollow.id).where(StoreFollow.follower_id == member_id, StoreFollow.seller_id == seller_id)
    return db.session.scalar(found) is not None


def follower_count(seller_id: int) -> int:
    """How many members follow the seller's store."""
    return db.session.scalar(select(func.count(StoreFollow.id)).where(StoreFollow.seller_id == seller_id)) or 0


def follower_ids(seller_id: int) -> list[int]:
    """The ids of the seller's followers, oldest follow first."""
    return list(
        db.session.scalars(
            select(StoreFollow.follower_id).where(StoreFollow.seller_id == seller_id).order_by(StoreFollow.id)
        )
    )


def followed_storefronts(member_id: int) -> list[Storefront]:
    """The storefronts ``member_id`` follows, most recently followed first (a seller whose
    storefront was removed is left out)."""
    return list(
        db.session.scalars(
            select(Storefront)
            .join(StoreFollow, StoreFollow.seller_id == Storefront.member_id)
            .where(StoreFollow.follower_id == member_id)
            .options(joinedload(Storefront.member), joinedload(Storefront.province))
            .order_by(StoreFollow.id.desc())
        )
    )


def follower_counts(seller_ids: list[int]) -> dict[int, int]:
    """Followers per seller for the sellers in ``seller_ids`` (one grouped query)."""
    if not seller_ids:
        return {}
    rows = db.session.execute(
        select(StoreFollow.seller_id, func.count(StoreFollow.id))
        .where(StoreFollow.seller_id.in_(seller_ids))
        .group_by(StoreFollow.seller_id)
    ).all()
    return {seller_id: int(count) for seller_id, count in rows}
