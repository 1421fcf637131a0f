"""counted bag unit: 袋 without a fixed weight, beside the 25 kg and 50 kg sacks

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-07 15:40:00

Issue 22: farmers sell "100袋" without saying how heavy a bag is. The catalogue only had the weighed
sacks bag25 and bag50, so the SMS reader could not read 袋 at all (it must not pick a weight for the
farmer). A counted unit "bag" (kg_per_unit NULL, like crate and box) is added for databases seeded
before units.csv had it; `flask catalogue load` adds it too, so the insert is skipped when present.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0020'
branch_labels = None
depends_on = None

_unit = sa.table(
    "unit",
    sa.column("code", sa.String),
    sa.column("name_en", sa.String),
    sa.column("name_zh", sa.String),
    sa.column("kg_per_unit", sa.Numeric),
)


def upgrade():
    connection = op.get_bind()
    present = connection.execute(sa.select(_unit.c.code).where(_unit.c.code == "bag")).first()
    # An empty database is seeded later by `flask catalogue load`, which adds every unit.
    seeded = connection.execute(sa.select(_unit.c.code).limit(1)).first()
    if present is None and seeded is not None:
        op.bulk_insert(_unit, [{"code": "bag", "name_en": "bag", "name_zh": "袋", "kg_per_unit": None}])


def downgrade():
    # Postings, orders and commodities may point at the unit by then: removing it is left to an admin.
    pass
