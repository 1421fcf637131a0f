"""enqueue() writes rendered rows into the caller's transaction: they commit or vanish with it."""

from __future__ import annotations

from decimal import Decimal

from app.notify.models import Notification
from app.notify.services import enqueue
from app.trade import orders
from tests.factories import make_member
from tests.notify.conftest import notifications

CONTEXT = {
    "number": "J0000042",
    "title": "Fragrant rice",
    "short_title": "Fragrant rice",
    "link": "http://jishi.test/o/42",
    "url": "http://jishi.test/orders/42",
}


def test_member_with_phone_and_email_gets_one_row_per_channel(db):
    member = make_member(email="li@example.com", display_name="Li")
    rows = enqueue(member, "order_shipped", CONTEXT)
    db.session.commit()

    sms, email = notifications()
    assert [row.channel for row in rows] == ["sms", "email"]
    assert (sms.address, sms.status, sms.attempts, sms.locale) == (member.phone, "pending", 0, "en")
    assert sms.body == "Jishi: order J0000042 has been shipped. http://jishi.test/o/42"
    assert sms.subject is None and sms.html is None
    assert email.address == "li@example.com"
    assert email.subject == "Order J0000042 shipped"
    assert email.body.startswith("Hello Li,")
    assert "http://jishi.test/orders/42" in email.body
    assert '<a href="http://jishi.test/orders/42">' in email.html
    assert sms.next_attempt_at is not None and sms.member_id == member.id


def test_member_without_email_gets_sms_only(db):
    member = make_member()
    enqueue(member, "order_shipped", CONTEXT)
    db.session.commit()
    assert [row.channel for row in notifications()] == ["sms"]


def test_message_is_rendered_in_the_members_language(db):
    member = make_member(locale="zh_Hans", email="wang@example.com", display_name="王")
    enqueue(member, "order_shipped", CONTEXT)
    db.session.commit()
    sms, email = notifications()
    assert sms.locale == "zh_Hans"
    assert sms.body == "集市：订单J0000042已发货。 http://jishi.test/o/42"
    assert email.subject == "订单J0000042已发货"
    assert "王" in email.body and 'lang="zh-Hans"' in email.html


def test_rolling_back_the_event_leaves_no_notification(db, seller, buyer, sell_offer):
    order = orders.buy_now(sell_offer, buyer, Decimal("10"), "collect")
    assert order.id is not None
    assert db.session.new and any(isinstance(row, Notification) for row in db.session.new)
    db.session.rollback()
    assert notifications() == []


def test_committing_the_event_commits_its_notification(db, seller, buyer, sell_offer):
    orders.buy_now(sell_offer, buyer, Decimal("10"), "collect")
    db.session.commit()
    assert [(row.member_id, row.event) for row in notifications()] == [(seller.id, "order_placed")]
