"""Page weight on a rural link (issue 25): bytes on the wire and DOMContentLoaded of the main pages,
cold and warm, in Debian's Chromium at a 360×740 phone viewport on emulated slow 3G.

    .venv/bin/python bench/page_weight.py [--locale zh|en] [--latency 400] [--kbps 50] [--json out.json]

Builds a throw-away SQLite database in a temporary folder (migrations, the catalogue, the demo data of
`flask seed`, plus one negotiation, one order and one forum thread between the demo buyer and the demo
co-op), serves Jishi from it on 127.0.0.1 in a thread, logs the demo buyer in without throttling and
then, for every page, with Chrome DevTools' Network.emulateNetworkConditions (--latency ms round trip,
--kbps KB/s down and up):

- **cold**: a new browser context (empty HTTP cache; the buyer's cookies for the member pages) loads
  the page: bytes are the sum of every response's encodedDataLength (headers and body as they came
  over the wire, so compressed bodies count compressed), requests counts the requests that went to the network (not
  those served from the memory or disk cache);
- **warm**: the same context opens the page again as a link would (not a reload): a static file
  still fresh in the cache costs no request; one that must be revalidated costs a round trip (a 304).

DOMContentLoaded is performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd. The
target of issue 25: every cold page ≤ 40 KB on the wire and no static revalidation when warm. Exit
status 1 when a target is missed. Nothing here leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import DevelopmentConfig, bench_env  # noqa: E402

CHROMIUM = bench_env("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
COLD_TARGET_BYTES = 40 * 1024


@dataclass
class Load:
    page: str
    url: str
    cold_bytes: int
    cold_requests: int
    cold_dcl_ms: int
    warm_bytes: int
    warm_requests: int
    warm_static_requests: int
    warm_dcl_ms: int


def build_site(folder: Path):
    """A migrated, seeded app and the ids of the pages to measure."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    app = create_app(
        DevelopmentConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'weight.db'}",
        UPLOAD_DIR=str(folder / "uploads"),
        RATELIMIT_ENABLED=False,
        PASSWORD_HASH_METHOD="scrypt:1024:8:1",
        LOG_LEVEL="WARNING",
    )
    for noisy in ("alembic", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    with app.app_context():
        upgrade()
        ids = _seed(db)
    return app, ids


def _seed(db) -> dict[str, object]:
    from sqlalchemy import select

    from app.catalogue.services import load_catalogue
    from app.core.errors import DomainError
    from app.demo import BUYER_PHONE, FARMER_PHONE, load_demo_data
    from app.forum.models import ForumCategory
    from app.forum.services import create_thread, seed_default_categories
    from app.market.rollup import rollup_day
    from app.members.models import Member
    from app.postings.models import Posting
    from app.trade.errors import TradeInvalid
    from app.trade.negotiations import OfferTerms, start_negotiation
    from app.trade.orders import buy_now

    load_catalogue()
    seed_default_categories()
    load_demo_data()
    rollup_day()
    db.session.commit()
    farmer = db.session.scalar(select(Member).where(Member.phone == FARMER_PHONE))
    buyer = db.session.scalar(select(Member).where(Member.phone == BUYER_PHONE))
    postings = db.session.scalars(
        select(Posting).where(Posting.owner_id == farmer.id, Posting.kind == "sell").order_by(Posting.id)
    ).all()
    first = postings[0]
    negotiation = start_negotiation(
        first,
        buyer,
        OfferTerms(quantity=_quantity(first), unit_price=first.price or Decimal("3"), delivery=_delivery(first)),
    )
    db.session.commit()
    order = None
    for posting in postings:
        try:
            order = buy_now(posting, buyer, _quantity(posting), _delivery(posting))
            db.session.commit()
            break
        except (DomainError, TradeInvalid):
            db.session.rollback()
    category = db.session.scalars(select(ForumCategory).order_by(ForumCategory.id)).first()
    thread = create_thread(farmer, category, "今年玉米行情怎么样？", "各位老乡，今年玉米收购价大家那边多少？")
    db.session.commit()
    return {
        "posting": postings[0].id,
        "storefront": farmer.storefront.slug,
        "negotiation": negotiation.id,
        "order": order.id if order else None,
        "thread": thread.id,
    }


def _delivery(posting) -> str:
    return "collect" if posting.delivery == "either" else posting.delivery


def _quantity(posting) -> Decimal:
    return max(posting.min_order or Decimal("1"), Decimal("1"))


def pages(ids: dict[str, object]) -> list[tuple[str, str, bool]]:
    """(name, path, as the logged-in buyer)."""
    listed = [
        ("home", "/", False),
        ("market", "/market", False),
        ("posting", f"/p/{ids['posting']}", False),
        ("storefront", f"/s/{ids['storefront']}", False),
        ("login", "/login", False),
        ("sign-up", "/signup", False),
        ("prices", "/prices", False),
        ("forum", "/forum", False),
        ("forum thread", f"/forum/t/{ids['thread']}", False),
        ("help", "/help", False),
        ("new posting", "/postings/new", True),
        ("negotiation", f"/negotiations/{ids['negotiation']}", True),
        ("order", f"/orders/{ids['order']}", True),
        ("dashboard", "/dashboard", True),
        # Forms that upload a photo carry static/js/photo-resize.js (docs/frontend.md).
        ("storefront form", "/account/storefront", True),
        ("verification", "/account/verification", True),
    ]
    return [entry for entry in listed if "None" not in entry[1]]


def serve(app) -> tuple[str, object]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


class Meter:
    """Network events of one page, through a CDP session."""

    def __init__(self, context, page, latency_ms: int, kbps: int):
        self.session = context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.session.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": latency_ms,
                "downloadThroughput": kbps * 1024,
                "uploadThroughput": kbps * 1024,
            },
        )
        self.urls: dict[str, str] = {}
        self.bytes = 0
        self.requests: list[str] = []
        self.cached: set[str] = set()
        self.session.on("Network.requestServedFromCache", lambda event: self.cached.add(event["requestId"]))
        self.session.on("Network.requestWillBeSent", self._sent)
        self.session.on("Network.loadingFinished", self._finished)
        self.session.on("Network.responseReceived", self._received)

    def reset(self) -> None:
        self.bytes = 0
        self.requests = []

    def _sent(self, event) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _received(self, event) -> None:
        response = event["response"]
        if not (
            event["requestId"] in self.cached
            or response.get("fromDiskCache")
            or response.get("fromPrefetchCache")
            or response.get("fromServiceWorker")
        ):
            self.requests.append(f"{response['status']} {response['url']}")

    def _finished(self, event) -> None:
        self.bytes += int(event["encodedDataLength"])


