# Shared by run_market.sh, run_scale.sh and run_search.sh (sourced, not run): the benchmark
# database and the two gunicorn servers measured side by side. Expects PY, DIR, DATABASE_URL
# (exported) and, for the servers, PIDS=() in the caller.

sql() {  # one scalar from the benchmark database (0 when it has no posting table yet)
  $PY - "$1" <<'PYEOF' 2>/dev/null || echo 0
import sys
from sqlalchemy import create_engine, text
from config import bench_env
with create_engine(bench_env("DATABASE_URL")).connect() as connection:
    print(connection.execute(text(sys.argv[1])).scalar())
PYEOF
}

build_database() {  # arguments: SQLITE_FILE POSTINGS — wipe the database, migrate, seed, generate
  if [[ "$DATABASE_URL" == sqlite* ]]; then
    rm -f "$1" "$1-wal" "$1-shm"
  else
    $PY - <<'PYEOF'
from sqlalchemy import create_engine, text
from config import bench_env
with create_engine(bench_env("DATABASE_URL")).begin() as connection:
    connection.execute(text("DROP SCHEMA public CASCADE"))
    connection.execute(text("CREATE SCHEMA public"))
PYEOF
  fi
  .venv/bin/flask db upgrade >/dev/null 2>&1
  .venv/bin/flask seed --no-demo >/dev/null
  $PY bench/generate.py --postings "$2" 2>&1 | grep -v '^INFO' | tr '\r' '\n' | tail -n 1
}

wait_until_up() {  # arguments: LOG URL… — exit 1 when a server does not answer within 30 s
  local log="$1" url attempt
  shift
  for url in "$@"; do
    for attempt in $(seq 150); do
      if $PY -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$url" 2>/dev/null; then break; fi
      if [[ $attempt == 150 ]]; then echo "$url did not answer; see $log" >&2; exit 1; fi
      sleep 0.2
    done
  done
}

stop_servers() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait "${PIDS[@]}" 2>/dev/null || true; PIDS=(); }
