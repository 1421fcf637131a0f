"""Order placement under concurrent buyers, against a running Jishi on a benchmark database.

    .venv/bin/python bench/place_orders.py --base http://127.0.0.1:8101 [--buyers 50] [--orders 1000] \
        [--offers 20] [--database-url URL]

Unlike bench/scale_out.py this does NOT wipe the database: it is meant for the 1,000,000-posting
databases of bench/run_scale.sh. It adds (or reuses) one seller and ``--buyers`` buyers in a phone
range nothing else uses (+86198…), publishes ``--offers`` fresh fixed-price maize offers, then
``--buyers`` threads log in and place ``--orders`` orders of 1 kg between them through the real
buy-now form (GET the form for its CSRF token, POST it). The server must allow that many logins a
minute (run it with LOGIN_RATE_LIMIT raised, as run_scale.sh does).

Prints orders/s and the latency of the POSTs (p50/p95/p99/max), then checks that every order is in
the database once and that the offers' stock went down by exactly the orders placed. Exit status 1
when a check fails or an order failed. Adding postings changes the market's data version, so run
it after the market measurements.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import percentile  # noqa: E402
from bench.scale_out import PASSWORD, _token, buyer_session  # noqa: E402

SELLER_PHONE = "+8619800000000"
BUYER_PREFIX = "+86198"  # +8619800000001 …: a range generate.py, the demo data and the tests never use
STOCK = Decimal("100000")


def prepare(url: str | None, buyers: int, offers: int) -> tuple[list[str], list[int]]:
    """The buyers' phones and the ids of ``offers`` new sell offers (committed)."""
    from app import create_app
    from app.catalogue.services import find_commodity
    from app.core.clock import utcnow
    from app.extensions import db
    from app.members.models import Member
    from app.postings.services import PostingData, create_posting
    from config import DevelopmentConfig

    overrides = {"SQLALCHEMY_DATABASE_URI": url} if url else {}
    # A cheap hash: 51 members are created, and every login checks one.
    app = create_app(DevelopmentConfig, PASSWORD_HASH_METHOD="scrypt:1024:8:1", **overrides)
    with app.app_context():

        def member(phone: str, name: str, **roles) -> Member:
            found = db.session.scalar(select(Member).where(Member.phone == phone))
            if found is None:
                found = Member(phone=phone, display_name=name, phone_verified_at=utcnow(), **roles)
                db.session.add(found)
            found.set_password(PASSWORD)
            return found

        seller = member(SELLER_PHONE, "Bench seller", is_seller=True)
        phones = [f"{BUYER_PREFIX}{number:08d}" for number in range(1, buyers + 1)]
        for number, phone in enumerate(phones):
            member(phone, f"Bench buyer {number}", is_buyer=True)
        db.session.commit()
        maize = find_commodity("maize")
        ids = []
        for number in range(offers):
            posting = create_posting(
                seller,
                PostingData(
                    kind="sell",
                    commodity_id=maize.id,
                    title=f"Bench order lot {number}",
                    quantity=STOCK,
                    unit_code="kg",
                    price=Decimal("2.10"),
                    province_code="41",
                ),
                publish=True,
            )
            db.session.commit()
            ids.append(posting.id)
        db.session.remove()
        db.engine.dispose()
    return phones, ids


def place(base: str, phones: list[str], postings: list[int], orders: int) -> dict:
    """Each buyer thread logs in and places its share of ``orders``; returns counts, seconds and the
    sorted POST latencies."""
    shares = [orders // len(phones) + (1 if n < orders % len(phones) else 0) for n in range(len(phones))]
    sessions = [None] * len(phones)
    placed = failed = 0
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(len(phones) + 1)

    def run(index: int) -> None:
        nonlocal placed, failed
        try:
            sessions[index] = buyer_session(base, phones[index])
        finally:
            start.wait()  # everyone logged in (or failed to): orders start together
        session = sessions[index]
        for number in range(shares[index]):
            posting_id = postings[(index + number) % len(postings)]
            form = session.get(f"{base}/p/{posting_id}/buy", timeout=60)
            began = time.perf_counter()
            answer = session.post(
                f"{base}/p/{posting_id}/buy",
                data={"csrf_token": _token(form), "quantity": "1", "delivery": "collect"},
                timeout=60,
                allow_redirects=False,
            )
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                if answer.status_code == 303:
                    placed += 1
                else:
                    failed += 1

    with ThreadPoolExecutor(max_workers=len(phones)) as pool:
        futures = [pool.submit(run, index) for index in range(len(phones))]
        start.wait()
        began = time.perf_counter()
        for future in futures:
            future.result()
    return {"placed": placed, "failed": failed, "seconds": time.perf_counter() - began, "latencies": sorted(latencies)}


def verify(url: str | None, postings: list[int], placed: int) -> list[str]:
    """Failed checks: orders in the database and the stock left on the offers."""
    from app import create_app
    from app.extensions import db
    from app.postings.models import Posting
    from app.trade.models import Order
    from config import DevelopmentConfig

    app = create_app(DevelopmentConfig, **({"SQLALCHEMY_DATABASE_URI": url} if url else {}))
    problems = []
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Order).where(Order.posting_id.in_(postings)))
        if stored != placed:
            problems.append(f"{stored} orders in the database, {placed} placed")
        left = db.session.scalar(select(func.sum(Posting.quantity_available)).where(Posting.id.in_(postings)))
        if Decimal(left) != STOCK * len(postings) - placed:
            problems.append(f"stock left {left}, expected {STOCK * len(postings) - placed}")
        db.engine.dispose()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the running Jishi, e.g. http://127.0.0.1:8101")
    parser.add_argument("--database-url", help="its database; default: DATABASE_URL")
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--offers", type=int, default=20)
    args = parser.parse_args(argv)
    if urlsplit(args.base).hostname not in {"127.0.0.1", "localhost"}:
        raise SystemExit("--base: only a server on this machine")
    if args.buyers < 1 or args.orders < 1 or args.offers < 1:
        raise SystemExit("--buyers, --orders and --offers must be at least 1")
    phones, postings = prepare(args.database_url, args.buyers, args.offers)
    result = place(args.base, phones, postings, args.orders)
    values = result["latencies"]
    ms = lambda share: percentile(values, share) * 1000  # noqa: E731
    print(
        f"orders: {result['placed']} placed, {result['failed']} failed in {result['seconds']:.1f} s "
        f"({result['placed'] / result['seconds']:.1f} orders/s, {args.buyers} concurrent buyers); "
        f"POST p50 {ms(0.5):.0f} ms, p95 {ms(0.95):.0f} ms, p99 {ms(0.99):.0f} ms, "
        f"max {(values[-1] if values else 0) * 1000:.0f} ms"
    )
    problems = verify(args.database_url, postings, result["placed"])
    if result["failed"]:
        problems.append(f"{result['failed']} orders failed")
    print("checks: " + ("all passed" if not problems else "; ".join(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
