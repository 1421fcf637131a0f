"""Price subscriptions: who gets the daily digest and price alerts for which commodity and area.

Three ways in, one table: a member on the web (their own number, with optional target price and
threshold), a bare phone by SMS ``SUB`` (app.inbound_sms calls subscribe_phone / unsubscribe_phone),
and an info-station operator managing the numbers of their village. Nothing here commits.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.catalogue.models import Commodity, Region
from app.core.errors import DomainError
from app.core.i18n import normalise_locale
from app.extensions import db
from app.market.models import NATIONAL, PriceSubscription, SubscriptionChannel, area_of
from app.members.models import Member

MAX_TARGET_PER_KG = Decimal("1000000")


def _clean_locale(locale: str | None) -> str:
    # Village subscribers read Chinese unless they asked otherwise.
    return normalise_locale(locale) or "zh_Hans"


def _check_area(province_code: str | None) -> str:
    area = area_of(province_code)
    if area != NATIONAL and db.session.get(Region, area) is None:
        raise DomainError(_("Unknown province."), status=400)
    return area


def _check_commodity(commodity_id: int) -> Commodity:
    commodity = db.session.get(Commodity, commodity_id)
    if commodity is None:
        raise DomainError(_("Unknown commodity."), status=400)
    return commodity


def subscription_for(phone: str, commodity_id: int, province_code: str | None) -> PriceSubscription | None:
    return db.session.scalar(
        select(PriceSubscription).where(
            PriceSubscription.phone == phone,
            PriceSubscription.commodity_id == commodity_id,
            PriceSubscription.area_code == area_of(province_code),
        )
    )


def subscribe_phone(
    phone: str,
    commodity_id: int,
    province_code: str | None,
    locale: str | None,
    member: Member | None = None,
    *,
    station: Member | None = None,
) -> tuple[PriceSubscription, bool]:
    """Subscribe an E.164 ``phone`` to the prices of a commodity in a province (None: nationally).

    Returns ``(subscription, created)``; an existing subscription for the same phone, commodity and
    area is returned (with its language updated, and the member/station attached if it had none)
    and ``created`` is False. Raises DomainError (400) for an unknown commodity or province. The
    caller normalises the phone (app.members.phones) and commits.
    """
    _check_commodity(commodity_id)
    area = _check_area(province_code)
    existing = subscription_for(phone, commodity_id, province_code)
    if existing is not None:
        existing.locale = _clean_locale(locale)
        if member is not None and existing.member_id is None:
            existing.member_id = member.id
        if station is not None and existing.station_id is None:
            existing.station_id = station.id
        return existing, False
    subscription = PriceSubscription(
        phone=phone,
        commodity_id=commodity_id,
        area_code=area,
        locale=_clean_locale(locale),
        channel=SubscriptionChannel.SMS.value,
        member_id=member.id if member is not None else None,
        station_id=station.id if station is not None else None,
    )
    db.session.add(subscription)
    db.session.flush()
    return subscription, True


def unsubscribe_phone(phone: str, commodity_id: int | None, province_code: str | None = None) -> int:
    """Remove a phone's subscriptions to a commodity: only the given province's when one is named,
    every area's when ``province_code`` is None; every commodity's when ``commodity_id`` is None
    (SMS "UNSUB" alone). Returns how many were removed. Does not commit."""
    statement = delete(PriceSubscription).where(PriceSubscription.phone == phone)
    if commodity_id is not None:
        statement = statement.where(PriceSubscription.commodity_id == commodity_id)
    if province_code:
        statement = statement.where(PriceSubscription.area_code == area_of(province_code))
    result = db.session.execute(statement.execution_options(synchronize_session="fetch"))
    return result.rowcount or 0


def member_subscriptions(member: Member) -> list[PriceSubscription]:
    return list(
        db.session.scalars(
            select(PriceSubscription)
            .where((PriceSubscription.member_id == member.id) | (PriceSubscription.phone == member.phone))
            .order_by(PriceSubscription.id)
        )
    )


def save_member_subscription(
    member: Member,
    commodity_id: int,
    province_code: str | None,
    *,
    target_price_per_kg: Decimal | None,
    threshold_percent: Decimal | None,
    channel: str = SubscriptionChannel.SMS.value,
) -> tuple[PriceSubscription, bool]:
    """Create or update a member's subscription on their own number. Returns (subscription, created).
    Raises DomainError (400) for an unknown commodity, province or channel, e-mail without an
    address, or SMS to a number the member has not verified. Does not commit."""
    if channel not in {c.value for c in SubscriptionChannel}:
        raise DomainError(_("Unknown channel."), status=400)
    if channel == SubscriptionChannel.EMAIL.value and not member.email:
        raise DomainError(_("Add an e-mail address to your profile first."), status=400)
    # Price SMS go only to numbers whose owner proved they hold them (as every other SMS does).
    if channel == SubscriptionChannel.SMS.value and not member.phone_is_verified:
        raise DomainError(_("Verify your mobile number first to get price alerts by SMS."), status=400)
    subscription, created = subscribe_phone(member.phone, commodity_id, province_code, member.locale, member)
    subscription.target_price_per_kg = target_price_per_kg
    subscription.threshold_percent = threshold_percent
    subscription.channel = channel
    return subscription, created


def owned_subscription(member: Member, subscription_id: int) -> PriceSubscription:
    """A subscription the member may change: their own (by account or number). Raises DomainError 404."""
    subscription = db.session.get(PriceSubscription, subscription_id)
    if subscription is None or not (subscription.member_id == member.id or subscription.phone == member.phone):
        raise DomainError(_("We could not find that subscription."), status=404)
    return subscription


def station_subscriptions(station: Member) -> list[PriceSubscription]:
    return list(
        db.session.scalars(
            select(PriceSubscription)
            .where(PriceSubscription.station_id == station.id)
            .order_by(PriceSubscription.phone, PriceSubscription.id)
        )
    )


def station_subscription(station: Member, subscription_id: int) -> PriceSubscription:
    """A subscription on the station's list. Raises DomainError (404) for anyone else's."""
    subscription = db.session.get(PriceSubscription, subscription_id)
    if subscription is None or subscription.station_id != station.id:
        raise DomainError(_("We could not find that subscription."), status=404)
    return subscription


def station_commodity_ids(station: Member) -> list[int]:
    """The commodities on a station's list (what its notice board shows)."""
    return list(
        db.session.scalars(
            select(PriceSubscription.commodity_id).where(PriceSubscription.station_id == station.id).distinct()
        )
    )
