"""Price alerts: the daily digest (once a day from MARKET_DIGEST_HOUR), threshold and target alerts,
one SMS segment per message in its language, opt-outs respected, and the CLI."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

import pytest
import pytz
from sqlalchemy import select

from app.catalogue.models import Commodity
from app.catalogue.services import find_commodity
from app.market.alerts import fit_to_one_segment, send_digests, send_threshold_alerts
from app.market.models import PriceAlertDelivery
from app.market.subscriptions import save_member_subscription, subscribe_phone
from app.notify.models import Notification
from app.notify.services import render_sms
from app.postings.services import local_today
from sms import templates
from sms.segments import count_segments
from tests.factories import make_member
from tests.market.price_data import history, reference

VILLAGER = "+8613900000001"
VISITOR = "+8613900000002"


def _local(hour: int) -> datetime:
    zone = pytz.timezone("Asia/Shanghai")
    return zone.localize(datetime.combine(local_today(), time(hour))).astimezone(pytz.utc)


def _messages(db, event=None):
    statement = select(Notification).order_by(Notification.id)
    if event:
        statement = statement.where(Notification.event == event)
    return list(db.session.scalars(statement))


def _subscribe(phone, commodity="maize", province=None, locale="zh"):
    subscription, _created = subscribe_phone(phone, find_commodity(commodity).id, province, locale)
    return subscription


def test_digest_goes_once_a_day_after_the_configured_hour(db):
    today = local_today()
    history("maize", today, "2.0000")
    reference("maize", today, "2.2000")
    _subscribe(VILLAGER, locale="zh")
    _subscribe(VISITOR, locale="en")
    db.session.commit()

    assert send_digests(now=_local(6)) == 0  # MARKET_DIGEST_HOUR is 7
    assert _messages(db) == []

    assert send_digests(now=_local(8)) == 2
    db.session.commit()
    assert send_digests(now=_local(9)) == 0
    assert send_digests(now=_local(20), force=True) == 0
    db.session.commit()

    messages = _messages(db, "price_digest")
    assert len(messages) == 2
    by_phone = {m.address: m for m in messages}
    assert (
        "玉米" in by_phone[VILLAGER].body
        and "¥1.10/斤" in by_phone[VILLAGER].body
        and "▲10.0%" in by_phone[VILLAGER].body
    )
    assert (
        "Maize" in by_phone[VISITOR].body
        and "¥2.20/kg" in by_phone[VISITOR].body
        and "+10.0%" in by_phone[VISITOR].body
    )
    assert "/prices/maize" in by_phone[VISITOR].body
    for message in messages:
        assert count_segments(message.body).segments == 1
    assert db.session.scalar(select(db.func.count(PriceAlertDelivery.id))) == 2


def test_no_digest_without_a_price_today(db):
    history("maize", local_today(), "2.0000")
    _subscribe(VILLAGER)
    db.session.commit()
    assert send_digests(force=True) == 0
    assert _messages(db) == []


def test_digest_respects_stop(db):
    from app.notify.optout import opt_out

    reference("maize", local_today(), "2.2000")
    _subscribe(VILLAGER)
    opt_out(VILLAGER, "STOP")
    db.session.commit()
    send_digests(force=True)
    db.session.commit()
    assert _messages(db) == []


def test_email_digest_for_a_member_who_chose_email(db):
    member = make_member(email="li@example.com", locale="en")
    reference("rice", local_today(), "4.0000")
    save_member_subscription(
        member, find_commodity("rice").id, None, target_price_per_kg=None, threshold_percent=None, channel="email"
    )
    db.session.commit()
    assert send_digests(force=True) == 1
    db.session.commit()
    [message] = _messages(db, "price_digest")
    assert message.channel == "email" and message.address == "li@example.com"
    assert "Rice" in message.subject and "¥4.00/kg" in message.body


def test_threshold_alert_when_the_price_moves_beyond_the_percentage(db):
    today = local_today()
    history("maize", today, "2.0000")
    reference("maize", today, "2.5000")  # +25 % against the 7-day average
    _subscribe(VILLAGER)  # default MARKET_ALERT_PERCENT 10
    calm = _subscribe(VISITOR, locale="en")
    calm.threshold_percent = Decimal("30")
    db.session.commit()

    assert send_threshold_alerts() == 1
    db.session.commit()
    [alert] = _messages(db, "price_alert")
    assert alert.address == VILLAGER and "▲25.0%" in alert.body
    assert send_threshold_alerts() == 0  # once a day


def test_small_moves_do_not_alert(db):
    today = local_today()
    history("maize", today, "2.0000")
    reference("maize", today, "2.1000")  # +5 %
    _subscribe(VILLAGER)
    db.session.commit()
    assert send_threshold_alerts() == 0


def test_falling_price_alerts_too(db):
    today = local_today()
    history("maize", today, "2.0000")
    reference("maize", today, "1.5000")
    _subscribe(VISITOR, locale="en")
    db.session.commit()
    send_threshold_alerts()
    [alert] = _messages(db, "price_alert")
    assert "-25.0%" in alert.body


def test_target_alert_when_the_price_crosses_the_members_target(db):
    today = local_today()
    history("maize", today, "2.0000")
    reference("maize", today, "2.5000")
    reaching = make_member(locale="en")
    save_member_subscription(
        reaching,
        find_commodity("maize").id,
        None,
        target_price_per_kg=Decimal("2.40"),
        threshold_percent=Decimal("50"),
        channel="sms",
    )
    above = make_member(locale="en")
    save_member_subscription(
        above,
        find_commodity("maize").id,
        None,
        target_price_per_kg=Decimal("3.00"),
        threshold_percent=Decimal("50"),
        channel="sms",
    )
    db.session.commit()

    assert send_threshold_alerts() == 1
    db.session.commit()
    [alert] = _messages(db, "price_target")
    assert alert.address == reaching.phone
    assert "rose to ¥2.50/kg" in alert.body and "target ¥2.40/kg" in alert.body
    assert send_threshold_alerts() == 0


@pytest.mark.parametrize("template", ["price_digest", "price_alert", "price_target"])
def test_long_commodity_names_are_shortened_to_one_segment(app, db, template):
    app.config["PUBLIC_BASE_URL"] = "https://prices.jishi-farm-produce-market.example.cn"
    maize = find_commodity("maize")
    long_one = Commodity(
        slug="long",
        name_en="Extra long premium organic high-mountain glutinous waxy purple heirloom maize",
        name_zh="特级有机高山糯玉米紫色传家宝老品种农家自留种散装鲜食玉米棒子",
        category_id=maize.category_id,
        default_unit_code="kg",
    )
    db.session.add(long_one)
    db.session.commit()
    reference("long", local_today(), "12.3456", province="41")
    from app.market.alerts import quote_context
    from app.market.prices import latest_reference

    context = quote_context(latest_reference(long_one.id, "41"))
    context.update(change_pct=Decimal("-12.5"), direction="down", target_per_kg=Decimal("12.50"))
    sign = app.config["SMS_SIGN_NAME"]
    chinese = render_sms(template, "zh_Hans", fit_to_one_segment(template, context, ("zh_Hans",)))
    # Chinese: the link cannot fit beside a readable name and the signature, so it is left out and
    # the name shortened (marked …) until the message is one part with the signature.
    assert chinese.template.endswith("_short") and chinese.params["commodity"].endswith("…")
    assert templates.measure(chinese.text, sign).segments == 1, chinese.text
    english = render_sms(template, "en", fit_to_one_segment(template, context, ("en",)))
    body = english.text
    assert count_segments(body).segments == 1, body
    # English keeps its link and a recognisable start of the name (cut with "." to stay GSM-7;
    # measured with the signature a mainland provider prepends, which leaves it 70-character parts).
    assert "/prices/long" in body and "Extra lo" in body
    assert english.params["commodity"].endswith(".")
    assert count_segments(body).encoding == "GSM-7"


def test_send_digests_cli(app, db):
    reference("maize", local_today(), "2.2000")
    _subscribe(VILLAGER)
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["market", "send-digests", "--force"])
    assert first.exit_code == 0 and "digests: 1" in first.output
    second = runner.invoke(args=["market", "send-digests", "--force"])
    assert "digests: 0" in second.output
    assert len(_messages(db, "price_digest")) == 1
