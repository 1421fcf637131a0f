"""Price alerts: the daily digest and threshold / target alerts for price subscriptions.

`flask market send-digests` runs ``send_due_alerts``: ``send_digests`` and ``send_threshold_alerts`` in
one transaction. A PriceAlertDelivery row (UNIQUE subscription × day × kind) is written with the
messages, so a second run the same day finds the row and sends nothing more, two runs at once send
once (the loser's insert fails and it rolls back), and a run that fails sends nothing at all.

Each message covers one commodity and must fit in one SMS segment in its language: the commodity
name is shortened until it does (``fit_to_one_segment``). Subscribers with the same commodity, area
and alert get the same words, so they go out through the bulk fan-out (one rendering per language).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytz
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.catalogue.models import Region
from app.core.clock import utcnow
from app.core.i18n import normalise_locale
from app.core.urls import public_url
from app.db import write_transactions
from app.extensions import db
from app.market.models import AlertKind, PriceAlertDelivery, PriceSubscription, SubscriptionChannel
from app.market.prices import ReferenceQuote, latest_reference
from app.members.models import Member
from app.notify import preferences
from app.notify.fanout import enqueue_sms_fanout
from app.notify.services import enqueue, render_sms
from sms.templates import SHORTENED_MARK, TemplateError, language

EVENTS = {
    AlertKind.DIGEST.value: "price_digest",
    AlertKind.THRESHOLD.value: "price_alert",
    AlertKind.TARGET.value: "price_target",
}
for _event in EVENTS.values():
    preferences.register_event(_event, "market")
LOCALES = ("zh_Hans", "en")
READABLE_NAME_LENGTH = 6


def local_now(now: datetime | None = None) -> datetime:
    return (now or utcnow()).astimezone(pytz.timezone(current_app.config["TIMEZONE"]))


def fit_to_one_segment(template: str, context: dict, locales=LOCALES) -> dict:
    """Return ``context`` adjusted so that the SMS of ``template`` is one segment in every locale.
    The registry shortens the commodity label itself (marked "…" in Chinese, "." in English, which
    stays in the GSM-7 alphabet, sms.templates.render_fitting); when that would leave fewer than
    READABLE_NAME_LENGTH characters of it, the link is left out instead (the template's "_short"
    variant) and the label is shortened only as far as that needs. Raises ValueError when even that
    does not fit."""
    for url in (context.get("url"), None):
        candidate = {**context, "url": url}
        try:
            rendered = [render_sms(template, locale, candidate, log_errors=False) for locale in locales]
        except TemplateError:  # too long, or a link path too long for the variable: try without
            continue
        if url and any(_label_cut_short(message) for message in rendered):
            continue
        return candidate
    raise ValueError(f"SMS {template} does not fit one segment")


def _label_cut_short(message) -> bool:
    label = message.params["commodity"]
    mark = SHORTENED_MARK[language(message.locale)]
    return label.endswith(mark) and len(label) - len(mark) < READABLE_NAME_LENGTH


def quote_context(quote: ReferenceQuote) -> dict:
    """What every alert template gets: names in both languages (the template picks), the area,
    the day and the prices per kg. The same for every recipient (the fan-out renders once)."""
    region = db.session.get(Region, quote.province) if quote.province else None
    return {
        "commodity_names": {"zh": quote.commodity.name_zh, "en": quote.commodity.name_en},
        "region_names": {"zh": region.name_zh, "en": region.name_en} if region else None,
        "day": quote.day,
        "price_per_kg": quote.headline_per_kg,
        "average_7d_per_kg": quote.average_7d_per_kg,
        "change_pct": quote.change_pct_vs_7d,
        "url": public_url("market.commodity_prices", slug=quote.commodity.slug),
    }


@dataclass
class _Group:
    """Subscriptions that receive the same message."""

    kind: str
    quote: ReferenceQuote
    subscriptions: list[PriceSubscription]
    extra: dict


def _already_sent(subscription_ids: list[int], day: date, kind: str) -> set[int]:
    sent: set[int] = set()
    for start in range(0, len(subscription_ids), 900):
        sent.update(
            db.session.scalars(
                select(PriceAlertDelivery.subscription_id).where(
                    PriceAlertDelivery.subscription_id.in_(subscription_ids[start : start + 900]),
                    PriceAlertDelivery.day == day,
                    PriceAlertDelivery.kind == kind,
                )
            )
        )
    return sent


def _subscriptions() -> list[PriceSubscription]:
    return list(db.session.scalars(select(PriceSubscription).order_by(PriceSubscription.id)))


def _deliver(group: _Group, day: date) -> int:
    """Write the messages of one group and the delivery records. Returns how many subscriptions were served."""
    event = EVENTS[group.kind]
    context = {**quote_context(group.quote), **group.extra}
    by_locale: dict[str, list[tuple[str, str, int | None]]] = defaultdict(list)
    email_members = []
    for subscription in group.subscriptions:
        if subscription.channel == SubscriptionChannel.EMAIL.value and subscription.member_id is not None:
            email_members.append(subscription.member_id)
        else:
            locale = normalise_locale(subscription.locale) or "zh_Hans"
            by_locale[locale].append((subscription.phone, locale, subscription.member_id))
        db.session.add(PriceAlertDelivery(subscription_id=subscription.id, day=day, kind=group.kind))
    # Fitted per language: a name cut short for Chinese (70 characters) stays whole in English (160).
    for locale, recipients in by_locale.items():
        enqueue_sms_fanout(recipients, event, fit_to_one_segment(event, context, (locale,)))
    for member_id in email_members:
        member = db.session.get(Member, member_id)
        if member is not None:
            enqueue(member, event, context, channels=("email",))
    db.session.flush()
    return len(group.subscriptions)


def _quotes(subscriptions: list[PriceSubscription], today: date) -> dict[tuple[int, str], ReferenceQuote | None]:
    quotes: dict[tuple[int, str], ReferenceQuote | None] = {}
    for subscription in subscriptions:
        key = (subscription.commodity_id, subscription.area_code)
        if key not in quotes:
            quotes[key] = latest_reference(subscription.commodity_id, subscription.province_code, today)
    return quotes


def send_digests(now: datetime | None = None, *, force: bool = False) -> int:
    """Write today's digest for every subscription not yet served today, once it is at least
    MARKET_DIGEST_HOUR local time (``force`` skips the hour check). A subscription whose commodity
    has no price today is left for a later run. Returns how many subscriptions were served. No commit."""
    moment = local_now(now)
    if not force and moment.hour < current_app.config["MARKET_DIGEST_HOUR"]:
        return 0
    today = moment.date()
    subscriptions = _subscriptions()
    done = _already_sent([s.id for s in subscriptions], today, AlertKind.DIGEST.value)
    quotes = _quotes(subscriptions, today)
    groups: dict[tuple[int, str], list[PriceSubscription]] = defaultdict(list)
    for subscription in subscriptions:
        quote = quotes[(subscription.commodity_id, subscription.area_code)]
        if subscription.id not in done and quote is not None and quote.day == today:
            groups[(subscription.commodity_id, subscription.area_code)].append(subscription)
    return sum(
        _deliver(_Group(AlertKind.DIGEST.value, quotes[key], members, {}), today) for key, members in groups.items()
    )


def threshold_crossed(quote: ReferenceQuote, threshold_percent: Decimal) -> bool:
    """True when today's price differs from the 7-day average by more than ``threshold_percent``."""
    return quote.change_pct_vs_7d is not None and abs(quote.change_pct_vs_7d) > threshold_percent


