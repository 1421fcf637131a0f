"""Scale-out check: two gunicorn instances and two notify workers on one PostgreSQL.

    .venv/bin/python bench/scale_out.py --url postgresql+psycopg://postgres@127.0.0.1:5432/jishi_scale \
        [--orders 1000] [--notifications 10000] [--buyers 50]

The database at --url is WIPED (schema public dropped), migrated and seeded. Then:

1. one seller with fixed-price sell offers and ``--buyers`` buyers are created;
2. two gunicorn instances (ports 8111 and 8112, 2 workers each, limits in Redis) serve the app;
   ``--buyers`` threads log in (alternating instances) and place ``--orders`` orders between them
   through the real buy-now form;
3. the outbox is topped up to ``--notifications`` rows (the orders wrote some themselves);
4. two ``flask notify worker`` processes drain it through the console SMS gateway.

It then checks: every order is in the database once, stock adds up, every notification was sent,
none was sent twice (each SMS id appears once in console_sms, every row took one attempt), and
prints the timings. Exit status 1 when a check fails. tests/ops/test_scale_out.py runs it small.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import requests
from sqlalchemy import create_engine, insert, make_url, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "scale-out-bench-2026"


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv if venv.exists() else Path(sys.executable))


def server_env(url: str, redis_db: int) -> dict[str, str]:
    """Settings every process gets: the shared database, limits in Redis, no quiet hours or SMS cap
    (the run must not depend on the time of day), console gateways."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        JISHI_ENV="development",
        FLASK_APP="wsgi.py",
        FLASK_DEBUG="0",
        SECRET_KEY="scale-out-bench-secret",
        LOG_LEVEL="WARNING",
        SMS_GATEWAY="console",
        MAIL_BACKEND="console",
        REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}",
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:6379/{redis_db}",
        LOGIN_RATE_LIMIT="10000 per minute",
        NOTIFY_QUIET_START="0",
        NOTIFY_QUIET_END="0",
        NOTIFY_SMS_DAILY_CAP="1000000",
        NOTIFY_WORKER_SLEEP_SECONDS="1",
        NOTIFY_BATCH_SIZE="200",
        JISHI_INSTANCE_DIR="/tmp/jishi-scale-out",
    )
    return env


