"""A mainland farmer's commands answered end to end as approved templates: each text is pushed
through the provider's inbound webhook (Alibaba Cloud's SmsUp, Tencent Cloud's 短信回复), the reply
is written to the outbox as its registry template with parameters, and the worker sends it to the
fake provider as that template's code and parameters — never as free text."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.notify import worker
from app.notify.models import Notification
from app.notify.senders import senders_from_config
from app.postings.models import Posting
from tests.factories import make_member
from tests.inbound_sms.test_provider_webhooks import TEMPLATE_CODES, mainland  # noqa: F401 (the fixture)
from tests.trade.helpers import place_order_by_buy_now


def _answered(provider, phone: str, body: str) -> Notification | None:
    """Push ``body`` from ``phone``; the reply row the worker sent (None when nothing was sent).
    The provider's side — the template's code with the row's parameters — is checked by text_in."""
    before = len(provider.requests_to(phone))
    provider.text_in(phone, body)
    if len(provider.requests_to(phone)) == before:
        return None
    return _db.session.scalars(
        select(Notification)
        .where(Notification.event == "sms_reply", Notification.address == phone)
        .order_by(Notification.id.desc())
    ).first()


def _template(provider, phone: str, body: str) -> str:
    row = _answered(provider, phone, body)
    assert row is not None and row.status == "sent", body
    code, params = provider.requests_to(phone)[-1]
    assert code == TEMPLATE_CODES[provider.name][row.template]
    assert params == list(row.template_params.values())
    return row.template


def _draft_id(member) -> int:
    _db.session.expire_all()
    return max(_db.session.scalars(select(Posting.id).where(Posting.owner_id == member.id)))


def test_every_members_command_is_answered_as_its_template(mainland, db):  # noqa: F811 (the fixture)
    farmer = make_member(locale="zh_Hans")
    _db.session.commit()
    phone = farmer.phone
    assert phone.startswith("+86")
    assert _template(mainland, phone, "帮助") == "reply_help"
    assert _template(mainland, phone, "价格 玉米") == "reply_no_prices"
    assert _template(mainland, phone, "卖 玉米 5吨 2100 河南") == "reply_draft"
    assert _template(mainland, phone, f"确认 {_draft_id(farmer)}") == "reply_published"
    assert _template(mainland, phone, f"确认 {_draft_id(farmer)}") == "reply_already_published"
    assert _template(mainland, phone, "卖 玉米 3吨 2000 河南") == "reply_draft"
    assert _template(mainland, phone, f"取消 {_draft_id(farmer)}") == "reply_discarded"
    assert _template(mainland, phone, "确认 999999") == "reply_no_such_draft"
    assert _template(mainland, phone, "报价") == "reply_no_offers"
    assert _template(mainland, phone, "接受 K7M2") == "reply_no_such_offer"
    assert _template(mainland, phone, "订单") == "reply_no_orders"
    assert _template(mainland, phone, "订阅 玉米 河南") == "reply_subscribed"
    assert _template(mainland, phone, "取消订阅 玉米") == "reply_unsubscribed"
    assert _template(mainland, phone, "取消订阅 玉米") == "reply_unsubscribed_none"
    assert _template(mainland, phone, "卖 玉米").startswith("reply_error_")
    assert _template(mainland, phone, "发货 J999") == "reply_no_such_order"
    # STOP is never confirmed (the number is stopped); START's answer goes out again.
    assert _answered(mainland, phone, "退订") is None
    assert _template(mainland, phone, "START") == "reply_opted_in"


def test_an_english_reader_and_a_stranger_get_their_templates(mainland, db):  # noqa: F811 (the fixture)
    english = make_member(locale="en")
    _db.session.commit()
    assert _template(mainland, english.phone, "SELL maize 5t 2100 Henan") == "reply_draft"
    row = _answered(mainland, english.phone, f"YES {_draft_id(english)}")
    assert row.template == "reply_published"
    assert row.template_params["commodity"] == "maize" and row.body.startswith("Published")
    assert _template(mainland, "+8613912349901", "SELL maize 5t 2100") == "reply_signup"
    assert _template(mainland, "+8613912349901", "hello") == "reply_help"


def test_order_steps_by_text_are_answered_as_their_templates(
    mainland,  # noqa: F811 (the fixture)
    db,
    client,
    login,
    sell_offer,
    seller,
    buyer,
):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    client.post("/logout")
    worker.run_once(senders_from_config(mainland.app.config))  # the order's own notifications first
    assert _template(mainland, seller.phone, "订单") == "reply_orders_1"
    row = _answered(mainland, seller.phone, f"确认 J{order.id}")
    assert row.template == "reply_order_confirmed"
    assert row.template_params == {"number": order.number, "link": f"o/{order.id}"}
    assert _template(mainland, seller.phone, f"确认 J{order.id}") == "reply_order_already"
    assert _template(mainland, buyer.phone, f"确认 J{order.id}") == "reply_not_done"


@pytest.mark.parametrize("body", ["卖 玉米 5吨", "价格 火星土豆"])
def test_parse_errors_are_answered_as_their_reason_template(mainland, db, body):  # noqa: F811 (the fixture)
    farmer = make_member(locale="zh_Hans")
    _db.session.commit()
    template = _template(mainland, farmer.phone, body)
    assert template.startswith("reply_error_")
    row = _answered(mainland, farmer.phone, body)
    assert row.template_params["example"].startswith("例")
