"""Shared fixtures: one migrated database per test session (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), emptied and re-seeded with the catalogue before every test."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket

import pytest
from flask import has_app_context
from flask.globals import _cv_app
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text
from sqlalchemy.engine import make_url
from werkzeug.routing.rules import Rule

from app import create_app
from app.catalogue.services import load_catalogue
from app.extensions import db as _db
from config import TestingConfig
from tests.database_guard import NotATestDatabase, check_test_database_url
from tests.local_services import redis_up

# Fixture modules shared by every folder (a folder's own conftest may replace a fixture by name).
pytest_plugins = ["tests.fixtures.trade"]

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')

# Every test builds its own app, and werkzeug compiles two URL builder functions (ast → code) for
# each of the ~200 rules every time: about 60 % of create_app. The builder depends only on the rule's
# parsed parts, its defaults and append_unknown (converters are looked up on the bound rule at call
# time), so the suite compiles each once. The app under test is unchanged; only the test run is faster.
_compiled_builders: dict[tuple, object] = {}
_compile_builder = Rule._compile_builder


def _cached_compile_builder(self, append_unknown=True):
    key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())), append_unknown)
    builder = _compiled_builders.get(key)
    if builder is None:
        builder = _compiled_builders[key] = _compile_builder(self, append_unknown)
    return builder


Rule._compile_builder = _cached_compile_builder
LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost"}


def pytest_configure(config):
    # Before any fixture connects: the session fixture below drops the database's public schema.
    try:
        check_test_database_url(TestingConfig.TEST_DATABASE_URL)
    except NotATestDatabase as refusal:
        raise pytest.UsageError(str(refusal)) from None


def _backend() -> str:
    return make_url(TestingConfig.TEST_DATABASE_URL).get_backend_name() if TestingConfig.TEST_DATABASE_URL else "sqlite"


def pytest_runtest_setup(item):
    """The one place that skips a test for what this machine lacks, each with its reason (pytest -ra
    lists them). Markers are declared in pytest.ini."""
    if item.get_closest_marker("postgres_only") and _backend() != "postgresql":
        pytest.skip("needs PostgreSQL: TEST_DATABASE_URL does not point at PostgreSQL")
    if item.get_closest_marker("sqlite_only") and _backend() != "sqlite":
        pytest.skip("tests what exists on SQLite only")
    if item.get_closest_marker("redis") and not redis_up():
        pytest.skip("needs Redis on 127.0.0.1:6379 (start redis-server to run this test)")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any connection to a host that is not this machine (Twilio, Stripe, SMTP relays) fails the test."""
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and sock.family in (socket.AF_INET, socket.AF_INET6) and host not in LOCAL_HOSTS:
            raise RuntimeError(f"network access to {host} is not allowed in tests")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


