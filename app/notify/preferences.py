"""Which notifications a member wants, per category of events and per channel (SMS / e-mail).

Events are grouped into a few categories a member can understand ("Payments", "Forum"); each event
belongs to one. Other domains add their events with ``register_event`` when they are imported. No
stored row for a (category, channel) means the category's default. Account messages (codes,
password resets) cannot be switched off."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.notify.models import Channel, NotificationPreference


@dataclass(frozen=True)
class Category:
    name: str
    label: object  # lazy translated string
    hint: object
    sms_default: bool = True
    email_default: bool = True
    locked: bool = False  # always sent on both channels: the member cannot switch it off

    def default(self, channel: str) -> bool:
        return self.sms_default if channel == Channel.SMS.value else self.email_default


# Listed in the order the preferences page shows them.
CATEGORIES: dict[str, Category] = {
    category.name: category
    for category in (
        Category("trade", _l("Offers and orders"), _l("New offers, counter-offers, accepted and cancelled orders.")),
        Category("payments", _l("Payments"), _l("Payments received, refunds and amounts due.")),
        Category("shipments", _l("Shipments"), _l("Goods shipped, delivered or partly accepted.")),
        Category("market", _l("Market alerts"), _l("Price alerts and new offers matching your searches.")),
        Category(
            "follows",
            _l("New goods from stores I follow"),
            _l("When a store you follow posts new goods: at most one SMS and one e-mail per store a day."),
        ),
        # The forum is chatty; texts cost the farmer attention, so forum SMS start switched off.
        Category("forum", _l("Forum"), _l("Replies to your forum posts."), sms_default=False),
        Category(
            "knowledge",
            _l("Ask an expert"),
            _l("Answers to your questions; for experts, new questions about their commodities."),
        ),
        Category(
            "account",
            _l("Account and security"),
            _l("Verification codes and password resets. Always sent."),
            locked=True,
        ),
    )
}
CHANNELS = (Channel.SMS.value, Channel.EMAIL.value)

EVENT_CATEGORIES: dict[str, str] = {
    "offer_made": "trade",
    "offer_countered": "trade",
    "offer_accepted": "trade",
    "offer_declined": "trade",
    "offer_withdrawn": "trade",
    "offer_expired": "trade",
    "order_placed": "trade",
    "order_confirmed": "trade",
    "order_cancelled": "trade",
    "order_completed": "trade",
    "dispute_opened": "trade",
    "dispute_resolved": "payments",
    "order_paid": "payments",
    "partial_acceptance_agreed": "payments",
    "order_shipped": "shipments",
    "order_delivered": "shipments",
    # A farmer confirms what an information station posted for them: part of using their account.
    "station_posting_confirm": "account",
}


def register_event(event: str, category: str) -> None:
    """Put ``event`` in ``category`` (called by the domain that sends it, at import time). Raises
    ValueError for an unknown category or an event already registered in another category."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown notification category {category!r} (known: {', '.join(CATEGORIES)})")
    existing = EVENT_CATEGORIES.get(event)
    if existing is not None and existing != category:
        raise ValueError(f"event {event!r} is already in category {existing!r}")
    EVENT_CATEGORIES[event] = category


def category_of(event: str) -> Category | None:
    """The category of ``event``; None for an event nobody registered (it is always sent)."""
    name = EVENT_CATEGORIES.get(event)
    return CATEGORIES[name] if name else None


def wanted_channels(member_id: int | None, event: str, channels) -> tuple[str, ...]:
    """The subset of ``channels`` on which the member wants ``event`` (one query, only when the
    event's category can be switched off)."""
    category = category_of(event)
    if member_id is None or category is None or category.locked:
        return tuple(channels)
    stored = dict(
        db.session.execute(
            select(NotificationPreference.channel, NotificationPreference.enabled).where(
                NotificationPreference.member_id == member_id, NotificationPreference.category == category.name
            )
        ).all()
    )
    return tuple(channel for channel in channels if stored.get(channel, category.default(channel)))


def choices_of(member_id: int) -> dict[tuple[str, str], bool]:
    """Every (category, channel) → on/off for the member: stored choices over the defaults."""
    stored = {
        (row.category, row.channel): row.enabled
        for row in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.member_id == member_id)
        )
    }
    return {
        (category.name, channel): category.locked or stored.get((category.name, channel), category.default(channel))
        for category in CATEGORIES.values()
        for channel in CHANNELS
    }


def save_choices(member_id: int, enabled: set[tuple[str, str]]) -> None:
    """Store the member's choices: each (category, channel) of a category that can be switched off
    is on when it is in ``enabled`` and off otherwise. Raises ValueError for a pair that names an
    unknown category or channel. Adds to the session; the caller commits."""
    unknown = {pair for pair in enabled if pair[0] not in CATEGORIES or pair[1] not in CHANNELS}
    if unknown:
        raise ValueError(f"unknown notification choices: {sorted(unknown)}")
    stored = {
        (row.category, row.channel): row
        for row in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.member_id == member_id)
        )
    }
    for category in CATEGORIES.values():
        if category.locked:
            continue
        for channel in CHANNELS:
            on = (category.name, channel) in enabled
            row = stored.get((category.name, channel))
            if row is None:
                db.session.add(
                    NotificationPreference(member_id=member_id, category=category.name, channel=channel, enabled=on)
                )
            else:
                row.enabled = on


def members_wanting(member_ids: list[int], event: str, channel: str) -> set[int]:
    """The members among ``member_ids`` who want ``event`` on ``channel`` (stored choice, else the
    category's default), with one query per 900 ids: the bulk form of ``wanted_channels``."""
    category = category_of(event)
    if category is None or category.locked:
        return set(member_ids)
    stored: dict[int, bool] = {}
    for start in range(0, len(member_ids), 900):
        stored.update(
            db.session.execute(
                select(NotificationPreference.member_id, NotificationPreference.enabled).where(
                    NotificationPreference.member_id.in_(member_ids[start : start + 900]),
                    NotificationPreference.category == category.name,
                    NotificationPreference.channel == channel,
                )
            )
            .tuples()
            .all()
        )
    default = category.default(channel)
    return {member_id for member_id in member_ids if stored.get(member_id, default)}


def switch_off(member_id: int, category: str, channel: str) -> None:
    """Store "off" for one (category, channel) of the member, leaving their other choices alone (an
    e-mail's unsubscribe link). Raises ValueError for a locked or unknown category or channel. Adds
    to the session; the caller commits."""
    known = CATEGORIES.get(category)
    if known is None or known.locked or channel not in CHANNELS:
        raise ValueError(f"cannot switch off {category!r} on {channel!r}")
    row = db.session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.member_id == member_id,
            NotificationPreference.category == category,
            NotificationPreference.channel == channel,
        )
    )
    if row is None:
        db.session.add(NotificationPreference(member_id=member_id, category=category, channel=channel, enabled=False))
    else:
        row.enabled = False
