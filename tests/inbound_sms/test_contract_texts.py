"""Issue 24 point 4: a party accepts the purchase contract of their order by SMS — 合同 J3 /
同意合同 J3 / CONTRACT J3 — end to end through the Twilio-signed webhook, from their verified phone,
in the language of their text; the acceptance is the same record the website's button writes
(member, time, SHA-256 of the exact text, channel "sms"), once; strangers learn nothing."""

from __future__ import annotations

import hashlib

import pytest

from app.contracts.models import ContractAcceptance, ContractVersion
from app.inbound_sms.models import InboundSms
from tests.factories import make_member, make_order


@pytest.fixture
def order(db, sell_offer, buyer):
    return make_order(sell_offer, buyer, quantity="10")


def _link(order) -> str:
    return f"http://jishi.test/orders/{order.id}/contract"


def test_a_party_accepts_the_contract_by_sms_and_the_page_shows_it(text_in, db, client, login, buyer, seller, order):
    reply = text_in(buyer.phone, f"合同 {order.number}")
    version = db.session.query(ContractVersion).one()
    assert (
        reply == f"集市：您已确认订单{order.number}的购销合同第1版（SHA-256 {version.sha256_zh[:8]}…）。 {_link(order)}"
    )
    acceptance = db.session.query(ContractAcceptance).one()
    assert (acceptance.member_id, acceptance.role, acceptance.channel) == (buyer.id, "buyer", "sms")
    assert acceptance.language == "zh" and acceptance.text_sha256 == version.sha256_zh
    assert hashlib.sha256(version.text_zh.encode()).hexdigest() == version.sha256_zh
    assert db.session.query(InboundSms).filter_by(command="contract").count() == 1

    reply = text_in(seller.phone, f"CONTRACT {order.number}")
    assert reply.startswith(f"Jishi: you accepted the contract of order {order.number}, version 1 (SHA-256 ")
    assert db.session.query(ContractVersion).count() == 1
    seller_row = db.session.query(ContractAcceptance).filter_by(member_id=seller.id).one()
    assert seller_row.language == "en" and seller_row.text_sha256 == version.sha256_en

    login(buyer)
    page = client.get(f"/orders/{order.id}/contract").get_data(as_text=True)
    assert "Both parties accepted this version." in page and "(by SMS)" in page


def test_a_repeated_text_is_answered_without_a_second_acceptance(text_in, db, buyer, order):
    text_in(buyer.phone, f"同意合同 {order.number}")
    reply = text_in(buyer.phone, f"同意合同 {order.number}")
    assert reply == f"集市：您已确认过订单{order.number}的购销合同第1版。 {_link(order)}"
    assert db.session.query(ContractAcceptance).count() == 1


def test_a_stranger_s_text_is_answered_like_a_missing_order(text_in, db, order):
    stranger = make_member(display_name="Nosy Zhao")
    reply = text_in(stranger.phone, f"CONTRACT {order.number}")
    assert reply == f"You have no order {order.number}. Reply ORDERS to list yours."
    assert db.session.query(ContractAcceptance).count() == 0


def test_an_unverified_phone_cannot_accept_a_contract(text_in, db, order, buyer):
    buyer.phone_verified_at = None
    db.session.commit()
    reply = text_in(buyer.phone, f"合同 {order.number}")
    assert reply == f"集市：请先在网站上验证本手机号，再以短信确认订单{order.number}的购销合同。"
    assert db.session.query(ContractAcceptance).count() == 0


def test_a_cancelled_order_s_contract_is_refused_by_sms(text_in, db, sell_offer, buyer):
    cancelled = make_order(sell_offer, buyer, quantity="5", status="cancelled")
    reply = text_in(buyer.phone, f"CONTRACT {cancelled.number}")
    assert reply == "Not done: This order was cancelled, so its contract cannot be accepted."
    assert db.session.query(ContractVersion).count() == 0


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("合同", "哪个订单？回复“订单”查看。 如：合同 J0000003"),
        ("CONTRACT 3", "Order numbers start with J. e.g. CONTRACT J0000003"),
    ],
)
def test_a_contract_text_without_its_order_number_gets_usage(text_in, db, buyer, body, expected):
    assert text_in(buyer.phone, body) == expected
    assert db.session.query(ContractAcceptance).count() == 0