def dom_content_loaded(page) -> int:
    return round(page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"))


def measure(browser, base: str, name: str, path: str, state, locale: str, latency: int, kbps: int) -> Load:
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN" if locale == "zh" else "en-US",
        storage_state=state,
    )
    page = context.new_page()
    meter = Meter(context, page, latency, kbps)
    page.goto(base + path, wait_until="load")
    if page.locator("html").get_attribute("lang") != ("zh-Hans" if locale == "zh" else "en"):
        raise SystemExit(f"{path} is not in the language asked for")
    page.wait_for_timeout(1500)  # a linked favicon comes after load; late loadingFinished events
    cold = (meter.bytes, len(meter.requests), dom_content_loaded(page))
    meter.reset()
    page.goto(base + path, wait_until="load")
    page.wait_for_timeout(1500)
    static = [request for request in meter.requests if "/static/" in request]
    warm = (meter.bytes, len(meter.requests), len(static), dom_content_loaded(page))
    context.close()
    return Load(name, path, *cold, *warm)


def log_in_state(browser, base: str, locale: str) -> dict:
    from app.demo import BUYER_PHONE, DEMO_ACCOUNTS

    password = next(password for _role, phone, password in DEMO_ACCOUNTS if phone == BUYER_PHONE)
    context = browser.new_context(locale="zh-CN" if locale == "zh" else "en-US")
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=phone]", BUYER_PHONE)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/login" not in url)
    # The language of the pages follows the visitor's choice, kept in the session cookie.
    choose_language(page, base, locale)
    state = context.storage_state()
    context.close()
    return state


def choose_language(page, base: str, locale: str) -> None:
    """The language switch in the footer; the choice is kept in the session cookie."""
    page.goto(base + "/")
    with page.expect_navigation():
        page.locator(f".lang-switch button[value={'zh_Hans' if locale == 'zh' else 'en'}]").click()
    expected = "zh-Hans" if locale == "zh" else "en"
    if page.locator("html").get_attribute("lang") != expected:
        raise SystemExit(f"the language switch did not give {expected}")


def anonymous_state(browser, base: str, locale: str) -> dict:
    context = browser.new_context(locale="zh-CN" if locale == "zh" else "en-US")
    page = context.new_page()
    choose_language(page, base, locale)
    state = context.storage_state()
    context.close()
    return state


def table(loads: list[Load]) -> str:
    lines = [
        "| page | cold KB | cold requests | cold DCL ms | warm KB | warm requests (static) | warm DCL ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for load in loads:
        lines.append(
            f"| {load.page} | {load.cold_bytes / 1024:.1f} | {load.cold_requests} | {load.cold_dcl_ms} "
            f"| {load.warm_bytes / 1024:.1f} | {load.warm_requests} ({load.warm_static_requests}) | {load.warm_dcl_ms} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--locale", choices=("zh", "en"), default="zh")
    parser.add_argument("--latency", type=int, default=400, help="round trip in ms (default 400)")
    parser.add_argument("--kbps", type=int, default=50, help="KB/s down and up (default 50)")
    parser.add_argument("--json", help="also write the figures to this file")
    arguments = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="jishi-weight-") as folder:
        app, ids = build_site(Path(folder))
        base, server = serve(app)
        loads = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            member = log_in_state(browser, base, arguments.locale)
            visitor = anonymous_state(browser, base, arguments.locale)
            for name, path, logged_in in pages(ids):
                state = member if logged_in else visitor
                load = measure(browser, base, name, path, state, arguments.locale, arguments.latency, arguments.kbps)
                loads.append(load)
                print(
                    f"{name:<14} cold {load.cold_bytes:>7} B {load.cold_dcl_ms:>5} ms   warm {load.warm_bytes:>6} B "
                    f"{load.warm_requests} req ({load.warm_static_requests} static) {load.warm_dcl_ms:>5} ms",
                    flush=True,
                )
            browser.close()
        server.shutdown()
    print()
    print(f"locale {arguments.locale}, {arguments.latency} ms, {arguments.kbps} KB/s")
    print(table(loads))
    if arguments.json:
        Path(arguments.json).write_text(json.dumps([asdict(load) for load in loads], indent=2))
    heavy = [load.page for load in loads if load.cold_bytes > COLD_TARGET_BYTES]
    revalidated = [load.page for load in loads if load.warm_static_requests]
    print(f"cold pages over 40 KB: {', '.join(heavy) or 'none'}")
    print(f"warm pages revalidating static files: {', '.join(revalidated) or 'none'}")
    return 1 if heavy or revalidated else 0


if __name__ == "__main__":
    sys.exit(main())
