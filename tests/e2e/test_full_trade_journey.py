"""The whole trade in Chromium at 360×740, from sign-up to review, in English and in Chinese.

A farmer signs up, verifies the number with the code from the SMS, names the storefront sellers
get at sign-up and posts a fixed-price sell offer; a buyer signs up (skipping the verification), finds the offer on /market by
search and buys it now; the seller confirms; the buyer pays by bank transfer and types the transfer
reference; the seller records the payment, arranges a carrier shipment and moves it to delivered;
the buyer accepts the delivery and completes the order; both review each other and the storefront
shows the rating. Every page visited fits the phone screen, nothing breaks the Content-Security-
Policy, and the browser reports no error.

In Chinese the farmer switches the language with the footer switch and the buyer's browser asks for
zh-CN; every label clicked is the real translation (see journey_steps.Words)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.payments.models import Payment
from app.trade.models import Order
from tests.e2e.helpers import open_menu
from tests.e2e.journey_steps import (
    Words,
    find_on_market,
    fits,
    flash,
    fresh_session,
    log_in_after_sign_up,
    order_step,
    post_sell_offer,
    review,
    set_up_storefront,
    shipment_step,
    sign_up,
    switch_language,
    verify_phone_from_sms,
)
from tests.factories import make_posting

pytestmark = pytest.mark.browser

FARMER_PHONE, FARMER_E164 = "13812340001", "+8613812340001"
BUYER_PHONE = "13912340002"
PASSWORD = "river-terraces-harvest"
TRANSFER_REFERENCE = "ICBC-20261126-0042"

# What each side types: names and titles a Chinese or an English user would write.
TEXT = {
    "en": {
        "farm": "Wang Family Farm",
        "farmer": "Wang Jun",
        "buyer": "Li Trading Co.",
        "title": "Dry yellow maize, new crop",
        "query": "maize",
        "seller_review": "Dry, clean maize, as described.",
        "buyer_review": "Paid quickly. Thank you.",
    },
    "zh_Hans": {
        "farm": "王家农场",
        "farmer": "王军",
        "buyer": "李记粮行",
        "title": "新季黄玉米 干燥无霉",
        "query": "玉米",
        "seller_review": "玉米干燥干净，和描述一样。",
        "buyer_review": "付款很快，谢谢。",
    },
}


@pytest.mark.parametrize("locale", [pytest.param("en", id="english"), pytest.param("zh_Hans", id="chinese")])
def test_trade_from_sign_up_to_review(app, open_page, live_server, locale):
    words, text = Words(app, locale), TEXT[locale]
    decoy = make_posting(commodity="apple", title="Fuji apples, grade 1 · 一级富士苹果")

    # The farmer: sign up, verify the number, open a storefront, post a sell offer.
    farmer, farmer_problems = open_page(locale="en-US")
    farmer.goto(live_server("/"))
    fits(farmer)
    if words.chinese:
        switch_language(farmer, words)
        open_menu(farmer)
        expect(farmer.get_by_role("navigation").get_by_role("link", name="市场", exact=True)).to_be_visible()
        fits(farmer)
    sign_up(
        farmer,
        words,
        phone=FARMER_PHONE,
        name=text["farmer"],
        password=PASSWORD,
        kind="Farmer or co-operative: I sell produce",
    )
    log_in_after_sign_up(farmer, words, PASSWORD)
    verify_phone_from_sms(farmer, words, FARMER_E164)
    set_up_storefront(farmer, words, name=text["farm"], slug="wang-farm", province="41")
    posting_id = post_sell_offer(
        farmer,
        words,
        commodity="maize",
        title=text["title"],
        quantity="20",
        unit="t",
        price="2400",
        province="41",
        delivery="Seller delivers",
    )

    # The buyer: the browser asks for Chinese in the Chinese journey; the SMS code is skipped.
    buyer, buyer_problems = open_page(locale="zh-CN" if words.chinese else "en-US")
    buyer.goto(live_server("/"))
    expect(buyer.locator("html")).to_have_attribute("lang", "zh-Hans" if words.chinese else "en")
    fits(buyer)
    sign_up(
        buyer, words, phone=BUYER_PHONE, name=text["buyer"], password=PASSWORD, kind="Buyer or business: I buy produce"
    )
    log_in_after_sign_up(buyer, words, PASSWORD)
    expect(buyer).to_have_url(re.compile(r"/account/phone$"))
    buyer.get_by_role("link", name=words("Skip for now")).click()
    fits(buyer)

    find_on_market(buyer, words, text["query"], posting_id, decoy.title)
    expect(buyer.get_by_role("heading", name=text["title"])).to_be_visible()
    buy_form = buyer.locator("form.buy-now")
    buy_form.get_by_label(words("Quantity"), exact=True).fill("2")
    if words.chinese:
        expect(buy_form.get_by_role("button", name="立即购买")).to_be_visible()
    buy_form.get_by_role("button", name=words("Buy now"), exact=True).click()
    expect(buyer).to_have_url(re.compile(r"/orders/\d+$"))
    flash(buyer, words.pattern("Order %(number)s was placed. The seller will confirm it.", number=""))
    expect(buyer.locator("table.goods strong")).to_contain_text("4,800.00")
    order_url = buyer.url
    fits(buyer)

    # The seller confirms; the buyer pays by bank transfer and says so; the seller records it.
    farmer.goto(order_url)
    fits(farmer)
    order_step(farmer, words, "Confirm order", "confirmed")

    buyer.reload()
    payment = buyer.locator("#payment")
    payment.get_by_label(words("Bank transfer"), exact=True).check()
    payment.get_by_label(words("Transfer reference"), exact=True).fill(TRANSFER_REFERENCE)
    payment.get_by_role("button", name=words("I have paid")).click()
    flash(buyer, words("Thank you. The seller will confirm when the money has arrived."))
    expect(buyer.locator("#payment")).to_contain_text(words("reported by the buyer, not yet confirmed"))
    fits(buyer)

    farmer.reload()
    expect(farmer.locator("#payment")).to_contain_text(words("Buyer's reference: %(ref)s", ref=TRANSFER_REFERENCE))
    order_step(farmer, words, "Record payment received", "paid")

    # The seller arranges a carrier shipment and moves it along until the goods are delivered.
    farmer.get_by_role("link", name=words("Arrange shipment")).click()
    expect(farmer).to_have_url(re.compile(r"/shipment/new$"))
    fits(farmer)
    farmer.get_by_label(words("Carrier with a tracking number"), exact=True).check()
    farmer.get_by_label(words("Carrier code (e.g. sf-express)"), exact=True).fill("sf-express")
    farmer.get_by_label(words("Tracking number"), exact=True).fill("SF1234567890")
    farmer.get_by_label(words("Delivery place"), exact=True).fill("郑州粮食批发市场 12号")
    farmer.get_by_role("button", name=words("Save shipment")).click()
    flash(farmer, words("The shipment was arranged."))
    fits(farmer)
    shipment_step(farmer, words, "Picked up")
    shipment_step(farmer, words, "In transit")
    expect(farmer.locator("h1 .status-tag")).to_have_text(words("shipped"))
    shipment_step(farmer, words, "Delivered")
    expect(farmer.locator("h1 .status-tag")).to_have_text(words("delivered"))

    # The buyer accepts everything and completes the order.
    buyer.goto(order_url)
    expect(buyer.locator("#tracking")).to_contain_text("SF1234567890")
    fits(buyer)
    buyer.get_by_role("link", name=words("Accept the delivery")).click()
    fits(buyer)
    buyer.get_by_label(words("Everything as ordered"), exact=True).check()
    buyer.get_by_role("button", name=words("Record acceptance")).click()
    flash(buyer, words("Thank you. The delivery acceptance was recorded."))
    expect(buyer.locator("#tracking")).to_contain_text(words("everything as ordered"))
    fits(buyer)
    order_step(buyer, words, "Complete order", "completed")

    # Both review each other; the storefront shows the seller's rating.
    review(buyer, words, order_url, 5, text["seller_review"])
    review(farmer, words, order_url, 4, text["buyer_review"])
    buyer.goto(order_url)
    buyer.get_by_role("link", name=text["farm"]).click()
    expect(buyer).to_have_url(re.compile(r"/s/wang-farm$"))
    expect(buyer.get_by_text(words("%(average)s out of 5 from 1 review", average="5.0"))).to_be_visible()
    expect(buyer.get_by_text(text["seller_review"])).to_be_visible()
    fits(buyer)

    fresh_session()
    order = db.session.scalar(select(Order))
    assert (order.status, str(order.total)) == ("completed", "4800.00")
    assert db.session.scalar(select(Payment)).buyer_reference == TRANSFER_REFERENCE
    assert words.untranslated == [], "shown in English in the Chinese journey"
    assert farmer_problems.all(farmer) == []
    assert buyer_problems.all(buyer) == []
