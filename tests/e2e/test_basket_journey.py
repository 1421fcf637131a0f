"""The basket in a phone browser at 360 px: without JavaScript (plain forms) a buyer adds two lots of
one seller and one of another, changes a quantity and places two orders; with JavaScript the
add-to-basket form answers in place (htmx)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in
from tests.factories import DEFAULT_PASSWORD, make_member, make_posting

pytestmark = pytest.mark.browser


@pytest.fixture
def lots():
    wang = make_member(display_name="Wang Family Farm")
    liu = make_member(display_name="Liu Orchard")
    rice = make_posting(
        owner=wang,
        commodity="rice",
        title="Fragrant rice",
        unit_code="kg",
        quantity=Decimal("100"),
        price=Decimal("3.50"),
    )
    millet = make_posting(
        owner=wang,
        commodity="millet",
        title="Yellow millet",
        unit_code="kg",
        quantity=Decimal("40"),
        price=Decimal("6.00"),
    )
    apples = make_posting(
        owner=liu,
        commodity="apple",
        title="Yantai apples",
        unit_code="kg",
        quantity=Decimal("50"),
        price=Decimal("8.00"),
    )
    return rice, millet, apples


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_a_basket_of_two_sellers_without_javascript_at_360px(open_page, live_server, lots):
    buyer = make_member(phone="+8613712340001", display_name="Canteen Li")
    page, problems = open_page(java_script_enabled=False)
    log_in(page, live_server, buyer.phone, DEFAULT_PASSWORD)
    for posting, quantity in zip(lots, ("10", "4", "3"), strict=True):
        page.goto(live_server(f"/p/{posting.id}"))
        _fits(page)
        page.get_by_label("Quantity for the basket").fill(quantity)
        page.get_by_role("button", name="Add to basket").click()
        expect(page.get_by_role("heading", name="Basket", level=1)).to_be_visible()
    _fits(page)
    millet_form = page.locator("li.basket-item", has_text="Yellow millet")
    millet_form.get_by_label("Quantity").fill("5")
    millet_form.get_by_role("button", name="Change quantity").click()
    expect(page.get_by_text("Quantity changed.")).to_be_visible()
    expect(page.get_by_text("Total: ¥65.00")).to_be_visible()  # 10 × 3.50 + 5 × 6.00
    page.get_by_role("button", name="Place 2 orders").click()
    expect(page.get_by_text("2 orders were placed, one per seller.")).to_be_visible()
    expect(page.get_by_text("and 1 more lots")).to_be_visible()
    _fits(page)
    assert problems.all(page) == []


def test_add_to_basket_answers_in_place_with_javascript(open_page, live_server, lots):
    buyer = make_member(phone="+8613712340002", display_name="Canteen Zhao")
    page, problems = open_page()
    log_in(page, live_server, buyer.phone, DEFAULT_PASSWORD)
    page.goto(live_server(f"/p/{lots[0].id}"))
    page.get_by_label("Quantity for the basket").fill("2")
    page.get_by_role("button", name="Add to basket").click()
    expect(page.get_by_text("Fragrant rice is in your basket.")).to_be_visible()
    assert "/p/" in page.url  # still on the posting page
    _fits(page)
    assert problems.all(page) == []
