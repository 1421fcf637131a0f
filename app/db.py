"""Database engine behaviour shared by every domain: SQLite pragmas and write transactions.

SQLite runs in WAL mode with foreign keys on. Requests that change state open their transaction with
``BEGIN IMMEDIATE`` so that two writers queue on the database lock instead of failing later with
"database is locked" when a read transaction tries to upgrade itself to a write.
"""
from __future__ import annotations

import contextvars
import sqlite3
from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

_force_immediate: contextvars.ContextVar[bool] = contextvars.ContextVar("sqlite_immediate", default=False)
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SQLITE_BUSY_TIMEOUT_MS = 15000


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own BEGIN is deferred-only).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_immediate() else "BEGIN")


def _wants_immediate() -> bool:
    if _force_immediate.get():
        return True
    return has_request_context() and request.method in _WRITE_METHODS


@contextmanager
def write_transactions():
    """Within this block every new SQLite transaction starts with BEGIN IMMEDIATE (CLI jobs, workers)."""
    token = _force_immediate.set(True)
    try:
        yield
    finally:
        _force_immediate.reset(token)


def is_postgres(session_or_engine) -> bool:
    """True when the bound database is PostgreSQL."""
    bind = session_or_engine.get_bind() if hasattr(session_or_engine, "get_bind") else session_or_engine
    return bind.dialect.name == "postgresql"
