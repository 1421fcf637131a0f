"""A small HTTP load generator for 127.0.0.1 (standard library only: threads and http.client).

    .venv/bin/python bench/load.py [--concurrency 4] [--requests 3000] [--duration 20] [--warmup 1] \
        [--baseline hello] [--json results.json] hello=http://127.0.0.1:8102/hello market=http://127.0.0.1:8101/market

Each NAME=URL is measured in turn, in the order given, by --concurrency threads that each keep one
connection open (reconnecting when the server closes it, as gunicorn's sync workers do after every
response). A measurement stops after --requests responses or --duration seconds, whichever comes
first, after --warmup seconds that are not counted. It prints requests per second, p50/p95/p99
latency, errors (anything but 2xx, and failed connections) and, with --baseline, each URL's
requests per second as a share of the baseline's. A URL containing ``{id}`` (e.g. /p/{id}) takes a
random id from --ids FILE (one id a line) for every request, so a page is measured over many rows
rather than one cached row. ``--cookie NAME:COOKIE`` sends that Cookie header with every request
to NAME (a signed-in member's page). A URL containing ``{path}`` (e.g. http://127.0.0.1:8101{path})
takes the next path of --paths FILE (one ``/market?...`` a line) for every request, in the file's
order, shared by all threads and starting again at the top when the file is used up, so a file of
distinct searches is replayed as distinct requests (bench/search_workload.py writes such files).
With --min-rps / --max-p99-ms / --min-ratio the
exit status is 1 when a non-baseline URL misses a target.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import random
import sys
import threading
import time
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Result:
    name: str
    url: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    ratio: float | None = None


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = min(len(sorted_values), max(1, math.ceil(share * len(sorted_values))))
    return sorted_values[rank - 1]


class Worker(threading.Thread):
    """Sends GET requests over one kept-alive connection until told to stop."""

    def __init__(
        self,
        host: str,
        port: int,
        path: str,
        stop: threading.Event,
        budget: Budget,
        ids: list[str] | None = None,
        seed: int = 0,
        cookie: str | None = None,
        paths: PathFeed | None = None,
    ):
        super().__init__(daemon=True)
        self.paths = paths
        self.headers = {"Accept-Encoding": "identity", **({"Cookie": cookie} if cookie else {})}
        self.host, self.port, self.path = host, port, path
        self.ids, self.rng = ids, random.Random(seed)
        self.stop, self.budget = stop, budget
        self.latencies: list[float] = []
        self.errors = 0
        self.recording = False
        self.connection: http.client.HTTPConnection | None = None

    def run(self) -> None:
        while not self.stop.is_set():
            if self.recording and not self.budget.take():
                return
            started = time.perf_counter()
            ok = self.fetch()
            elapsed = time.perf_counter() - started
            if self.recording:
                self.latencies.append(elapsed)
                self.errors += 0 if ok else 1

    def fetch(self) -> bool:
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            path = self.path.replace("{id}", self.rng.choice(self.ids)) if self.ids else self.path
            if self.paths is not None:
                path = path.replace("{path}", self.paths.next())
            self.connection.request("GET", path, headers=self.headers)
            response = self.connection.getresponse()
            response.read()
            if response.will_close:
                self.connection.close()
                self.connection = None
            return 200 <= response.status < 300
        except (OSError, http.client.HTTPException):
            if self.connection is not None:
                self.connection.close()
            self.connection = None
            return False


class PathFeed:
    """Paths handed out in order to every thread, from the top again when used up."""

    def __init__(self, paths: list[str]):
        self.paths, self.position = paths, 0
        self.lock = threading.Lock()

    def next(self) -> str:
        with self.lock:
            path = self.paths[self.position % len(self.paths)]
            self.position += 1
            return path


class Budget:
    """A shared count of requests still allowed in the measured phase."""

    def __init__(self, total: int):
        self.left = total
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def measure(
    name: str,
    url: str,
    concurrency: int,
    requests: int,
    duration: float,
    warmup: float,
    ids: list[str] | None = None,
    cookie: str | None = None,
    paths: list[str] | None = None,
) -> Result:
    parts = urlsplit(url.replace("{path}", "/"))
    if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS:
        raise SystemExit(f"{url}: only http:// URLs on this machine are measured")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    feed = None
    if "{path}" in url:
        if not paths:
            raise SystemExit(f"{url}: a URL with {{path}} needs --paths FILE")
        path, feed = "{path}", PathFeed(paths)
    stop, budget = threading.Event(), Budget(requests)
    if "{id}" in path and not ids:
        raise SystemExit(f"{url}: a URL with {{id}} needs --ids FILE")
    ids = ids if "{id}" in path else None
    workers = [
        Worker(parts.hostname, parts.port or 80, path, stop, budget, ids, seed, cookie, feed)
        for seed in range(concurrency)
    ]
    for worker in workers:
        worker.start()
    time.sleep(warmup)
    for worker in workers:
        worker.recording = True
    started = time.perf_counter()
    deadline = started + duration
    while time.perf_counter() < deadline and any(worker.is_alive() for worker in workers):
        time.sleep(0.02)
    stop.set()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    latencies = sorted(value for worker in workers for value in worker.latencies)
    done = len(latencies)
    return Result(
        name=name,
        url=url,
        requests=done,
        errors=sum(worker.errors for worker in workers),
        seconds=round(seconds, 2),
        rps=round(done / seconds, 1) if seconds else 0.0,
        p50_ms=round(percentile(latencies, 0.50) * 1000, 1),
        p95_ms=round(percentile(latencies, 0.95) * 1000, 1),
        p99_ms=round(percentile(latencies, 0.99) * 1000, 1),
        max_ms=round((latencies[-1] if latencies else 0) * 1000, 1),
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="+", metavar="NAME=URL")
    parser.add_argument("--concurrency", type=int, default=4, help="parallel connections (default 4)")
    parser.add_argument("--requests", type=int, default=3000, help="measured requests per URL at most (default 3000)")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per URL at most (default 20)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds first (default 1)")
    parser.add_argument("--baseline", help="NAME whose req/s the others are compared with")
    parser.add_argument("--min-rps", type=float, help="target: at least this many req/s")
    parser.add_argument("--max-p99-ms", type=float, help="target: p99 below this many ms")
    parser.add_argument("--min-ratio", type=float, help="target: at least this share of the baseline's req/s (0.12)")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--cookie", action="append", metavar="NAME:COOKIE", help="Cookie header for NAME's requests")
    parser.add_argument("--ids", help="file of ids (one a line) substituted for {id} in URLs")
    parser.add_argument("--paths", help="file of paths (one a line, starting with /) substituted in turn for {path}")
    return parser.parse_args(argv)


def check_targets(result: Result, args: argparse.Namespace) -> list[str]:
    misses = []
    if result.errors:
        misses.append(f"{result.errors} errors")
    if args.min_rps is not None and result.rps < args.min_rps:
        misses.append(f"{result.rps} req/s < {args.min_rps}")
    if args.max_p99_ms is not None and result.p99_ms >= args.max_p99_ms:
        misses.append(f"p99 {result.p99_ms} ms >= {args.max_p99_ms}")
    if args.min_ratio is not None and result.ratio is not None and result.ratio < args.min_ratio:
        misses.append(f"ratio {result.ratio:.1%} < {args.min_ratio:.0%}")
    return misses


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    targets = []
    for item in args.targets:
        name, separator, url = item.partition("=")
        if not separator:
            raise SystemExit(f"{item}: expected NAME=URL")
        targets.append((name, url))
    ids = None
    if args.ids:
        with open(args.ids, encoding="utf-8") as handle:
            ids = [line.strip() for line in handle if line.strip()]
        if not ids or not all(value.isdigit() for value in ids):
            raise SystemExit(f"--ids {args.ids}: expected one numeric id a line")
    paths = None
    if args.paths:
        with open(args.paths, encoding="utf-8") as handle:
            paths = [line.strip() for line in handle if line.strip()]
        if not paths or not all(value.startswith("/") for value in paths):
            raise SystemExit(f"--paths {args.paths}: expected one path starting with / a line")
    cookies = {}
    for item in args.cookie or []:
        name, separator, cookie = item.partition(":")
        if not separator or name not in dict(targets):
            raise SystemExit(f"--cookie {item}: expected NAME:COOKIE for one of the NAMEs")
        cookies[name] = cookie
    results = []
    for name, url in targets:
        result = measure(
            name, url, args.concurrency, args.requests, args.duration, args.warmup, ids, cookies.get(name), paths
        )
        results.append(result)
        print(f"  measured {name}: {result.rps} req/s", file=sys.stderr)
    baseline = next((r for r in results if r.name == args.baseline), None)
    if args.baseline and baseline is None:
        raise SystemExit(f"--baseline {args.baseline}: no such NAME")
    print(
        f"{'name':<14}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
        f"{'vs ' + args.baseline if baseline else '':>12}  targets"
    )
    failed = False
    for result in results:
        if baseline and baseline.rps:
            result.ratio = round(result.rps / baseline.rps, 4)
        misses = [] if result is baseline else check_targets(result, args)
        failed = failed or bool(misses)
        ratio = f"{result.ratio:.1%}" if result.ratio is not None else ""
        checked = any(value is not None for value in (args.min_rps, args.max_p99_ms, args.min_ratio))
        verdict = (
            "-" if result is baseline else ("MISSED: " + "; ".join(misses) if misses else "met" if checked else "")
        )
        print(
            f"{result.name:<14}{result.rps:>9.1f}{result.p50_ms:>9.1f}{result.p95_ms:>9.1f}{result.p99_ms:>9.1f}"
            f"{result.max_ms:>9.1f}{result.errors:>8}{ratio:>12}  {verdict}"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump([asdict(result) for result in results], handle, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
