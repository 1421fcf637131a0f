"""New goods from a followed store told to its followers (issue 24 point 3).

Runs on ``posting_published`` inside the publishing transaction (web form, SMS YES, station
confirmation), like the new-match alerts of match_handlers.py, and only adds rows — outbox
messages, site notices, the day's claims — so a publish that rolls back leaves nothing behind.

For each new sell offer of a seller who is not suspended, every follower gets:
- a site notice (always; unfollowing stops them);
- at most one SMS and one e-mail per store and local day (NOTIFY_TIMEZONE), claimed in
  ``follow_alert_day`` (UNIQUE): a seller posting 50 lots in a minute sends each follower one SMS
  and one e-mail, the first; the site notices list the rest.
The SMS go through the bulk fan-out and the e-mail through ``enqueue``, so the member's choices for
"New goods from stores I follow", STOP, verified numbers, quiet hours and the daily SMS cap apply
as to every other alert. Each e-mail carries a one-click unsubscribe link for this category."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from app.core.clock import utcnow
from app.core.urls import public_url
from app.extensions import db
from app.members import follows
from app.members.models import Member
from app.notify import site_notices
from app.notify.fanout import enqueue_sms_fanout
from app.notify.models import Channel, FollowAlertDay, SiteNotice
from app.notify.policy import local_zone
from app.notify.preferences import members_wanting, register_event
from app.notify.services import enqueue, member_locale
from app.notify.unsubscribe import unsubscribe_url
from app.postings import signals
from app.postings.models import Posting, PostingKind, PostingStatus

EVENT = "store_new_goods"
CATEGORY = "follows"
register_event(EVENT, CATEGORY)

# Members loaded and claims inserted per statement: within every driver's parameter limit.
_CHUNK = 500


def on_posting_published(sender, posting_id: int, kind: str, **_ids) -> None:
    if kind != PostingKind.SELL.value:
        return
    posting = db.session.get(Posting, posting_id)
    if posting is None or posting.status != PostingStatus.ACTIVE.value:
        return
    seller = posting.owner
    storefront = seller.storefront
    # A suspended seller cannot publish through the services; this also covers a suspension that
    # began while a station's draft waited for the farmer's YES.
    if storefront is None or seller.is_suspended():
        return
    posters = {seller.id, posting.via_station_id}
    follower_ids = [member_id for member_id in follows.follower_ids(seller.id) if member_id not in posters]
    if not follower_ids:
        return
    tell_followers(posting, storefront, follower_ids)


def tell_followers(posting: Posting, storefront, follower_ids: list[int]) -> None:
    """Write the site notices, the day's SMS and the day's e-mails about ``posting`` for
    ``follower_ids`` (see the module docstring). Nothing is committed."""
    link = public_url("postings.show_posting", posting_id=posting.id)
    store_url = public_url("postings.storefront", slug=storefront.slug)
    site_notices.add_many(
        follower_ids,
        EVENT,
        {"store": storefront.name, "title": posting.title},
        current_app.url_map.bind("jishi").build("postings.show_posting", {"posting_id": posting.id}),
    )
    now = utcnow()
    day = now.astimezone(local_zone()).date()
    members = _members(follower_ids)

    texted = [m for m in members if m.phone and m.phone_verified_at is not None]
    texted_ids = _claim(sorted(members_wanting([m.id for m in texted], EVENT, Channel.SMS.value)), posting, "sms", day)
    if texted_ids:
        sms_context = {"store": storefront.name, "commodity": posting.commodity, "link": link}
        enqueue_sms_fanout(
            ((m.phone, member_locale(m), m.id) for m in texted if m.id in texted_ids), EVENT, sms_context
        )

    mailed = [m for m in members if m.email]
    mailed_ids = _claim(
        sorted(members_wanting([m.id for m in mailed], EVENT, Channel.EMAIL.value)), posting, "email", day
    )
    context = {
        "store": storefront.name,
        "title": posting.title,
        "commodity": posting.commodity,
        "quantity": posting.quantity,
        "unit": posting.unit,
        "price": posting.price,
        "province": posting.province,
        "url": link,
        "store_url": store_url,
        "following_url": public_url("notify.following"),
    }
    for member in mailed:
        if member.id in mailed_ids:
            enqueue(
                member,
                EVENT,
                {**context, "unsubscribe_url": unsubscribe_url(member.id, CATEGORY)},
                channels=(Channel.EMAIL.value,),
            )


def _members(member_ids: list[int]) -> list[Member]:
    by_id: dict[int, Member] = {}
    for start in range(0, len(member_ids), _CHUNK):
        chunk = member_ids[start : start + _CHUNK]
        by_id.update((m.id, m) for m in db.session.scalars(select(Member).where(Member.id.in_(chunk))))
    return [by_id[member_id] for member_id in member_ids if member_id in by_id]


def _claim(member_ids: list[int], posting: Posting, channel: str, day) -> set[int]:
    """Record that the members were told on ``channel`` about the posting's store today; returns
    those for whom this is the first time (the rest were told earlier today, perhaps by a publish
    running at this very moment: INSERT … ON CONFLICT DO NOTHING lets exactly one of them claim)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = FollowAlertDay.__table__
    claimed: set[int] = set()
    for start in range(0, len(member_ids), _CHUNK):
        rows = [
            {"member_id": member_id, "seller_id": posting.owner_id, "channel": channel, "day": day}
            for member_id in member_ids[start : start + _CHUNK]
        ]
        statement = (
            dialect.insert(table)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["member_id", "seller_id", "channel", "day"])
            .returning(table.c.member_id)
        )
        claimed.update(db.session.scalars(statement))
    return claimed


def connect() -> None:
    signals.posting_published.connect(on_posting_published, sender=signals.SENDER)


def prune(keep_days: int = 2, keep_notice_days: int = 90) -> tuple[int, int]:
    """Delete day claims older than ``keep_days`` (only today's are ever read) and read site notices
    older than ``keep_notice_days``. Returns (claims, notices) removed. The caller commits."""
    now = utcnow()
    claims = db.session.execute(
        delete(FollowAlertDay).where(FollowAlertDay.day < (now - timedelta(days=keep_days)).date())
    ).rowcount
    notices = db.session.execute(
        delete(SiteNotice).where(
            SiteNotice.read_at.is_not(None), SiteNotice.created_at < now - timedelta(days=keep_notice_days)
        )
    ).rowcount
    return claims, notices
