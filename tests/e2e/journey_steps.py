"""Steps of the long browser journeys (tests/e2e/test_full_trade_journey.py and
test_station_sms_journey.py), written once for both languages.

Every step reads and clicks what a person sees: labels, buttons and links are looked up through
``Words``, which translates the English msgid with the app's own compiled catalogue, so the Chinese
journey clicks the real Chinese UI and fails on a string that is shown untranslated. Each step
checks that the page it ends on fits the 360 px screen."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import select

from app.catalogue.models import Commodity, Region
from app.extensions import db
from app.notify.models import Notification
from sms import templates as sms_templates
from tests.e2e.helpers import horizontal_overflow, open_menu


@dataclass
class Words:
    """The UI text of one locale ("en" or "zh_Hans"), taken from the app's message catalogue."""

    app: object
    locale: str
    untranslated: list[str] = field(default_factory=list)

    @property
    def chinese(self) -> bool:
        return self.locale.startswith("zh")

    def __call__(self, msgid: str, **values) -> str:
        with self.app.test_request_context(), force_locale(self.locale):
            text = gettext(msgid, **values)
        if self.chinese and text == (msgid % values if values else msgid):
            # The page would show English here: the journey is then not a Chinese journey.
            self.untranslated.append(msgid)
        return text

    def pattern(self, msgid: str, **placeholders) -> re.Pattern:
        """The translation of ``msgid`` as a regular expression, each placeholder matching any text."""
        marker = "\x00"
        text = self(msgid, **{name: marker for name in placeholders})
        return re.compile(".+?".join(re.escape(part) for part in text.split(marker)))

    def commodity(self, slug: str) -> str:
        return db.session.scalar(select(Commodity).where(Commodity.slug == slug)).name(self.locale)

    def province(self, code: str) -> str:
        return db.session.get(Region, code).name(self.locale)


def fits(page) -> None:
    """The page does not scroll sideways at 360 px and broke no Content-Security-Policy rule."""
    page.wait_for_load_state()
    assert horizontal_overflow(page) == 0, f"{page.url} scrolls sideways at 360 px"
    assert page.evaluate("window.__cspViolations || []") == [], f"{page.url} broke the Content-Security-Policy"


def flash(page, text: str | re.Pattern) -> None:
    """One of the page's flash messages says ``text``."""
    expect(page.locator(".flash").filter(has_text=text).first).to_be_visible()


def fresh_session() -> None:
    """End the test thread's transaction so that it sees what the live server committed since (SQLite
    keeps one snapshot for a whole read transaction; on PostgreSQL this is merely harmless)."""
    db.session.rollback()


def latest_sms(address: str, event: str) -> Notification:
    """The newest outbox SMS of ``event`` written for the E.164 ``address`` (by the live server)."""
    fresh_session()
    row = db.session.scalar(
        select(Notification)
        .where(Notification.channel == "sms", Notification.address == address, Notification.event == event)
        .order_by(Notification.id.desc())
        .limit(1)
    )
    assert row is not None, f"no {event} SMS to {address} in the outbox"
    return row


def switch_language(page, words: Words) -> None:
    """Use the language switch in the footer of the current page."""
    button = page.locator("footer .lang-switch").get_by_role("button", name="中文" if words.chinese else "English")
    button.click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans" if words.chinese else "en")


