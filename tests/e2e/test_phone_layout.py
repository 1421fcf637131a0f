"""At 360 px wide nothing scrolls sideways, and pages load without console errors or CSP violations."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app.catalogue.services import find_commodity
from tests.e2e.helpers import horizontal_overflow, log_in
from tests.factories import DEFAULT_PASSWORD, make_member, make_posting

pytestmark = pytest.mark.browser

LONG_DESCRIPTION = (
    "Dry yellow maize from the 2026 harvest, machine dried to 14% moisture, cleaned and stored in a "
    "ventilated barn. 今年新收的黄玉米，颗粒饱满，无霉变，可提供检测报告。量大可议价，欢迎实地看货。"
)


@pytest.fixture
def market_data():
    seller = make_member(display_name="刘家庄果粮合作社 Liujiazhuang Co-operative", is_seller=True)
    posting = make_posting(
        owner=seller,
        commodity="maize",
        title="优质玉米出售 新粮上市 水分14% 颗粒饱满 量大从优 产地直供",
        description=LONG_DESCRIPTION,
        locality="周口市 西华县 红花集镇",
    )
    make_posting(owner=seller, commodity="egg", kind="buy", title="Wanted: free-range eggs every week", price=None)
    make_posting(owner=seller, commodity="pig", title="生猪出栏 土猪", unit_code="head", unit_weight_kg=Decimal("115"))
    return posting


PAGES = {
    "home": lambda posting: "/",
    "market": lambda posting: "/market",
    "market search": lambda posting: "/market?q=玉米&kind=sell&sort=price",
    "posting": lambda posting: f"/p/{posting.id}",
    "sign-up": lambda posting: "/signup",
    "login": lambda posting: "/login",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_a_360px_phone_without_errors(open_page, live_server, market_data, name):
    page, problems = open_page()
    page.goto(live_server(PAGES[name](market_data)))
    expect(page.locator("main")).to_be_visible()
    assert page.viewport_size["width"] == 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{name} scrolls sideways"
    assert horizontal_overflow(page) <= 0
    assert problems.all(page) == []


def test_new_posting_form_fits_a_360px_phone_without_errors(open_page, live_server):
    member = make_member(phone="+8613712345678", display_name="Wang Family Farm")
    page, problems = open_page()
    log_in(page, live_server, member.phone, DEFAULT_PASSWORD)
    page.goto(live_server("/postings/new"))
    expect(page.get_by_role("button", name="Publish")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert problems.all(page) == []


def test_form_errors_still_fit_a_360px_phone(open_page, live_server):
    page, problems = open_page()
    page.goto(live_server("/signup"))
    # Passes the browser's own checks (so the server answers) but is not a mobile number.
    page.get_by_label("Mobile number").fill("12345")
    page.get_by_label("Your name or your farm's name").fill("Wang Family Farm")
    page.get_by_label("Password", exact=True).fill("river-terraces-harvest")
    page.get_by_label("Repeat the password").fill("river-terraces-harvest")
    page.get_by_label("Buyer or business: I buy produce").check()
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".error").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert problems.all(page, expected_statuses=(422,)) == []


def test_chinese_pages_fit_a_360px_phone(open_page, live_server, market_data):
    page, problems = open_page(locale="zh-CN")
    for path in ("/", "/market?q=苞米", f"/p/{market_data.id}", "/signup"):
        page.goto(live_server(path))
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    assert problems.all(page) == []


def test_catalogue_admin_pages_fit_a_360px_phone(open_page, live_server):
    admin = make_member(phone="+8613612345678", display_name="Admin Wang", is_admin=True)
    maize_id = find_commodity("maize").id
    page, problems = open_page()
    log_in(page, live_server, admin.phone, DEFAULT_PASSWORD)
    for path in ("/admin/commodities", f"/admin/commodities/{maize_id}"):
        page.goto(live_server(path))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    assert problems.all(page) == []


def test_admin_adds_an_alias_in_the_browser(open_page, live_server):
    admin = make_member(phone="+8613612345679", display_name="Admin Wang", is_admin=True)
    maize_id = find_commodity("maize").id
    page, problems = open_page()
    log_in(page, live_server, admin.phone, DEFAULT_PASSWORD)
    page.goto(live_server(f"/admin/commodities/{maize_id}"))
    page.get_by_label("New alias").fill("六谷")
    page.get_by_label("Language").select_option("zh")
    page.get_by_role("button", name="Add alias").click()
    expect(page.get_by_text("Alias “六谷” added.")).to_be_visible()
    page.get_by_role("button", name="Remove alias 六谷").click()
    expect(page.get_by_text("Alias “六谷” removed.")).to_be_visible()
    assert problems.all(page) == []
