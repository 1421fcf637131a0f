#!/usr/bin/env bash
# Search benchmark (issue 16, point 4): 4,000 distinct realistic market searches over 1,000,000
# postings, replayed against Jishi under gunicorn (2 sync workers) with the result caches OFF, then
# a mixed workload (popular searches repeated, a long tail) with the caches ON, each beside a bare
# Flask hello under the same gunicorn settings in the same run. See bench/README.md, "Search on
# 1,000,000 postings".
#
#   bench/run_search.sh [sqlite|postgresql]      (default sqlite)
#
# Settings (environment): BENCH_POSTINGS (1000000), BENCH_DIR (/tmp/jishi-bench), BENCH_PG_URL
# (postgresql+psycopg://postgres@127.0.0.1:5432/jishi_bench1m); the database is built (WIPED first)
# unless it already holds BENCH_POSTINGS postings, and migrated to the newest revision either way.
# BENCH_CONCURRENCY (4), BENCH_SEARCHES (4000 distinct), BENCH_MIXED (4000 requests),
# BENCH_DURATION (90 s at most per phase), BENCH_REDIS_URL (redis://127.0.0.1:6379/13, emptied,
# for the caches-on phase; empty for none), BENCH_APP_PORT (8121), BENCH_HELLO_PORT (8122).
# Exit status 1 when the caches-off phase misses p99 < 100 ms, >= 150 req/s or has an error.
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINE="${1:-sqlite}"
POSTINGS="${BENCH_POSTINGS:-1000000}"
DIR="${BENCH_DIR:-/tmp/jishi-bench}"
APP_PORT="${BENCH_APP_PORT:-8121}"
HELLO_PORT="${BENCH_HELLO_PORT:-8122}"
CONCURRENCY="${BENCH_CONCURRENCY:-4}"
DURATION="${BENCH_DURATION:-90}"
PY=.venv/bin/python
mkdir -p "$DIR/instance"

case "$ENGINE" in
  sqlite) DATABASE_URL="sqlite:///$DIR/scale-$POSTINGS.db" ;;
  postgresql) DATABASE_URL="${BENCH_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/jishi_bench1m}" ;;
  *) echo "usage: $0 [sqlite|postgresql]" >&2; exit 2 ;;
esac
export DATABASE_URL JISHI_ENV=development FLASK_DEBUG=0 JISHI_INSTANCE_DIR="$DIR/instance" FLASK_APP=wsgi.py
export SECRET_KEY="bench-$(date +%s)-$RANDOM$RANDOM" LOG_LEVEL=WARNING

# bench/lib.sh: sql, build_database, wait_until_up, stop_servers
source bench/lib.sh

if [[ "$(sql 'SELECT count(*) FROM posting')" -ge "$POSTINGS" ]]; then
  echo "== reusing $DATABASE_URL; migrating it to the newest revision"
  .venv/bin/flask db upgrade 2>&1 | grep -v '^INFO  \[alembic.runtime.migration\] \(Context\|Will\)' || true
else
  echo "== building $DATABASE_URL with $POSTINGS postings (wiped first)"
  build_database "$DIR/scale-$POSTINGS.db" "$POSTINGS"
fi

WORKLOAD="$DIR/search-workload"
$PY bench/search_workload.py --out "$WORKLOAD" --distinct "${BENCH_SEARCHES:-4000}" --mixed "${BENCH_MIXED:-4000}"

PIDS=()
trap stop_servers EXIT
GUNICORN=(.venv/bin/gunicorn --config gunicorn.conf.py --workers 2 --access-logfile /dev/null --error-logfile "$DIR/gunicorn-search.log")
start_servers() {  # arguments: VAR=value settings for Jishi
  env "$@" "${GUNICORN[@]}" --bind "127.0.0.1:$APP_PORT" wsgi:app & PIDS+=($!)
  "${GUNICORN[@]}" --bind "127.0.0.1:$HELLO_PORT" bench.hello:app & PIDS+=($!)
  wait_until_up "$DIR/gunicorn-search.log" "http://127.0.0.1:$APP_PORT/healthz" "http://127.0.0.1:$HELLO_PORT/hello"
}
LOAD=($PY bench/load.py --baseline hello --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup 2)
HELLO="hello=http://127.0.0.1:$HELLO_PORT/hello"
SEARCH="http://127.0.0.1:$APP_PORT{path}"
echo "== $ENGINE, $(sql 'SELECT count(*) FROM posting') postings ($(sql "SELECT count(*) FROM posting WHERE status = 'active'") active)," \
     "gunicorn 2 sync workers, $(nproc) CPUs, $CONCURRENCY connections"

# Caches off: no result cache in the workers, no shared cache in Redis (rate limits in memory).
# The cards' HTML cache stays on: it holds rendered postings, not search results.
echo "-- result caches OFF, $(wc -l < "$WORKLOAD/distinct.txt") distinct searches; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
start_servers MARKET_RESULT_CACHE_SIZE=0 REDIS_URL= PAGE_CACHE_REDIS_URL= RATELIMIT_STORAGE_URI=memory://
STATUS=0
"${LOAD[@]}" --requests "$(wc -l < "$WORKLOAD/distinct.txt")" --paths "$WORKLOAD/distinct.txt" --json "$DIR/search-$ENGINE-off.json" \
  --min-rps 150 --max-p99-ms 100 "$HELLO" "distinct=$SEARCH" || STATUS=1
stop_servers

REDIS="${BENCH_REDIS_URL-redis://127.0.0.1:6379/13}"
APP_ENV=(REDIS_URL= PAGE_CACHE_REDIS_URL= RATELIMIT_STORAGE_URI=memory://)
if [[ -n "$REDIS" ]]; then
  $PY -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS"
  APP_ENV=(REDIS_URL="$REDIS" PAGE_CACHE_REDIS_URL="$REDIS" RATELIMIT_STORAGE_URI="$REDIS")
fi
echo "-- result caches ON (per worker + Redis: ${REDIS:-none}), $(wc -l < "$WORKLOAD/mixed.txt") mixed requests" \
     "($(sort -u "$WORKLOAD/mixed.txt" | wc -l) different); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
start_servers "${APP_ENV[@]}"
"${LOAD[@]}" --requests "$(wc -l < "$WORKLOAD/mixed.txt")" --paths "$WORKLOAD/mixed.txt" --json "$DIR/search-$ENGINE-on.json" \
  "$HELLO" "mixed=$SEARCH" || true
stop_servers
exit $STATUS
