"""Safety signals for buyers: badge, member since, completed orders and rating on postings and
storefronts, and the gentle warning to both parties when a negotiation opens with a phone number,
an account or a payment app."""

from __future__ import annotations

import pytest

from app.admin.safety import mentions_off_platform
from tests.factories import make_member
from tests.trade.helpers import place_order_by_buy_now, start_thread, walk

WARNING = "Stay safe: a phone number or payment account was shared"


def test_posting_and_storefront_show_the_sellers_track_record(client, login, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    walk(
        client,
        login,
        order,
        (seller, "confirm"),
        (seller, "pay"),
        (seller, "ship"),
        (buyer, "deliver"),
        (buyer, "complete"),
    )
    login(buyer)
    client.post(f"/orders/{order.id}/review", data={"rating": "4", "comment": "Good rice."})
    shopper = login(make_member(display_name="Shopper"))
    for path in (f"/p/{sell_offer.id}", "/s/wang-farm"):
        page = client.get(path).get_data(as_text=True)
        assert "Trusted member" in page
        assert "Member since" in page
        assert "1 completed order" in page
        assert "4.0 of 5 (1 review)" in page
        assert "Report a problem" in page
    assert shopper.id != seller.id


def test_a_worker_reuses_the_counts_for_a_minute_at_most(app, client, login, buyer, seller, sell_offer):
    app.config["SAFETY_RECORD_CACHE_SECONDS"] = 60
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    login(make_member(display_name="Shopper"))
    assert "0 completed orders" in client.get(f"/p/{sell_offer.id}").get_data(as_text=True)
    walk(
        client,
        login,
        order,
        (seller, "confirm"),
        (seller, "pay"),
        (seller, "ship"),
        (buyer, "deliver"),
        (buyer, "complete"),
    )
    login(make_member(display_name="Shopper two"))
    # Within the minute this worker still shows what it read…
    assert "0 completed orders" in client.get(f"/p/{sell_offer.id}").get_data(as_text=True)
    counts = app.extensions["safety_counts"]
    now = counts.clock()
    counts.clock = lambda: now + 61
    # …and after it, the order.
    assert "1 completed order" in client.get(f"/p/{sell_offer.id}").get_data(as_text=True)


def test_an_unverified_newcomer_shows_as_such(client, login):
    newcomer = make_member(display_name="New Farm")
    from tests.factories import make_posting

    posting = make_posting(owner=newcomer, title="Fresh eggs")
    page = client.get(f"/p/{posting.id}").get_data(as_text=True)
    assert "Not verified yet" in page and "0 completed orders" in page and "No reviews yet." in page
    # Visitors are not offered the report link (it needs an account).
    assert "Report a problem" not in page


@pytest.mark.parametrize(
    "text",
    [
        "Call me on 13812345678 and we can agree",
        "加我微信 wang_farm 细谈",
        "Pay to my card 6222 0212 3456 7890",
        "支付宝转账更便宜",
        "my phone +86 138 1234 5678",
        "ＶＸ：ａｂｃ１２３",
    ],
)
def test_phone_numbers_accounts_and_payment_apps_are_spotted(text):
    assert mentions_off_platform(text)


@pytest.mark.parametrize(
    "text",
    [
        "Can you do 3.20 per kg?",
        "I need 12500.00 worth, delivered by Friday",
        "玉米 5吨 2100元/吨，周五送到",
        "",
    ],
)
def test_ordinary_trade_talk_is_not_flagged(text):
    assert not mentions_off_platform(text)


def test_both_parties_see_the_warning_when_the_first_offer_carries_a_phone_number(
    client, login, buyer, seller, sell_offer, admin
):
    negotiation = start_thread(client, login, sell_offer, buyer, message="Cheaper if you call 13812345678")
    for member in (buyer, seller, admin):
        login(member)
        page = client.get(f"/negotiations/{negotiation.id}").get_data(as_text=True)
        assert WARNING in page, member.display_name
    login(buyer)
    assert f'href="/members/{seller.id}/report"' in client.get(f"/negotiations/{negotiation.id}").get_data(as_text=True)


def test_the_first_message_counts_too_but_an_ordinary_thread_has_no_warning(client, login, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer, message="Can you do 3.20?")
    login(seller)
    assert WARNING not in client.get(f"/negotiations/{negotiation.id}").get_data(as_text=True)
    client.post(f"/negotiations/{negotiation.id}/messages", data={"body": "加我微信详谈"})
    login(buyer)
    assert WARNING in client.get(f"/negotiations/{negotiation.id}").get_data(as_text=True)


def test_a_later_message_does_not_raise_the_warning(client, login, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer, message="Can you do 3.20?")
    login(seller)
    client.post(f"/negotiations/{negotiation.id}/messages", data={"body": "Yes, collect on Monday."})
    login(buyer)
    client.post(f"/negotiations/{negotiation.id}/messages", data={"body": "Great, my number is 13812345678"})
    assert WARNING not in client.get(f"/negotiations/{negotiation.id}").get_data(as_text=True)
