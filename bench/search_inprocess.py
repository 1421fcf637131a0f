"""The search workload one request at a time, in process (issue 16, point 4): a figure that does not
depend on the machine's load as much as a gunicorn run does (no load generator, no other process of
the benchmark competing for the 2 cores).

    DATABASE_URL=sqlite:////tmp/jishi-bench/scale-1000000.db \\
        .venv/bin/python bench/search_inprocess.py /tmp/jishi-bench/search-workload/distinct.txt \\
        [--count 600] [--warmup 20] [--profile out.prof] [--slowest 15]

Replays the first ``--count`` paths of a workload file (bench/search_workload.py) through the Flask
test client with the result caches off (``MARKET_RESULT_CACHE_SIZE=0``, no Redis), as
run_search.sh's first phase does, after ``--warmup`` other requests (the vocabulary and catalogue
snapshot are built per process). Prints the latency percentiles of the whole request and of the
part spent in SQL (time between the cursor's execute and its return, fetches included), the SQL
statements per request, the time spent finding the ids (``market.find_result_ids``: the search
service, SQL and ranking) and rendering the cards (``market.market_cards``, their queries included),
and the slowest searches. (On SQLite a SELECT runs mostly while its rows are fetched, after the
cursor's execute returns, so "SQL execute" undercounts it there: read the stages.) ``--profile`` writes a cProfile of the measured
requests (read it with ``python -m pstats``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# As run_search.sh's caches-off phase: no Redis at all, no result cache (set before the config is read).
os.environ.update(REDIS_URL="", PAGE_CACHE_REDIS_URL="", RATELIMIT_STORAGE_URI="memory://", LOG_LEVEL="WARNING")
os.environ.setdefault("JISHI_ENV", "development")
os.environ.setdefault("SECRET_KEY", "bench-inprocess")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", type=Path)
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--slowest", type=int, default=15)
    args = parser.parse_args()

    from sqlalchemy import event

    from app import create_app
    from app.extensions import db
    from app.postings import market

    stages = {"ids": 0.0, "cards": 0.0}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                stages[name] += time.perf_counter() - started

        return wrapper

    market.find_result_ids = timed("ids", market.find_result_ids)
    market.market_cards = timed("cards", market.market_cards)

    app = create_app(MARKET_RESULT_CACHE_SIZE=0)
    lines = args.paths.read_text().split()
    warmup, measured = lines[-args.warmup :] if args.warmup else [], lines[: args.count]
    sql = {"seconds": 0.0, "statements": 0}

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _started(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _done(conn, cursor, statement, parameters, context, executemany):
        sql["seconds"] += time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())
        sql["statements"] += 1

    client = app.test_client()
    for path in warmup:
        client.get(path)
    profiler = cProfile.Profile() if args.profile else None
    timings: list[tuple[float, float, int, str]] = []
    per_stage: dict[str, list[float]] = {"ids": [], "cards": []}
    for path in measured:
        sql.update(seconds=0.0, statements=0)
        stages.update(ids=0.0, cards=0.0)
        if profiler:
            profiler.enable()
        started = time.perf_counter()
        response = client.get(path)
        response.get_data()
        elapsed = time.perf_counter() - started
        if profiler:
            profiler.disable()
        if response.status_code != 200:
            print(f"HTTP {response.status_code}: {path}", file=sys.stderr)
        timings.append((elapsed * 1000, sql["seconds"] * 1000, sql["statements"], path))
        for name, seconds in stages.items():
            per_stage[name].append(seconds * 1000)
    if profiler:
        profiler.dump_stats(args.profile)

    total = [t[0] for t in timings]
    in_sql = [t[1] for t in timings]
    print(
        f"{len(timings)} requests in {sum(total) / 1000:.1f} s ({len(timings) / (sum(total) / 1000):.1f} req/s, one at a time)"
    )
    rows = (("request ms", total), ("finding ids", per_stage["ids"]), ("cards ms", per_stage["cards"]))
    for name, values in (*rows, ("SQL execute", in_sql)):
        print(
            f"  {name:<11} p50 {percentile(values, 0.5):7.1f}  p90 {percentile(values, 0.9):7.1f}  "
            f"p99 {percentile(values, 0.99):7.1f}  max {max(values):7.1f}  mean {statistics.mean(values):6.1f}"
        )
    shares = ", ".join(f"{name} {sum(values) / sum(total):.0%}" for name, values in rows[1:])
    print(
        f"  share of the time: {shares}; statements a request: "
        f"mean {statistics.mean(t[2] for t in timings):.1f}, max {max(t[2] for t in timings)}"
    )
    from urllib.parse import unquote_plus

    for elapsed, in_sql_ms, statements, path in sorted(timings, reverse=True)[: args.slowest]:
        print(f"  {elapsed:7.1f} ms (SQL execute {in_sql_ms:6.1f}, {statements} statements)  {unquote_plus(path)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
