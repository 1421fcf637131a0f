"""How fast the outbox worker drains through the console SMS sender, and that parallel workers never
send a message twice (issue 5, Performance).

    .venv/bin/python bench/notify_worker.py [--database-url URL] [--messages 20000] [--workers 2]
                                            [--batch-size 100]

The database at --database-url (default: a SQLite file under /tmp/jishi-bench) is WIPED and migrated
from scratch, then --messages SMS are written with the bulk fan-out, all due now. --workers processes
(each its own app and connection, as `flask notify worker --once` would be) start together and drain
the outbox with the console sender (SMS_GATEWAY=console: one console_sms row per message sent). The
clock runs from the moment every worker is ready to the moment the last one is done.

Checks afterwards: every notification is "sent", console_sms holds exactly one row per notification id
(none sent twice, none lost), provider ids are all distinct, and the workers' own counts add up.
Exits 1 when a check fails or the rate is under the target of 500 messages/s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from notify_fanout import DEFAULT_URL, alert_context, fresh_app, subscriber_numbers  # noqa: E402
from sqlalchemy import distinct, func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.notify import worker  # noqa: E402
from app.notify.fanout import enqueue_sms_fanout  # noqa: E402
from app.notify.models import ConsoleSms, Notification  # noqa: E402

TARGET_PER_SECOND = 500
SETTINGS = {
    "SMS_GATEWAY": "console",
    "MAIL_BACKEND": "console",
    "LOG_LEVEL": "WARNING",
    "NOTIFY_QUIET_START": 0,
    "NOTIFY_QUIET_END": 0,
}


def drain(url: str, batch_size: int, ready, start, results) -> None:
    """One worker process: build the app, say it is ready, wait for the start, drain, report counts."""
    app = create_app(SQLALCHEMY_DATABASE_URI=url, **SETTINGS)
    with app.app_context():
        db.session.execute(select(1))  # open the connection before the clock starts
        db.session.commit()
        ready.put(True)
        start.wait()
        totals = worker.run_once(batch_size=batch_size)
        results.put(totals)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"database to wipe and use (default {DEFAULT_URL})")
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=100, help="rows each worker claims at a time")
    args = parser.parse_args(argv)

    app = fresh_app(args.database_url, **SETTINGS)
    with app.app_context():
        recipients = [(phone, "zh_Hans", None) for phone in subscriber_numbers(args.messages)]
        written = enqueue_sms_fanout(recipients, "new_match", alert_context())
        db.session.commit()
        dialect = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()

    spawn = multiprocessing.get_context("spawn")
    ready, results, start = spawn.Queue(), spawn.Queue(), spawn.Event()
    processes = [
        spawn.Process(target=drain, args=(args.database_url, args.batch_size, ready, start, results))
        for _ in range(args.workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get()
    started = time.perf_counter()
    start.set()
    totals = [results.get() for _ in processes]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()

    with app.app_context():
        statuses = dict(
            db.session.execute(select(Notification.status, func.count(Notification.id)).group_by(Notification.status))
            .tuples()
            .all()
        )
        console_rows = db.session.scalar(select(func.count(ConsoleSms.id)))
        console_ids = db.session.scalar(select(func.count(distinct(ConsoleSms.notification_id))))
        provider_ids = db.session.scalar(select(func.count(distinct(Notification.provider_id))))

    sent_by_workers = [t["sent"] for t in totals]
    rate = written / elapsed
    print(
        f"{dialect}: {args.workers} worker(s), batch {args.batch_size}: {written} SMS drained in {elapsed:.2f} s "
        f"= {rate:,.0f} msg/s; per worker sent {sent_by_workers}"
    )
    print(
        f"  statuses {statuses}; console_sms rows {console_rows}, distinct notification ids {console_ids}, "
        f"distinct provider ids {provider_ids}"
    )
    problems = []
    if statuses != {"sent": written}:
        problems.append("not every message is sent")
    if not (console_rows == console_ids == provider_ids == written == sum(sent_by_workers)):
        problems.append("a message was sent twice or lost")
    if rate < TARGET_PER_SECOND:
        problems.append(f"under the target of {TARGET_PER_SECOND} msg/s")
    for problem in problems:
        print(f"FAIL: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
