"""Whether the Redis instances the site uses answer, for /healthz.

Redis holds the rate limits' counters (RATELIMIT_STORAGE_URI) and the shared page and search cache
(PAGE_CACHE_REDIS_URL). Neither is needed to serve a page: when Redis is down the limits count in
each worker's memory (Flask-Limiter's in-memory fallback) and pages are rendered without the shared
cache (app/caching/shared.py), so this is reported, not failed on.
"""

from __future__ import annotations

from flask import current_app

from app.caching.shared import shared_cache
from app.extensions import limiter


def _uses_redis(uri: str | None) -> bool:
    return bool(uri) and uri.split(":", 1)[0] in {"redis", "rediss", "redis+sentinel", "redis+cluster"}


def redis_report() -> dict[str, str]:
    """``{"redis": "ok" | "down" | "not used", "rate_limits": "shared" | "per worker"}``: "down" when
    any Redis the site is configured to use does not answer; "per worker" when the limits' counters
    are kept in each worker's memory (development's memory://, or Redis down)."""
    checks = []
    limits_in_redis = _uses_redis(current_app.config.get("RATELIMIT_STORAGE_URI"))
    if limits_in_redis:
        checks.append(limiter.storage.check)
    cache = shared_cache()
    if cache is not None:
        checks.append(cache.ping)
    if not checks:
        return {"redis": "not used", "rate_limits": "per worker"}
    # Every check runs (a ping each), so that each client notices a recovery or a failure.
    answers = [check() for check in checks]
    limits_shared = limits_in_redis and answers[0]
    return {"redis": "ok" if all(answers) else "down", "rate_limits": "shared" if limits_shared else "per worker"}