def previous_headline(quote: ReferenceQuote) -> Decimal | None:
    """The headline price of the latest day before the quote's day."""
    earlier = latest_reference(quote.commodity.id, quote.province, quote.day - timedelta(days=1))
    return earlier.headline_per_kg if earlier is not None else None


def target_crossed(target: Decimal, before: Decimal | None, now_price: Decimal | None) -> str | None:
    """ "up" when the price rose to or through ``target``, "down" when it fell to or through it, else None."""
    if before is None or now_price is None:
        return None
    if before < target <= now_price:
        return "up"
    if before > target >= now_price:
        return "down"
    return None


def send_threshold_alerts(now: datetime | None = None) -> int:
    """Write today's threshold alerts (move beyond the subscription's threshold, else
    MARKET_ALERT_PERCENT, against the 7-day average) and target alerts (today's price crossed the
    member's target since the previous day), each at most once per subscription per day. Returns
    how many alerts were written. No commit."""
    today = local_now(now).date()
    subscriptions = _subscriptions()
    ids = [s.id for s in subscriptions]
    done = {kind: _already_sent(ids, today, kind) for kind in (AlertKind.THRESHOLD.value, AlertKind.TARGET.value)}
    quotes = _quotes(subscriptions, today)
    default_percent = Decimal(current_app.config["MARKET_ALERT_PERCENT"])
    groups: dict[tuple, _Group] = {}
    previous: dict[tuple[int, str], Decimal | None] = {}
    for subscription in subscriptions:
        key = (subscription.commodity_id, subscription.area_code)
        quote = quotes[key]
        if quote is None or quote.day != today:
            continue
        percent = subscription.threshold_percent or default_percent
        if subscription.id not in done[AlertKind.THRESHOLD.value] and threshold_crossed(quote, percent):
            group_key = (AlertKind.THRESHOLD.value, *key)
            groups.setdefault(group_key, _Group(AlertKind.THRESHOLD.value, quote, [], {})).subscriptions.append(
                subscription
            )
        if subscription.target_price_per_kg is not None and subscription.id not in done[AlertKind.TARGET.value]:
            if key not in previous:
                previous[key] = previous_headline(quote)
            direction = target_crossed(subscription.target_price_per_kg, previous[key], quote.headline_per_kg)
            if direction is not None:
                group_key = (AlertKind.TARGET.value, *key, direction, subscription.target_price_per_kg)
                extra = {"direction": direction, "target_per_kg": subscription.target_price_per_kg}
                groups.setdefault(group_key, _Group(AlertKind.TARGET.value, quote, [], extra)).subscriptions.append(
                    subscription
                )
    return sum(_deliver(group, today) for group in groups.values())


def send_due_alerts(now: datetime | None = None, *, force: bool = False) -> tuple[int, int] | None:
    """The cron job behind `flask market send-digests`: digests, then threshold and target alerts,
    in one transaction that it commits. Returns (digests, alerts), or None when a concurrent run
    recorded the same deliveries first (that run sends them; this one rolled back and sent nothing)."""
    with write_transactions():
        try:
            digests = send_digests(now, force=force)
            alerts = send_threshold_alerts(now)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return None
    return digests, alerts
