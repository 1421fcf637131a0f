"""Checks for the services the project machine runs beside the tests (Redis), so that tests which
need one skip with a reason where it is missing instead of failing."""

from __future__ import annotations

import socket


def redis_up(host: str = "127.0.0.1", port: int = 6379) -> bool:
    """True when something accepts connections on Redis's address."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


# `make test` runs the suite on SQLite and on PostgreSQL side by side, and tests empty the Redis
# databases they use: each run gets its own databases so that neither flushes the other's. Database 0
# is left to development, 9 to bench/scale_out.py, 15 to REDIS_TEST_URL.
REDIS_SLOTS = {"limits": 1, "page_cache": 2, "shared_limits": 3, "shared_cache": 4}


def redis_test_db(purpose: str) -> int:
    """The Redis database number for ``purpose`` (a key of REDIS_SLOTS) in this run: 1–4 on SQLite,
    10–13 on PostgreSQL."""
    from config import TestingConfig

    return REDIS_SLOTS[purpose] + (9 if TestingConfig.TEST_DATABASE_URL else 0)


def redis_test_url(purpose: str) -> str:
    """redis://127.0.0.1:6379/<redis_test_db(purpose)>."""
    return f"redis://127.0.0.1:6379/{redis_test_db(purpose)}"
