"""Read-side queries for postings."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
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