class _Collected(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(autouse=True)
def sms_over_limit(request):
    """The SMS that came out over their length limit or broke their template's rules during the
    test (sms.limits and sms.templates log each; such a template message is never sent). Any
    fails the test unless it is marked ``sms_over_limit``, so every test that renders a message
    also holds it to its limit."""
    collected = _Collected()
    loggers = [logging.getLogger("sms.limits"), logging.getLogger("sms.templates")]
    for logger in loggers:
        logger.addHandler(collected)
    try:
        yield collected.records
    finally:
        for logger in loggers:
            logger.removeHandler(collected)
    if collected.records and request.node.get_closest_marker("sms_over_limit") is None:
        pytest.fail("SMS over its length limit: " + "; ".join(r.getMessage() for r in collected.records))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Migrate an empty database once per session with the real Alembic history."""
    url = TestingConfig.TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(tmp_path_factory.mktemp("up")))
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        from flask_migrate import upgrade

        upgrade()
        _db.engine.dispose()
    return url


class JishiClient(FlaskClient):
    """Test client that sends the CSRF token with every form post, like a browser would.

    Pass ``csrf=False`` to send a post without one (to prove CSRF protection)."""

    def csrf_token(self) -> str:
        """A valid CSRF token for this client's session, made as Flask-WTF makes one: the session's raw
        token (created if the session has none yet) signed with the app's key.

        Fetching a page for its token cost a whole page render before every post of the suite."""
        app = self.application
        field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        with self.session_transaction() as session:
            raw = session.get(field)
            if not isinstance(raw, str):
                raw = session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args, **kwargs):
        # Requests reuse the app fixture's app context, so `g` would carry one request's cached
        # current user and CSRF token into the next (another client's) request. Each request gets a
        # fresh `g`, as it would in a server; the database session stays shared with the test.
        if has_app_context():
            _cv_app.get().g = self.application.app_ctx_globals_class()
        return super().open(*args, **kwargs)

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf:
            data = kwargs.get("data")
            if data is None:
                data = kwargs["data"] = {}
            if isinstance(data, dict) and "csrf_token" not in data:
                data["csrf_token"] = self.csrf_token()
        return super().post(*args, **kwargs)


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_DIR=str(tmp_path / "uploads"),
    )
    app.test_client_class = JishiClient
    with app.app_context():
        _empty_database()
        _restore_catalogue()
        yield app
        _db.session.remove()
        _db.engine.dispose()


# The rows load_catalogue() writes into an empty database, read back once per session. Writing them
# again with one executemany per table costs a fraction of re-running load_catalogue's ORM inserts before
# each of ~1,900 tests; load_catalogue itself is tested in tests/catalogue and tests/test_demo.py.
_catalogue_snapshot: list[tuple[object, list[dict]]] = []


def _restore_catalogue() -> None:
    if not _catalogue_snapshot:
        load_catalogue()
        _db.session.commit()
        with _db.engine.connect() as connection:
            for table in _db.metadata.sorted_tables:
                rows = [dict(row._mapping) for row in connection.execute(table.select())]
                if rows:
                    _catalogue_snapshot.append((table, rows))
        return
    with _db.engine.begin() as connection:
        for table, rows in _catalogue_snapshot:
            connection.execute(table.insert(), rows)
            if connection.dialect.name == "postgresql":
                # The rows keep their ids; the sequences must continue after them as after load_catalogue().
                for column in table.primary_key.columns:
                    if column.autoincrement is True or (
                        column.autoincrement == "auto" and column.type.python_type is int
                    ):
                        connection.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{column.name}'), "
                                f'(SELECT max("{column.name}") FROM "{table.name}"))'
                            )
                        )


def _empty_database() -> None:
    engine = _db.engine
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            if connection.execute(text("SELECT current_setting('is_superuser')")).scalar() == "on":
                # DELETE of a few rows is ~50x faster than TRUNCATE of 48 tables (which makes new files
                # for each). The replica role lifts the triggers (the audit log's append-only guard)
                # and foreign-key checks for this transaction only; every table is emptied anyway.
                connection.execute(text("SET LOCAL session_replication_role = replica"))
                for table in tables:
                    connection.execute(text(f'DELETE FROM "{table}"'))
                connection.execute(
                    text(
                        "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = current_schema()"
                    )
                )
            else:
                connection.execute(
                    text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
                )
        else:
            # Append-only tables (the audit log) refuse DELETE with a BEFORE DELETE trigger; TRUNCATE on
            # PostgreSQL passes row triggers by, so on SQLite lift them for this one transaction.
            guards = connection.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%BEFORE DELETE%'")
            ).all()
            for name, _sql in guards:
                connection.execute(text(f'DROP TRIGGER "{name}"'))
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))
            for _name, sql in guards:
                connection.execute(text(sql))


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app) -> JishiClient:
    return app.test_client()


@pytest.fixture
def login(client):
    """Sign ``member`` in on the test client (the login form itself is tested in tests/members)."""

    def _login(member, test_client: FlaskClient | None = None):
        target = test_client or client
        with target.session_transaction() as session:
            session["_user_id"] = member.session_token
            session["_fresh"] = True
        return member

    return _login
