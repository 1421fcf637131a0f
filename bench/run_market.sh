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

count_postings() {
  $PY - <<'EOF' 2>/dev/null || echo 0
from sqlalchemy import create_engine, text
from config import bench_env
with create_engine(bench_env("DATABASE_URL")).connect() as connection:
    print(connection.execute(text("SELECT count(*) FROM posting")).scalar())
EOF
}

if [[ "${BENCH_REUSE:-0}" == 1 && "$(count_postings)" == "$POSTINGS" ]]; then
  echo "== reusing $DATABASE_URL with $POSTINGS postings"
else
  echo "== building $DATABASE_URL with $POSTINGS postings"
  if [[ "$ENGINE" == sqlite ]]; then
    rm -f "$DIR/market-$POSTINGS.db" "$DIR/market-$POSTINGS.db-wal" "$DIR/market-$POSTINGS.db-shm"
  else
    $PY - <<'EOF'
from sqlalchemy import create_engine, text
from config import bench_env
with create_engine(bench_env("DATABASE_URL")).begin() as connection:
    connection.execute(text("DROP SCHEMA public CASCADE"))
    connection.execute(text("CREATE SCHEMA public"))
EOF
  fi
  .venv/bin/flask db upgrade >/dev/null 2>&1
  .venv/bin/flask seed --no-demo >/dev/null
  $PY bench/generate.py --postings "$POSTINGS" 2>&1 | grep -v '^INFO'
fi

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# The same gunicorn settings for both apps: 2 sync workers, no access log.
GUNICORN=(.venv/bin/gunicorn --config gunicorn.conf.py --workers 2 --access-logfile /dev/null --error-logfile "$DIR/gunicorn.log")
"${GUNICORN[@]}" --bind "127.0.0.1:$APP_PORT" wsgi:app & PIDS+=($!)
"${GUNICORN[@]}" --bind "127.0.0.1:$HELLO_PORT" bench.hello:app & PIDS+=($!)
for url in "http://127.0.0.1:$APP_PORT/healthz" "http://127.0.0.1:$HELLO_PORT/hello"; do
  for attempt in $(seq 100); do
    if $PY -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$url" 2>/dev/null; then break; fi
    if [[ $attempt == 100 ]]; then echo "$url did not answer; see $DIR/gunicorn.log" >&2; exit 1; fi
    sleep 0.2
  done
done

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
