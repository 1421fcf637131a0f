"""posting search filters: indexes for each market filter in the market's orders, owner_verified, quantity_kg

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 16:00:00

Issue 16: on 1,000,000 postings a search filtered by commodity, province or "trusted sellers only"
walked every active posting newest first and checked each one. Each filter now has an index that
starts with the status and ends with the market's order, so a page is an index walk that stops
after one page. "Trusted sellers only" was an EXISTS on the member of every posting; the posting now
carries owner_verified, kept by postings.services.set_owner_verified when a member is verified or
loses the badge (the members_signals.member_verification_changed signal). "Largest quantity first"
read every active row of an index to compute the quantity in kg by unit; the posting now stores
quantity_kg, derived like price_per_kg, with an index.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

INDEXES = {
    "ix_posting_status_commodity_published": ["status", "commodity_id", "published_at"],
    "ix_posting_status_commodity_price": ["status", "commodity_id", "price_per_kg"],
    # "河南玉米": the commonest understood query, a commodity in a province.
    "ix_posting_status_commodity_province_published": ["status", "commodity_id", "province_code", "published_at"],
    "ix_posting_status_province_published": ["status", "province_code", "published_at"],
    "ix_posting_status_verified_published": ["status", "owner_verified", "published_at"],
    "ix_posting_status_quantity_kg": ["status", "quantity_kg"],
}
OLD_QUANTITY_INDEX = ("ix_posting_status_quantity", ["status", "quantity", "unit_code", "unit_weight_kg", "published_at"])


def upgrade():
    # A plain ADD COLUMN (no batch rebuild of a table with 1,000,000 rows and an FTS index on it).
    op.add_column("posting", sa.Column("owner_verified", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        sa.text(
            "UPDATE posting SET owner_verified = :yes "
            "WHERE owner_id IN (SELECT id FROM member WHERE verified_at IS NOT NULL)"
        ).bindparams(yes=True)
    )
    op.add_column("posting", sa.Column("quantity_kg", sa.Numeric(20, 3), nullable=True))
    # As postings.services.compute_quantity_kg: the unit's weight, else the stated weight of a count unit.
    op.execute(
        "UPDATE posting SET quantity_kg = ROUND(quantity * COALESCE("
        "(SELECT kg_per_unit FROM unit WHERE unit.code = posting.unit_code), unit_weight_kg), 3)"
    )
    op.drop_index(OLD_QUANTITY_INDEX[0], table_name="posting")
    for name, columns in INDEXES.items():
        op.create_index(name, "posting", columns)


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="posting")
    op.create_index(OLD_QUANTITY_INDEX[0], "posting", OLD_QUANTITY_INDEX[1])
    # Plain DROP COLUMNs (SQLite 3.35+), for the same reason as the ADDs.
    op.drop_column("posting", "quantity_kg")
    op.drop_column("posting", "owner_verified")