def sign_up(page, words: Words, *, phone: str, name: str, password: str, kind: str) -> None:
    """Sign up from the home page through the nav link; ``kind`` is the msgid of the kind check box."""
    open_menu(page)
    page.get_by_role("link", name=words("Sign up"), exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/signup$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(words("Create your Jishi account"))
    fits(page)
    page.get_by_label(words("Mobile number"), exact=True).fill(phone)
    page.get_by_label(words("Your name or your farm's name"), exact=True).fill(name)
    page.get_by_label(words("Password"), exact=True).fill(password)
    page.get_by_label(words("Repeat the password"), exact=True).fill(password)
    page.get_by_label(words(kind), exact=True).check()
    # The language the visitor is browsing in is already chosen for the account.
    expect(page.get_by_label("中文（简体）" if words.chinese else "English", exact=True)).to_be_checked()
    page.get_by_role("button", name=words("Sign up"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/login\?phone="))
    flash(page, words("If this number was not registered yet, your account is ready: log in."))
    fits(page)


def log_in_after_sign_up(page, words: Words, password: str) -> None:
    """The login form has the number filled in; the password is typed and the site moves on."""
    expect(page.get_by_label(words("Mobile number"), exact=True)).not_to_have_value("")
    page.get_by_label(words("Password"), exact=True).fill(password)
    page.get_by_role("button", name=words("Log in"), exact=True).click()
    page.wait_for_url(lambda url: "/login" not in url)


def verify_phone_from_sms(page, words: Words, e164: str) -> None:
    """After the first login the site asks for the SMS code; it is read from the outbox."""
    expect(page).to_have_url(re.compile(r"/account/phone$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(words("Verify your mobile number"))
    fits(page)
    sms = latest_sms(e164, "phone_code")
    # The SMS is in the language the member chose at sign-up: the registry's text of that language.
    text = sms_templates.get("phone_code").text["zh" if words.chinese else "en"]
    assert re.fullmatch(re.escape(text).replace(r"\{code\}", r"\d{6}").replace(r"\{minutes\}", r"\d+"), sms.body)
    code = re.search(r"\b(\d{6})\b", sms.body).group(1)
    page.get_by_label(words("Code from the SMS"), exact=True).fill(code)
    page.get_by_role("button", name=words("Verify"), exact=True).click()
    flash(page, words("Your mobile number is verified. Jishi can now send you SMS."))
    fits(page)


def set_up_storefront(page, words: Words, *, name: str, slug: str, province: str) -> None:
    """From the account page: name the storefront a seller gets at sign-up, give it an address and a
    province, and land on it."""
    open_menu(page)
    page.get_by_role("link", name=words("Account"), exact=True).click()
    page.get_by_role("link", name=words("Edit your storefront")).click()
    expect(page).to_have_url(re.compile(r"/account/storefront$"))
    fits(page)
    page.get_by_label(words("Storefront name"), exact=True).fill(name)
    page.get_by_label(words("Web address"), exact=True).fill(slug)
    page.get_by_label(words("Province"), exact=True).select_option(label=words.province(province))
    page.get_by_role("button", name=words("Save storefront")).click()
    expect(page).to_have_url(re.compile(rf"/s/{slug}$"))
    flash(page, words("Your storefront was saved."))
    expect(page.locator(".storefront-reviews")).to_contain_text(words("No reviews yet."))
    fits(page)


def post_sell_offer(
    page,
    words: Words,
    *,
    commodity: str,
    title: str,
    quantity: str,
    unit: str,
    price: str,
    province: str,
    delivery: str,
) -> int:
    """Post a fixed-price sell offer through the posting form; returns the new posting's number."""
    open_menu(page)
    page.get_by_role("link", name=words("Post"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/postings/new$"))
    fits(page)
    page.get_by_label(words("Sell (供)"), exact=True).check()
    page.get_by_label(words("Commodity"), exact=True).select_option(label=words.commodity(commodity))
    page.get_by_label(words("Title"), exact=True).fill(title)
    page.get_by_label(words("Description"), exact=True).fill("14% moisture · 水分14%")
    page.get_by_label(words("Quantity"), exact=True).fill(quantity)
    page.get_by_label(words("Unit"), exact=True).select_option(unit)
    page.get_by_label(words("Price per unit (¥)"), exact=True).fill(price)
    page.get_by_label(words("Province"), exact=True).select_option(label=words.province(province))
    page.get_by_label(words(delivery), exact=True).check()
    page.get_by_role("button", name=words("Publish"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/p/\d+$"))
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    fits(page)
    return int(page.url.rsplit("/", 1)[1])


def find_on_market(page, words: Words, query: str, posting_id: int, decoy_title: str) -> None:
    """Search the market from the nav link by typing (the results follow without a reload) and open
    the posting from the results; ``decoy_title`` is a posting the search must leave out."""
    open_menu(page)
    page.get_by_role("link", name=words("Market"), exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/market"))
    expect(page.locator("#results")).to_contain_text(decoy_title)
    fits(page)
    search = page.get_by_role("searchbox", name=words("Search produce"))
    search.press_sequentially(query, delay=60)
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("q") == [query])
    # Wait for htmx to finish, so that opening the posting does not abort a search in flight.
    expect(page.locator("#market-search.htmx-request")).to_have_count(0)
    expect(page.locator("#results")).not_to_contain_text(decoy_title)
    card = page.locator(f"#results a[href='/p/{posting_id}']").first
    expect(card).to_be_visible()
    fits(page)
    card.click()
    expect(page).to_have_url(re.compile(rf"/p/{posting_id}$"))
    fits(page)


def order_step(page, words: Words, action_label: str, status: str) -> None:
    """Press one of the order's "Next step" buttons and see the new status announced."""
    page.get_by_role("button", name=words(action_label), exact=True).click()
    flash(page, words("The order is now %(status)s.", status=words(status)))
    fits(page)


def shipment_step(page, words: Words, status_label: str) -> None:
    page.locator("#tracking").get_by_role("button", name=words(status_label), exact=True).click()
    flash(page, words("The shipment was updated."))
    expect(page.locator("#tracking .status-tag")).to_have_text(words(status_label))
    fits(page)


def review(page, words: Words, order_url: str, stars: int, comment: str) -> None:
    page.goto(order_url)
    page.get_by_role("link", name=words("Review this trade")).click()
    fits(page)
    page.get_by_label("★" * stars, exact=True).check()
    page.get_by_label(words("Comment"), exact=True).fill(comment)
    page.get_by_role("button", name=words("Save review")).click()
    flash(page, words("Thank you. Your review was saved."))
    fits(page)
