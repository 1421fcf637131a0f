"""The off-platform warning knows the seller's registered payee account (issue 25): an account
number in chat that differs from it gets a specific warning; the registered number itself only a
soft note; the payee block on the order page is not chat and raises nothing."""

from __future__ import annotations

import pytest

from app.admin.safety import account_numbers
from app.extensions import db
from app.members.payees import PayeeData, save_payee
from tests.trade.helpers import place_order_by_buy_now, start_thread, step

REGISTERED = "6228480012345678901"
GENERIC = "Stay safe: a phone number or payment account was shared"
DIFFERS = "differs from the seller's registered payee account"
SOFT = "is the seller's registered payee account"


def register_payee(member) -> None:
    save_payee(member, PayeeData("王建国", "中国农业银行", REGISTERED))
    db.session.commit()


def thread_page(client, login, member, negotiation) -> str:
    login(member)
    return client.get(f"/negotiations/{negotiation.id}").get_data(as_text=True)


def test_an_account_in_chat_that_differs_from_the_registered_payee_is_warned_about(
    client, login, buyer, seller, sell_offer
):
    register_payee(seller)
    negotiation = start_thread(client, login, sell_offer, buyer, message="Can you do 3.20?")
    login(seller)
    client.post(f"/negotiations/{negotiation.id}/messages", data={"body": "OK. Collect Monday."})
    # A later message: the generic warning looks at the first words only, this one at every message.
    client.post(f"/negotiations/{negotiation.id}/messages", data={"body": "转账到 6222 0212 3456 7890 便宜点"})
    for member in (buyer, seller):
        page = thread_page(client, login, member, negotiation)
        assert DIFFERS in page and GENERIC not in page


def test_the_registered_account_in_chat_gets_only_a_soft_note(client, login, buyer, seller, sell_offer):
    register_payee(seller)
    negotiation = start_thread(
        client,
        login,
        sell_offer,
        buyer,
        message="OK for 3.20, I'll transfer to your bank account 6228 4800 1234 5678 901",
    )
    page = thread_page(client, login, buyer, negotiation)
    assert GENERIC not in page and DIFFERS not in page
    assert SOFT in page


def test_the_registered_account_beside_a_phone_number_still_warns(client, login, buyer, seller, sell_offer):
    register_payee(seller)
    negotiation = start_thread(
        client, login, sell_offer, buyer, message="账号6228480012345678901，或者打我电话13812345678"
    )
    assert GENERIC in thread_page(client, login, buyer, negotiation)


def test_without_a_registered_payee_any_account_in_chat_is_a_different_one(client, login, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer, message="Can you do 3.20?")
    login(seller)
    client.post(f"/negotiations/{negotiation.id}/messages", data={"body": "Pay to 6228480012345678901"})
    assert DIFFERS in thread_page(client, login, buyer, negotiation)


def test_the_payee_block_on_the_order_is_not_chat(client, login, buyer, seller, sell_offer):
    """The buyer sees the registered account on the confirmed order, and the thread stays quiet."""
    register_payee(seller)
    negotiation = start_thread(client, login, sell_offer, buyer, message="Can you do 3.20?")
    order = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="5")
    step(client, login, order, seller, "confirm")
    login(buyer)
    order_page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert REGISTERED in order_page
    assert GENERIC not in order_page and DIFFERS not in order_page
    page = thread_page(client, login, buyer, negotiation)
    assert GENERIC not in page and DIFFERS not in page and SOFT not in page


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("6228 4800 1234 5678 901", {REGISTERED}),
        ("卡号：６２２８４８００１２３４５６７８９０１", {REGISTERED}),
        ("call 13812345678 or +86 138 1234 5678", set()),
        ("order 2400 yuan, 20 t", set()),
        ("landline 0394-5551234", set()),
        ("", set()),
    ],
)
def test_account_numbers_are_told_from_phone_numbers_and_prices(text, numbers):
    assert account_numbers(text) == numbers
