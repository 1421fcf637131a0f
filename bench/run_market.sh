#!/usr/bin/env bash
# Market benchmark: build a database with N synthetic postings, serve Jishi and a bare Flask "hello"
# app with the same gunicorn settings, and measure /market, /market?q=… and /hello in one run.
#
#   bench/run_market.sh [sqlite|postgresql]      (default sqlite; see bench/README.md)
#
# Settings (environment): BENCH_POSTINGS (100000), BENCH_DIR (/tmp/jishi-bench), BENCH_PG_URL
# (postgresql+psycopg://postgres@127.0.0.1:5432/jishi_g), BENCH_REUSE=1 to keep an existing
# database of the right size, BENCH_CONCURRENCY (4), BENCH_REQUESTS (3000), BENCH_DURATION (20),
# BENCH_APP_PORT (8101), BENCH_HELLO_PORT (8102).
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINE="${1:-sqlite}"
POSTINGS="${BENCH_POSTINGS:-100000}"
DIR="${BENCH_DIR:-/tmp/jishi-bench}"
APP_PORT="${BENCH_APP_PORT:-8101}"
HELLO_PORT="${BENCH_HELLO_PORT:-8102}"
PY=.venv/bin/python
mkdir -p "$DIR/instance"

case "$ENGINE" in
  sqlite) DATABASE_URL="sqlite:///$DIR/market-$POSTINGS.db" ;;
  postgresql) DATABASE_URL="${BENCH_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/jishi_g}" ;;
  *) echo "usage: $0 [sqlite|postgresql]" >&2; exit 2 ;;
esac
# Development settings without debug (the default), a throwaway secret, uploads under $DIR.
export DATABASE_URL JISHI_ENV=development FLASK_DEBUG=0 JISHI_INSTANCE_DIR="$DIR/instance" FLASK_APP=wsgi.py
export SECRET_KEY="bench-$(date +%s)-$RANDOM$RANDOM" LOG_LEVEL=WARNING

# bench/lib.sh: sql, build_database, wait_until_up, stop_servers
source bench/lib.sh

if [[ "${BENCH_REUSE:-0}" == 1 && "$(sql 'SELECT count(*) FROM posting')" == "$POSTINGS" ]]; then
  echo "== reusing $DATABASE_URL with $POSTINGS postings"
else
  echo "== building $DATABASE_URL with $POSTINGS postings"
  build_database "$DIR/market-$POSTINGS.db" "$POSTINGS"
fi

PIDS=()
trap stop_servers EXIT

# The same gunicorn settings for both apps: 2 sync workers, no access log.
GUNICORN=(.venv/bin/gunicorn --config gunicorn.conf.py --workers 2 --access-logfile /dev/null --error-logfile "$DIR/gunicorn.log")
"${GUNICORN[@]}" --bind "127.0.0.1:$APP_PORT" wsgi:app & PIDS+=($!)
"${GUNICORN[@]}" --bind "127.0.0.1:$HELLO_PORT" bench.hello:app & PIDS+=($!)
wait_until_up "$DIR/gunicorn.log" "http://127.0.0.1:$APP_PORT/healthz" "http://127.0.0.1:$HELLO_PORT/hello"

APP="http://127.0.0.1:$APP_PORT"
TARGETS=(
  "hello=http://127.0.0.1:$HELLO_PORT/hello"
  "market=$APP/market"
  "q:玉米=$APP/market?q=%E7%8E%89%E7%B1%B3"
  "q:apple=$APP/market?q=apple"
  "q:苞米=$APP/market?q=%E8%8B%9E%E7%B1%B3"
)
CHECKS=()
if [[ "$ENGINE" == sqlite ]]; then CHECKS=(--min-rps 150 --max-p99-ms 100 --min-ratio 0.12); fi
echo "== $ENGINE, $POSTINGS postings, gunicorn 2 sync workers, $(nproc) CPUs"
$PY bench/load.py --baseline hello --concurrency "${BENCH_CONCURRENCY:-4}" --requests "${BENCH_REQUESTS:-3000}" \
  --duration "${BENCH_DURATION:-20}" --json "$DIR/results-$ENGINE.json" "${CHECKS[@]}" "${TARGETS[@]}"
