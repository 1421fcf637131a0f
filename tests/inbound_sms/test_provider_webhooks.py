"""Texts from mainland numbers through Alibaba Cloud SMS (SmsUp) and Tencent Cloud SMS (短信回复):
the provider's documented push reaches the same commands as Twilio's webhook, the reply goes back
through the outbox, the worker and the routing gateway to the provider (its real client against a
local fake that checks the request signature), as the reply's own approved template (its code and
parameters, with our 【签名】), like the order notification.
Pushes without our callback token are refused, replays run nothing twice, garbage gets a 400."""

from __future__ import annotations

import itertools
import json
import time

import pytest
from sqlalchemy import func, select

from app.extensions import db as _db
from app.inbound_sms.models import InboundSms
from app.notify import worker
from app.notify.models import Notification, SmsOptOut
from app.notify.senders import senders_from_config
from app.postings.models import Posting
from app.trade.models import Order
from config import TestingConfig
from sms.templates import REGISTRY
from tests.factories import make_member
from tests.fake_sms_providers import FakeAliyunSms, FakeTencentSms
from tests.trade.helpers import place_order_by_buy_now

ALIYUN_TOKEN = TestingConfig.ALIYUN_SMS_CALLBACK_TOKEN
TENCENT_TOKEN = TestingConfig.TENCENT_SMS_CALLBACK_TOKEN
_sequence = itertools.count(1)
_seconds = itertools.count(int(time.time()))


class Mainland:
    """One provider serving +86 numbers: pushes texts to the app as the provider would and reads
    the replies the provider was asked to send."""

    def __init__(self, name, app, client, fake):
        self.name, self.app, self.client, self.fake = name, app, client, fake

    def item(self, phone: str, body: str) -> dict:
        if self.name == "aliyun":
            return FakeAliyunSms.reply(phone.removeprefix("+86"), body, next(_sequence))
        return FakeTencentSms.reply(phone, body, at=next(_seconds))

    def push(self, payload, token: str | None = "default", path: str = "inbound"):
        token = (ALIYUN_TOKEN if self.name == "aliyun" else TENCENT_TOKEN) if token == "default" else token
        url = f"/sms/{self.name}/{path}" + (f"?token={token}" if token is not None else "")
        data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        response = self.client.post(url, data=data, content_type="application/json", csrf=False)
        _db.session.commit()
        return response

    def replies_to(self, phone: str) -> list[str]:
        """The texts the provider was asked to send to ``phone``, oldest first."""
        found = []
        for request in self.fake.requests:
            numbers = request["numbers"]
            for index, number in enumerate(numbers):
                if number in (phone, phone.removeprefix("+86")):
                    # A reply is the free-text template's one parameter; an event's template has its
                    # own parameters (the approved text around them stays at the provider).
                    params = request["params"][index] if self.name == "aliyun" else request["params"]
                    values = list(params.values()) if isinstance(params, dict) else list(params)
                    found.append(" ".join(values))
        return found

    def requests_to(self, phone: str) -> list[tuple[str, list[str]]]:
        """(template code, parameter values) of each request the provider got for ``phone``."""
        found = []
        for request in self.fake.requests:
            for index, number in enumerate(request["numbers"]):
                if number in (phone, phone.removeprefix("+86")):
                    params = request["params"][index] if self.name == "aliyun" else request["params"]
                    found.append((request["template"], list(params.values() if isinstance(params, dict) else params)))
        return found

    def text_in(self, phone: str, body: str) -> str:
        """Push one text, let the worker send what it caused, and return the reply ("" for none):
        the text the outbox rendered, once the provider has been asked for exactly that reply's
        approved template with its parameters."""
        before = len(self.requests_to(phone))
        response = self.push([self.item(phone, body)])
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json() == (
            {"code": 0, "msg": "接收成功"} if self.name == "aliyun" else {"result": 0, "errmsg": "OK"}
        )
        worker.run_once(senders_from_config(self.app.config))
        sent = self.requests_to(phone)[before:]
        assert len(sent) <= 1, sent
        if not sent:
            return ""
        _db.session.expire_all()
        row = _db.session.scalars(
            select(Notification)
            .where(Notification.event == "sms_reply", Notification.address == phone)
            .order_by(Notification.id.desc())
        ).first()
        assert sent == [(TEMPLATE_CODES[self.name][row.template], list(row.template_params.values()))]
        return row.body


