"""Migration 0022 gives a database seeded before the counted bag unit existed its 袋 (issue 22, point 3)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select, text

from app.catalogue.models import Unit


def test_upgrade_adds_the_counted_bag_to_a_seeded_database_once(app, db):
    config = app.extensions["migrate"].migrate.get_config()
    command.downgrade(config, "0020")
    try:
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM unit WHERE code = 'bag'"))
        command.upgrade(config, "head")
        db.session.expire_all()
        bag = db.session.get(Unit, "bag")
        assert (bag.name_en, bag.name_zh, bag.kg_per_unit) == ("bag", "袋", None)
        # Run again over a database that has it: nothing is added twice. The session's read of
        # `unit` ends first: on PostgreSQL its lock would block dropping tables that reference it.
        db.session.rollback()
        command.downgrade(config, "0020")
        command.upgrade(config, "head")
        assert db.session.scalars(select(Unit.code).where(Unit.code == "bag")).all() == ["bag"]
    finally:
        db.session.rollback()
        command.upgrade(config, "head")
        db.engine.dispose()
