"""New sell offers told to the members looking for them: saved searches and open buy requests.

Runs on ``posting_published`` inside the publishing transaction (web form, SMS YES, station
confirmation all publish through app.postings.services), only adds outbox rows and never commits:
rolling the publish back leaves no message. Each member hears of a posting once, however many of their
searches and buy requests match it, and never of their own posting."""

from __future__ import annotations

from sqlalchemy import select

from app.catalogue.models import Commodity
from app.core.urls import public_url
from app.extensions import db
from app.members.models import Member
from app.notify.preferences import register_event
from app.notify.services import enqueue
from app.postings import signals
from app.postings.models import Posting, PostingKind, PostingStatus
from app.postings.saved_searches import candidate_searches, matches, posting_words

EVENT = "new_match"
register_event(EVENT, "market")


def interested_member_ids(posting: Posting) -> list[int]:
    """Who should hear of this active sell offer, in a stable order and without repeats: owners of
    matching saved searches, then owners of open buy requests for the same commodity in the same
    province whose price per kg (when both have one) is at least the offer's. Never its owner or the
    info-station operator who posted it."""
    category_id = db.session.scalar(select(Commodity.category_id).where(Commodity.id == posting.commodity_id))
    unit = posting.unit
    unit_weight = unit.kg_per_unit if unit.kg_per_unit is not None else posting.unit_weight_kg
    owner_verified = posting.owner.verified_at is not None
    words = posting_words(posting)
    interested = [
        search.member_id
        for search in candidate_searches(posting)
        if matches(search, posting, category_id, unit_weight, owner_verified, words)
    ]
    interested.extend(db.session.scalars(open_buy_requests_for(posting)))
    posters = {posting.owner_id, posting.via_station_id}
    return [member_id for member_id in dict.fromkeys(interested) if member_id not in posters]


def open_buy_requests_for(posting: Posting):
    """Owners of active, not yet filled buy requests this sell offer could serve, oldest request first."""
    query = (
        select(Posting.owner_id)
        .where(
            Posting.kind == PostingKind.BUY.value,
            Posting.status == PostingStatus.ACTIVE.value,
            Posting.commodity_id == posting.commodity_id,
            Posting.province_code == posting.province_code,
            Posting.quantity_filled < Posting.quantity,
            Posting.owner_id != posting.owner_id,
        )
        .order_by(Posting.id)
    )
    if posting.price_per_kg is not None:
        # A buyer who named no price (negotiable) or a price per kg at least the asking price.
        query = query.where((Posting.price_per_kg.is_(None)) | (Posting.price_per_kg >= posting.price_per_kg))
    return query


def on_posting_published(sender, posting_id: int, kind: str, **_ids) -> None:
    if kind != PostingKind.SELL.value:
        return
    posting = db.session.get(Posting, posting_id)
    if posting is None or posting.status != PostingStatus.ACTIVE.value:
        return
    member_ids = interested_member_ids(posting)
    if not member_ids:
        return
    context = {
        "title": posting.title,
        "commodity": posting.commodity,
        "quantity": posting.quantity,
        "unit": posting.unit,
        "price": posting.price,
        "province": posting.province,
        "link": public_url("postings.show_posting", posting_id=posting.id),
        "url": public_url("postings.show_posting", posting_id=posting.id),
        "searches_url": public_url("postings.saved_searches"),
    }
    members = db.session.scalars(select(Member).where(Member.id.in_(member_ids))).all()
    by_id = {member.id: member for member in members}
    for member_id in member_ids:
        member = by_id.get(member_id)
        if member is not None:
            enqueue(member, EVENT, context)


def connect() -> None:
    signals.posting_published.connect(on_posting_published, sender=signals.SENDER)