# Every registry template approved at each provider: Aliyun codes name their variables, Tencent's
# templates number theirs ({1}, {2} … in the order the template declares them).
TEMPLATE_CODES = {
    "aliyun": {name: f"SMS_{900100 + n}" for n, name in enumerate(sorted(REGISTRY))},
    "tencent": {name: str(2000100 + n) for n, name in enumerate(sorted(REGISTRY))},
}


@pytest.fixture(params=["aliyun", "tencent"])
def mainland(request, app, client):
    app.config.update(SMS_GATEWAY="console", SMS_GATEWAY_CN=request.param, SMS_SIGN_NAME="集市")
    if request.param == "aliyun":
        approved = {"SMS_900001": ["content"]}
        approved |= {code: [p.name for p in REGISTRY[name].params] for name, code in TEMPLATE_CODES["aliyun"].items()}
        fake = FakeAliyunSms("ak-id", "ak-secret", templates=approved, signs={"集市"})
        app.config.update(
            SMS_TEMPLATE_CODES={"aliyun": TEMPLATE_CODES["aliyun"]},
            ALIYUN_SMS_ACCESS_KEY_ID="ak-id",
            ALIYUN_SMS_ACCESS_KEY_SECRET="ak-secret",
            ALIYUN_SMS_ENDPOINT=fake.url,
            ALIYUN_SMS_TEXT_TEMPLATE_CODE="SMS_900001",
        )
    else:
        approved = {"2000001": 1}
        approved |= {code: len(REGISTRY[name].params) for name, code in TEMPLATE_CODES["tencent"].items()}
        fake = FakeTencentSms("secret-id", "secret-key", "1400000001", templates=approved, signs={"集市"})
        app.config.update(
            SMS_TEMPLATE_CODES={"tencent": TEMPLATE_CODES["tencent"]},
            TENCENT_SMS_SECRET_ID="secret-id",
            TENCENT_SMS_SECRET_KEY="secret-key",
            TENCENT_SMS_SDK_APP_ID="1400000001",
            TENCENT_SMS_ENDPOINT=fake.url,
            TENCENT_SMS_TEXT_TEMPLATE_ID="2000001",
        )
    with fake:
        yield Mainland(request.param, app, client, fake)


def _logged() -> list[InboundSms]:
    return list(_db.session.scalars(select(InboundSms).order_by(InboundSms.id)))


def _replies() -> list[Notification]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(Notification).where(Notification.event == "sms_reply")))


def test_help_is_answered_through_the_provider_as_its_approved_template(mainland, db):
    reply = mainland.text_in("+8613912340001", "HELP")
    assert "PRICE maize" in reply
    [row] = _logged()
    assert (row.phone, row.command, row.reply) == ("+8613912340001", "help", reply)
    assert row.message_sid.startswith(f"{mainland.name}-")
    [sent] = _replies()
    assert (sent.status, sent.address, sent.body, sent.urgent) == ("sent", "+8613912340001", reply, True)
    assert (sent.template, sent.template_params) == ("reply_help", {})
    [request] = mainland.fake.requests
    code = TEMPLATE_CODES[mainland.name]["reply_help"]
    if mainland.name == "aliyun":
        assert (request["template"], request["signs"]) == (code, ["集市"])
        assert sent.provider_id.endswith(":13912340001")
    else:
        assert (request["template"], request["sign"]) == (code, "集市")
        assert sent.provider_id == mainland.fake.sent[0][0]


def test_price_in_english_and_chinese(mainland, db):
    assert mainland.text_in("+8613912340002", "PRICE maize").startswith("No Maize prices today")
    assert "玉米" in mainland.text_in("+8613912340003", "价格 玉米")


def test_a_farmer_sells_and_publishes_by_text(mainland, db):
    farmer = make_member(locale="zh_Hans")
    _db.session.commit()
    draft_reply = mainland.text_in(farmer.phone, "卖 玉米 5吨 2100 河南")
    [posting] = _db.session.scalars(select(Posting).where(Posting.owner_id == farmer.id))
    assert f"确认 {posting.id}" in draft_reply and posting.status == "draft"
    published = mainland.text_in(farmer.phone, f"确认 {posting.id}")
    _db.session.expire_all()
    assert _db.session.get(Posting, posting.id).status == "active"
    assert str(posting.id) in published
    english = make_member(locale="en")
    _db.session.commit()
    mainland.text_in(english.phone, "SELL maize 5t 2100 Henan")
    [draft] = _db.session.scalars(select(Posting).where(Posting.owner_id == english.id))
    assert "published" in mainland.text_in(english.phone, f"YES {draft.id}").lower()


