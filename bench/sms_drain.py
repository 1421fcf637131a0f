"""A bulk alert drains at ≥ 2,000 msg/s through a mainland provider's real client while codes go out
within seconds (issue 17, points 2 and 4).

    .venv/bin/python bench/sms_drain.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB
        [--provider aliyun|tencent|console] [--alerts 100000] [--codes 20] [--workers 2]
        [--batch-size 1000] [--send-batch-size 1000]

The database at --database-url is WIPED and migrated from scratch (as bench/notify_fanout.py does).
--alerts price alerts to +86 numbers are written with the bulk fan-out (template messages, due now).
With --provider aliyun or tencent, that provider's local fake (tests/fake_sms_providers.py, which
checks every request's signature) runs in another process on 127.0.0.1 and the workers send through
the real sender chain: senders_from_config → RoutedSmsSender → TemplateProviderSender → the
Aliyun / Tencent gateway → the official SDK; --provider console stores the SMS in console_sms.
--workers processes run app.notify.worker.run_once with --batch-size (NOTIFY_BATCH_SIZE, rows a
claim takes) and --send-batch-size (NOTIFY_SEND_BATCH_SIZE, rows of one template handed to the
sender at once). Once they are under way, --codes verification codes are enqueued one by one, half
a second apart, the way the sign-up page writes them (urgent). Reported: the drain rate (messages/s
from the workers' start to the last message), each code's latency (written → sent, from the rows'
own timestamps: p50 and max), the alerts still pending when the last code was written, and the
load average before and after.

Exits 1 when the rate is under TARGET_RATE (a provider run), a code took longer than
TARGET_CODE_SECONDS, or a message was not sent exactly once (every row sent, every number at the
provider once).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from notify_fanout import DEFAULT_URL, fresh_app, subscriber_numbers  # noqa: E402
from sqlalchemy import distinct, func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.db import write_transactions  # noqa: E402
from app.extensions import db  # noqa: E402
from app.market.alerts import fit_to_one_segment  # noqa: E402
from app.models_common import utcnow  # noqa: E402
from app.notify import worker  # noqa: E402
from app.notify.fanout import enqueue_sms_fanout  # noqa: E402
from app.notify.models import ConsoleSms, Notification  # noqa: E402
from app.notify.services import enqueue_sms_to_phone  # noqa: E402
from sms import templates  # noqa: E402
from tests.fake_sms_providers import FakeAliyunSms, FakeTencentSms  # noqa: E402

TARGET_CODE_SECONDS = 5.0
TARGET_RATE = 2000
SETTINGS = {
    "SMS_GATEWAY": "console",
    "MAIL_BACKEND": "console",
    "LOG_LEVEL": "WARNING",
    "NOTIFY_QUIET_START": 0,
    "NOTIFY_QUIET_END": 0,
    "PUBLIC_BASE_URL": "https://www.jishi.cn",
}
KEY_ID, KEY_SECRET, APP_ID, SIGN = "bench-key-id", "bench-key-secret", "1400000001", "集市"
# Every template the bench sends, with the code the fake provider approved for it.
TEMPLATES = ("price_alert", "price_alert_short", "phone_code")


def price_alert_context(app) -> dict:
    return {
        "commodity_names": {"zh": "玉米", "en": "Maize"},
        "region_names": {"zh": "河南", "en": "Henan"},
        "day": utcnow().date(),
        "price_per_kg": "2.40",
        "change_pct": "3.5",
        "url": app.config["PUBLIC_BASE_URL"] + "/prices/maize",
    }


def template_codes(provider: str) -> dict[str, str]:
    return {name: (f"SMS_{n}" if provider == "aliyun" else str(n)) for n, name in enumerate(TEMPLATES, start=1)}


def serve(provider: str, ready, stop, counts) -> None:
    """The fake provider in its own process (as the real one is another machine)."""
    codes = template_codes(provider)
    declared = {codes[name]: [param.name for param in templates.get(name).params] for name in TEMPLATES}
    if provider == "aliyun":
        fake = FakeAliyunSms(KEY_ID, KEY_SECRET, templates=declared, signs={SIGN})
    else:
        fake = FakeTencentSms(
            KEY_ID, KEY_SECRET, APP_ID, templates={code: len(names) for code, names in declared.items()}, signs={SIGN}
        )
    with fake:
        ready.put(fake.port)
        stop.wait()
        numbers = [entry[1] for entry in fake.sent]
        counts.put((len(fake.requests), len(numbers), len(set(numbers)), fake.refused_signatures))


def provider_settings(provider: str, port: int | None) -> dict:
    if provider == "console":
        return {}
    settings = {
        "SMS_GATEWAY_CN": provider,
        "SMS_SIGN_NAME": SIGN,
        "SMS_TEMPLATE_CODES": {provider: template_codes(provider)},
    }
    if provider == "aliyun":
        return settings | {
            "ALIYUN_SMS_ACCESS_KEY_ID": KEY_ID,
            "ALIYUN_SMS_ACCESS_KEY_SECRET": KEY_SECRET,
            "ALIYUN_SMS_ENDPOINT": f"http://127.0.0.1:{port}",
        }
    return settings | {
        "TENCENT_SMS_SECRET_ID": KEY_ID,
        "TENCENT_SMS_SECRET_KEY": KEY_SECRET,
        "TENCENT_SMS_SDK_APP_ID": APP_ID,
        "TENCENT_SMS_ENDPOINT": f"http://127.0.0.1:{port}",
    }


def drain(url: str, settings: dict, ready, start, stop, results) -> None:
    """One worker process: drain until told to stop and nothing is left. Reports its counts and
    the wall-clock time its last message was recorded."""
    app = create_app(SQLALCHEMY_DATABASE_URI=url, **SETTINGS, **settings)
    totals = {"sent": 0, "failed": 0, "dead": 0}
    last = time.time()
    profile = None
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        profile = cProfile.Profile()
    with app.app_context():
        db.session.execute(select(1))
        db.session.commit()
        ready.put(True)
        start.wait()
        cpu_began = time.process_time()
        if profile:
            profile.enable()
        while True:
            done = worker.run_once()
            for key, value in done.items():
                totals[key] += value
            if any(done.values()):
                last = time.time()
            elif stop.is_set():
                break
            else:
                time.sleep(0.05)
    if profile:
        profile.disable()
        profile.dump_stats(f"{os.environ['BENCH_PROFILE']}.{os.getpid()}")
    results.put((totals, last, time.process_time() - cpu_began))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--provider", choices=("aliyun", "tencent", "console"), default="aliyun")
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--codes", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=1000, help="NOTIFY_BATCH_SIZE: rows one claim takes")
    parser.add_argument(
        "--send-batch-size", type=int, default=1000, help="NOTIFY_SEND_BATCH_SIZE: rows of one template a sender gets"
    )
    args = parser.parse_args(argv)
    load_before = os.getloadavg()

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
    server = None
    port = None
    if args.provider != "console":
        server_ready, server_counts = context.Queue(), context.Queue()
        server_stop = context.Event()
        server = context.Process(target=serve, args=(args.provider, server_ready, server_stop, server_counts))
        server.start()
        port = server_ready.get(timeout=60)
    settings = provider_settings(args.provider, port) | {
        "NOTIFY_BATCH_SIZE": args.batch_size,
        "NOTIFY_SEND_BATCH_SIZE": args.send_batch_size,
    }
    ready, results = context.Queue(), context.Queue()
    start, stop = context.Event(), context.Event()
    processes = [
        context.Process(target=drain, args=(args.database_url, settings, ready, start, stop, results))
        for _ in range(args.workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)
    began = time.time()
    start.set()

    code_ids: list[int] = []
    # BEGIN IMMEDIATE on SQLite, as the web app's writes: a deferred transaction that read first
    # could not take the write lock between the worker's commits.
    with app.app_context(), write_transactions():
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
    finished = began
    worker_cpu = 0.0
    for _ in processes:
        counts, last, cpu = results.get(timeout=3600)
        finished = max(finished, last)
        worker_cpu += cpu
        for key, value in counts.items():
            totals[key] += value
    for process in processes:
        process.join()
    elapsed = finished - began
    load_after = os.getloadavg()

    at_provider = None
    if server is not None:
        server_stop.set()
        at_provider = server_counts.get(timeout=60)
        server.join(timeout=30)

    with app.app_context():
        rows = db.session.execute(
            select(Notification.created_at, Notification.sent_at).where(Notification.id.in_(code_ids))
        ).all()
        latencies = sorted((sent - created).total_seconds() for created, sent in rows if sent is not None)
        total = db.session.scalar(select(func.count()).select_from(Notification))
        unsent = db.session.scalar(select(func.count()).select_from(Notification).where(Notification.status != "sent"))
        without_id = db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.provider_id.is_(None))
        )
        provider_ids = db.session.scalar(select(func.count(distinct(Notification.provider_id))))
        console_rows = db.session.scalar(select(func.count(ConsoleSms.id)))
        console_ids = db.session.scalar(select(func.count(distinct(ConsoleSms.notification_id))))
        dialect = db.engine.dialect.name

    rate = totals["sent"] / elapsed
    print(
        f"{dialect}, {args.provider}, {args.workers} worker(s), claims of {args.batch_size}, sender batches of "
        f"{args.send_batch_size}: {totals['sent']:,} sent in {elapsed:.1f} s = {rate:,.0f} messages/s"
    )
    if latencies:
        print(
            f"codes: {len(latencies)}/{args.codes} sent; latency p50 {statistics.median(latencies):.2f} s, "
            f"max {max(latencies):.2f} s; {pending_after_codes:,} alerts still pending when the last code was written"
        )
    print(
        f"workers' CPU: {worker_cpu:.1f} s = {worker_cpu / max(totals['sent'], 1) * 1e6:.0f} µs a message "
        f"(one worker on a core of its own: at most {totals['sent'] / max(worker_cpu, 1e-9):,.0f} messages/s)"
    )
    print("load average before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(*load_before, *load_after))
    checks = {
        f"every code within {TARGET_CODE_SECONDS:.0f} s": len(latencies) == args.codes
        and (not latencies or max(latencies) <= TARGET_CODE_SECONDS),
        "every message sent, each with its own provider id": unsent == 0
        and totals["sent"] == total
        and without_id == 0
        and provider_ids == total,
    }
    if at_provider is None:
        checks["none sent twice"] = console_rows == console_ids == total
    else:
        requests, sent, distinct_numbers, refused = at_provider
        print(f"provider: {requests:,} signed requests, {sent:,} numbers sent, {refused} refused signatures")
        checks["every number at the provider once"] = sent == distinct_numbers == total and refused == 0
        checks[f"at least {TARGET_RATE:,} messages/s"] = rate >= TARGET_RATE
    for name, ok in checks.items():
        print(f"  {'ok ' if ok else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
