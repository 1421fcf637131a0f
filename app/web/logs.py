"""Structured logs: one JSON object per line, each carrying the request id of the request that
logged it (the same id is returned in X-Request-ID and written in gunicorn's access log), so that
the lines of one request can be found across several gunicorn hosts."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from flask import g, has_request_context, request

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept as a field.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (or "-" outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id, extra fields and the exception, as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRIBUTES and name not in entry:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure(app) -> None:
    """Send the root logger to stderr as JSON lines (LOG_FORMAT=json) or readable text, at LOG_LEVEL,
    and log one line per request with method, path, status and duration (LOG_REQUESTS)."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if app.config["LOG_FORMAT"] == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    # Replace handlers a previous create_app (tests build many apps) or basicConfig installed.
    for old in [h for h in root.handlers if getattr(h, "_jishi", False) or type(h) is logging.StreamHandler]:
        root.removeHandler(old)
    handler._jishi = True
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])

    if not app.config["LOG_REQUESTS"]:
        return
    request_log = logging.getLogger("jishi.request")

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
        request_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "remote_addr": request.remote_addr,
            },
        )
        return response
