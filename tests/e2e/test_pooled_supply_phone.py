"""Pooled supply on a 360 px phone (issue 24 point 2): the station's pooled-part form, the parts page
with the farmers' shares, and the buyer accepting a part (with htmx, and as plain forms) — nothing
scrolls sideways and no console error or CSP violation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app.pooling import services as pooling
from tests.e2e.helpers import horizontal_overflow, log_in
from tests.factories import DEFAULT_PASSWORD, make_member, make_posting

pytestmark = pytest.mark.browser


def _fits(page, problems, **options):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert horizontal_overflow(page) <= 0
    assert problems.all(page, **options) == []


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_a_station_pools_lots_and_the_buyer_accepts_on_a_phone(open_page, live_server, db, javascript):
    buyer = make_member(display_name="Green Valley Foods 绿谷食品有限公司采购部")
    station = make_member(display_name="桥头镇信息站 Qiaotou information station", is_station_operator=True)
    request = make_posting(
        owner=buyer,
        commodity="maize",
        kind="buy",
        title="饲料厂收购玉米30吨 可多户拼单 每份至少5吨 Wanted: 30 t maize for our feed mill",
        quantity=Decimal("30"),
        unit_code="t",
        price=None,
    )
    pooling.open_pool(request, buyer, Decimal("5"))
    db.session.commit()

    page, problems = open_page(java_script_enabled=javascript)
    log_in(page, live_server, station.phone, DEFAULT_PASSWORD)
    page.goto(live_server(f"/station/p/{request.id}/parts"))
    expect(page.get_by_role("button", name="Send pooled part")).to_be_visible()
    _fits(page, problems)
    phones = page.get_by_label("Farmer's mobile number")
    quantities = page.locator("input[name$='-quantity']")
    for index, (phone, tonnes) in enumerate((("13912340011", "12"), ("13912340012", "10"), ("13912340013", "8"))):
        phones.nth(index).fill(phone)
        quantities.nth(index).fill(tonnes)
    page.get_by_label("Price per unit (¥)").fill("2380")
    page.get_by_role("button", name="Send pooled part").click()
    expect(page.get_by_text("Your pooled part was sent to the buyer.")).to_be_visible()
    expect(page.get_by_text("Farmers' shares")).to_be_visible()
    _fits(page, problems)

    buyer_page, buyer_problems = open_page(java_script_enabled=javascript)
    log_in(buyer_page, live_server, buyer.phone, DEFAULT_PASSWORD)
    buyer_page.goto(live_server(f"/p/{request.id}/parts"))
    expect(buyer_page.get_by_text("pooled by an information station for 3 farmers")).to_be_visible()
    _fits(buyer_page, buyer_problems)
    buyer_page.get_by_role("button", name="Accept part").click()
    expect(buyer_page.get_by_text("Filled 30 of 30")).to_be_visible()
    expect(buyer_page.get_by_text("Part accepted. Order")).to_be_visible()
    _fits(buyer_page, buyer_problems)
