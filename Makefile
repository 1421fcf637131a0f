# Jishi — `make run` serves a demo on SQLite, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
export FLASK_APP := wsgi.py

.PHONY: run test lint format test-fast test-future test-past install install-fonts translations extract-messages migrate seed serve gunicorn clean bench

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# The CJK font embedded in contract PDFs (CONTRACT_FONT_PATH, docs/contracts.md); Debian/Ubuntu, as root.
install-fonts:
	test -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei)

translations: install
	$(BIN)/pybabel compile --statistics -d app/translations

# Babel skips folders starting with "_" unless told otherwise, which would lose every templates/*/_partials/.
extract-messages: install
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg --ignore-dirs='.* __pycache__' \
		-k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
		-o app/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i app/translations/messages.pot -d app/translations

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed

run: translations seed
	$(BIN)/flask run --host $(HOST) --port $(PORT)

gunicorn: translations migrate
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

# Style and boundaries, both checked by .ci/run before the suite: ruff (lint + format check, ruff.toml)
# and the import contracts of .importlinter (lint-imports).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Rewrites the code to the house format and fixes what ruff can fix safely.
format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The whole suite on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL at the same time: one
# pytest process per core, each with its own database and Redis databases (tests/local_services.py).
# The PostgreSQL run writes to $(PG_TEST_LOG), printed when both have ended; either failing fails this.
PG_TEST_LOG = .pytest-postgresql.log
test: translations
	@if [ -z "$$TEST_DATABASE_URL" ]; then exec $(BIN)/python -m pytest; fi; \
	echo "PostgreSQL run in the background, its output in $(PG_TEST_LOG) (printed below when done)"; \
	$(BIN)/python -m pytest -p no:cacheprovider > $(PG_TEST_LOG) 2>&1 & postgres=$$!; \
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest; sqlite=$$?; \
	wait $$postgres; pg=$$?; \
	echo; echo "======================== PostgreSQL run ========================"; cat $(PG_TEST_LOG); \
	echo "SQLite run exit $$sqlite, PostgreSQL run exit $$pg"; \
	[ $$sqlite -eq 0 ] && [ $$pg -eq 0 ]

# Day-to-day: SQLite only, without the browser journeys and the tests marked slow (real servers,
# races, corpora). `make test` stays the whole suite, and it is what .ci/run calls.
test-fast: translations
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -m "not slow and not browser"

# The suite with the machine's clock 400 days ahead / back (Debian's libfaketime), on SQLite and, when
# TEST_DATABASE_URL is set, on PostgreSQL: a test that only passes near the day it was written fails here.
# Chromium does not start under libfaketime, redis-cli hangs and the Redis lock timings go wrong under it,
# and the slow tests crawl, so those are left out;
# tests/test_dates_in_tests.py keeps literal dates out of every test, those included.
SHIFTED_PYTEST = FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f $(CLOCK_SHIFT) $(BIN)/python -m pytest -m "not slow and not browser and not redis"
test-future: CLOCK_SHIFT = +400d
test-past: CLOCK_SHIFT = -400d
test-future test-past: translations
	@command -v faketime >/dev/null || (apt-get install -y -qq faketime >/dev/null) \
		|| { echo "faketime not found: apt-get install faketime"; exit 1; }
	env -u TEST_DATABASE_URL $(SHIFTED_PYTEST)
	if [ -n "$$TEST_DATABASE_URL" ]; then $(SHIFTED_PYTEST); fi

# The market benchmark of bench/README.md on SQLite (`bench/run_market.sh postgresql` for PostgreSQL).
bench: translations
	bench/run_market.sh sqlite

clean:
	rm -rf $(VENV) instance/jishi.db* .pytest_cache $(PG_TEST_LOG)