def prepare_database(url: str, env: dict[str, str], buyers: int, offers: int) -> dict:
    """Wipe, migrate and seed the database; create the seller, the buyers and the sell offers.
    Returns {"buyers": [phone…], "postings": [id…], "stock": Decimal}."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    flask = [_python(), "-m", "flask"]
    subprocess.run(flask + ["db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(flask + ["seed", "--no-demo"], env=env, cwd=ROOT, check=True, capture_output=True)

    from app import create_app
    from app.catalogue.services import find_commodity
    from app.core.clock import utcnow
    from app.extensions import db
    from app.members.models import Member
    from app.postings.services import PostingData, create_posting
    from config import DevelopmentConfig

    app = create_app(
        DevelopmentConfig,
        SQLALCHEMY_DATABASE_URI=url,
        PASSWORD_HASH_METHOD="scrypt:1024:8:1",
        UPLOAD_DIR="/tmp/jishi-scale-out/uploads",
    )
    stock = Decimal("100000")
    with app.app_context():
        seller = Member(phone="+8613700000000", display_name="Scale seller", is_seller=True, phone_verified_at=utcnow())
        seller.set_password(PASSWORD)
        db.session.add(seller)
        phones = []
        for number in range(buyers):
            phone = f"+86137{number + 1:08d}"
            buyer = Member(phone=phone, display_name=f"Buyer {number}", is_buyer=True, phone_verified_at=utcnow())
            buyer.set_password(PASSWORD)
            db.session.add(buyer)
            phones.append(phone)
        db.session.commit()
        maize = find_commodity("maize")
        postings = []
        for number in range(offers):
            posting = create_posting(
                seller,
                PostingData(
                    kind="sell",
                    commodity_id=maize.id,
                    title=f"Scale maize lot {number}",
                    quantity=stock,
                    unit_code="kg",
                    price=Decimal("2.10"),
                    province_code="41",
                ),
                publish=True,
            )
            db.session.commit()
            postings.append(posting.id)
        db.session.remove()
        db.engine.dispose()
    return {"buyers": phones, "postings": postings, "stock": stock}


class Processes:
    """Started child processes, stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self):
        self.children: list[subprocess.Popen] = []

    def start(self, command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        handle = log.open("w")
        child = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.children.append(child)
        return child

    def stop(self) -> None:
        for child in self.children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in self.children:
            try:
                child.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code in (200, 503):
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def _token(response: requests.Response) -> str:
    match = CSRF_RE.search(response.text)
    if not match:
        raise RuntimeError(f"no CSRF token on {response.url} ({response.status_code})")
    return match.group(1)


def buyer_session(base: str, phone: str) -> requests.Session:
    session = requests.Session()
    token = _token(session.get(f"{base}/login", timeout=30))
    answer = session.post(
        f"{base}/login",
        data={"csrf_token": token, "phone": phone, "password": PASSWORD},
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code not in (302, 303):
        raise RuntimeError(f"login of {phone} failed: {answer.status_code}")
    return session


def place_orders(bases: list[str], buyers: list[str], postings: list[int], orders: int) -> dict:
    """Each buyer thread logs in on one instance and places its share of the orders (1 kg each).
    Returns counts of placed / failed orders and the seconds taken."""
    shares = [orders // len(buyers) + (1 if n < orders % len(buyers) else 0) for n in range(len(buyers))]
    placed = failed = 0
    lock = threading.Lock()

    def run(index: int) -> None:
        nonlocal placed, failed
        base = bases[index % len(bases)]
        session = buyer_session(base, buyers[index])
        for number in range(shares[index]):
            posting_id = postings[(index + number) % len(postings)]
            form = session.get(f"{base}/p/{posting_id}/buy", timeout=30)
            answer = session.post(
                f"{base}/p/{posting_id}/buy",
                data={"csrf_token": _token(form), "quantity": "1", "delivery": "collect"},
                timeout=60,
                allow_redirects=False,
            )
            with lock:
                if answer.status_code == 303:
                    placed += 1
                else:
                    failed += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(buyers)) as pool:
        list(pool.map(run, range(len(buyers))))
    return {"placed": placed, "failed": failed, "seconds": time.perf_counter() - started}


def top_up_outbox(url: str, target: int) -> int:
    """Add plain SMS rows until the outbox holds ``target`` rows; returns how many were added."""
    engine = create_engine(url)
    with engine.begin() as connection:
        existing = connection.execute(text("SELECT count(*) FROM notification")).scalar()
        missing = max(target - existing, 0)
        from app.notify.models import Notification

        rows = [
            {
                "channel": "sms",
                "address": f"+86139{n:08d}",
                "event": "bench",
                "template": "bench",
                "locale": "en",
                "body": f"Jishi scale-out message {n}",
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": text("CURRENT_TIMESTAMP"),
            }
            for n in range(missing)
        ]
        for start in range(0, len(rows), 2000):
            connection.execute(insert(Notification.__table__).values(rows[start : start + 2000]))
    engine.dispose()
    return missing


def outbox_state(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        counts = dict(connection.execute(text("SELECT status, count(*) FROM notification GROUP BY status")).all())
    engine.dispose()
    return counts


def verify(url: str, expected_orders: int, stock: Decimal, offers: int, expected_notifications: int) -> list[str]:
    """The checks; returns the failures (empty when everything holds)."""
    engine = create_engine(url)
    problems = []
    with engine.connect() as connection:
        scalar = lambda sql: connection.execute(text(sql)).scalar()  # noqa: E731
        orders = scalar("SELECT count(*) FROM trade_order")
        if orders != expected_orders:
            problems.append(f"{orders} orders in the database, expected {expected_orders}")
        left = scalar("SELECT sum(quantity_available) FROM posting")
        if Decimal(left) != stock * offers - expected_orders:
            problems.append(f"stock left {left}, expected {stock * offers - expected_orders}")
        total = scalar("SELECT count(*) FROM notification")
        if total < expected_notifications:
            problems.append(f"only {total} notifications, expected at least {expected_notifications}")
        unsent = scalar("SELECT count(*) FROM notification WHERE status <> 'sent'")
        if unsent:
            problems.append(f"{unsent} notifications not sent")
        retried = scalar("SELECT count(*) FROM notification WHERE attempts <> 1")
        if retried:
            problems.append(f"{retried} notifications took more than one attempt")
        twice = scalar(
            "SELECT count(*) FROM (SELECT notification_id FROM console_sms "
            "GROUP BY notification_id HAVING count(*) > 1) AS d"
        )
        if twice:
            problems.append(f"{twice} SMS sent more than once")
        sms_sent = scalar("SELECT count(*) FROM notification WHERE channel = 'sms' AND status = 'sent'")
        stored = scalar("SELECT count(DISTINCT notification_id) FROM console_sms")
        if sms_sent != stored:
            problems.append(f"{sms_sent} SMS marked sent but {stored} reached the gateway")
    engine.dispose()
    return problems


def run(
    url: str,
    orders: int,
    notifications: int,
    buyers: int,
    offers: int = 20,
    gunicorn_workers: int = 2,
    logs: Path = Path("/tmp/jishi-scale-out"),
    timeout: float = 600,
    echo=print,
) -> list[str]:
    """The whole scenario; returns the failed checks."""
    if make_url(url).get_backend_name() != "postgresql":
        raise SystemExit("scale_out needs PostgreSQL (several processes write at once)")
    logs.mkdir(parents=True, exist_ok=True)
    env = server_env(url, redis_db=9)
    subprocess.run(["redis-cli", "-n", "9", "FLUSHDB"], capture_output=True)
    data = prepare_database(url, env, buyers, offers)
    processes = Processes()
    try:
        bases = []
        for number, port in enumerate((8111, 8112)):
            processes.start(
                [
                    str(ROOT / ".venv/bin/gunicorn"),
                    "--config",
                    "gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(gunicorn_workers),
                    "--access-logfile",
                    "/dev/null",
                    "wsgi:app",
                ],
                env,
                logs / f"gunicorn-{number}.log",
            )
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            wait_for(f"{base}/healthz")
        result = place_orders(bases, data["buyers"], data["postings"], orders)
        echo(
            f"orders: {result['placed']} placed, {result['failed']} failed in {result['seconds']:.1f} s "
            f"({result['placed'] / result['seconds']:.0f} orders/s, {buyers} buyers, 2 instances)"
        )
        added = top_up_outbox(url, notifications)
        echo(f"outbox: {notifications - added} rows written by the orders, {added} added")
        started = time.perf_counter()
        for number in range(2):
            processes.start([_python(), "-m", "flask", "notify", "worker"], env, logs / f"worker-{number}.log")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = outbox_state(url)
            if not any(state.get(status, 0) for status in ("pending", "sending", "failed")):
                break
            time.sleep(0.5)
        drained = time.perf_counter() - started
        total = sum(outbox_state(url).values())
        echo(f"workers: {total} notifications drained by 2 workers in {drained:.1f} s ({total / drained:.0f} msg/s)")
    finally:
        processes.stop()
    problems = verify(url, orders, data["stock"], offers, notifications)
    echo("checks: " + ("all passed" if not problems else "; ".join(problems)))
    return problems


def main(argv: list[str] | None = None) -> int:
    from config import bench_env

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--url", default=bench_env("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/jishi_scale")
    )
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--notifications", type=int, default=10000)
    parser.add_argument("--buyers", type=int, default=50)
    args = parser.parse_args(argv)
    return 1 if run(args.url, args.orders, args.notifications, args.buyers) else 0


if __name__ == "__main__":
    sys.exit(main())
