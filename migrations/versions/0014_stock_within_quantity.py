"""posting stock guard: a sell offer never has more units available than it stated

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 10:00:00

With the existing ``quantity_available >= 0`` this bounds a sell offer's stock on both sides in the
database itself (issue 20: stock given back twice let more units be ordered than the seller had),
whatever the application code does. PostgreSQL gets a real CHECK constraint. SQLite cannot add one
without rebuilding the posting table, which would drop its full-text triggers and, with foreign keys
on, cascade into the photos and orders that reference it; two triggers raise the same constraint
failure instead (an IntegrityError like a CHECK's). Rows written before the guard are clamped to
their stated quantity first, so the guard can be added to live data.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

NAME = "ck_posting_available_within_quantity"
GUARD = "kind <> 'sell' OR quantity_available <= quantity"
SQLITE_TRIGGERS = {
    f"{NAME}_insert": "BEFORE INSERT ON posting",
    f"{NAME}_update": "BEFORE UPDATE OF quantity_available, quantity, kind ON posting",
}


def upgrade():
    op.execute("UPDATE posting SET quantity_available = quantity WHERE kind = 'sell' AND quantity_available > quantity")
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint(op.f(NAME), "posting", GUARD)
        return
    for trigger, timing in SQLITE_TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {trigger} {timing} WHEN NOT (NEW.kind <> 'sell' OR NEW.quantity_available <= NEW.quantity) "
            f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {NAME}'); END"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f(NAME), "posting", type_="check")
        return
    for trigger in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
