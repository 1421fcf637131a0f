"""The trade journey in Chromium at 360×740: a buyer makes an offer, the seller counters (the buyer's
thread shows it without a reload), the buyer accepts, the seller confirms, the order goes through
to completed, both review each other and the seller's storefront shows the rating. Every trade page
fits the phone screen and nothing is blocked by the Content-Security-Policy.

Lives in tests/e2e (not tests/trade) so that it uses the live_server/open_page fixtures there."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app.core.clock import utcnow
from app.extensions import db
from app.members.models import Storefront
from app.postings.services import local_today
from tests.e2e.helpers import horizontal_overflow, log_in, open_menu
from tests.factories import DEFAULT_PASSWORD, make_member, make_posting

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    assert horizontal_overflow(page) == 0, f"{page.url} scrolls sideways at 360 px"


def _step(page, button: str, status_word: str) -> None:
    page.get_by_role("button", name=button).click()
    expect(page.locator(".flash")).to_contain_text(f"now {status_word}")


def _review(page, order_url: str, stars: int, comment: str) -> None:
    page.goto(order_url)
    page.get_by_role("link", name="Review this trade").click()
    page.get_by_label("★" * stars, exact=True).check()
    page.get_by_label("Comment").fill(comment)
    page.get_by_role("button", name="Save review").click()
    expect(page.locator(".flash")).to_contain_text("Your review was saved.")


def test_offer_counter_accept_deliver_complete_and_review(app, open_page, live_server):
    app.config["NEGOTIATION_POLL_SECONDS"] = 1
    seller = make_member(display_name="Farmer Wang", verified_at=utcnow())
    db.session.add(Storefront(member=seller, slug="wang-farm", name="Wang Family Farm", province_code="43"))
    db.session.commit()
    buyer = make_member(display_name="Buyer Li")
    posting = make_posting(
        owner=seller,
        commodity="rice",
        title="Fragrant rice, new crop",
        quantity=Decimal("100"),
        unit_code="kg",
        price=Decimal("3.50"),
        province_code="43",
        lot_code="WR-1",
        harvest_date=local_today() - timedelta(days=9),
    )

    buyer_page, buyer_problems = open_page()
    log_in(buyer_page, live_server, buyer.phone, DEFAULT_PASSWORD)
    buyer_page.goto(live_server(f"/p/{posting.id}"))
    buyer_page.get_by_role("link", name="Make an offer").click()
    buyer_page.get_by_label("Quantity").fill("20")
    buyer_page.get_by_label("Price per unit (¥)").fill("3.00")
    buyer_page.get_by_label("Buyer collects").check()
    buyer_page.get_by_label("Message (optional)").fill("Can you do 3.00 for 20 kg?")
    buyer_page.get_by_role("button", name="Send offer").click()
    expect(buyer_page).to_have_url(re.compile(r"/negotiations/\d+$"))
    expect(buyer_page.get_by_text("Waiting for the other party to answer your offer.")).to_be_visible()
    _fits(buyer_page)
    buyer_page.evaluate("window.__noReload = 1")

    seller_page, seller_problems = open_page()
    log_in(seller_page, live_server, seller.phone, DEFAULT_PASSWORD)
    open_menu(seller_page)
    seller_page.get_by_role("link", name="Negotiations").click()
    seller_page.get_by_role("link", name="Fragrant rice, new crop").click()
    expect(seller_page.get_by_text("Can you do 3.00 for 20 kg?")).to_be_visible()
    seller_page.get_by_text("Make a counter-offer").click()
    counter = seller_page.locator("details.counter")
    counter.get_by_label("Price per unit (¥)").fill("3.30")
    counter.get_by_label("Message (optional)").fill("3.30 and it is yours")
    counter.get_by_role("button", name="Send counter-offer").click()
    expect(seller_page.get_by_text("Waiting for the other party to answer your offer.")).to_be_visible()
    _fits(seller_page)

    # The buyer's open thread picks the counter-offer up by polling, without a reload.
    accept = buyer_page.get_by_role("button", name=re.compile(r"Accept and place order"))
    expect(accept).to_contain_text("¥66.00", timeout=15_000)
    expect(buyer_page.get_by_text("3.30 and it is yours")).to_be_visible()
    assert buyer_page.evaluate("window.__noReload") == 1, "the thread was reloaded instead of updated in place"
    accept.click()
    expect(buyer_page).to_have_url(re.compile(r"/orders/\d+$"))
    expect(buyer_page.locator(".flash")).to_contain_text("Offer accepted.")
    order_url = buyer_page.url
    _fits(buyer_page)

    seller_page.goto(order_url)
    _step(seller_page, "Confirm order", "confirmed")
    _step(seller_page, "Record payment received", "paid")
    _step(seller_page, "Mark as shipped", "shipped")
    seller_page.get_by_role("link", name="Delivery note and invoice").click()
    expect(seller_page.locator("svg.qr")).to_be_visible()
    _fits(seller_page)

    buyer_page.goto(order_url)
    _step(buyer_page, "Mark as delivered", "delivered")
    _step(buyer_page, "Complete order", "completed")
    timeline = buyer_page.locator("ol.timeline li")
    expect(timeline).to_have_count(6)

    _review(buyer_page, order_url, 5, "Clean, dry rice. Friendly seller.")
    _review(seller_page, order_url, 4, "Paid on time.")

    buyer_page.goto(live_server("/s/wang-farm"))
    expect(buyer_page.get_by_text("5.0 out of 5 from 1 review")).to_be_visible()
    expect(buyer_page.get_by_text("Clean, dry rice. Friendly seller.")).to_be_visible()
    _fits(buyer_page)

    assert buyer_problems.all(buyer_page) == []
    assert seller_problems.all(seller_page) == []


def test_the_thread_works_without_javascript(app, open_page, live_server):
    seller = make_member(display_name="Farmer Wang")
    buyer = make_member(display_name="Buyer Li")
    posting = make_posting(
        owner=seller, commodity="rice", title="Plain rice", quantity=Decimal("50"), unit_code="kg", price=None
    )

    buyer_page, _problems = open_page(java_script_enabled=False)
    log_in(buyer_page, live_server, buyer.phone, DEFAULT_PASSWORD)
    buyer_page.goto(live_server(f"/p/{posting.id}"))
    buyer_page.get_by_role("link", name="Make an offer").click()
    buyer_page.get_by_label("Quantity").fill("10")
    buyer_page.get_by_label("Price per unit (¥)").fill("2.80")
    buyer_page.get_by_label("Seller delivers").check()
    buyer_page.get_by_role("button", name="Send offer").click()
    expect(buyer_page).to_have_url(re.compile(r"/negotiations/\d+$"))
    buyer_page.locator(".thread-forms").get_by_label("Message").fill("Collecting on Monday.")
    buyer_page.get_by_role("button", name="Send message").click()
    expect(buyer_page.get_by_text("Collecting on Monday.")).to_be_visible()

    seller_page, _problems = open_page(java_script_enabled=False)
    log_in(seller_page, live_server, seller.phone, DEFAULT_PASSWORD)
    seller_page.goto(buyer_page.url.split("#")[0])
    seller_page.get_by_text("Make a counter-offer").click()
    counter = seller_page.locator("details.counter")
    counter.get_by_label("Price per unit (¥)").fill("3.00")
    counter.get_by_role("button", name="Send counter-offer").click()
    expect(seller_page.locator(".flash")).to_contain_text("Your counter-offer was sent.")

    buyer_page.reload()
    buyer_page.get_by_role("button", name=re.compile(r"Accept and place order")).click()
    expect(buyer_page).to_have_url(re.compile(r"/orders/\d+$"))
    expect(buyer_page.get_by_text("¥30.00").first).to_be_visible()
    _fits(buyer_page)
