"""Issue 5's journey: a farmer with a feature phone texts SELL, confirms with YES, and a buyer sees the
posting on /market; the buyer's offer is answered by SMS; an info-station posting is confirmed by the
farmer's YES. HTTP through the test client, plus the buyer's view in Chromium at 360 px."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.members.models import Storefront
from app.notify.models import Notification
from app.postings.models import Posting
from app.trade.models import Order
from tests.factories import make_member
from tests.inbound_sms.conftest import text_in  # noqa: F401  (fixture)
from tests.postings._helpers import form_data
from tests.trade.helpers import start_thread


@pytest.fixture
def farmer(db):
    member = make_member(display_name="Farmer Gao", locale="zh_Hans")
    db.session.add(Storefront(member=member, slug="gao", name="Gao Farm", province_code="41"))
    db.session.commit()
    return member


def _market(client, query: str) -> str:
    return client.get("/market", query_string={"q": query}).get_data(as_text=True)


def _draft_number(reply: str) -> int:
    return int(re.search(r"(?:YES|确认) (\d+)", reply).group(1))


def test_farmer_sells_by_sms_and_a_buyer_finds_and_buys_it(client, login, text_in, db, farmer):
    reply = text_in(farmer.phone, "卖 玉米 ５吨 1.05元/斤 货好 干燥")
    number = _draft_number(reply)
    assert f'href="/p/{number}"' not in _market(client, "玉米")  # a draft is not on the market

    text_in(farmer.phone, f"确认 {number}")
    posting = db.session.get(Posting, number)
    assert (posting.status, posting.price, posting.unit_code) == ("active", Decimal("2100.00"), "t")
    buyer = make_member(display_name="Buyer Sun")
    login(buyer)
    market = _market(client, "玉米")
    assert f'href="/p/{number}"' in market
    assert f'href="/p/{number}"' in _market(client, "maize")

    negotiation = start_thread(client, login, posting, buyer, quantity="2", unit_price="2000", delivery="collect")
    offers = text_in(farmer.phone, "报价")
    code = re.search(r"([2-9A-Z]{4}) 玉米", offers).group(1)
    text_in(farmer.phone, f"接受 {code}")
    order = db.session.scalar(select(Order).where(Order.negotiation_id == negotiation.id))
    assert order is not None and order.buyer_id == buyer.id and order.quantity == Decimal("2")
    # The buyer is told through the outbox, as for a web acceptance.
    assert (
        db.session.scalar(
            select(Notification).where(Notification.member_id == buyer.id, Notification.event == "offer_accepted")
        )
        is not None
    )


def test_station_posts_and_the_farmer_publishes_by_sms(client, login, text_in, db):
    station = login(make_member(display_name="Liuzhuang Station", is_station_operator=True))
    client.post(
        "/station/postings/new",
        data=form_data(farmer_phone="13912345678", farmer_name="Old Liu", title="Station maize for Old Liu"),
    )
    posting = db.session.scalars(select(Posting)).one()
    sms = db.session.scalar(select(Notification).where(Notification.event == "station_posting_confirm"))
    assert f"YES {posting.id}" in sms.body
    client.post("/logout")
    assert "Station maize for Old Liu" not in _market(client, "maize")

    text_in("+8613912345678", f"YES {posting.id}")
    assert "Station maize for Old Liu" in _market(client, "maize")
    login(station)
    page = client.get(f"/p/{posting.id}").get_data(as_text=True)
    assert "Waiting for" not in page and 'value="pause"' in page  # the station sees it is live


@pytest.mark.browser
def test_buyer_sees_the_sms_posting_on_the_market_in_a_phone_browser(open_page, live_server, text_in, db, farmer):
    number = _draft_number(text_in(farmer.phone, "SELL maize 5t 2100 fresh crop"))
    text_in(farmer.phone, f"YES {number}")
    buyer, problems = open_page()
    buyer.goto(live_server("/market?q=maize"))
    card = buyer.locator(f"#results a[href='/p/{number}']").first
    expect(card).to_be_visible()
    card.click()
    expect(buyer).to_have_url(re.compile(rf"/p/{number}$"))
    expect(buyer.get_by_text("fresh crop")).to_be_visible()
    assert problems.all(buyer) == []
