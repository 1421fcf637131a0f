"""Issue 25: every tap target on the main pages is at least 44×44 CSS px on a 360 px touch phone, in
English and Chinese, for a visitor and for members; and the menu works without JavaScript.

Every visible a[href], button, input, select, textarea, label and summary is measured with
getBoundingClientRect, after every <details> on the page (the menu, filters, counter-offer forms)
has been opened. What counts as the target, and the only exemptions (WCAG 2.2, 2.5.5 Target Size
(Enhanced)), are in ``TARGETS_JS`` and docs/frontend.md:

- a link whose ``::after`` is stretched over its card (position:absolute) is as large as the card;
- a checkbox, radio or other control is as large as the largest of itself and its labels, since a
  tap on the label works the control;
- *equivalent*: a label whose control is itself large enough (the label is a second way to the
  same control);
- *inline*: a link inside running text (its block has other letters or digits outside the link),
  whose height is the line's;
- elements off screen (the skip link until focused) or 1 px visually-hidden labels are not visible.

Failures are listed as ``page: element "text" W×H``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app.forum.models import ForumCategory
from app.forum.services import create_thread, seed_default_categories
from tests.e2e.helpers import log_in, open_menu
from tests.factories import DEFAULT_PASSWORD, make_negotiation, make_order, make_posting

pytestmark = pytest.mark.browser

MINIMUM = 44

TARGETS_JS = """
(minimum) => {
  for (const details of document.querySelectorAll('details')) details.open = true;
  const letters = /[\\p{L}\\p{N}]/u;
  const visible = (el, r) => {
    const style = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && style.visibility !== 'hidden' && r.right > 0 && r.bottom > 0
      && r.left < document.documentElement.scrollWidth;
  };
  const big = (r) => r.width >= minimum - 0.5 && r.height >= minimum - 0.5;
  const blockOf = (el) => {
    let node = el.parentElement;
    while (node && getComputedStyle(node).display.startsWith('inline')) node = node.parentElement;
    return node;
  };
  const inRunningText = (el) => {
    if (!getComputedStyle(el).display.startsWith('inline') || getComputedStyle(el).display === 'inline-block') return false;
    const block = blockOf(el);
    if (!block) return false;
    const rest = block.textContent.replace(el.textContent, '');
    return letters.test(rest);
  };
  const stretched = (el) => {
    const after = getComputedStyle(el, '::after');
    if (after.content === 'none' || after.position !== 'absolute') return null;
    const holder = getComputedStyle(el).position === 'static' ? el.offsetParent : el;
    return holder ? holder.getBoundingClientRect() : null;
  };
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    if (el.getAttribute('type')) name += '[type=' + el.getAttribute('type') + ']';
    if (el.getAttribute('name')) name += '[name=' + el.getAttribute('name') + ']';
    if (el.classList.length) name += '.' + [...el.classList].join('.');
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ');
    return name + ' "' + text.slice(0, 40) + '"';
  };
  const failures = [];
  let measured = 0;
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, label, summary';
  for (const el of document.querySelectorAll(selector)) {
    const own = el.getBoundingClientRect();
    if (!visible(el, own)) continue;
    measured += 1;
    if (big(own)) continue;
    if (el.matches('a') && (inRunningText(el) || (stretched(el) && big(stretched(el))))) continue;
    if (el.matches('input, select, textarea') && [...(el.labels || [])].some((label) => big(label.getBoundingClientRect()))) continue;
    if (el.matches('label') && el.control && big(el.control.getBoundingClientRect())) continue;
    failures.push(describe(el) + ' ' + Math.round(own.width) + '×' + Math.round(own.height));
  }
  return {measured, failures};
}
"""


@pytest.fixture
def site(seller, buyer, sell_offer, buy_request):
    """Pages with everything on them: postings (one with a lot code), a negotiation, an order, a
    storefront, a forum thread."""
    make_posting(owner=seller, commodity="maize", title="优质玉米出售 新粮上市 水分14% 颗粒饱满", price=Decimal("1.20"))
    negotiation = make_negotiation(sell_offer, buyer, quantity="20", unit_price="3.20")
    order = make_order(posting=sell_offer, buyer=buyer, quantity="10", status="confirmed")
    seed_default_categories()
    from app.extensions import db

    category = db.session.query(ForumCategory).order_by(ForumCategory.id).first()
    thread = create_thread(seller, category, "今年玉米行情怎么样？", "各位老乡，今年玉米收购价大家那边多少？")
    db.session.commit()
    return {
        "posting": f"/p/{sell_offer.id}",
        "buy request": f"/p/{buy_request.id}",
        "storefront": "/s/wang-farm",
        "negotiation": f"/negotiations/{negotiation.id}",
        "order": f"/orders/{order.id}",
        "thread": f"/forum/t/{thread.id}",
        "contract": f"/orders/{order.id}/contract",
        "parts": f"/p/{buy_request.id}/parts",
    }


PUBLIC_PAGES = ["/", "/market", "posting", "buy request", "storefront", "/login", "/signup", "/forum", "thread"]
PUBLIC_PAGES += ["/help", "/prices", "/knowledge", "parts"]
BUYER_PAGES = ["/", "posting", "/postings/new", "negotiation", "order", "/dashboard", "/orders", "/negotiations"]
BUYER_PAGES += ["/basket", "/account/following", "contract", "/knowledge/ask"]
SELLER_PAGES = ["negotiation", "order", "/account/postings", "thread", "contract"]


def _tap_target_failures(page, live_server, site, paths) -> tuple[int, list[str]]:
    measured, failures = 0, []
    for path in paths:
        url = site.get(path, path)
        response = page.goto(live_server(url))
        assert response.status == 200, url
        result = page.evaluate(TARGETS_JS, MINIMUM)
        assert result["measured"] > 5, f"{url}: nothing measured"
        measured += result["measured"]
        failures += [f"{url}: {failure}" for failure in result["failures"]]
    return measured, failures


@pytest.mark.parametrize(("locale", "lang"), [("en-US", "en"), ("zh-CN", "zh-Hans")], ids=["english", "chinese"])
def test_every_tap_target_is_at_least_44px_on_a_phone(open_page, live_server, site, seller, buyer, locale, lang):
    failures, measured = [], 0
    for member, paths in ((None, PUBLIC_PAGES), (buyer, BUYER_PAGES), (seller, SELLER_PAGES)):
        page, problems = open_page(locale=locale, has_touch=True, is_mobile=True)
        if member is not None:
            log_in_any_language(page, live_server, member.phone)
        page.goto(live_server("/"))
        assert page.locator("html").get_attribute("lang") == lang
        count, found = _tap_target_failures(page, live_server, site, paths)
        measured += count
        failures += [f"{'visitor' if member is None else member.display_name} {failure}" for failure in found]
        assert problems.all(page) == []
    assert measured > 300
    assert failures == [], "tap targets under 44×44 px:\n" + "\n".join(failures)


def log_in_any_language(page, live_server, phone: str) -> None:
    page.goto(live_server("/login"))
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.parametrize("java_script_enabled", [False, True], ids=["without-js", "with-js"])
def test_the_menu_opens_and_logs_out_without_javascript(open_page, live_server, buyer, java_script_enabled):
    page, problems = open_page(java_script_enabled=java_script_enabled, has_touch=True, is_mobile=True)
    log_in(page, live_server, buyer.phone, DEFAULT_PASSWORD)
    page.goto(live_server("/"))
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Orders")).to_be_hidden()
    open_menu(page)
    expect(menu.get_by_role("link", name="Orders")).to_be_visible()
    # Log out is the last thing in the menu, away from Account.
    account = menu.get_by_role("link", name="Account").bounding_box()
    log_out = menu.get_by_role("button", name="Log out").bounding_box()
    assert log_out["y"] >= account["y"] + account["height"] + 16
    menu.get_by_role("link", name="Orders").tap()
    page.wait_for_url("**/orders")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders")).to_be_hidden()
    open_menu(page)
    page.get_by_role("button", name="Log out").tap()
    expect(page.get_by_role("status")).to_contain_text("You are logged out")
    open_menu(page)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")).to_be_visible()
    assert problems.all(page) == []


def test_a_tap_anywhere_on_a_card_opens_the_posting(open_page, live_server, seller, sell_offer):
    page, problems = open_page(java_script_enabled=False, has_touch=True, is_mobile=True)
    page.goto(live_server("/market"))
    card = page.locator("article.posting-card").filter(has_text="Fragrant rice, new crop")
    box = card.bounding_box()
    # The price line at the bottom of the card, nowhere near the title link.
    page.touchscreen.tap(box["x"] + box["width"] - 10, box["y"] + box["height"] - 8)
    page.wait_for_url(f"**/p/{sell_offer.id}")
    assert problems.all(page) == []
