"""One bulk alert to N mainland numbers (default 100,000) through the mainland gateways' real client
code — sms.routing.RoutingGateway → AliyunSmsGateway / TencentSmsGateway → the official SDK, which
signs every request — against the local fake providers of tests/fake_sms_providers.py, run in a
separate process on 127.0.0.1 (they check every signature). Prints messages/s per provider and
checks that every number was sent exactly once. Target: ≥ 2,000 messages/s.

    .venv/bin/python bench/sms_providers_bench.py [--numbers 100000] [--batch 1000]
        [--providers aliyun,tencent] [--distinct-params]

``--batch`` is how many messages one send_template_batch call is given (the worker's claim size);
``--distinct-params`` gives every number its own parameter value (Aliyun then uses SendBatchSms,
100 numbers a request; Tencent needs one request per distinct text, so use a smaller --numbers)."""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sms.aliyun import AliyunSmsGateway  # noqa: E402
from sms.gateways import ConsoleGateway, GatewayError, TemplateSms  # noqa: E402
from sms.routing import RoutingGateway  # noqa: E402
from sms.tencent import TencentSmsGateway  # noqa: E402
from tests.fake_sms_providers import FakeAliyunSms, FakeTencentSms  # noqa: E402

KEY_ID, KEY_SECRET, APP_ID = "bench-key-id", "bench-key-secret", "1400000001"


def _serve(provider: str, ready, stop, counts) -> None:
    if provider == "aliyun":
        fake = FakeAliyunSms(KEY_ID, KEY_SECRET, templates={"SMS_1": ["commodity", "price"]}, signs={"集市"})
    else:
        fake = FakeTencentSms(KEY_ID, KEY_SECRET, APP_ID, templates={"1": 2}, signs={"集市"})
    with fake:
        ready.put(fake.port)
        stop.wait()
        numbers = [entry[1] for entry in fake.sent]
        counts.put((len(fake.requests), len(numbers), len(set(numbers)), fake.refused_signatures))


def run(provider: str, count: int, batch: int, distinct: bool) -> float:
    ready, counts = multiprocessing.Queue(), multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(provider, ready, stop, counts), daemon=True)
    server.start()
    port = ready.get(timeout=30)
    endpoint = dict(endpoint=f"127.0.0.1:{port}", protocol="http", sign_name="集市")
    if provider == "aliyun":
        mainland, code = AliyunSmsGateway(KEY_ID, KEY_SECRET, **endpoint), "SMS_1"
    else:
        mainland, code = TencentSmsGateway(KEY_ID, KEY_SECRET, APP_ID, **endpoint), "1"
    gateway = RoutingGateway(ConsoleGateway(), mainland)
    messages = [
        TemplateSms(
            f"+86138{index:08d}",
            "price_alert",
            {"commodity": "玉米", "price": f"2.{index % 1000:03d}" if distinct else "2.10"},
            "玉米 2.10",
            code,
            "集市",
        )
        for index in range(count)
    ]
    failures = 0
    started = time.perf_counter()
    for start in range(0, count, batch):
        results = gateway.send_template_batch(messages[start : start + batch])
        failures += sum(isinstance(result, GatewayError) for result in results)
    elapsed = time.perf_counter() - started
    stop.set()
    requests, sent, distinct_numbers, refused = counts.get(timeout=30)
    server.join(timeout=10)
    rate = count / elapsed
    print(
        f"{provider:8} {count:,} messages in {elapsed:.2f} s = {rate:,.0f} msg/s "
        f"({requests:,} signed requests, batch {batch}, {'distinct' if distinct else 'same'} params; "
        f"sent {sent:,}, distinct numbers {distinct_numbers:,}, failures {failures}, refused signatures {refused})"
    )
    if failures or refused or sent != count or distinct_numbers != count:
        raise SystemExit(f"{provider}: not every number was sent exactly once")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--numbers", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--providers", default="aliyun,tencent")
    parser.add_argument("--distinct-params", action="store_true")
    arguments = parser.parse_args()
    for provider in arguments.providers.split(","):
        run(provider, arguments.numbers, arguments.batch, arguments.distinct_params)


if __name__ == "__main__":
    main()