def test_a_seller_confirms_an_order_by_text(mainland, db, client, login, sell_offer, seller, buyer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    client.post("/logout")
    worker.run_once(senders_from_config(mainland.app.config))
    # The order's own notification went to the seller's mainland number through the provider too,
    # as the approved order_placed template with the order number as a parameter.
    assert any(order.number in text for text in mainland.replies_to(seller.phone))
    assert TEMPLATE_CODES[mainland.name]["order_placed"] in {request["template"] for request in mainland.fake.requests}
    reply = mainland.text_in(seller.phone, f"确认 J{order.id}")
    assert order.number in reply
    _db.session.expire_all()
    assert _db.session.get(Order, order.id).status == "confirmed"


def test_stop_opts_the_number_out_and_the_worker_sends_it_nothing_more(mainland, db):
    phone = "+8613912340004"
    assert mainland.text_in(phone, "退订") == ""  # the stopped number gets no confirmation text
    assert _db.session.scalar(select(SmsOptOut).where(SmsOptOut.phone == phone)).active
    [reply] = _replies()
    assert reply.status == "skipped"
    assert mainland.text_in(phone, "START")  # START resumes, and its answer goes out
    assert not _db.session.scalar(select(SmsOptOut).where(SmsOptOut.phone == phone)).active


def test_a_replayed_push_runs_the_command_once(mainland, db):
    item = mainland.item("+8613912340005", "SUB maize Henan")
    for _ in range(3):
        assert mainland.push([item]).status_code == 200
    assert len(_logged()) == 1 and len(_replies()) == 1


def test_a_batch_push_runs_each_message(mainland, db):
    items = [mainland.item(f"+861391234001{n}", "HELP") for n in range(3)]
    assert mainland.push(items).status_code == 200
    assert [row.phone for row in _logged()] == [f"+861391234001{n}" for n in range(3)]
    assert len(_replies()) == 3


@pytest.mark.parametrize("token", [None, "", "wrong-token", "other-provider"])
def test_pushes_without_our_token_are_refused_and_nothing_is_written(mainland, db, token):
    if token == "other-provider":
        token = TENCENT_TOKEN if mainland.name == "aliyun" else ALIYUN_TOKEN
    response = mainland.push([mainland.item("+8613912340006", "STOP")], token=token)
    assert response.status_code == 403
    assert _logged() == [] and _replies() == []
    assert _db.session.scalar(select(func.count()).select_from(SmsOptOut)) == 0


def test_an_unconfigured_token_refuses_every_push(mainland, db, app):
    app.config.update(ALIYUN_SMS_CALLBACK_TOKEN=None, TENCENT_SMS_CALLBACK_TOKEN=None)
    assert mainland.push([mainland.item("+8613912340007", "HELP")], token="").status_code == 403
    assert mainland.push([mainland.item("+8613912340007", "HELP")], token="None").status_code == 403
    assert _logged() == []


@pytest.mark.parametrize("body", [b"not json", b'"a string"', b"[1, 2]", b"", b"\xff\xfe"])
def test_garbage_gets_a_400(mainland, db, body):
    assert mainland.push(body).status_code == 400
    assert _logged() == []


def test_malformed_items_are_skipped_and_the_rest_run(mainland, db):
    good = mainland.item("+8613912340008", "HELP")
    bad = [{**good, "text": None, "content": None}, {}, {**good, "phone_number": "12", "mobile": "12"}]
    assert mainland.push([*bad, good]).status_code == 200
    assert [row.phone for row in _logged()] == ["+8613912340008"]


def test_other_countries_still_go_through_the_default_gateway(mainland, db):
    """A Twilio-side number (here the console) is unaffected by the mainland provider."""
    from app.inbound_sms.replies import help_reply, render
    from app.notify.models import ConsoleSms
    from app.notify.services import enqueue_sms_reply

    enqueue_sms_reply("+14155550100", render(help_reply(), "en"), "en")
    _db.session.commit()
    worker.run_once(senders_from_config(mainland.app.config))
    assert [sms.to for sms in _db.session.scalars(select(ConsoleSms))] == ["+14155550100"]
    assert mainland.fake.requests == []
