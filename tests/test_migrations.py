"""The one Alembic history builds the whole schema on an empty SQLite file and an empty PostgreSQL
database, can be taken down to nothing and up again, and matches the models exactly (what
`flask db migrate` would find is nothing)."""

from __future__ import annotations

import secrets

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import inspect, make_url

from app import create_app
from app.extensions import db
from config import TestingConfig


def _include_object(obj, name, type_, reflected, compare_to):
    # Same filter as migrations/env.py: full-text tables and search indexes are made by hand.
    if type_ == "table" and name and "_fts" in name:
        return False
    if type_ == "column" and reflected and compare_to is None and name and name.startswith("search_"):
        return False  # posting.search_vector (0013): PostgreSQL-only generated tsvector
    return not (type_ == "index" and reflected and compare_to is None and name and "search" in name)


def _schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": _include_object})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _walk_the_history(url: str, upload_dir: str) -> None:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=upload_dir)
    with app.app_context():
        try:
            upgrade()
            model_tables = set(db.metadata.tables)
            assert model_tables <= _tables()
            assert _schema_differences() == []

            downgrade(revision="base")
            assert _tables() <= {"alembic_version"}

            upgrade()
            assert model_tables <= _tables()
            assert _schema_differences() == []
            # The real env.py (its filters and compare options) agrees: no new migration is needed.
            check()
        finally:
            db.session.remove()
            db.engine.dispose()


def test_history_runs_up_down_and_up_on_an_empty_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    _walk_the_history(url, str(tmp_path / "uploads"))

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(tmp_path / "uploads"))
    with app.app_context():
        # The FTS5 index and its triggers come back with the second upgrade.
        assert "posting_fts" in _tables()
        db.engine.dispose()


@pytest.fixture
def empty_postgres_url():
    """A throwaway database on the TEST_DATABASE_URL server, dropped afterwards."""
    import psycopg

    server = make_url(TestingConfig.TEST_DATABASE_URL)
    conninfo = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"jishi_mig_{secrets.token_hex(6)}"
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres_only
@pytest.mark.slow
def test_history_runs_up_down_and_up_on_an_empty_postgresql_database(empty_postgres_url, tmp_path):
    _walk_the_history(empty_postgres_url, str(tmp_path / "uploads"))
