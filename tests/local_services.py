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
