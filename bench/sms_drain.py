"""Codes go out within seconds while 100,000 price alerts drain (issue 17, point 4).

    .venv/bin/python bench/sms_drain.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB
                                        [--alerts 100000] [--codes 20] [--workers 2] [--batch-size 100]

The database at --database-url is WIPED and migrated from scratch (as bench/notify_fanout.py does).
--alerts price alerts are written with the bulk fan-out (template messages, due now), then --workers
processes start draining them through the console sender (batches of one template, as a provider's
batch API takes them). Once they are under way, --codes verification codes are enqueued one by one,
half a second apart, the way the sign-up page writes them (urgent). Reported: the drain rate
(messages/s over the whole run), each code's latency (written → sent, from the rows' own
timestamps) and the alerts still pending when the last code went out.

Exits 1 when a code took longer than TARGET_CODE_SECONDS or a message was not sent exactly once.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from notify_fanout import DEFAULT_URL, fresh_app, subscriber_numbers  # noqa: E402
from sqlalchemy import distinct, func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.market.alerts import fit_to_one_segment  # noqa: E402
from app.models_common import utcnow  # noqa: E402
from app.notify import worker  # noqa: E402
from app.notify.fanout import enqueue_sms_fanout  # noqa: E402
from app.notify.models import ConsoleSms, Notification  # noqa: E402
from app.notify.services import enqueue_sms_to_phone  # noqa: E402

TARGET_CODE_SECONDS = 5.0
SETTINGS = {
    "SMS_GATEWAY": "console",
    "MAIL_BACKEND": "console",
    "LOG_LEVEL": "WARNING",
    "NOTIFY_QUIET_START": 0,
    "NOTIFY_QUIET_END": 0,
    "PUBLIC_BASE_URL": "https://www.jishi.cn",
}


def price_alert_context(app) -> dict:
    return {
        "commodity_names": {"zh": "玉米", "en": "Maize"},
        "region_names": {"zh": "河南", "en": "Henan"},
        "day": utcnow().date(),
        "price_per_kg": "2.40",
        "change_pct": "3.5",
        "url": app.config["PUBLIC_BASE_URL"] + "/prices/maize",
    }


def drain(url: str, batch_size: int, ready, start, stop, results) -> None:
    """One worker process: drain until told to stop and nothing is left."""
    app = create_app(SQLALCHEMY_DATABASE_URI=url, **SETTINGS)
    totals = {"sent": 0, "failed": 0, "dead": 0}
    with app.app_context():
        db.session.execute(select(1))
        db.session.commit()
        ready.put(True)
        start.wait()
        while True:
            done = worker.run_once(batch_size=batch_size)
            for key, value in done.items():
                totals[key] += value
            if not any(done.values()):
                if stop.is_set():
                    break
                time.sleep(0.05)
    results.put(totals)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--codes", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args(argv)

    app = fresh_app(args.database_url, **SETTINGS)
    with app.app_context():
        numbers = subscriber_numbers(args.alerts)
        began = time.perf_counter()
        written = 0
        # As app.market.alerts does: one rendering per language, fitted to one part (Chinese drops the link).
        for locale, share in (("zh_Hans", numbers[: args.alerts * 7 // 10]), ("en", numbers[args.alerts * 7 // 10 :])):
            fitted = fit_to_one_segment("price_alert", price_alert_context(app), (locale,))
            written += enqueue_sms_fanout([(phone, locale, None) for phone in share], "price_alert", fitted)
        db.session.commit()
        print(f"wrote {written:,} price alerts in {time.perf_counter() - began:.1f} s")

    context = multiprocessing.get_context("spawn")
    ready, results = context.Queue(), context.Queue()
    start, stop = context.Event(), context.Event()
    processes = [
        context.Process(target=drain, args=(args.database_url, args.batch_size, ready, start, stop, results))
        for _ in range(args.workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)
    began = time.perf_counter()
    start.set()

    code_ids: list[int] = []
    with app.app_context():
        time.sleep(1.0)  # the workers are well into the alerts
        for n in range(args.codes):
            row = enqueue_sms_to_phone(
                f"+8617{n:09d}", "phone_code", {"code": f"{100000 + n}", "minutes": 10}, "zh_Hans", urgent=True
            )
            db.session.commit()
            code_ids.append(row.id)
            time.sleep(0.5)
        pending_after_codes = db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.status == "pending")
        )
    stop.set()
    totals = {"sent": 0, "failed": 0, "dead": 0}
    for _ in processes:
        for key, value in results.get(timeout=3600).items():
            totals[key] += value
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - began

    with app.app_context():
        rows = db.session.execute(
            select(Notification.created_at, Notification.sent_at).where(Notification.id.in_(code_ids))
        ).all()
        latencies = sorted((sent - created).total_seconds() for created, sent in rows if sent is not None)
        total = db.session.scalar(select(func.count()).select_from(Notification))
        unsent = db.session.scalar(select(func.count()).select_from(Notification).where(Notification.status != "sent"))
        console_rows = db.session.scalar(select(func.count(ConsoleSms.id)))
        console_ids = db.session.scalar(select(func.count(distinct(ConsoleSms.notification_id))))
        dialect = db.engine.dialect.name

    print(
        f"{dialect}, {args.workers} worker(s), batch {args.batch_size}: {totals['sent']:,} sent in {elapsed:.1f} s "
        f"= {totals['sent'] / elapsed:,.0f} messages/s"
    )
    print(
        f"codes: {len(latencies)}/{args.codes} sent; latency median {statistics.median(latencies):.2f} s, "
        f"max {max(latencies):.2f} s; {pending_after_codes:,} alerts still pending when the last code was written"
    )
    checks = {
        f"every code within {TARGET_CODE_SECONDS:.0f} s": len(latencies) == args.codes
        and max(latencies) <= TARGET_CODE_SECONDS,
        "every message sent": unsent == 0 and totals["sent"] == total,
        "none sent twice": console_rows == console_ids == total,
    }
    for name, ok in checks.items():
        print(f"  {'ok ' if ok else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
