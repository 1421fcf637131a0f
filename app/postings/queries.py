"""Read-side queries for postings."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.members.models import Member
from app.postings.models import Posting, PostingStatus


def newest_postings(kind: str, limit: int = 8) -> list[Posting]:
    """The newest active postings of one kind, with what a card shows loaded up front."""
    return list(
        db.session.scalars(
            select(Posting)
            .where(Posting.status == PostingStatus.ACTIVE.value, Posting.kind == kind)
            .options(
                joinedload(Posting.commodity),
                joinedload(Posting.unit),
                joinedload(Posting.province),
                joinedload(Posting.owner),
                selectinload(Posting.photos),
            )
            .order_by(Posting.published_at.desc(), Posting.id.desc())
            .limit(limit)
        ).unique()
    )


def posting_for_page(posting_id: int) -> Posting | None:
    """One posting with everything its page shows, or None."""
    return db.session.scalar(
        select(Posting)
        .where(Posting.id == posting_id)
        .options(
            joinedload(Posting.commodity),
            joinedload(Posting.unit),
            joinedload(Posting.province),
            joinedload(Posting.owner).joinedload(Member.storefront),
            joinedload(Posting.via_station),
            selectinload(Posting.photos),
        )
    )


def member_postings(member_id: int, status: str | None = None) -> Select:
    """A member's postings, including those an info-station operator typed in for farmers, newest first."""
    query = (
        select(Posting)
        .where(or_(Posting.owner_id == member_id, Posting.via_station_id == member_id))
        .options(
            joinedload(Posting.commodity),
            joinedload(Posting.unit),
            joinedload(Posting.province),
            joinedload(Posting.owner),
            selectinload(Posting.photos),
        )
        .order_by(Posting.updated_at.desc(), Posting.id.desc())
    )
    if status:
        query = query.where(Posting.status == status)
    return query


def storefront_postings(member_id: int, page: int, per_page: int):
    """A page (Flask-SQLAlchemy Pagination) of the member's active sell offers and buy requests, newest
    first, with everything a posting card shows loaded in the same few queries."""
    query = (
        select(Posting)
        .where(Posting.owner_id == member_id, Posting.status == PostingStatus.ACTIVE.value)
        .options(
            joinedload(Posting.commodity),
            joinedload(Posting.unit),
            joinedload(Posting.province),
            joinedload(Posting.owner),
            selectinload(Posting.photos),
        )
        .order_by(Posting.published_at.desc(), Posting.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
