"""RoutingGateway: +86 numbers through the mainland provider (here Alibaba Cloud through its real
client against the local fake), every other number through the default gateway; a batch is split
by route, batched per provider, and answered in the input's order."""

from __future__ import annotations

import pytest

from sms.aliyun import AliyunSmsGateway
from sms.gateways import ConsoleGateway, SendResult, TemplateSms
from sms.routing import RoutingGateway, is_mainland
from tests.fake_sms_providers import FakeAliyunSms


@pytest.fixture
def routed():
    with FakeAliyunSms("key-id", "key-secret", templates={"SMS_1": ["price"]}, signs={"集市"}) as aliyun:
        mainland = AliyunSmsGateway(
            "key-id", "key-secret", endpoint=f"127.0.0.1:{aliyun.port}", protocol="http", sign_name="集市"
        )
        console = ConsoleGateway()
        yield RoutingGateway(console, mainland), aliyun, console


def message(to: str, price: str = "2.10") -> TemplateSms:
    return TemplateSms(to, "price_alert", {"price": price}, f"Maize {price}", "SMS_1", "集市")


@pytest.mark.parametrize(
    ("phone", "mainland"),
    [
        ("+8613912340001", True),
        ("+85291234567", False),
        ("+85366123456", False),
        ("+886912345678", False),
        ("+14155550100", False),
        ("+447700900123", False),
    ],
)
def test_only_mainland_numbers_are_mainland(phone, mainland):
    assert is_mainland(phone) is mainland


def test_a_mixed_batch_is_split_by_route_and_answered_in_order(routed):
    gateway, aliyun, console = routed
    to = ["+8613900000001", "+14155550100", "+8613900000002", "+85291234567", "+8613900000003"]
    results = gateway.send_template_batch([message(number) for number in to])
    assert all(isinstance(result, SendResult) for result in results)
    [request] = aliyun.requests  # the three mainland numbers in one SendSms
    assert request["numbers"] == ["13900000001", "13900000002", "13900000003"]
    assert [sent.to for sent in console.store] == ["+14155550100", "+85291234567"]
    assert [sent.body for sent in console.store] == ["Maize 2.10", "Maize 2.10"]  # free text: the rendered text
    assert results[1].provider_id == console.store[0].provider_id
    assert results[0].provider_id.endswith(":13900000001") and results[4].provider_id.endswith(":13900000003")


def test_single_messages_take_their_route(routed):
    gateway, aliyun, console = routed
    gateway.send_template(message("+8613912340001"))
    gateway.send("+14155550100", "Hello")
    assert len(aliyun.requests) == 1 and [sent.to for sent in console.store] == ["+14155550100"]


def test_one_gateway_for_both_routes_sends_each_message_once():
    console = ConsoleGateway()
    results = RoutingGateway(console, console).send_template_batch([message("+8613900000001"), message("+1415555")])
    assert len(results) == 2 and len(console.store) == 2
