"""Database engine behaviour shared by every domain: SQLite pragmas, write transactions, the
connection check and read-only pages without a transaction.

SQLite runs in WAL mode with foreign keys on. Requests that change state open their transaction with
``BEGIN IMMEDIATE`` so that two writers queue on the database lock instead of failing later with
"database is locked" when a read transaction tries to upgrade itself to a write.

A connection taken from the pool after it sat unused for DATABASE_PING_IDLE_SECONDS is checked
with a ping first (see :func:`install_idle_ping`); a busy worker's connections are not unless the
server has said something on them (it was closing them), which on PostgreSQL saves a round trip on
every request.
"""

from __future__ import annotations

import contextvars
import select
import sqlite3
import time
from collections.abc import Callable
from contextlib import contextmanager

from flask import g, has_request_context, request
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

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


def install_idle_ping(engine: Engine, idle_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
    """Check a pooled connection with a ping when it is taken from the pool after being unused for
    ``idle_seconds`` or more (0: every time, like ``pool_pre_ping``). A failed ping throws the
    connection away and the pool connects again, so a database restart or a connection closed by a
    firewall while the site was quiet costs no request an error.

    A connection used a moment ago is pinged too when its socket has data waiting
    (:func:`_server_spoke`): the server sends an error before it closes a connection (a restart,
    ``pg_terminate_backend``, an idle timeout), so a connection closed that way is replaced before a
    request uses it, at the cost of one poll(2) per checkout.

    Why not ``pool_pre_ping``: it pings on every checkout, a round trip to PostgreSQL on every
    request. What is left to fail is a connection dropped silently (a firewall that forgets it
    without telling either side) within ``idle_seconds`` of its last use: the first request on it
    fails and SQLAlchemy then replaces every connection of that pool."""

    @event.listens_for(engine, "checkin")
    def _note_checkin(_dbapi_connection, record) -> None:
        if record is not None:
            record.info["jishi_checked_in_at"] = clock()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        last_used = record.info.get("jishi_checked_in_at")
        if last_used is None:
            return  # new: just connected
        if clock() - last_used < idle_seconds and not _server_spoke(dbapi_connection):
            return  # used a moment ago, and nothing arrived since
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out a new one.
            raise exc.DisconnectionError(
                f"connection unused for {clock() - last_used:.0f} s failed its ping"
            ) from error


def _server_spoke(dbapi_connection) -> bool:
    """True when data waits on an idle connection's socket. Between queries PostgreSQL says nothing
    unless it is closing the connection (a restart, pg_terminate_backend, an idle timeout: it sends
    the error, then closes), so a readable socket means "ping before use". One poll(2) with no
    wait, no round trip. Connections without a socket (SQLite) never spoke."""
    fileno = getattr(dbapi_connection, "fileno", None)
    if fileno is None:
        return False
    try:
        poller = select.poll()
        poller.register(fileno(), select.POLLIN)
        return bool(poller.poll(0))
    except Exception:  # closed already (psycopg refuses fileno()): let the ping find out
        return True


def read_without_transaction() -> None:
    """Run the rest of this request's queries outside a transaction on PostgreSQL (autocommit): no
    BEGIN before the first query and no ROLLBACK when the connection goes back to the pool, two of
    the four round trips of a page that needs one query. For GET views that only read, called
    before their first query; each query then sees the latest committed data on its own. Does
    nothing on SQLite (its BEGIN is a function call) or when the session is already in a
    transaction. Never call it in a view that writes: each statement would commit on its own."""
    from app.extensions import db

    session = db.session()  # the request's Session, not the scoped proxy
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    g.jishi_reads_without_transaction = True


def register(app) -> None:
    """End a request's autocommit reads when the request ends (:func:`read_without_transaction`)."""

    @app.teardown_request
    def _end_reads_without_transaction(_error) -> None:
        # The connection goes back to the pool in its normal mode here, not only when the app
        # context ends: code that runs after the request in the same context (a CLI command, a
        # test) must get a real transaction again. A rollback: nothing pending is ever flushed.
        if not g.pop("jishi_reads_without_transaction", False):
            return
        from app.extensions import db

        try:
            db.session.rollback()
        except SQLAlchemyError:  # a connection lost meanwhile is thrown away by the pool anyway
            pass
