"""Admin test data (the trade fixtures: seller with storefront, buyer, stranger, admin, a sell offer
and a buy request) and the clean-up the append-only audit log needs on SQLite."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.trade.conftest import admin, buy_request, buyer, sell_offer, seller, stranger  # noqa: F401

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0012_admin_trust.py"


def _migration():
    spec = importlib.util.spec_from_file_location("admin_trust_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _empty_audit_log(app, db):
    """The shared clean-up empties tables with DELETE on SQLite, which the audit log's trigger refuses
    (as it should). After each test the rows go with the trigger briefly lifted, in one transaction.
    PostgreSQL empties tables with TRUNCATE, which no row trigger sees."""
    yield
    db.session.rollback()
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        connection.execute(text("DELETE FROM audit_log"))
        connection.execute(text(_migration().SQLITE_TRIGGERS[1]))
