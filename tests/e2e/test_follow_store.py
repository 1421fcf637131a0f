"""Following a store at 360×740 in Chromium: with htmx the button swaps in place; without JavaScript
the plain form posts and comes back (303); the "Stores I follow" page fits the phone and unfollows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.members.storefronts import ensure_storefront
from tests.e2e.helpers import horizontal_overflow, log_in
from tests.factories import DEFAULT_PASSWORD, make_member

pytestmark = pytest.mark.browser


@pytest.fixture
def shop():
    seller = make_member(display_name="刘家庄果粮合作社 Liujiazhuang Co-operative")
    storefront = ensure_storefront(seller)
    storefront.name = "刘家庄果粮合作社 Liujiazhuang Co-operative"
    db.session.commit()
    return storefront


@pytest.mark.parametrize("java_script_enabled", [True, False], ids=["htmx", "no-js"])
def test_a_buyer_follows_and_unfollows_a_store_on_a_phone(open_page, live_server, shop, java_script_enabled):
    buyer = make_member(phone="+8613712345679", display_name="Green Valley Foods")
    page, problems = open_page(java_script_enabled=java_script_enabled)
    log_in(page, live_server, buyer.phone, DEFAULT_PASSWORD)
    page.goto(live_server(f"/s/{shop.slug}"))
    page.get_by_role("button", name=f"Follow {shop.name}").click()
    expect(page.get_by_role("button", name=f"Following · Unfollow {shop.name}")).to_be_visible()
    expect(page.locator(".follow-store")).to_contain_text("1 follower")
    assert horizontal_overflow(page) <= 0, "the storefront scrolls sideways at 360 px"

    page.goto(live_server("/account/following"))
    expect(page.get_by_role("link", name=shop.name)).to_be_visible()
    assert horizontal_overflow(page) <= 0, "the following page scrolls sideways at 360 px"
    page.get_by_role("button", name=f"Following · Unfollow {shop.name}").click()
    if java_script_enabled:  # the row stays, with a Follow button to undo
        expect(page.get_by_role("button", name=f"Follow {shop.name}")).to_be_visible()
    else:  # the page comes back without the store
        expect(page.get_by_text(f"You no longer follow {shop.name}.")).to_be_visible()
        expect(page.get_by_role("link", name=shop.name)).to_have_count(0)
    assert problems.all(page) == []
