"""Scale-out on one PostgreSQL: two gunicorn instances take orders from concurrent buyers and two
notify workers drain the outbox — no order lost or doubled, stock adds up, every notification sent
exactly once. A smaller run of bench/scale_out.py (the full 1,000 orders / 10,000 notifications
figures are in bench/README.md)."""

from __future__ import annotations

import importlib.util
import secrets
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from config import TestingConfig

BENCH = Path(__file__).resolve().parents[2] / "bench" / "scale_out.py"


def _load_bench():
    spec = importlib.util.spec_from_file_location("scale_out", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def scratch_postgres():
    url = TestingConfig.TEST_DATABASE_URL
    if shutil.which("redis-cli") is None:
        pytest.skip("scale-out keeps rate limits in Redis: redis-cli not found")
    name = f"jishi_scale_{secrets.token_hex(4)}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres_only
@pytest.mark.redis
@pytest.mark.slow
def test_two_instances_and_two_workers_lose_nothing_and_send_nothing_twice(scratch_postgres, tmp_path):
    lines = []
    problems = _load_bench().run(
        scratch_postgres,
        orders=120,
        notifications=1500,
        buyers=12,
        offers=5,
        gunicorn_workers=2,
        logs=tmp_path,
        timeout=180,
        echo=lines.append,
    )
    assert problems == [], "\n".join(lines)
    assert any(line.startswith("orders: 120 placed, 0 failed") for line in lines), lines
