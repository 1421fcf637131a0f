"""Whole journeys in Chromium at 360×740: a farmer signs up and posts maize with a photo; a buyer finds
it by typing 玉米 and the results change without a page reload; the same works without JavaScript."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in, make_jpeg, open_menu
from tests.factories import DEFAULT_PASSWORD, make_member, make_posting

pytestmark = pytest.mark.browser

FARMER_PHONE = "13812345678"
FARMER_PASSWORD = "river-terraces-harvest"
MAIZE_TITLE = "优质玉米出售 新粮上市"


def _query(url: str) -> str | None:
    """The market search words in ``url`` (None when there is no q)."""
    return parse_qs(urlsplit(url).query).get("q", [None])[0]


def _sign_up_as_farmer(page, live_server) -> None:
    page.goto(live_server("/"))
    open_menu(page)
    page.get_by_role("link", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/signup$"))
    page.get_by_label("Mobile number").fill(FARMER_PHONE)
    page.get_by_label("Your name or your farm's name").fill("Wang Family Farm")
    page.get_by_label("Password", exact=True).fill(FARMER_PASSWORD)
    page.get_by_label("Repeat the password").fill(FARMER_PASSWORD)
    page.get_by_label("Farmer or co-operative: I sell produce").check()
    page.get_by_label("English", exact=True).check()
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(lambda url: "/signup" not in url)


def _post_maize_with_photo(page, photo) -> None:
    open_menu(page)
    page.get_by_role("link", name="Post", exact=True).click()
    expect(page).to_have_url(re.compile(r"/postings/new"))
    page.get_by_label("Sell (供)").check()
    page.get_by_label("Commodity").select_option(label="Maize")
    page.get_by_label("Title").fill(MAIZE_TITLE)
    page.get_by_label("Description").fill("Dry yellow maize, 14% moisture, no mould.")
    page.get_by_label("Quantity", exact=True).fill("20")
    page.get_by_label("Unit", exact=True).select_option("t")
    page.get_by_label("Price per unit (¥)").fill("2400")
    page.get_by_label("Province").select_option(label="Henan")
    page.get_by_label("County / town").fill("Xihua county")
    page.get_by_label("Either").check()
    page.get_by_label(re.compile(r"^Photos")).set_input_files(str(photo))
    page.get_by_role("button", name="Publish").click()


def test_farmer_posts_maize_and_buyer_finds_it_by_typing_without_reload(open_page, live_server, tmp_path):
    apples = make_posting(commodity="apple", title="Fuji apples, grade 1")

    farmer, farmer_problems = open_page()
    _sign_up_as_farmer(farmer, live_server)
    log_in(farmer, live_server, FARMER_PHONE, FARMER_PASSWORD)
    _post_maize_with_photo(farmer, make_jpeg(tmp_path / "maize.jpg"))

    expect(farmer).to_have_url(re.compile(r"/p/\d+$"))
    expect(farmer.get_by_role("heading", name=MAIZE_TITLE)).to_be_visible()
    photo = farmer.locator("main img[src*='/media/']").first
    expect(photo).to_be_visible()
    assert farmer.evaluate("(img) => img.complete && img.naturalWidth > 0", photo.element_handle())
    assert farmer_problems.all(farmer) == []

    buyer, buyer_problems = open_page()
    buyer.goto(live_server("/market"))
    results = buyer.locator("#results")
    expect(results.get_by_text(apples.title)).to_be_visible()
    buyer.evaluate("window.__noReload = 1")

    buyer.get_by_role("searchbox", name="Search produce").press_sequentially("玉米", delay=80)

    buyer.wait_for_url(lambda url: _query(url) == "玉米")
    expect(results.locator(".posting-card", has_text=MAIZE_TITLE)).to_be_visible()
    expect(results.get_by_text(apples.title)).to_have_count(0)
    assert buyer.evaluate("window.__noReload") == 1, "the page was reloaded"
    assert _query(buyer.url) == "玉米"
    assert buyer_problems.all(buyer) == []

    # The pushed URL is a real address: opened fresh it shows the same search.
    buyer.goto(buyer.url)
    expect(buyer.locator("#results .posting-card", has_text=MAIZE_TITLE)).to_be_visible()
    expect(buyer.get_by_role("searchbox", name="Search produce")).to_have_value("玉米")


def test_back_button_returns_to_the_previous_search(open_page, live_server):
    make_posting(commodity="maize", title=MAIZE_TITLE)
    make_posting(commodity="apple", title="Fuji apples, grade 1")
    buyer, problems = open_page()
    buyer.goto(live_server("/market?q=apples"))
    expect(buyer.locator("#results .posting-card")).to_have_count(1)
    search = buyer.get_by_role("searchbox", name="Search produce")
    search.fill("")
    search.press_sequentially("苞米", delay=80)
    buyer.wait_for_url(lambda url: _query(url) == "苞米")
    expect(buyer.locator("#results .posting-card", has_text=MAIZE_TITLE)).to_be_visible()

    buyer.go_back()
    buyer.wait_for_url(lambda url: _query(url) == "apples")
    expect(buyer.locator("#results .posting-card", has_text="Fuji apples")).to_be_visible()
    assert problems.all(buyer) == []


def test_market_search_and_posting_work_without_javascript(open_page, live_server):
    maize = make_posting(commodity="maize", title=MAIZE_TITLE)
    make_posting(commodity="apple", title="Fuji apples, grade 1")
    buyer, problems = open_page(java_script_enabled=False)

    buyer.goto(live_server("/market"))
    search = buyer.get_by_role("searchbox", name="Search produce")
    search.fill("苞米")
    search.press("Enter")

    buyer.wait_for_url(re.compile(r"/market\?.*q="))
    assert _query(buyer.url) == "苞米"
    card = buyer.locator("#results .posting-card", has_text=MAIZE_TITLE)
    expect(card).to_be_visible()
    expect(buyer.locator("#results").get_by_text("Fuji apples")).to_have_count(0)

    card.get_by_role("link").first.click()
    expect(buyer).to_have_url(re.compile(rf"/p/{maize.id}$"))
    expect(buyer.get_by_role("heading", name=MAIZE_TITLE)).to_be_visible()
    assert problems.server_errors == []


def test_member_logs_in_and_posts_without_javascript(open_page, live_server, tmp_path):
    member = make_member(phone="+8613912345678", display_name="Li Co-op")
    page, problems = open_page(java_script_enabled=False)
    log_in(page, live_server, "13912345678", DEFAULT_PASSWORD)
    _post_maize_with_photo(page, make_jpeg(tmp_path / "maize.jpg"))
    expect(page).to_have_url(re.compile(r"/p/\d+$"))
    expect(page.get_by_role("heading", name=MAIZE_TITLE)).to_be_visible()
    expect(page.get_by_text(member.display_name).first).to_be_visible()
    assert problems.server_errors == []
