"""order from one offer: an order references the accepted offer and thread it came from, once

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 12:30:00

Issue 23: simultaneous SMS acceptances of one offer made two orders, the first one's negotiation_id
quietly set to NULL by the ORM, so the UNIQUE index on negotiation_id did not stop the second. Now
an order either comes from an offer, and then names that offer and its thread (both or neither), or
was bought now; and one offer gives at most one order (a unique index on offer_id, which a NULL
negotiation_id cannot dodge).

PostgreSQL gets real CHECK constraints. SQLite cannot add one without rebuilding trade_order, and
with foreign keys on, dropping the old table would cascade into its events, disputes, payments and
shipments; two triggers raise the same constraint failure instead (as migration 0014 does). The unique
index is a plain CREATE UNIQUE INDEX on both.

Rows that break the rule (the duplicate orders of the bug) are not repaired here: which of two
orders to keep is a decision about money and stock. The upgrade stops and names them; see
docs/sms-commands.md ("Duplicate orders from before migration 0015").
"""
from alembic import op
from sqlalchemy import text


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

CHECKS = {
    "ck_trade_order_offer_with_its_negotiation": "(negotiation_id IS NULL) = (offer_id IS NULL)",
    "ck_trade_order_bought_now_or_from_an_offer": "bought_now = (offer_id IS NULL)",
}
SQLITE_TIMINGS = {
    "insert": "BEFORE INSERT ON trade_order",
    "update": "BEFORE UPDATE OF negotiation_id, offer_id, bought_now ON trade_order",
}
INDEX = "ix_trade_order_offer_id"


def _rows_breaking_the_rule(bind) -> list[int]:
    broken = " OR ".join(f"NOT ({guard})" for guard in CHECKS.values())
    ids = bind.execute(text(f"SELECT id FROM trade_order WHERE {broken}")).scalars().all()
    twins = bind.execute(text(
        "SELECT id FROM trade_order WHERE offer_id IN "
        "(SELECT offer_id FROM trade_order WHERE offer_id IS NOT NULL GROUP BY offer_id HAVING COUNT(*) > 1)"
    )).scalars().all()
    return sorted(set(ids) | set(twins))


def upgrade():
    bind = op.get_bind()
    broken = _rows_breaking_the_rule(bind)
    if broken:
        raise RuntimeError(
            f"trade_order rows {broken} are duplicate orders of one offer or name an offer without its "
            "thread; resolve them first (docs/sms-commands.md, 'Duplicate orders from before migration 0015')"
        )
    op.create_index(op.f(INDEX), "trade_order", ["offer_id"], unique=True)
    if bind.dialect.name == "postgresql":
        for name, guard in CHECKS.items():
            op.create_check_constraint(op.f(name), "trade_order", guard)
        return
    for name, guard in CHECKS.items():
        new_row = guard.replace("negotiation_id", "NEW.negotiation_id").replace("offer_id", "NEW.offer_id")
        new_row = new_row.replace("bought_now", "NEW.bought_now")
        for event, timing in SQLITE_TIMINGS.items():
            op.execute(
                f"CREATE TRIGGER {name}_{event} {timing} WHEN NOT ({new_row}) "
                f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in CHECKS:
            op.drop_constraint(op.f(name), "trade_order", type_="check")
    else:
        for name in CHECKS:
            for event in SQLITE_TIMINGS:
                op.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")
    op.drop_index(op.f(INDEX), table_name="trade_order")
