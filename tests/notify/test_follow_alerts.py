"""New goods from a followed store (issue 24 point 3): one site notice per follower and posting, and at
most one SMS and one e-mail per follower, store and local day, through the same rules as every alert
(preferences, STOP, verified numbers, quiet hours, daily cap), written in the publishing transaction.
Never for a suspended seller, a hidden posting or a buy request; e-mails carry an unsubscribe link."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.extensions import db as _db
from app.members.models import StoreFollow
from app.members.storefronts import ensure_storefront
from app.members.suspension import set_suspension
from app.notify import fanout, follow_handlers, preferences, services
from app.notify.models import FollowAlertDay, SiteNotice
from app.notify.optout import opt_out
from app.postings import signals
from app.postings.models import Posting
from app.postings.services import change_status
from sms import segments
from tests.factories import make_member, make_posting
from tests.notify.conftest import notifications
from tests.postings._helpers import form_data

EVENT = "store_new_goods"
_emails = itertools.count(1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def shop(db):
    seller = make_member(display_name="Zhang Farmer", email="zhang@example.com")
    storefront = ensure_storefront(seller)
    storefront.name = "Zhang Family Farm"
    db.session.commit()
    return storefront


def local_moment(hour: int, minute: int = 0, days: int = 0) -> datetime:
    """A fixed moment, China time, on a day computed from today (the clock the handlers are given)."""
    day = datetime.now(SHANGHAI).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI).astimezone(UTC)


def follower(db, shop, **overrides):
    values = {"display_name": "Li Buyer", "email": f"buyer{next(_emails)}@example.com", "is_seller": False}
    values.update(overrides)
    member = make_member(**values)
    db.session.add(StoreFollow(follower_id=member.id, seller_id=shop.member_id))
    db.session.commit()
    return member


def publish(client, login, seller, **changes):
    """The seller publishes a sell offer with the new-posting form; returns the response."""
    login(seller)
    response = client.post("/postings/new", data=form_data(**changes))
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    return response


def told(member) -> list[tuple[str, str]]:
    return [(row.channel, row.status) for row in notifications(member_id=member.id, event=EVENT)]


def notices(member) -> list[SiteNotice]:
    _db.session.commit()
    return list(_db.session.scalars(select(SiteNotice).where(SiteNotice.member_id == member.id)))


def latest_posting_id() -> int:
    return _db.session.scalar(select(func.max(Posting.id)))


def test_a_new_sell_offer_reaches_each_follower_by_sms_email_and_on_the_site(client, db, login, shop):
    reader = follower(db, shop, email="li@example.com")
    stranger = make_member(email="stranger@example.com")
    publish(client, login, shop.member, title="Dry maize, new season")
    posting_id = latest_posting_id()

    assert told(reader) == [("sms", "pending"), ("email", "pending")]
    sms, email = notifications(member_id=reader.id, event=EVENT)
    assert "Zhang Family Farm" in sms.body and sms.body.endswith(f"/p/{posting_id}")
    assert segments.count_segments(sms.body).segments == 1
    assert sms.template == "store_new_goods"
    assert email.subject == "New goods from Zhang Family Farm"
    assert "Dry maize, new season" in email.body and f"/p/{posting_id}" in email.body
    assert "/account/following" in email.body and "/unsubscribe/" in email.body and "/unsubscribe/" in email.html
    [notice] = notices(reader)
    assert notice.link == f"/p/{posting_id}" and notice.params == {
        "store": "Zhang Family Farm",
        "title": "Dry maize, new season",
    }
    assert told(stranger) == [] and notices(stranger) == []
    assert told(shop.member) == [] and notices(shop.member) == []


def test_the_message_is_in_the_followers_language(client, db, login, shop):
    reader = follower(db, shop, locale="zh_Hans", email="wang@example.cn")
    publish(client, login, shop.member)
    sms, email = notifications(member_id=reader.id, event=EVENT)
    assert sms.locale == "zh_Hans" and "您关注的" in sms.body and "玉米" in sms.body
    assert segments.count_segments(sms.body).segments == 1
    assert email.subject == "Zhang Family Farm上新了"


def test_fifty_lots_in_a_minute_send_one_sms_and_one_email_per_follower(client, db, login, shop):
    readers = [follower(db, shop, email=f"r{number}@example.com") for number in range(3)]
    for number in range(50):
        publish(client, login, shop.member, title=f"Lot {number}")

    for reader in readers:
        assert told(reader) == [("sms", "pending"), ("email", "pending")]
        assert len(notices(reader)) == 50
    _db.session.commit()
    assert _db.session.scalar(select(func.count(FollowAlertDay.id))) == 6


def test_the_next_local_day_brings_the_next_sms(client, db, login, shop, monkeypatch):
    reader = follower(db, shop)
    today = local_moment(hour=10)
    for module in (follow_handlers, fanout, services):
        monkeypatch.setattr(module, "utcnow", lambda: today)
    publish(client, login, shop.member, title="Monday lot")
    publish(client, login, shop.member, title="Monday lot 2")
    tomorrow = today + timedelta(days=1)
    for module in (follow_handlers, fanout, services):
        monkeypatch.setattr(module, "utcnow", lambda: tomorrow)
    publish(client, login, shop.member, title="Tuesday lot")
    assert [channel for channel, _status in told(reader)] == ["sms", "email", "sms", "email"]


def test_the_followers_channel_choices_are_kept(client, db, login, shop):
    email_only = follower(db, shop, email="e@example.com")
    nothing_sent = follower(db, shop, email="n@example.com")
    preferences.save_choices(email_only.id, {("follows", "email")})
    preferences.save_choices(nothing_sent.id, set())
    db.session.commit()
    page = client.get("/account/notifications")
    login(email_only)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "New goods from stores I follow" in page and 'value="follows:sms"' in page

    publish(client, login, shop.member)
    assert told(email_only) == [("email", "pending")]
    assert told(nothing_sent) == []
    assert len(notices(nothing_sent)) == 1  # the site notice stays until they unfollow


def test_stop_unverified_numbers_and_no_email_address_are_respected(client, db, login, shop):
    stopped = follower(db, shop, email=None)
    unverified = follower(db, shop, email=None, phone_verified_at=None)
    opt_out(stopped.phone, "STOP")
    db.session.commit()
    publish(client, login, shop.member)
    assert told(stopped) == []
    assert told(unverified) == []
    assert len(notices(stopped)) == len(notices(unverified)) == 1


def test_the_daily_sms_cap_applies(app, client, db, login, shop):
    app.config["NOTIFY_SMS_DAILY_CAP"] = 1
    reader = follower(db, shop)
    services.enqueue(reader, "order_paid", {"number": "J0000001", "link": "http://jishi.test/o/1"}, channels=("sms",))
    db.session.commit()
    publish(client, login, shop.member)
    [sms] = [row for row in notifications(member_id=reader.id, event=EVENT) if row.channel == "sms"]
    assert sms.status == "skipped" and sms.last_error == "daily SMS limit reached"


def test_quiet_hours_hold_the_sms_until_morning(app, client, db, login, shop, monkeypatch):
    app.config.update(NOTIFY_TIMEZONE="Asia/Shanghai", NOTIFY_QUIET_START=21, NOTIFY_QUIET_END=7)
    late = local_moment(hour=22, minute=30)
    for module in (follow_handlers, fanout, services):
        monkeypatch.setattr(module, "utcnow", lambda: late)
    reader = follower(db, shop)
    publish(client, login, shop.member)
    sms, email = notifications(member_id=reader.id, event=EVENT)
    morning = local_moment(hour=7, days=1)
    assert sms.status == "pending" and sms.next_attempt_at.replace(tzinfo=UTC) == morning
    assert email.next_attempt_at.replace(tzinfo=UTC) == late


def test_a_suspended_seller_cannot_publish_and_nobody_is_told(client, db, login, shop):
    reader = follower(db, shop)
    set_suspension(shop.member, None)
    db.session.commit()
    login(shop.member)
    response = client.post("/postings/new", data=form_data())
    assert response.status_code == 403
    assert told(reader) == [] and notices(reader) == []


def test_a_posting_of_a_seller_suspended_meanwhile_or_hidden_tells_nobody(db, shop):
    reader = follower(db, shop)
    posting = make_posting(shop.member, publish=False)
    set_suspension(shop.member, None)
    _db.session.flush()
    signals.posting_published.send(signals.SENDER, posting_id=posting.id, owner_id=shop.member_id, kind="sell")
    assert told(reader) == []

    other = make_member()
    other_shop = ensure_storefront(other)
    db.session.add(StoreFollow(follower_id=reader.id, seller_id=other.id))
    hidden = make_posting(other, publish=False)
    hidden.status = "hidden"
    _db.session.flush()
    signals.posting_published.send(signals.SENDER, posting_id=hidden.id, owner_id=other.id, kind="sell")
    assert told(reader) == [] and notices(reader) == []
    assert other_shop.id


def test_a_buy_request_is_not_new_goods(client, db, login, shop):
    reader = follower(db, shop)
    publish(client, login, shop.member, kind="buy", title="Wanted: maize")
    assert told(reader) == [] and notices(reader) == []


def test_many_followers_are_told_through_the_outbox_in_the_publishing_transaction(client, db, login, shop):
    readers = [follower(db, shop, email=f"m{number}@example.com") for number in range(120)]
    publish(client, login, shop.member)
    rows = notifications(event=EVENT)
    assert sorted(row.channel for row in rows) == ["email"] * 120 + ["sms"] * 120
    assert {row.member_id for row in rows} == {reader.id for reader in readers}
    assert _db.session.scalar(select(func.count(SiteNotice.id))) == 120


def test_a_publish_that_rolls_back_leaves_no_message_notice_or_claim(db, shop):
    follower(db, shop)
    draft = make_posting(shop.member, publish=False)
    change_status(draft, "publish", shop.member)
    _db.session.flush()
    assert _db.session.scalar(select(func.count(SiteNotice.id))) == 1
    _db.session.rollback()
    assert notifications(event=EVENT) == []
    assert _db.session.scalar(select(func.count(SiteNotice.id))) == 0
    assert _db.session.scalar(select(func.count(FollowAlertDay.id))) == 0


def test_the_unsubscribe_link_switches_the_follow_emails_off(client, db, login, shop):
    reader = follower(db, shop, email="li@example.com")
    publish(client, login, shop.member)
    [email] = [row for row in notifications(member_id=reader.id, event=EVENT) if row.channel == "email"]
    link = re.search(r"http://[^\s]+/unsubscribe/[^\s]+", email.body).group(0)
    path = link.split("127.0.0.1:5000", 1)[1] if "127.0.0.1:5000" in link else "/" + link.split("/", 3)[3]

    client.get("/logout")
    page = client.get(path)
    assert page.status_code == 200 and "New goods from stores I follow" in page.get_data(as_text=True)
    assert preferences.wanted_channels(reader.id, EVENT, ("sms", "email")) == ("sms", "email")  # GET changes nothing
    response = client.post(path)
    assert response.status_code == 200 and "Done" in response.get_data(as_text=True)
    db.session.commit()
    assert preferences.wanted_channels(reader.id, EVENT, ("sms", "email")) == ("sms",)
    assert preferences.wanted_channels(reader.id, "new_match", ("sms", "email")) == ("sms", "email")


def test_a_forged_or_cut_unsubscribe_token_is_404(client, db):
    assert client.get("/unsubscribe/not-a-token").status_code == 404
    from app.notify.unsubscribe import make_token

    assert client.get("/unsubscribe/" + make_token(1, "account")).status_code == 404  # locked category
    assert client.post("/unsubscribe/" + make_token(1, "follows")[:-2] + "xx").status_code == 404


def test_old_day_claims_and_old_read_notices_are_pruned(app, db, shop, monkeypatch):
    reader = follower(db, shop)
    now = local_moment(hour=12)
    monkeypatch.setattr(follow_handlers, "utcnow", lambda: now)
    old_day = (now - timedelta(days=5)).date()
    db.session.add_all(
        [
            FollowAlertDay(member_id=reader.id, seller_id=shop.member_id, channel="sms", day=old_day),
            FollowAlertDay(member_id=reader.id, seller_id=shop.member_id, channel="sms", day=now.date()),
            SiteNotice(
                member_id=reader.id, event=EVENT, params={}, link="/", created_at=now - timedelta(days=100), read_at=now
            ),
            SiteNotice(member_id=reader.id, event=EVENT, params={}, link="/", created_at=now - timedelta(days=100)),
        ]
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["notify", "prune-follow-alerts"])
    assert result.exit_code == 0 and "removed 1 follow-alert day claims and 1 read site notices" in result.output
    assert [claim.day for claim in db.session.scalars(select(FollowAlertDay))] == [now.date()]
    assert len(notices(reader)) == 1  # the unread one stays
