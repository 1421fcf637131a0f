"""A farmer without a smartphone sells through an info-station, in Chromium at 360×740 plus real
HTTP to the live server's SMS webhook.

The station operator posts maize for the farmer in the browser (/station/postings/new); the post
stays a draft and the farmer gets an SMS asking for "YES <number>". A webhook call with a wrong
Twilio signature is refused and publishes nothing; the farmer's reply, signed as Twilio signs it
(over PUBLIC_BASE_URL + /sms/inbound), publishes the posting. A buyer then finds it on /market by
typing, buys it now, and the farmer is told by SMS. Every page fits the phone screen and nothing
breaks the Content-Security-Policy."""

from __future__ import annotations

import re
from html import unescape

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from app.extensions import db
from app.postings.models import Posting
from app.trade.models import Order
from config import TestingConfig
from tests.e2e.helpers import log_in, open_menu
from tests.e2e.journey_steps import Words, find_on_market, fits, flash, fresh_session, latest_sms
from tests.factories import DEFAULT_PASSWORD, make_member, make_posting

pytestmark = pytest.mark.browser

FARMER_PHONE, FARMER_E164 = "13912345678", "+8613912345678"
TITLE = "Station maize for Old Liu"
# Twilio signs the URL it was configured with, i.e. the public address, not the test server's port.
INBOUND_URL = TestingConfig.PUBLIC_BASE_URL + "/sms/inbound"


def _text_in(page, live_server, body: str, sid: str, *, token: str = TestingConfig.TWILIO_AUTH_TOKEN):
    """POST an inbound SMS from the farmer to the live server as Twilio does; returns the response."""
    params = {"From": FARMER_E164, "To": "+15005550006", "Body": body, "MessageSid": sid}
    signature = RequestValidator(token).compute_signature(INBOUND_URL, params)
    return page.request.post(live_server("/sms/inbound"), form=params, headers={"X-Twilio-Signature": signature})


def _reply(response) -> str:
    assert response.status == 200, response.text()
    assert response.headers["content-type"].startswith("text/xml")
    found = re.search(r"<Message>(.*)</Message>", response.text(), re.S)
    return unescape(found.group(1)) if found else ""


def _post_for_the_farmer(page, words: Words) -> int:
    open_menu(page)
    page.get_by_role("link", name=words("Post for a farmer"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/station/postings/new$"))
    fits(page)
    page.get_by_label(words("Farmer's mobile number"), exact=True).fill(FARMER_PHONE)
    page.get_by_label(words("Farmer's name (optional)"), exact=True).fill("Old Liu")
    page.get_by_label(words("Sell (供)"), exact=True).check()
    page.get_by_label(words("Commodity"), exact=True).select_option(label=words.commodity("maize"))
    page.get_by_label(words("Title"), exact=True).fill(TITLE)
    page.get_by_label(words("Quantity"), exact=True).fill("5")
    page.get_by_label(words("Unit"), exact=True).select_option("t")
    page.get_by_label(words("Price per unit (¥)"), exact=True).fill("2100")
    page.get_by_label(words("Province"), exact=True).select_option(label=words.province("41"))
    page.get_by_label(words("Buyer collects"), exact=True).check()
    page.get_by_role("button", name=words("Save and ask the farmer to confirm by SMS")).click()
    expect(page).to_have_url(re.compile(r"/p/\d+$"))
    fits(page)
    return int(page.url.rsplit("/", 1)[1])


def test_station_posts_farmer_confirms_by_signed_sms_and_a_buyer_buys(app, open_page, live_server):
    words = Words(app, "en")
    decoy = make_posting(commodity="apple", title="Fuji apples, grade 1")
    station = make_member(display_name="Liuzhuang Station", is_station_operator=True)
    buyer = make_member(display_name="Buyer Sun")

    station_page, station_problems = open_page()
    log_in(station_page, live_server, station.phone, DEFAULT_PASSWORD)
    number = _post_for_the_farmer(station_page, words)
    flash(
        station_page,
        words(
            "Saved as a draft. %(farmer)s gets an SMS and publishes it by replying YES %(number)s.",
            farmer="Old Liu",
            number=number,
        ),
    )
    waiting = words("Waiting for %(farmer)s to confirm by SMS (reply YES %(number)s).", farmer="Old Liu", number=number)
    expect(station_page.get_by_text(waiting)).to_be_visible()
    sms = latest_sms(FARMER_E164, "station_posting_confirm")
    assert f"YES {number}" in sms.body and "Liuzhuang Station" in sms.body

    # Not on the market while it is a draft.
    market_page, market_problems = open_page()
    market_page.goto(live_server("/market?q=maize"))
    expect(market_page.locator("#results")).to_be_visible()
    expect(market_page.locator(f"#results a[href='/p/{number}']")).to_have_count(0)
    fits(market_page)

    # A forged webhook (wrong token) is refused and publishes nothing.
    forged = _text_in(station_page, live_server, f"YES {number}", "SM" + "0" * 31 + "1", token="not-the-token")
    assert forged.status == 403
    fresh_session()
    assert db.session.get(Posting, number).status == "draft"

    reply = _reply(_text_in(station_page, live_server, f"YES {number}", "SM" + "0" * 31 + "2"))
    assert str(number) in reply
    fresh_session()
    assert db.session.get(Posting, number).status == "active"

    # The station sees the posting live.
    station_page.reload()
    expect(station_page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(station_page.get_by_text(waiting)).to_have_count(0)
    fits(station_page)

    # A buyer finds it by typing on the market and buys it now.
    buyer_page, buyer_problems = open_page()
    log_in(buyer_page, live_server, buyer.phone, DEFAULT_PASSWORD)
    find_on_market(buyer_page, words, "maize", number, decoy.title)
    expect(buyer_page.get_by_role("heading", name=TITLE)).to_be_visible()
    buy_form = buyer_page.locator("form.buy-now")
    buy_form.get_by_label(words("Quantity"), exact=True).fill("2")
    buy_form.get_by_role("button", name=words("Buy now"), exact=True).click()
    expect(buyer_page).to_have_url(re.compile(r"/orders/\d+$"))
    flash(buyer_page, words.pattern("Order %(number)s was placed. The seller will confirm it.", number=""))
    expect(buyer_page.locator("table.goods strong")).to_contain_text("4,200.00")
    expect(buyer_page.get_by_text("Old Liu").first).to_be_visible()
    fits(buyer_page)

    fresh_session()
    order = db.session.scalar(select(Order))
    assert (order.seller.phone, order.buyer_id, str(order.quantity)) == (FARMER_E164, buyer.id, "2.000")
    # The farmer has no smartphone: the order reaches them by SMS, now that YES proved the number.
    assert str(order.number) in latest_sms(FARMER_E164, "order_placed").body
    assert station_problems.all(station_page) == []
    assert buyer_problems.all(buyer_page) == []
    assert market_problems.all(market_page) == []
